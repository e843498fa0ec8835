"""axe-core reports zero violations with each kind of guide open, in the light and dark themes.

axe is injected with add_init_script (through the DevTools protocol), so it runs on the real
strict-CSP pages without weakening their policy.
"""

import pytest
from playwright.sync_api import expect

RUN = """async () => { const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.map(v => v.id + ': ' + v.help + ' @ '
    + v.nodes.map(n => JSON.stringify(n.target)).join(', ')) }"""


def tooltip(page):
    page.focus("#filter")
    return page.get_by_role("dialog", name="Filter")


def hints(page):
    page.fill("#year", "x")
    return page.locator(".ob-card[role=status]")


def panel(kind, name):
    def opener(page):
        page.click(f"[data-onboarding-open={kind}]")
        return page.get_by_role("dialog", name=name)

    return opener


def tips_expanded(page):
    d = panel("tips", "Tips")(page)
    d.get_by_text("How do I export?").click()
    return d


def confirm(page):
    page.click("text=Delete report")
    return page.get_by_role("dialog", name="Delete this report?")


STATES = {
    "page": ("/reports", lambda page: page.locator(".ob-ban")),
    "tooltip": ("/reports", tooltip),
    "hints": ("/reports?year=x", hints),
    "tips": ("/reports", tips_expanded),
    "changelog": ("/reports", panel("changelog", "What's new")),
    "checklist": ("/reports", panel("checklist", "Set up your account")),
    "confirm": ("/reports", confirm),
    "starter": ("/", lambda page: page.get_by_role("region", name="How to start")),
    "starter-corner": ("/welcome", lambda page: page.get_by_role("dialog", name="How to start")),
    "auto-tooltip": ("/account", lambda page: page.get_by_role("dialog", name="Display name")),
    "popup": ("/reports", lambda page: page.get_by_role("dialog", name="What's new"), {"plan": "beta"}),
    "tour": ("/tour/start", lambda page: page.get_by_role("dialog", name="Your data")),
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("state", list(STATES))
def test_axe_finds_no_violations(pages, axe, state, scheme):
    path, open_it, *cookies = STATES[state]
    ctx = pages.context("alice", *cookies, color_scheme=scheme, reduced_motion="reduce")
    ctx.add_init_script(path=str(axe))
    page = pages.open(path, ctx=ctx)
    expect(page.locator(".ob-foot, .ob-card").first).to_be_attached()
    expect(open_it(page).first).to_be_visible()
    violations = page.evaluate(RUN)
    assert violations == [], "\n".join(violations)
