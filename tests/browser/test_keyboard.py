"""Keyboard-only use: reach, open, use and close every guide; focus moves in and comes back."""

from playwright.sync_api import expect

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
