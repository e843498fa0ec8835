"""Choices stick on every device: dismissals go to the real API (CSRF header), retry, queue offline.

Server state is read back through the extension (``site.guide(uid, id)``: the stored GuideState)."""

from playwright.sync_api import expect

from onboarding_sdk.guide_state import NOT_HELPFUL

from .queue_js import QUEUED, wait_sent


def test_dismissal_survives_reload_and_reaches_another_device(pages, site):
    page = pages.open("/reports")
    page.locator(".ob-ban").get_by_role("button", name="Close").click()
    expect(page.locator(".ob-ban")).to_have_count(0)
    wait_sent(page)
    dismissed = {gid for gid, st in site.situation("alice").guides.items() if st.dismissed}
    assert dismissed == {"banner-maint"}
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
    wait_sent(page)
    assert site.guide("alice", "tip-filter").dismissed
    page.reload()
    expect(page.locator(".ob-bc[aria-label='Help: MRR']")).to_have_count(1)
    expect(page.locator(".ob-bc[aria-label='Help: Filter']")).to_have_count(0)


def test_posts_carry_the_csrf_header_and_json(pages, site):
    page = pages.open("/reports")
    token = page.evaluate("() => JSON.parse(document.getElementById('onboarding-data').textContent).csrf.token")
    with (
        page.expect_request("**/guides/banner-maint/dismiss") as req,
        page.expect_response("**/guides/banner-maint/dismiss") as resp,
    ):
        page.locator(".ob-ban").get_by_role("button", name="Close").click()
    r = req.value
    assert r.method == "POST"
    assert r.headers["x-onboarding-csrf"] == token
    assert r.headers["content-type"] == "application/json"
    assert r.post_data_json == {}
    assert resp.value.status == 200 and resp.value.json()["dismissed"] is True


def test_a_post_without_the_token_is_refused(pages, site):
    page = pages.open("/reports")
    status = page.evaluate("""() => fetch('/onboarding/api/guides/banner-maint/dismiss', {method: 'POST',
      headers: {'Content-Type': 'application/json'}, body: '{}'}).then(r => r.status)""")
    assert status == 403
    assert not site.guide("alice", "banner-maint").dismissed


def test_server_errors_are_retried_with_backoff(pages, site):
    page = pages.open("/reports")
    expect(page.locator(".ob-ban")).to_be_visible()
    wait_sent(page)
    site.fail_writes = True  # the store is down: the real API answers 503
    with page.expect_response("**/guides/banner-maint/dismiss") as resp:
        page.locator(".ob-ban").get_by_role("button", name="Close").click()
    assert resp.value.status == 503
    page.wait_for_function(f"() => ({QUEUED})().some(([p]) => p.endsWith('/dismiss'))")
    assert not site.guide("alice", "banner-maint").dismissed
    site.fail_writes = False
    wait_sent(page, 20000)  # the retry timer sends it
    assert site.guide("alice", "banner-maint").dismissed


def test_offline_choices_are_queued_and_sent_when_back_online(pages, site):
    ctx = pages.context("alice")
    page = pages.open("/reports", ctx=ctx)
    expect(page.locator(".ob-ban")).to_be_visible()
    wait_sent(page)
    ctx.set_offline(True)
    page.locator(".ob-ban").get_by_role("button", name="Close").click()
    page.locator(".ob-foot").get_by_role("button", name="No").click()
    queued = page.evaluate(QUEUED)
    assert ["/guides/banner-maint/dismiss", {}] in queued
    assert ["/guides/foot-reports/feedback", {"helpful": False}] in queued
    ctx.set_offline(False)
    wait_sent(page, 20000)
    assert site.guide("alice", "banner-maint").dismissed
    assert site.guide("alice", "foot-reports").flags & NOT_HELPFUL


def test_a_queue_left_over_is_sent_on_the_next_page(pages, site):
    ctx = pages.context("alice")
    page = pages.open("/", ctx=ctx)
    expect(page.locator(".ob-card", has_text="How to start")).to_be_visible()
    ctx.set_offline(True)
    page.get_by_role("button", name="Don't show again").click()
    ctx.set_offline(False)
    page.evaluate(QUEUED)  # still queued or already sent: either way...
    page.goto(site.url("/reports"))
    wait_sent(page, 20000)
    assert site.guide("alice", "welcome").dismissed
    page.goto(site.url("/"))
    expect(page.locator("h1")).to_have_text("Home")
    expect(page.get_by_text("How to start")).to_have_count(0)  # not even the server-rendered copy


def test_failed_calls_never_throw_into_the_page(pages, site):
    page = pages.open("/reports")
    expect(page.locator(".ob-foot")).to_be_visible()
    site.fail_writes = True
    page.locator(".ob-foot").get_by_role("button", name="Yes").click()
    page.evaluate("() => window.onboarding.track('report_created')")
    page.route("**/onboarding/api/**", lambda route: route.abort())
    page.evaluate("() => history.pushState({}, '', '/app')")  # a failing GET /guides as well
    page.wait_for_timeout(500)
    # the `pages` fixture asserts that no uncaught error reached the page
