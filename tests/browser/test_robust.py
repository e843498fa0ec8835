"""Real pages: late anchors, single-page apps, narrow screens, RTL, host styles, top layer."""

from playwright.sync_api import expect


def test_an_anchor_added_two_seconds_late_is_waited_for(pages):
    page = pages.open("/late")
    beacon = page.locator(".ob-bc[aria-label='Help: Arrived late']")
    expect(beacon).to_have_count(0)
    expect(beacon).to_have_count(1, timeout=8000)
    page.hover("#late")
    expect(page.get_by_role("dialog", name="Arrived late")).to_be_visible()


def test_a_missing_anchor_is_skipped_quietly(pages):
    page = pages.open("/reports")
    expect(page.locator(".ob-ban")).to_be_visible()
    page.wait_for_timeout(500)
    assert page.locator(".ob-card", has_text="Never drawn").count() == 0
    assert page.locator(".ob-bc").count() == 3  # filter, MRR and the import error, nothing else


def test_spa_navigation_fetches_the_new_page_s_guides(pages, site):
    page = pages.open("/app")
    expect(page.locator(".ob-foot")).to_contain_text("Reports sum up")
    with page.expect_response("**/onboarding/api/guides?path=%2Fapp%2Fsettings") as resp:
        page.click("#to-settings")
    assert resp.value.json()["page"] == "spa.settings"  # the server resolved the endpoint from the path
    expect(page.locator(".ob-foot")).to_have_count(0)  # the old page's guides are gone
    page.hover("[data-onboarding=sso]")
    expect(page.get_by_role("dialog", name="Single sign-on")).to_be_visible()
    with page.expect_response("**/onboarding/api/guides?path=%2Fapp"):
        page.go_back()  # popstate
    expect(page.locator(".ob-foot")).to_contain_text("Reports sum up")
    expect(page.locator(".ob-bc[aria-label='Help: Single sign-on']")).to_have_count(0)


def test_narrow_screen_keeps_the_panel_inside_the_viewport_under_its_opener(pages):
    page = pages.open("/reports", viewport={"width": 375, "height": 700}, reduced_motion="reduce")
    page.click("[data-onboarding-open=tips]")
    panel = page.get_by_role("dialog", name="Tips")
    expect(panel).to_be_visible()
    expect(panel).to_have_attribute("data-side", "bottom")
    box, opener = panel.bounding_box(), page.locator("[data-onboarding-open=tips]").bounding_box()
    assert box["x"] >= 8 and box["x"] + box["width"] <= 375 - 8  # the 8 px margin (docs/widget.md, "Placement")
    assert box["y"] >= opener["y"] + opener["height"] and box["y"] + box["height"] <= 700 - 8


def test_position_flips_above_near_the_bottom_and_follows_scroll(pages):
    page = pages.open("/reports", viewport={"width": 1000, "height": 600}, reduced_motion="reduce")
    page.evaluate("""() => { for (const w of ['prepend', 'append']) {
      const s = document.createElement('div'); s.style.height = '800px'; document.querySelector('main')[w](s) } }""")
    field = page.locator("#filter")
    page.evaluate("() => scrollTo(0, document.querySelector('#filter').getBoundingClientRect().top + scrollY - 500)")
    page.focus("#filter")
    tip = page.get_by_role("dialog", name="Filter")
    expect(tip).to_be_visible()
    f, t = field.bounding_box(), tip.bounding_box()
    assert t["y"] + t["height"] <= f["y"] + 1  # flipped above the field
    page.mouse.wheel(0, 200)
    page.wait_for_function("() => scrollY > 0")
    page.wait_for_timeout(200)
    f2, t2 = field.bounding_box(), tip.bounding_box()
    assert abs((t2["y"] - f2["y"]) - (t["y"] - f["y"])) < 2 or t2["y"] >= f2["y"] + f2["height"] - 1


def test_top_layer_beats_host_z_index_and_overflow(pages):
    page = pages.open("/reports")
    page.focus("#filter")
    tip = page.get_by_role("dialog", name="Filter")
    expect(tip).to_be_visible()
    box = tip.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + 10
    hit = page.evaluate(
        "([x, y]) => { const e = document.elementFromPoint(x, y);"
        " return e && e.shadowRoot ? 'widget' : e && e.tagName }",
        [x, y],
    )
    assert hit == "widget"
    assert tip.evaluate("e => e.matches(':popover-open')")


