"""Keyboard-only use: reach, open, use and close every guide; focus moves in and comes back."""

import re

import pytest
from playwright.sync_api import expect

from .widget_app import LiveServer
from .zoo.app import make_zoo_app

FOCUSED = """() => { let e = document.activeElement;
  while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
  return e && e !== document.body ? (e.getAttribute('aria-label') || e.id || e.textContent.trim()) : null }"""


def focused(page):
    return page.evaluate(FOCUSED)


def test_beacon_opens_a_tooltip_by_keyboard_and_esc_returns_focus(pages):
    page = pages.open("/reports")
    page.focus("#filter")
    page.keyboard.press("Tab")  # the beacon follows its anchor
    assert focused(page) == "Help: Filter"
    expect(page.locator(".ob-bc").first).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Enter")
    tip = page.get_by_role("dialog", name="Filter")
    expect(tip).to_be_focused()
    expect(page.locator(".ob-bc").first).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    assert focused(page) == "Close"
    page.keyboard.press("Tab")
    assert focused(page) == "Yes"
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    assert focused(page) == "Help: Filter"


def test_panel_by_keyboard(pages):
    page = pages.open("/reports")
    page.focus("[data-onboarding-open=tips]")
    page.keyboard.press("Enter")
    panel = page.get_by_role("dialog", name="Tips")
    expect(panel).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert focused(page) == "Search help"  # the resource centre's search box, after its ×
    page.keyboard.press("Tab")
    # beginners' questions come first (seed 002), then the tips, each group by priority
    assert focused(page) == "How do I export?"
    page.keyboard.press("Tab")
    assert focused(page) == "Keyboard shortcuts"
    page.keyboard.press("Enter")
    expect(panel.get_by_text("to open reports")).to_be_visible()
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    assert focused(page).startswith("Tips")


def test_confirmation_is_modal_and_traps_focus(pages, site):
    page = pages.open("/reports")
    page.focus("text=Delete report")
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Delete this report?")
    expect(dialog).to_be_visible()
    seen = set()
    for _ in range(6):
        page.keyboard.press("Tab")
        seen.add(focused(page))
    assert seen <= {"Cancel", "Confirm", None}, seen  # never the page behind it (None: browser UI)
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    assert focused(page) == "Delete report"
    assert site.deleted == 0
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Confirm").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#deleted")).to_be_visible()


def test_a_guide_that_opens_by_itself_takes_focus_and_gives_it_back(pages, site):
    page = pages.open("/account")  # tip-name: auto_open, and today's budget is not spent
    tip = page.get_by_role("dialog", name="Display name")
    expect(tip).to_be_focused()
    assert site.situation("alice").budget_used == 1
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    assert focused(page) is None  # back where it was: the page itself


def test_tour_by_keyboard(pages):
    page = pages.open("/tour/start")
    step = page.get_by_role("dialog", name="Your data")
    expect(step).to_be_focused()
    step.get_by_role("button", name="Next").focus()
    page.keyboard.press("Enter")
    step2 = page.get_by_role("dialog", name="Filters")
    expect(step2).to_be_focused()  # focus follows the tour
    step2.get_by_role("button", name="Back").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="Your data")).to_be_focused()


def test_the_attention_budget_is_shared_by_every_tab_and_device(pages, site):
    site.spend_budget("alice", "tip-name", times=2)  # awareness: 3 a day; one is left
    a = pages.open("/account")
    b = pages.open("/account", uid="alice")  # another device, at the same time
    for page in (a, b):
        expect(page.locator(".ob-bc[aria-label='Help: Display name']")).to_have_count(1)
    for _ in range(50):  # the winner's POST /shown {"auto": true} has been answered
        if site.situation("alice").budget_used == 3:
            break
        a.wait_for_timeout(100)
    a.wait_for_timeout(500)  # and the loser's, if its page asked at all
    opened = [p.get_by_role("dialog", name="Display name").is_visible() for p in (a, b)]
    assert opened.count(True) == 1, opened  # the server gave the last slot to one of them
    assert site.situation("alice").budget_used == 3
    third = pages.open("/account", uid="alice")
    expect(third.locator(".ob-bc[aria-label='Help: Display name']")).to_have_count(1)
    third.wait_for_timeout(300)
    expect(third.get_by_role("dialog", name="Display name")).to_be_hidden()  # passive: hover or focus
    third.focus("#display-name")
    expect(third.get_by_role("dialog", name="Display name")).to_be_visible()


