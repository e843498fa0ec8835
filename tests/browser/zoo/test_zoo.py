"""The host zoo (issue 11 items 2 and 3): the widget never breaks a host's layout and never
covers what it explains. Each zoo page (tests/browser/zoo/app.py) is measured twice in Chromium:
with onboarding.js blocked (the host alone, as the server rendered it) and with the widget
drawing every kind (banner, starter card, footer help, beacons, the badge, a tooltip, the
validation and server hints, a tour step with its spotlight, then each panel and the
confirmation in turn). Every host element keeps its bounding box, to the pixel:

- the slots the host marked (data-onboarding-slot) are the only place the widget may add height:
  their content is not compared, their ancestors keep their position and width, and what comes
  after them keeps its size and may only move down with them;
- no open floating card covers its own anchor or any control of the page (the host's, on any
  row, and the buttons of our cards in the host's slots).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from onboarding_sdk.anchor_reports import missing_on

from ..widget_app import LiveServer
from .app import VARIANTS, make_zoo_app

DESKTOP = {"viewport": {"width": 1280, "height": 800}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 3}
ZOOM_200 = {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2}  # 1280x800 at 200%

# (variant, context options, the OS colour scheme)
CASES = [
    ("grid", DESKTOP, "light"),
    ("grid", PHONE, "light"),
    ("flex", DESKTOP, "light"),
    ("all-grid", DESKTOP, "light"),
    ("fixed-header", DESKTOP, "light"),
    ("fixed-header", ZOOM_200, "light"),
    ("scroller", DESKTOP, "light"),
    ("transformed", DESKTOP, "light"),
    ("spa", DESKTOP, "light"),
    ("rtl", DESKTOP, "light"),
    ("light-only", DESKTOP, "dark"),
    ("dark", DESKTOP, "light"),
]

# Every element of the host's page with its box, scrolled to the top; the widget's own nodes (its
# layer, the beacons' zero-size hosts after their anchors, the badge) and the slots' content are
# left out. `around`: an ancestor of a slot or of an inline card;
# `after`: after one in document order.
MEASURE = """() => {
  for (const node of document.querySelectorAll('*')) { node.scrollTop = 0; node.scrollLeft = 0; }
  scrollTo(0, 0);
  const ours = '[data-onboarding-slot],[data-onboarding-footer],ob-layer,ob-mark,.ob-badge,.ob-visually-hidden';
  const inline = [...document.querySelectorAll('body *')]
    .filter((n) => n.shadowRoot && !/^ob-(layer|mark)$/.test(n.localName));
  const regions = [...document.querySelectorAll('[data-onboarding-slot],[data-onboarding-footer]'), ...inline];
  return [...document.querySelectorAll('body *')]
    .filter((n) => !n.closest(ours) && !inline.some((i) => i.contains(n)) && !/^(SCRIPT|LINK|BR)$/.test(n.tagName))
    .map((n) => {
      const r = n.getBoundingClientRect();
      return {
        node: n.tagName + (n.id ? '#' + n.id : '') + '.' + n.className,
        box: [r.x, r.y, r.width, r.height].map((v) => Math.round(v * 100) / 100),
        around: regions.some((g) => n.contains(g)),
        after: regions.some((g) => g.compareDocumentPosition(n) & Node.DOCUMENT_POSITION_FOLLOWING && !g.contains(n)),
      };
    });
}"""

# Open floating cards that cover their anchor, a control on the anchor's row, or any control of
# the page (the host's on any row, the buttons of our cards in the host's slots: the starter
# card's "Don't show again") when a clear spot existed: the placement says how many controls
# and cards it had to cover (data-covers, 0 when a spot it tried was clear; widget/test/place.test.js
# tests that search). `anywhere` (desktop, before panels open): the server's hint and the tour step
# must have found a clear spot.
OVERLAPS = """(anywhere) => {
  const root = document.querySelector('ob-layer').shadowRoot;
  const hit = (a, b) =>
    a.left < b.right - 0.5 && a.right > b.left + 0.5 && a.top < b.bottom - 0.5 && a.bottom > b.top + 0.5;
  const focusable = 'input,select,textarea,button,a[href],[tabindex]:not([tabindex="-1"])';
  const controls = [...document.querySelectorAll(focusable)];
  for (const slot of document.querySelectorAll('ob-slot')) {
    controls.push(...slot.shadowRoot.querySelectorAll(focusable));
  }
  const found = [];
  for (const card of root.querySelectorAll('.ob-card:popover-open')) {
    if (!card.anchor || getComputedStyle(card).visibility == 'hidden') continue;
    const box = card.getBoundingClientRect();
    const anchor = card.anchor.getBoundingClientRect();
    const name = (card.querySelector('.ob-t') || card).textContent.slice(0, 40);
    if (hit(box, anchor)) found.push(name + ' covers its anchor');
    const panel = card.classList.contains('ob-p'); // it avoids only its opener's neighbours
    const strict = card.dataset.covers == '0' && !panel;
    const near = card.anchor.closest('form,fieldset') || card.anchor.parentElement;
    // the server's hint and the tour step (the validation hint may meet the server's hint at its field)
    const hintOrStep = !panel && !card.guide.kind;
    if (anywhere && hintOrStep && !strict) found.push(name + ' found no clear spot');
    for (const control of controls) {
      const r = control.getBoundingClientRect();
      const sameRow = r.top < anchor.bottom && r.bottom > anchor.top && near.contains(control);
      if (control != card.anchor && r.width && r.height && (strict || sameRow) && hit(box, r)) {
        found.push(name + ' covers ' + control.outerHTML.slice(0, 60));
      }
    }
  }
  return found;
}"""


@pytest.fixture(scope="module")
def zoo() -> Iterator[LiveServer]:
    server = LiveServer(make_zoo_app()).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def contexts(browser: Any) -> Iterator[dict[tuple[int, str, bool], Any]]:
    """Browser contexts reused across the zoo's pages (one per viewport, OS scheme and widget on/off)."""
    made: dict[tuple[int, str, bool], Any] = {}
    yield made
    for context in made.values():
        context.close()


