"""Hints that respect the user (issue 11, item 6): validation hints come on blur or submit, never
while typing; one message per field (the hint joins the browser's or the host's message as the
field's description); help at a moment of trouble has no "Don't show again" and no feedback row;
feedback is asked once per guide."""

from playwright.sync_api import expect

from .queue_js import wait_sent

DESCRIPTION = """f => (f.getAttribute('aria-describedby') || '').split(' ')
  .map(id => document.getElementById(id)).filter(Boolean).map(e => e.textContent).join(' | ')"""


def test_a_validation_hint_never_shows_while_typing(pages):
    page = pages.open("/reports")
    hint = page.locator(".ob-card", has_text="Digits only")
    year = page.locator("#year")
    for typed in ("2", "20", "20x", "20x4"):  # typed one key at a time
        year.press_sequentially(typed[-1])
        page.wait_for_timeout(50)
        expect(hint).to_be_hidden()
    year.blur()
    expect(hint).to_be_visible()
    expect(page.locator(".ob-sr[aria-live]")).to_have_text("Year")
    year.focus()
    year.press("Backspace")
    year.press("Backspace")  # "20": valid again, the hint goes at once
    expect(hint).to_be_hidden()
    year.blur()
    expect(hint).to_be_hidden()


def test_on_submit_the_browser_s_bubble_is_the_one_message_and_the_hint_describes_the_field(pages):
    page = pages.open("/reports")
    year = page.locator("#year")
    year.fill("20x4")
    page.locator("#report-filter").evaluate("f => f.requestSubmit()")  # the browser blocks it, with its bubble
    page.wait_for_timeout(200)
    assert "year=" not in page.url
    expect(page.locator(".ob-card", has_text="Digits only")).to_be_hidden()
    assert year.evaluate(DESCRIPTION) == "Year. Digits only, for example 2024."
    assert page.locator(".ob-desc").evaluate("e => e.getBoundingClientRect().width") <= 1  # no layout space
    year.fill("2024")  # valid: the description goes too
    assert year.evaluate(DESCRIPTION) == ""


def test_a_server_hint_joins_the_host_s_own_message(pages):
    page = pages.open("/reports?year=20x4&own=1")  # the host shows "Not a valid year." at the field
    year = page.locator("#year")
    expect(page.locator(".ob-foot")).to_be_visible()
    page.wait_for_timeout(200)
    expect(page.locator(".ob-card[role=status]")).to_have_count(0)  # no second bubble
    assert year.evaluate(DESCRIPTION) == "Not a valid year. | Digits only, for example 2024."
    year.focus()
    year.blur()  # still invalid; the host's message is on screen: the hint joins it, no popover
    expect(page.locator(".ob-card", has_text="Digits only")).to_be_hidden()
    # without a message of the host's the server hint is a card at the field (test_kinds.py)
    other = pages.open("/reports?year=20x4", uid="bob")
    expect(other.locator(".ob-card[role=status]", has_text="Digits only")).to_be_visible()


def test_help_at_a_moment_of_trouble_has_no_dismiss_and_no_feedback(pages):
    page = pages.open("/reports")
    page.hover("#import-result")
    error = page.get_by_role("dialog", name="The import failed")
    expect(error).to_be_visible()
    expect(error.get_by_role("button")).to_have_text(["×"])  # only the close button
    page.fill("#year", "x")
    page.locator("#year").blur()
    validation = page.get_by_role("dialog", name="Year")
    expect(validation).to_be_visible()
    expect(validation.get_by_role("button")).to_have_text(["×"])
    page.hover("#filter")  # field help keeps both
    tip = page.get_by_role("dialog", name="Filter")
    expect(tip.get_by_role("button", name="Don't show again")).to_be_visible()
    expect(tip.get_by_role("button", name="Yes")).to_be_visible()


def test_feedback_is_asked_once_per_guide(pages, site):
    page = pages.open("/reports")
    footer = page.locator(".ob-foot")
    footer.get_by_role("button", name="Yes").click()
    expect(footer.get_by_role("button", name="Yes")).to_have_attribute("aria-pressed", "true")
    wait_sent(page)
    page.reload()
    expect(page.locator(".ob-foot")).to_contain_text("Reports sum up")
    expect(page.locator(".ob-foot").get_by_role("button", name="Yes")).to_have_count(0)
    page.hover("#filter")  # another guide still asks
    expect(page.get_by_role("dialog", name="Filter").get_by_role("button", name="Yes")).to_be_visible()
    other = pages.open("/reports", uid="bob")  # another user on another device: asked
    expect(other.locator(".ob-foot").get_by_role("button", name="Yes")).to_be_visible()