# The title of the open card holding focus, or None when focus is outside every card.
CARD_OF_FOCUS = """() => { const layer = document.querySelector('ob-layer');
  const active = layer && document.activeElement === layer && layer.shadowRoot.activeElement;
  const card = active && active.closest('.ob-card');
  return card ? card.querySelector('.ob-t').textContent : null }"""


def open_beacon_tooltip(page):
    page.focus("#filter")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    return "Filter"


def open_glossary(page):
    page.get_by_role("button", name="Help: MRR").focus()
    page.keyboard.press("Enter")
    return "MRR"


def open_panel(kind, title):
    def opener(page):
        page.focus(f"[data-onboarding-open={kind}]")
        page.keyboard.press("Enter")
        return title

    return opener


KINDS = {
    "tooltip": ("/reports", open_beacon_tooltip),
    "glossary": ("/reports", open_glossary),
    "tips": ("/reports", open_panel("tips", "Tips")),
    "changelog": ("/reports", open_panel("changelog", "What's new")),
    "checklist": ("/reports", open_panel("checklist", "Set up your account")),
    "tour": ("/tour/start", lambda page: "Your data"),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_tab_cycles_inside_what_the_user_opened_and_escape_gives_focus_back(pages, kind):
    path, open_it = KINDS[kind]
    page = pages.open(path)
    title = open_it(page)
    card = page.get_by_role("dialog", name=title)
    expect(card).to_be_focused()
    for key in ["Tab"] * 30 + ["Shift+Tab"] * 30:
        page.keyboard.press(key)
        assert page.evaluate(CARD_OF_FOCUS) == title, (key, focused(page))
    labels = []
    for _ in range(30):
        page.keyboard.press("Tab")
        labels.append(focused(page))
    assert len(set(labels)) < len(labels), labels  # it came round again
    page.keyboard.press("Escape")
    expect(card).to_be_hidden()
    if kind != "tour":  # the opener: the beacon, or the panel's host control
        assert focused(page) is not None and page.evaluate(CARD_OF_FOCUS) is None


def test_a_hover_tooltip_does_not_keep_focus(pages):
    page = pages.open("/reports")
    page.hover("#filter")
    expect(page.get_by_role("dialog", name="Filter")).to_be_visible()
    page.focus("#filter")
    page.keyboard.press("Tab")
    assert focused(page) == "Help: Filter"  # on along the page, not into the card


def test_the_live_region_is_there_from_page_load(pages):
    page = pages.open("/reports")
    region = page.locator("ob-layer [aria-live=polite]")
    expect(region).to_have_count(1)
    expect(region).to_have_text(re.compile(r"\S"))  # what the page announced on load was kept


def test_dont_show_again_gives_focus_to_the_anchor(pages, site):
    page = pages.open("/reports")
    page.focus("#filter")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    tip = page.get_by_role("dialog", name="Filter")
    expect(tip).to_be_focused()
    tip.get_by_role("button", name="Don't show again").focus()
    page.keyboard.press("Enter")
    expect(tip).to_have_count(0)
    expect(page.get_by_role("button", name="Help: Filter")).to_have_count(0)  # the beacon went with it
    assert focused(page) == "filter"  # never lost to <body>
    expect(page.get_by_role("dialog", name="Filter")).to_have_count(0)  # and it does not come back


FOCUSED_TAG = """() => { let e = document.activeElement;
  while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
  return e && [e.localName, e.id, e.getAttribute('tabindex')] }"""


def test_closing_the_banner_gives_focus_to_main_not_body(pages):
    page = pages.open("/reports")
    close = page.locator(".ob-ban").get_by_role("button", name="Close")
    close.focus()
    page.keyboard.press("Enter")
    expect(page.locator(".ob-ban")).to_have_count(0)
    assert page.evaluate(FOCUSED_TAG) == ["main", "", "-1"]  # focusable by script only: not a Tab stop
    page.keyboard.press("Tab")  # and Tab goes on from there, into the page's content
    assert page.evaluate(FOCUSED_TAG)[0] != "body"


def test_dont_show_again_on_a_card_without_opener_gives_focus_to_the_next_control(pages):
    zoo = LiveServer(make_zoo_app()).start()
    pages.site = zoo
    try:
        page = pages.open("/zoo/grid")
        starter = page.locator("[data-onboarding-slot=starter] .ob-card")
        starter.get_by_role("button", name="Don't show again").focus()
        page.keyboard.press("Enter")
        expect(starter).to_have_count(0)
        controls = "main a[href], main button, main input, main [tabindex='0']"
        first_after = page.evaluate(
            "(css) => [...document.querySelectorAll(css)].find((c) => c.checkVisibility()).outerHTML", controls
        )
        focused_html = page.evaluate("() => document.activeElement.outerHTML")
        assert focused_html == first_after  # the control the card stood before, not <body>
    finally:
        zoo.stop()


def test_dont_show_again_on_the_last_card_of_the_page_gives_focus_to_main(pages):
    page = pages.open("/")  # the starter card in its slot, nothing focusable after it
    starter = page.locator("[data-onboarding-starter] .ob-card")
    starter.get_by_role("button", name="Don't show again").focus()
    page.keyboard.press("Enter")
    expect(starter).to_have_count(0)
    assert page.evaluate(FOCUSED_TAG) == ["main", "", "-1"]


def test_enter_on_the_glossary_beacon_always_toggles(pages):
    page = pages.open("/reports")
    beacon = page.get_by_role("button", name="Help: MRR")
    tip = page.get_by_role("dialog", name="MRR")
    beacon.hover()  # the term's card shows on hover (and its close is pending once the pointer leaves)
    page.mouse.move(0, 0)
    beacon.focus()
    page.keyboard.press("Enter")  # at once: it opens, with focus, whatever hover did a moment ago
    expect(tip).to_be_focused()
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()
    assert focused(page) == "Help: MRR"
    page.keyboard.press("Enter")
    expect(tip).to_be_focused()
    beacon.focus()
    page.keyboard.press("Enter")  # opened from the beacon: the beacon closes it
    expect(tip).to_be_hidden()


def test_a_tour_step_is_focused_and_described(pages):
    page = pages.open("/tour/start")
    step = page.get_by_role("dialog", name="Your data")
    expect(step).to_be_focused()
    description = step.evaluate(
        "(s) => s.getAttribute('aria-describedby').split(' ')"
        ".map((id) => s.getRootNode().getElementById(id).textContent).join(' ')"
    )
    assert "All your data starts here." in description and "1" in description


def test_beacons_use_system_colours_in_forced_colours_mode(pages):
    page = pages.open("/reports")
    page.emulate_media(forced_colors="active")
    beacon = page.get_by_role("button", name="Help: Filter")
    expect(beacon).to_be_visible()
    dot = beacon.evaluate("(b) => getComputedStyle(b, '::before').backgroundColor")
    highlight = page.evaluate(
        "() => { const d = document.createElement('i'); d.style.color = 'Highlight'; document.body.append(d);"
        " const c = getComputedStyle(d).color; d.remove(); return c }"
    )
    assert dot == highlight, (dot, highlight)


def test_placement_mirrors_under_rtl(pages):
    page = pages.open("/reports", cookies={"lang": "ar"})  # dir="rtl" from the locale
    field = page.locator("#filter").bounding_box()
    beacon = page.locator("#filter + * .ob-bc")
    expect(beacon).to_be_visible()
    dot = beacon.bounding_box()
    assert abs(dot["x"] + dot["width"] / 2 - field["x"]) <= 1  # on the anchor's start (left) corner
    beacon.focus()
    page.keyboard.press("Enter")
    tip = page.get_by_role("dialog", name="Filter")
    expect(tip).to_be_focused()
    assert tip.evaluate("e => getComputedStyle(e).direction") == "rtl"