def new_page(
    contexts: dict[tuple[int, str, bool], Any],
    browser: Any,
    zoo: LiveServer,
    uid: str,
    options: dict[str, Any],
    scheme: str,
    widget: bool,
) -> Page:
    key = (id(options), scheme, widget)
    if key not in contexts:
        contexts[key] = context = browser.new_context(**options, color_scheme=scheme, reduced_motion="reduce")
        if not widget:
            context.route("**/onboarding.js", lambda route: route.abort())
    context = contexts[key]
    context.add_cookies([{"name": "uid", "value": uid, "url": zoo.base}])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    return page


def assert_same_layout(host: list[dict[str, Any]], drawn: list[dict[str, Any]], moment: str) -> None:
    assert [e["node"] for e in drawn] == [e["node"] for e in host], f"{moment}: the host's elements changed"
    for before, now in zip(host, drawn, strict=True):
        keep = {(True, True): (0, 2), (True, False): (0, 1, 2), (False, True): (0, 2, 3)}.get(
            (now["around"], now["after"]), (0, 1, 2, 3)
        )
        moved = [i for i in keep if before["box"][i] != now["box"][i]]
        assert not moved, f"{moment}: {now['node']} moved or resized: {before['box']} -> {now['box']}"


def check(page: Page, host: list[dict[str, Any]], moment: str, anywhere: bool) -> None:
    page.wait_for_timeout(0)  # let requestAnimationFrame run once
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert_same_layout(host, page.evaluate(MEASURE), moment)
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    assert page.evaluate(OVERLAPS, anywhere) == [], moment


