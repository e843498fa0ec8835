"""Every kind of guide is drawn from the inlined payload, with no extra request at page load."""

from playwright.sync_api import expect

SENT = "() => !localStorage.obq || localStorage.obq === '[]'"  # a function: strings are eval'd, CSP forbids


def open_cards(page):
    return page.locator(".ob-card[popover]:popover-open")


def test_no_api_request_at_page_load_and_shown_only_when_drawn(pages, site):
    page = pages.open("/reports")
    expect(page.locator(".ob-ban")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert site.store.gets(prefix="/onboarding/api") == []  # drawn from the payload
    shown = [p for p, _ in site.store.posts("/shown")]
    assert any("banner-maint" in p for p in shown) and any("foot-reports" in p for p in shown)
    assert not any("tip-filter" in p for p in shown)  # a closed tooltip was not drawn
    assert not any("tip-missing" in p for p in shown)  # nor one whose anchor is missing
    page.hover("#filter")
    expect(page.locator(".ob-card", has_text="Type part of a report name")).to_be_visible()
    page.wait_for_function(SENT)
    assert any("tip-filter" in p for p, _ in site.store.posts("/shown"))


def test_tooltip_beacon_hover_and_focus(pages):
    page = pages.open("/reports")
    beacon = page.locator(".ob-bc").first
    expect(beacon).to_have_attribute("aria-label", "Help: Filter")
    tip = page.locator(".ob-card", has_text="Type part of a report name")
    page.hover("#filter")
    expect(tip).to_be_visible()
    page.mouse.move(900, 700)
    expect(tip).to_be_hidden()
    page.focus("#filter")
    expect(tip).to_be_visible()
    expect(page.locator(".ob-sr[aria-live]")).to_contain_text("Type part of a report name")
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()


def test_glossary_tooltip_on_a_term(pages):
    page = pages.open("/reports")
    page.hover("[data-onboarding=mrr]")
    expect(page.locator(".ob-card", has_text="Monthly recurring revenue")).to_be_visible()


def test_validation_hint_from_constraint_validation(pages):
    page = pages.open("/reports")
    hint = page.locator(".ob-card", has_text="Digits only")
    expect(hint).to_be_hidden()
    page.fill("#year", "20x4")
    expect(hint).to_be_visible()
    page.fill("#year", "2024")
    expect(hint).to_be_hidden()


def test_server_sent_hint_at_the_field(pages):
    page = pages.open("/reports?hint=1")
    hint = page.locator(".ob-card[role=status]", has_text="No report matches this filter")
    expect(hint).to_be_visible()
    field, box = page.locator("#filter").bounding_box(), hint.bounding_box()
    assert box["y"] >= field["y"] + field["height"] - 1  # drawn at the field, below it


def test_banner_and_footer_help(pages, site):
    page = pages.open("/reports")
    banner = page.locator(".ob-ban")
    expect(banner).to_contain_text("Maintenance on Sunday")
    footer = page.locator("[data-onboarding-footer] .ob-foot")
    expect(footer).to_contain_text("Reports sum up your data")
    footer.get_by_role("button", name="Yes").click()
    expect(footer.get_by_role("button", name="Yes")).to_have_attribute("aria-pressed", "true")
    page.wait_for_function(SENT)
    assert site.store.users["alice"].feedback == {"foot-reports": True}


def test_starter_guide_card_and_link(pages, site):
    page = pages.open("/")
    card = page.get_by_role("dialog", name="How to start")
    expect(card).to_be_visible()
    expect(card).not_to_be_focused()  # not auto_open: it does not take focus
    expect(card.get_by_role("link", name="Starter guide")).to_have_attribute("href", site.url("/starter"))


def test_tips_panel(pages, site):
    page = pages.open("/reports")
    page.click("[data-onboarding-open=tips]")
    panel = page.get_by_role("dialog", name="Tips")
    expect(panel).to_be_visible()
    panel.get_by_text("How do I export?").click()
    expect(panel.get_by_text("Use the Export button")).to_be_visible()
    page.click("[data-onboarding-open=tips]")  # the opener toggles it closed
    expect(panel).to_be_hidden()


def test_changelog_badge_panel_and_read(pages, site):
    page = pages.open("/reports")
    badge = page.locator("[data-onboarding-open=changelog] .ob-badge")
    expect(badge).to_contain_text("2 new items")
    expect(page.locator(".ob-sr[aria-live]")).to_have_text("2 new items")
    page.click("[data-onboarding-open=changelog]")
    panel = page.get_by_role("dialog", name="What's new")
    expect(panel).to_contain_text("Scheduled reports")
    expect(panel).to_contain_text("2.0 · 2026-11-01")
    expect(badge).to_have_count(0)
    page.wait_for_function(SENT)
    assert site.store.users["alice"].read == {"v1", "v2"}
    page.reload()
    expect(page.locator(".ob-ban")).to_be_visible()
    expect(page.locator(".ob-badge")).to_have_count(0)


def test_changelog_levels_silent_and_popup(pages):
    page = pages.open("/reports?level=silent")
    expect(page.locator(".ob-ban")).to_be_visible()
    expect(page.locator(".ob-badge")).to_have_count(0)
    page = pages.open("/reports?level=popup", uid="bob")
    expect(page.get_by_role("dialog", name="What's new")).to_be_visible()


def test_checklist_progress(pages, site):
    site.store.user("alice").events.append("installed_code")
    page = pages.open("/reports")
    page.click("[data-onboarding-open=checklist]")
    panel = page.get_by_role("dialog", name="Set up your account")
    expect(panel).to_contain_text("1 / 3")
    expect(panel.locator("progress")).to_have_attribute("aria-label", "Get started")
    assert panel.locator("progress").evaluate("p => [p.value, p.max]") == [1, 3]
    expect(panel.get_by_role("checkbox", name="Install the tracking code")).to_be_checked()
    expect(panel.get_by_role("checkbox", name="Create a report")).not_to_be_checked()


def test_confirmation_gates_the_click(pages, site):
    page = pages.open("/reports")
    page.click("text=Delete report")
    dialog = page.get_by_role("dialog", name="Delete this report?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    assert site.store.deleted == 0
    page.click("text=Delete report")
    page.get_by_role("dialog", name="Delete this report?").get_by_role("button", name="Confirm").click()
    expect(page.locator("#deleted")).to_be_visible()
    assert site.store.deleted == 1


def test_confirmation_without_a_guide_uses_the_attribute_text(pages):
    page = pages.open("/reports")
    page.click("text=Leave")
    dialog = page.get_by_role("dialog", name="Leave this page?")
    dialog.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/reports?gone=1")


def test_multi_page_tour_resumes_from_the_server_state(pages, site):
    page = pages.open("/tour/start")
    step = page.get_by_role("dialog", name="Your data")
    expect(step).to_be_visible()
    expect(step).to_contain_text("Step 1 of 3")
    expect(step).to_be_focused()  # auto_open: focus moved in
    step.get_by_role("button", name="Next").click()
    step2 = page.get_by_role("dialog", name="Filters")
    expect(step2).to_contain_text("Step 2 of 3")
    step2.get_by_role("button", name="Next").click()  # step 3 is on another page
    page.wait_for_url("**/tour/next")
    step3 = page.get_by_role("dialog", name="Export")
    expect(step3).to_contain_text("Step 3 of 3")
    assert site.store.users["alice"].progress["tour-basics"] == 2
    # another device resumes at the same step, with a link to its page
    other = pages.open("/tour/start", uid="alice")
    card = other.get_by_role("dialog", name="Export")
    expect(card).to_contain_text("Step 3 of 3")
    expect(card.get_by_role("link", name="Next")).to_have_attribute("href", site.url("/tour/next"))
    step3.get_by_role("button", name="Done").click()
    expect(step3).to_have_count(0)
    page.wait_for_function(SENT)
    assert "tour-basics" in site.store.users["alice"].completed
