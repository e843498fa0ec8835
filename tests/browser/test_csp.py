"""The widget works under a strict Content-Security-Policy (every test page sends one)."""

from playwright.sync_api import expect

WATCH = """window.__csp = []; document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')))"""


def test_pages_send_the_strict_policy(site):
    import urllib.request

    req = urllib.request.Request(site.url("/reports"), headers={"Cookie": "uid=alice"})
    with urllib.request.urlopen(req) as r:
        csp = r.headers["Content-Security-Policy"]
        html = r.read().decode()
    assert csp.startswith("default-src 'self'; script-src 'self' 'nonce-") and "style-src 'self'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'id="onboarding-data" nonce="{nonce}"' in html
    assert f'src="/onboarding/static/onboarding.js" defer nonce="{nonce}"' in html


def test_every_kind_opens_without_a_csp_violation(pages, site):
    ctx = pages.context("alice")
    ctx.add_init_script(WATCH)
    page = pages.open("/reports?year=x", ctx=ctx)
    page.hover("#filter")
    expect(page.get_by_role("dialog", name="Filter")).to_be_visible()
    page.fill("#year", "x")
    for k, name in (("tips", "Tips"), ("changelog", "What's new"), ("checklist", "Set up your account")):
        page.click(f"[data-onboarding-open={k}]")
        expect(page.get_by_role("dialog", name=name)).to_be_visible()
    page.click("text=Delete report")
    expect(page.get_by_role("dialog", name="Delete this report?")).to_be_visible()
    page.keyboard.press("Escape")
    assert page.evaluate("() => window.__csp") == []
    for path, name in (("/tour/start", "Your data"), ("/welcome", "How to start")):  # the tour chunk is import()ed
        page.goto(site.url(path))
        expect(page.get_by_role("dialog", name=name)).to_be_visible()
        assert page.evaluate("() => window.__csp") == []


def test_no_inline_handlers_or_style_attributes_in_markup(pages):
    page = pages.open("/reports?year=x")
    page.click("[data-onboarding-open=tips]")
    expect(page.get_by_role("dialog", name="Tips")).to_be_visible()
    bad = page.evaluate("""() => { const out = [];
      const walk = root => root.querySelectorAll('*').forEach(e => {
        for (const a of e.attributes) if (a.name.startsWith('on')) out.push(e.tagName + ' ' + a.name);
        if (e.shadowRoot) walk(e.shadowRoot) });
      walk(document); return out }""")
    assert bad == []


def test_widget_source_has_no_eval():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    built = sorted((root / "static").glob("*.js"))
    source = sorted((root / "widget" / "src").rglob("*.js"))
    assert built and source
    for f in built + source:
        src = f.read_text()
        for banned in ("eval(", "new Function", "setTimeout('", 'setTimeout("', ".outerHTML", "insertAdjacentHTML"):
            assert banned not in src, (f.name, banned)
    # only guide.body (server-sanitized) is ever inserted as HTML: one sink, dom.js setBody
    sinks = {f.name: f.read_text().count(".innerHTML") for f in source if ".innerHTML" in f.read_text()}
    assert sinks == {"dom.js": 1}
    assert "node.innerHTML = guide.body || '';" in (root / "widget" / "src" / "dom.js").read_text()