@pytest.mark.parametrize(("name", "options", "scheme"), CASES, ids=lambda v: v if isinstance(v, str) else None)
def test_zoo_page(
    contexts: Any, browser: Any, zoo: LiveServer, name: str, options: dict[str, Any], scheme: str
) -> None:
    url = zoo.url(f"/zoo/{name}")
    anywhere = options is DESKTOP  # room around the anchors: no card may cover any control
    uid = f"{name}-{options['viewport']['width']}"
    off = new_page(contexts, browser, zoo, uid, options, scheme, widget=False)
    off.goto(url)
    host = off.evaluate(MEASURE)
    off.close()

    page = new_page(contexts, browser, zoo, uid, options, scheme, widget=True)
    page.goto(url)
    layer = page.locator("ob-layer")
    expect(layer.locator(".ob-ban")).to_contain_text("Maintenance on Sunday")
    step = layer.locator(".ob-card", has_text="Your numbers")
    expect(step).to_be_visible()
    expect(layer.locator(".ob-spot")).to_be_visible()
    expect(step).to_have_attribute("data-side", re.compile("top|bottom|left|right"))  # placed, with its arrow
    expect(layer.locator(".ob-card[role=status]", has_text="Four digits")).to_have_count(1)  # the server's hint
    expect(page.locator("ob-mark .ob-bc")).to_have_count(2)  # filter and MRR (validation hints have none)
    expect(page.locator(".ob-badge")).to_have_count(1)
    # the footer help in its slot; without one at the end of <main> when that is a plain block,
    # else floating in the corner (never a grid or flex item of the host)
    if VARIANTS[name].footer_slot:
        footer = page.locator("[data-onboarding-slot=footer] .ob-foot")
    elif name == "all-grid":
        footer = layer.locator(".ob-foot.ob-corner")
    else:
        footer = page.locator("main > ob-slot:last-child .ob-foot")
    expect(footer).to_contain_text("Reports sum up")
    starter = "[data-onboarding-slot=starter] .ob-card" if VARIANTS[name].starter_slot else "ob-layer .ob-corner"
    expect(page.locator(starter, has_text="How to start")).to_have_count(1)
    corners = [box for box in (c.bounding_box() for c in layer.locator(".ob-corner").all()) if box]
    for i, a in enumerate(corners):  # floating corner cards stack, never on each other
        for b in corners[i + 1 :]:
            assert a["y"] >= b["y"] + b["height"] or b["y"] >= a["y"] + a["height"], (a, b)

    # the floating banner reserves its own space: at the end of a page that scrolls, the last
    # host element can be scrolled above it (a spacer after <body>, outside the host's layout)
    banner_room = page.evaluate("""() => {
      scrollTo(0, document.documentElement.scrollHeight);
      const bar = document.querySelector('ob-layer').shadowRoot.querySelector('.ob-ban').getBoundingClientRect();
      const last = [...document.body.querySelectorAll('*')].filter((n) => !n.closest('ob-layer,ob-mark') &&
        n.getBoundingClientRect().height > 0).map((n) => n.getBoundingClientRect().bottom);
      const scrolls = document.documentElement.scrollHeight > innerHeight;
      scrollTo(0, 0);
      return !scrolls || Math.max(...last) <= bar.top + 0.5;
    }""")
    assert banner_room, f"{name}: the banner covers the end of the page"

    page.locator("#filter").hover()
    expect(layer.locator(".ob-card", has_text="Type part of a report name")).to_be_visible()
    check(page, host, f"{name}: tooltip, hints, tour step, banner", anywhere)
    page.locator("#year").fill("20x")
    page.locator("#year").press("Tab")
    check(page, host, f"{name}: validation hint", False)

    for opener, text in (("tips", "How do I export?"), ("checklist", "Install the code"), ("changelog", "Scheduled")):
        page.locator(f"[data-onboarding-open={opener}]").first.click()
        expect(layer.locator(".ob-p", has_text=text)).to_be_visible()
        check(page, host, f"{name}: the {opener} panel", False)
        page.keyboard.press("Escape")

    page.locator("#delete").click()
    expect(layer.locator("dialog.ob-m")).to_be_visible()
    check(page, host, f"{name}: the confirmation", False)
    page.keyboard.press("Escape")

    if VARIANTS[name].spa:  # the route changes without a reload: the new view's guides are drawn
        page.locator("#to-settings").press("Enter")  # the banner may float over it: the keyboard way
        page.locator("[data-onboarding=sso]").scroll_into_view_if_needed()  # beacons of unseen anchors hide
        beacon = page.get_by_role("button", name="Help: Single sign-on")
        expect(beacon).to_be_visible()
        beacon.click()
        expect(layer.locator(".ob-card", has_text="Let your team log in")).to_be_visible()
        assert page.evaluate(OVERLAPS, False) == []
    assert page.errors == []  # type: ignore[attr-defined]
    page.close()


@pytest.mark.parametrize(
    ("name", "scheme", "dark"), [("light-only", "dark", False), ("dark", "light", True), ("grid", "dark", False)]
)
def test_cards_follow_the_host_colour_scheme_not_the_os(
    contexts: Any, browser: Any, zoo: LiveServer, name: str, scheme: str, dark: bool
) -> None:
    page = new_page(contexts, browser, zoo, f"scheme-{name}", DESKTOP, scheme, widget=True)
    page.goto(zoo.url(f"/zoo/{name}"))
    banner = page.locator("ob-layer .ob-ban")
    expect(banner).to_be_visible()
    background = banner.evaluate("(card) => getComputedStyle(card).backgroundColor")
    assert (background != "rgb(255, 255, 255)") == dark, background
    page.close()