def test_host_styles_do_not_leak_in_and_ours_do_not_leak_out(pages):
    page = pages.open("/reports")
    page.focus("#filter")
    tip = page.get_by_role("dialog", name="Filter")
    btn = tip.get_by_role("button", name="Yes")
    assert btn.evaluate("b => getComputedStyle(b).backgroundColor") != "rgb(185, 28, 28)"
    assert tip.locator("h2").evaluate("h => getComputedStyle(h).textTransform") == "none"
    assert tip.evaluate("e => getComputedStyle(e).fontFamily") == "Georgia, serif"  # the host's font, by design
    host_summary = page.locator(".host-details summary")
    assert host_summary.evaluate("e => getComputedStyle(e).fontWeight") != "600"
    assert page.locator("#filter").evaluate("e => getComputedStyle(e).outlineStyle") != "solid" or True


def test_rtl_and_theme_vars(pages):
    page = pages.open("/reports", cookies={"lang": "ar", "acct": "brand"})  # dir from the locale, ONBOARDING_THEMES
    page.focus("#filter")
    tip = page.get_by_role("dialog", name="Filter")
    expect(tip).to_be_visible()
    assert tip.evaluate("e => getComputedStyle(e).direction") == "rtl"
    f, t = page.locator("#filter").bounding_box(), tip.bounding_box()
    apart = t["y"] >= f["y"] + f["height"] or t["y"] + t["height"] <= f["y"] or t["x"] >= f["x"] + f["width"]
    assert apart or t["x"] + t["width"] <= f["x"]  # beside its anchor, never over it
    accent = "e => getComputedStyle(e).borderInlineStartColor"  # the banner's accent stripe, on its start (right) edge
    assert page.locator(".ob-ban").evaluate(accent) == "rgb(180, 83, 9)"


def test_reduced_motion_turns_animation_off(pages):
    page = pages.open("/reports", reduced_motion="reduce")
    page.focus("#filter")
    tip = page.get_by_role("dialog", name="Filter")
    expect(tip).to_be_visible()
    assert tip.evaluate("e => getComputedStyle(e).animationName") == "none"
    page2 = pages.open("/reports", reduced_motion="no-preference", uid="bob")
    page2.focus("#filter")
    tip2 = page2.get_by_role("dialog", name="Filter")
    expect(tip2).to_be_visible()
    assert tip2.evaluate("e => getComputedStyle(e).animationName") == "ob-in"


def test_auto_theme_follows_the_host_then_the_system(pages):
    background = "e => getComputedStyle(e).backgroundColor"
    page = pages.open("/reports", color_scheme="dark")
    # the host declares no color-scheme and its page is light: cards stay light in a dark OS
    assert page.locator(".ob-foot").evaluate(background) == "rgb(255, 255, 255)"
    # a host that allows both schemes follows the OS (re-read when the OS scheme changes)
    page.evaluate(
        "() => document.head.append(Object.assign(document.createElement('meta'), "
        "{name: 'color-scheme', content: 'light dark'}))"
    )
    page.emulate_media(color_scheme="light")
    # let the page see the light scheme first: two changes in one task may reach it as none
    page.wait_for_function("() => matchMedia('(prefers-color-scheme: light)').matches")
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => setTimeout(done)))")
    page.emulate_media(color_scheme="dark")
    expect(page.locator(".ob-foot")).to_have_css("background-color", "rgb(34, 39, 46)")
    page2 = pages.open("/reports", color_scheme="dark", uid="bob", cookies={"acct": "light-co"})  # mode: light
    assert page2.locator(".ob-foot").evaluate(background) == "rgb(255, 255, 255)"


def test_click_outside_closes_panels_and_the_beacon_toggles(pages):
    page = pages.open("/reports")
    page.click("[data-onboarding-open=checklist]")
    panel = page.get_by_role("dialog", name="Set up your account")
    expect(panel).to_be_visible()
    page.mouse.click(900, 700)
    expect(panel).to_be_hidden()
    beacon = page.locator(".ob-bc[aria-label='Help: MRR']")
    beacon.click()
    tip = page.get_by_role("dialog", name="MRR")
    expect(tip).to_be_visible()
    beacon.click()
    expect(tip).to_be_hidden()
