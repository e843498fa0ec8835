"""Choices stick on every device: dismissals go to the API (CSRF header), retry, queue offline."""

from playwright.sync_api import expect

SENT = "() => !localStorage.obq || localStorage.obq === '[]'"  # a function: strings are eval'd, CSP forbids


def test_dismissal_survives_reload_and_reaches_another_device(pages, site):
    page = pages.open("/reports")
    page.locator(".ob-ban").get_by_role("button", name="Close").click()
    expect(page.locator(".ob-ban")).to_have_count(0)
    page.wait_for_function(SENT)
    assert site.store.users["alice"].dismissed == {"banner-maint"}
    page.reload()
    expect(page.locator(".ob-foot")).to_be_visible()
    expect(page.locator(".ob-ban")).to_have_count(0)
    other = pages.open("/reports", uid="alice")  # a second context: another device
    expect(other.locator(".ob-foot")).to_be_visible()
    expect(other.locator(".ob-ban")).to_have_count(0)
    someone = pages.open("/reports", uid="bob")
    expect(someone.locator(".ob-ban")).to_be_visible()


def test_tooltip_dont_show_again(pages, site):
    page = pages.open("/reports")
    page.hover("#filter")
    page.locator(".ob-card", has_text="Type part").get_by_role("button", name="Don't show again").click()
    expect(page.locator(".ob-bc[aria-label='Help: Filter']")).to_have_count(0)
    page.wait_for_function(SENT)
    page.reload()
    expect(page.locator(".ob-bc[aria-label='Help: MRR']")).to_have_count(1)
    expect(page.locator(".ob-bc[aria-label='Help: Filter']")).to_have_count(0)


def test_posts_carry_the_csrf_header_and_json(pages, site):
    page = pages.open("/reports")
    with page.expect_request("**/guides/banner-maint/dismiss") as req:
        page.locator(".ob-ban").get_by_role("button", name="Close").click()
    r = req.value
    assert r.method == "POST"
    assert r.headers["x-onboarding-csrf"] == "tok-alice"
    assert r.headers["content-type"] == "application/json"
    assert r.post_data_json == {}


def test_server_errors_are_retried_with_backoff(pages, site):
    site.store.fail_posts = 100
    page = pages.open("/reports")
    page.locator(".ob-ban").get_by_role("button", name="Close").click()
    page.wait_for_function("() => JSON.parse(localStorage.obq || '[]').some(([p]) => p.endsWith('/dismiss'))")
    assert "banner-maint" not in site.store.user("alice").dismissed
    site.store.fail_posts = 0
    page.wait_for_function(SENT, timeout=20000)  # the retry timer sends it
    assert site.store.users["alice"].dismissed == {"banner-maint"}


def test_offline_choices_are_queued_and_sent_when_back_online(pages, site):
    ctx = pages.context("alice")
    page = pages.open("/reports", ctx=ctx)
    expect(page.locator(".ob-ban")).to_be_visible()
    page.wait_for_function(SENT)
    ctx.set_offline(True)
    page.locator(".ob-ban").get_by_role("button", name="Close").click()
    page.locator(".ob-foot").get_by_role("button", name="No").click()
    queued = page.evaluate("JSON.parse(localStorage.obq)")
    assert ["/guides/banner-maint/dismiss", {}] in queued
    assert ["/guides/foot-reports/feedback", {"helpful": False}] in queued
    ctx.set_offline(False)
    page.wait_for_function(SENT, timeout=20000)
    st = site.store.users["alice"]
    assert st.dismissed == {"banner-maint"} and st.feedback == {"foot-reports": False}


def test_a_queue_left_over_is_sent_on_the_next_page(pages, site):
    ctx = pages.context("alice")
    page = pages.open("/", ctx=ctx)
    expect(page.locator(".ob-card", has_text="How to start")).to_be_visible()
    ctx.set_offline(True)
    page.get_by_role("button", name="Don't show again").click()
    ctx.set_offline(False)
    page.evaluate("() => localStorage.obq")  # still queued or already sent: either way...
    page.goto(site.url("/reports"))
    page.wait_for_function(SENT, timeout=20000)
    assert "welcome" in site.store.users["alice"].dismissed


def test_failed_calls_never_throw_into_the_page(pages, site):
    site.store.fail_posts = 1000
    page = pages.open("/reports")
    page.locator(".ob-foot").get_by_role("button", name="Yes").click()
    page.evaluate("() => window.onboarding.track('report_created')")
    page.route("**/onboarding/api/**", lambda route: route.abort())
    page.evaluate("() => history.pushState({}, '', '/app')")  # a failing GET /guides as well
    page.wait_for_timeout(500)
    # the `pages` fixture asserts that no uncaught error reached the page