def test_the_slot_helper_writes_the_marked_element_and_refuses_unknown_names(caplog: Any) -> None:
    app = make_zoo_app()
    client = app.test_client()
    client.set_cookie("uid", "slots")
    html = client.get("/zoo/grid").get_data(as_text=True)
    assert '<div data-onboarding-slot="starter">\n<section class="ob-starter" id="ob-starter-zoo-starter">' in html
    assert '<div data-onboarding-slot="footer">' in html and 'id="ob-footer-zoo-footer"' in html
    with app.test_request_context("/zoo/grid"):  # a typo draws nothing (the page still renders) and is logged
        assert app.jinja_env.globals["onboarding_slot"]("sidebar") == ""
    assert "the slots are footer, starter" in caplog.text


def test_the_default_theme(contexts: Any, browser: Any, zoo: LiveServer) -> None:
    """The host's font, right-aligned buttons at least 36 px tall (44 on touch), the focus ring on
    the focused control only."""
    for options, least in ((DESKTOP, 36), (PHONE, 44)):
        page = new_page(contexts, browser, zoo, f"theme-{least}", options, "light", widget=True)
        page.goto(zoo.url("/zoo/grid"))
        step = page.locator("ob-layer .ob-card", has_text="Your numbers")
        expect(step).to_be_visible()
        fonts = step.evaluate(
            "(card) => [getComputedStyle(card).fontFamily, getComputedStyle(document.body).fontFamily]"
        )
        assert fonts[0] == fonts[1] == "Georgia, serif"
        button = step.get_by_role("button", name="Next")
        box, card = button.bounding_box(), step.bounding_box()
        assert box is not None and card is not None
        assert box["height"] >= least
        assert card["x"] + card["width"] - (box["x"] + box["width"]) <= 20 + 1  # at the end of the row (its padding)
        page.keyboard.press("Shift")  # keyboard modality: programmatic focus shows :focus-visible
        outline = "(node) => getComputedStyle(node).outlineStyle"
        step.evaluate("(card) => card.focus()")
        assert step.evaluate(outline) == "none"  # never a ring around the whole card
        button.focus()
        assert button.evaluate(outline) == "solid"
        page.close()


def test_a_tour_step_scrolls_its_anchor_into_view_first(contexts: Any, browser: Any, zoo: LiveServer) -> None:
    short = {"viewport": {"width": 1280, "height": 300}}  # the KPI row starts below the fold
    page = new_page(contexts, browser, zoo, "scrolled", short, "light", widget=True)
    page.goto(zoo.url("/zoo/grid"))
    step = page.locator("ob-layer .ob-card", has_text="Your numbers")
    expect(step).to_be_visible()
    kpi = page.locator("[data-onboarding=kpi]").bounding_box()
    assert kpi is not None and kpi["y"] >= 0 and kpi["y"] + kpi["height"] <= 300
    assert page.evaluate("scrollY") > 0
    page.close()


def test_a_missing_anchor_is_reported_in_debug_after_five_seconds(browser: Any) -> None:
    app = make_zoo_app()
    app.debug = True  # the payload says "debug": true
    server = LiveServer(app).start()
    context = browser.new_context(reduced_motion="reduce")
    try:
        context.add_cookies([{"name": "uid", "value": "debug", "url": server.base}])
        page = context.new_page()
        warnings: list[str] = []
        page.on("console", lambda message: warnings.append(message.text) if message.type == "warning" else None)
        page.clock.install(time=0)
        page.clock.pause_at(1000)  # the page's timers run only when the test moves the clock
        page.goto(server.url("/zoo/grid"))
        expect(page.locator("ob-mark .ob-bc").first).to_be_attached()
        page.clock.run_for(4900)
        assert not [w for w in warnings if "nowhere" in w]
        page.clock.run_for(200)
        page.wait_for_function("() => true")
        assert [w for w in warnings if 'missing [data-onboarding="nowhere"]' in w], warnings
        assert page.locator("ob-layer .ob-card", has_text="Never drawn").count() == 0  # skipped, not drawn
        for _ in range(100):  # and reported to the server, for the console's preview-as
            if missing_on(app, "/zoo/grid"):
                break
            page.wait_for_timeout(50)
        assert list(missing_on(app, "/zoo/grid")) == ["nowhere"]
    finally:
        context.close()
        server.stop()
