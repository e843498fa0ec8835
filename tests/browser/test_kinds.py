"""Every kind of guide is drawn from the payload the real extension inlines, with no extra request at
page load; the server's state is read back through the extension."""

from playwright.sync_api import expect

from onboarding_sdk.guide_state import HELPFUL

from .queue_js import wait_sent


def open_cards(page):
    return page.locator(".ob-card[popover]:popover-open")


def test_no_api_request_at_page_load_and_shown_only_when_drawn(pages, site):
    page = pages.open("/reports")
    expect(page.locator(".ob-ban")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert site.gets(prefix="/onboarding/api") == []  # drawn from the payload
    shown = [p for p, _ in site.posts("/shown")]
    assert any("banner-maint" in p for p in shown) and any("foot-reports" in p for p in shown)
    assert not any("tip-filter" in p for p in shown)  # a closed tooltip was not drawn
    assert not any("tip-missing" in p for p in shown)  # nor one whose anchor is missing
    page.hover("#filter")
    expect(page.locator(".ob-card", has_text="Type part of a report name")).to_be_visible()
    wait_sent(page)
    assert any("tip-filter" in p for p, _ in site.posts("/shown"))
    assert site.guide("alice", "tip-filter").seen and not site.guide("alice", "tip-missing").seen


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
    page.hover("abbr.ob-term")
    expect(page.locator(".ob-card", has_text="Monthly recurring revenue")).to_be_visible()


def test_glossary_term_helper_and_tooltip_share_the_anchor(pages):
    page = pages.open("/reports")
    term = page.locator("abbr.ob-term")  # onboarding_term("MRR"): the explanation also without JavaScript
    expect(term).to_have_attribute("title", "Monthly recurring revenue.")
    expect(page.locator(".ob-bc[aria-label='Help: MRR']")).to_have_count(1)


def test_error_tooltip_at_the_failed_result(pages):
    page = pages.open("/reports")
    page.hover("#import-result")
    expect(page.get_by_role("dialog", name="The import failed")).to_contain_text("CSV with a date column")


def test_validation_hint_from_constraint_validation(pages):
    page = pages.open("/reports")
    hint = page.locator(".ob-card", has_text="Digits only")
    expect(hint).to_be_hidden()
    page.fill("#year", "20x4")
    page.locator("#year").blur()  # shown when the user leaves the field (never while typing: test_hints.py)
    expect(hint).to_be_visible()
    page.fill("#year", "2024")
    expect(hint).to_be_hidden()


def test_server_sent_hint_at_the_field(pages):
    page = pages.open("/reports?year=20x4")  # the host's validation failed: onboarding.hints_for(...)
    hint = page.locator(".ob-card[role=status]", has_text="Digits only, for example 2024.")
    expect(hint).to_be_visible()
    field, box = page.locator("#year").bounding_box(), hint.bounding_box()
    apart = (
        box["y"] >= field["y"] + field["height"] - 1
        or box["y"] + box["height"] <= field["y"] + 1
        or box["x"] >= field["x"] + field["width"] - 1
        or box["x"] + box["width"] <= field["x"] + 1
    )
    assert apart  # drawn at the field, never over it (the side with room: docs/widget.md, "Placement")


def test_banner_and_footer_help(pages, site):
    page = pages.open("/reports")
    banner = page.locator(".ob-ban")
    expect(banner).to_contain_text("Maintenance on Sunday")
    footer = page.locator("[data-onboarding-footer] .ob-foot")
    expect(footer).to_contain_text("Reports sum up your data")
    footer.get_by_role("button", name="Yes").click()
    expect(footer.get_by_role("button", name="Yes")).to_have_attribute("aria-pressed", "true")
    wait_sent(page)
    assert site.guide("alice", "foot-reports").flags & HELPFUL


def test_footer_help_replaces_the_server_rendered_copy(pages):
    page = pages.open("/reports")
    footer = page.locator("aside[data-onboarding-footer]")  # onboarding_footer_help(), for readers without JS
    expect(footer.locator(".ob-foot")).to_be_visible()
    expect(page.locator("#ob-footer-foot-reports")).to_have_count(0)
    expect(page.get_by_text("Reports sum up your data")).to_have_count(1)


def test_starter_guide_in_the_page_flow(pages, site):
    page = pages.open("/")
    slot = page.locator("[data-onboarding-starter]")  # onboarding_starter_link() inside the slot
    card = slot.get_by_role("region", name="How to start")
    expect(card).to_be_visible()
    expect(page.locator("#ob-starter-welcome")).to_have_count(0)  # the server's no-JS copy was replaced
    expect(page.get_by_text("Install the tracking code")).to_have_count(1)
    link = card.get_by_role("link", name="Starter guide")
    expect(link).to_have_attribute("href", site.url("/onboarding/guide/welcome"))
    link.click()  # the extension's own one-page starter guide
    expect(page.get_by_role("heading", name="How to start", level=1)).to_be_visible()


def test_starter_guide_card_floats_without_a_slot(pages, site):
    page = pages.open("/welcome")
    card = page.get_by_role("dialog", name="How to start")
    expect(card).to_be_visible()
    expect(card).not_to_be_focused()  # not auto_open: it does not take focus
    expect(card.get_by_role("link", name="Starter guide")).to_have_attribute(
        "href", site.url("/onboarding/guide/welcome")
    )


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
    expect(panel).to_contain_text("Faster exports")  # a silent entry is listed, not counted
    expect(panel).not_to_contain_text("Dashboards")  # not for this user's plan
    expect(badge).to_have_count(0)
    expect(page.locator("[data-onboarding-open=changelog]")).to_have_text("What's new")  # no server copy left
    assert site.gets("/onboarding/api/changelog") == ["/onboarding/api/changelog"]  # fetched when opened
    wait_sent(page)
    assert all(site.guide("alice", g).read for g in ("v1", "v2"))
    page.reload()
    expect(page.locator(".ob-ban")).to_be_visible()
    expect(page.locator(".ob-badge")).to_have_count(0)


def test_server_rendered_badge_without_javascript(browser, site):
    ctx = browser.new_context(java_script_enabled=False)
    ctx.add_cookies([{"name": "uid", "value": "alice", "url": site.base}])
    page = ctx.new_page()
    page.goto(site.url("/reports"))
    link = page.locator("[data-onboarding-open=changelog]")
    expect(link.locator(".ob-badge")).to_have_text("2")
    hidden = link.get_by_text("2 new items")  # for screen readers only (onboarding.css)
    assert hidden.evaluate("e => e.getBoundingClientRect().width") <= 1
    expect(page.get_by_text("Reports sum up your data")).to_be_visible()  # onboarding_footer_help()
    ctx.close()


def test_changelog_level_silent(pages, site):
    site.mark_read("alice", "v1", "v2")  # left unread: only the silent entry
    page = pages.open("/reports")
    expect(page.locator(".ob-ban")).to_be_visible()
    assert site.situation("alice").budget_used == 0
    page.wait_for_timeout(300)
    expect(page.locator(".ob-badge")).to_have_count(0)
    expect(page.get_by_role("dialog", name="What's new")).to_have_count(0)


def test_changelog_popup_opens_within_the_attention_budget(pages, site):
    page = pages.open("/reports", uid="bea", cookies={"plan": "beta"})
    panel = page.get_by_role("dialog", name="What's new")
    expect(panel).to_be_visible()
    expect(panel).to_be_focused()
    expect(panel).to_contain_text("Dashboards (beta)")
    assert site.situation("bea", plan="beta").budget_used == 1  # POST shown {"auto": true} spent it
    assert any(b == {"auto": True} for p, b in site.posts("/guides/v3-beta/shown"))


def test_changelog_popup_over_budget_stays_a_badge(pages, site):
    site.spend_budget("bea", "tip-name", times=3)  # awareness: 3 a day, all spent
    page = pages.open("/reports", uid="bea", cookies={"plan": "beta"})
    expect(page.locator("[data-onboarding-open=changelog] .ob-badge")).to_contain_text("3 new items")
    page.wait_for_function("() => performance.getEntriesByType('resource').some(e => e.name.endsWith('/shown'))")
    page.wait_for_timeout(300)
    expect(page.get_by_role("dialog", name="What's new")).to_have_count(0)
    assert not site.guide("bea", "v3-beta").seen


def test_checklist_progress(pages, site):
    site.track("alice", "installed_code")
    page = pages.open("/reports")
    page.click("[data-onboarding-open=checklist]")
    panel = page.get_by_role("dialog", name="Set up your account")
    expect(panel).to_contain_text("1 / 3")
    expect(panel.locator("progress")).to_have_attribute("aria-label", "Get started")
    assert panel.locator("progress").evaluate("p => [p.value, p.max]") == [1, 3]
    expect(panel.get_by_role("checkbox", name="Install the tracking code")).to_be_checked()
    expect(panel.get_by_role("checkbox", name="Create a report")).not_to_be_checked()


def test_an_auto_open_checklist_opens_its_panel_within_the_budget(pages, site):
    page = pages.open("/setup")
    panel = page.get_by_role("dialog", name="Finish your setup")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("0 / 2")
    assert site.guide("alice", "setup-checklist").seen
    assert site.situation("alice").budget_used == 1  # the panel spent one of today's three


def test_an_auto_open_checklist_over_budget_waits_for_its_opener(pages, site):
    site.spend_budget("bea", "tip-name", times=3)  # awareness: 3 a day, all spent
    page = pages.open("/setup", uid="bea")
    page.wait_for_timeout(500)  # the widget has drawn the page by now (it needs no request here)
    panel = page.get_by_role("dialog", name="Finish your setup")
    expect(panel).to_have_count(0)
    assert not site.guide("bea", "setup-checklist").seen  # the server never granted it
    page.click("[data-onboarding-open=checklist]")  # passive help is never limited
    expect(panel).to_be_visible()


def test_confirmation_gates_the_click(pages, site):
    page = pages.open("/reports")
    page.click("text=Delete report")
    dialog = page.get_by_role("dialog", name="Delete this report?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    assert site.deleted == 0
    page.click("text=Delete report")
    page.get_by_role("dialog", name="Delete this report?").get_by_role("button", name="Confirm").click()
    expect(page.locator("#deleted")).to_be_visible()
    assert site.deleted == 1


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
    assert site.guide("alice", "tour-basics").step == 2
    # another device resumes at the same step; the first page no longer carries the tour
    other = pages.open("/tour/next", uid="alice")
    expect(other.get_by_role("dialog", name="Export")).to_contain_text("Step 3 of 3")
    again = pages.open("/tour/start", uid="alice")
    expect(again.locator("h1")).to_have_text("Tour start")
    again.wait_for_timeout(300)
    expect(again.get_by_role("dialog")).to_have_count(0)
    step3.get_by_role("button", name="Done").click()
    expect(step3).to_have_count(0)
    wait_sent(page)
    assert site.guide("alice", "tour-basics").completed
    gone = pages.open("/tour/next", uid="alice")
    expect(gone.locator("h1")).to_have_text("Tour next")
    gone.wait_for_timeout(300)
    expect(gone.get_by_role("dialog")).to_have_count(0)
