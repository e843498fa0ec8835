"""The action queue in real Chromium (docs/widget-contract.md, "The action queue"): every POST has an
Idempotency-Key kept across retries; two tabs draining one queue send each action once and lose
none; a user's queued actions are never sent as another user's; refusals are not retried; without
a CSRF token the widget draws read-only. Requests are counted at the server (``site.answers()``)."""

import re
from collections import defaultdict

import pytest
from playwright.sync_api import expect

from .queue_js import ITEMS, QUEUED, SENT, wait_sent
from .widget_app import LiveServer, make_app

KEY = r"^[A-Za-z0-9_-]{16,64}$"


def user_tag(page):
    return page.evaluate("() => JSON.parse(document.getElementById('onboarding-data').textContent).user")


def statuses_by_key(site, suffix=""):
    out = defaultdict(list)
    for _, _, key, status in site.answers(suffix):
        out[key].append(status)
    return out


def test_every_post_has_an_idempotency_key_kept_on_retries(pages, site):
    page = pages.open("/reports")
    expect(page.locator(".ob-ban")).to_be_visible()
    wait_sent(page)
    site.fail_writes = True
    page.locator(".ob-ban").get_by_role("button", name="Close").click()
    for _ in range(100):
        if len(site.answers("/banner-maint/dismiss")) >= 2:  # the first try and one retry, both 503
            break
        page.wait_for_timeout(100)
    site.fail_writes = False
    wait_sent(page, 20000)
    tries = site.answers("/banner-maint/dismiss")
    assert len(tries) >= 3 and [s for *_, s in tries[:-1]] == [503] * (len(tries) - 1) and tries[-1][3] == 200
    assert len({key for _, _, key, _ in tries}) == 1  # the same key on every try
    keys = [key for _, _, key, _ in site.answers()]
    assert all(k and re.match(KEY, k) for k in keys)
    shown = [key for _, path, key, _ in site.answers("/shown")]
    assert len(set(shown)) == len(shown)  # one key per action


NO_WEB_LOCKS = "Object.defineProperty(Navigator.prototype, 'locks', {get: () => undefined})"


@pytest.mark.parametrize("locks", ["web-locks", "lease"])
def test_two_tabs_draining_one_queue_send_each_action_once_and_drop_none(pages, site, locks):
    ctx = pages.context("alice")
    if locks == "lease":  # a browser without navigator.locks: the localStorage lease stands in
        ctx.add_init_script(NO_WEB_LOCKS)
    first = pages.open("/reports", ctx=ctx)
    expect(first.locator(".ob-ban")).to_be_visible()
    wait_sent(first)
    site.fail_writes = True  # the store is down: everything the user does waits in the queue
    for name in ("report_created", "invited", "report_created", "invited", "report_created"):
        first.evaluate("name => { window.onboarding.track(name) }", name)
    first.locator(".ob-ban").get_by_role("button", name="Close").click()
    first.wait_for_function(f"() => {ITEMS}.length === 6")
    second = pages.open("/reports", ctx=ctx)  # a second tab of the same user, same storage
    expect(second.locator(".ob-foot")).to_be_visible()
    assert second.evaluate(f"() => {ITEMS}.length") >= 6
    site.fail_writes = False
    for page in (first, second):  # both tabs try to drain at once
        page.evaluate("() => { dispatchEvent(new Event('online')) }")
    for page in (first, second):
        wait_sent(page, 20000)
    by_key = statuses_by_key(site, "/events") | statuses_by_key(site, "/banner-maint/dismiss")
    assert len(by_key) == 6  # no action dropped, none invented
    for statuses in by_key.values():
        assert statuses.count(200) == 1 and statuses[-1] == 200, statuses  # sent once once it could be
    user = site.situation("alice").user
    assert (user.count("report_created"), user.count("invited")) == (3, 2)
    assert first.evaluate("() => 'locks' in navigator && !!navigator.locks") == (locks == "web-locks")
    assert site.guide("alice", "banner-maint").dismissed


def test_a_queued_action_is_never_sent_as_another_user(pages, site):
    ctx = pages.context("alice")
    page = pages.open("/reports", ctx=ctx)
    expect(page.locator(".ob-ban")).to_be_visible()
    wait_sent(page)
    alice = user_tag(page)
    ctx.set_offline(True)
    page.locator(".ob-ban").get_by_role("button", name="Close").click()
    assert page.evaluate(QUEUED) == [["/guides/banner-maint/dismiss", {}]]
    page.close()
    ctx.set_offline(False)
    ctx.add_cookies([{"name": "uid", "value": "bob", "url": site.base}])  # bob signs in on this browser
    bob_page = pages.open("/reports", ctx=ctx)
    expect(bob_page.locator(".ob-ban")).to_be_visible()  # bob's banner: alice's dismissal is not his
    bob = user_tag(bob_page)
    assert bob != alice and len(bob) == 16
    bob_page.wait_for_function(f"() => !{ITEMS}.some(k => k.startsWith('obq:{bob}:'))")
    bob_page.evaluate("() => { dispatchEvent(new Event('online')) }")
    bob_page.wait_for_load_state("networkidle")
    assert not [a for a in site.answers("/dismiss")]  # nothing sent for anyone
    assert bob_page.evaluate(f"() => {ITEMS}.filter(k => k.startsWith('obq:{alice}:')).length") == 1
    assert not site.guide("bob", "banner-maint").dismissed and not site.guide("alice", "banner-maint").dismissed
    ctx.add_cookies([{"name": "uid", "value": "alice", "url": site.base}])  # alice is back
    again = pages.open("/reports", ctx=ctx)
    wait_sent(again, 20000)
    assert [(uid, status) for uid, *_, status in site.answers("/dismiss")] == [("alice", 200)]
    assert site.guide("alice", "banner-maint").dismissed and not site.guide("bob", "banner-maint").dismissed


def test_a_refused_action_is_dropped_not_retried_and_reported_in_debug(pages):
    site = LiveServer(make_app(DEBUG=True)).start()
    pages.site = site
    try:
        page = pages.open("/reports")
        warnings = []
        page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
        wait_sent(page)
        page.evaluate("() => { window.onboarding.track('installed_code') }")  # the server's own event: 422
        page.evaluate("() => { window.onboarding.track('report_created') }")  # the queue goes on after it
        wait_sent(page)
        refused = site.answers("/events")
        assert [status for *_, status in refused] == [422, 200]
        page.evaluate("() => { dispatchEvent(new Event('online')) }")  # a drain: nothing left to retry
        page.wait_for_timeout(300)
        assert len(site.answers("/events")) == 2
        expect_warning = "onboarding: /events refused with 422 unknown_event"
        assert expect_warning in warnings, warnings
    finally:
        site.stop()


def test_no_warning_without_debug(pages, site):
    page = pages.open("/reports")
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    wait_sent(page)
    page.evaluate("() => { window.onboarding.track('installed_code') }")
    wait_sent(page)
    assert [status for *_, status in site.answers("/events")] == [422]
    assert not any("refused" in w for w in warnings)


def test_without_a_csrf_token_the_widget_draws_read_only(pages):
    site = LiveServer(make_app(SECRET_KEY=None)).start()
    pages.site = site
    try:
        page = pages.open("/reports")
        assert page.evaluate("() => JSON.parse(document.getElementById('onboarding-data').textContent).csrf") is None
        banner = page.locator(".ob-ban")
        expect(banner).to_be_visible()
        footer = page.locator(".ob-foot")
        expect(footer).to_contain_text("Reports sum up")
        expect(footer.get_by_role("button", name="Yes")).to_have_count(0)  # no feedback row
        page.hover("#filter")
        tip = page.get_by_role("dialog", name="Filter")
        expect(tip).to_be_visible()
        expect(tip.get_by_role("button", name="Don't show again")).to_have_count(0)
        expect(tip.get_by_role("button", name="Yes")).to_have_count(0)
        banner.get_by_role("button", name="Close").click()  # hidden for this page view only
        expect(banner).to_have_count(0)
        page.evaluate("() => { window.onboarding.track('report_created') }")
        page.wait_for_load_state("networkidle")
        assert site.answers() == []  # not one POST
        assert page.evaluate(f"() => {ITEMS}.length") == 0
        page.reload()
        expect(page.locator(".ob-ban")).to_be_visible()
    finally:
        site.stop()


# A browser too busy to ever be idle: the widget's idle-deferred work runs only when the user leaves.
NEVER_IDLE = "window.requestIdleCallback = () => 0"


def test_a_shown_report_is_sent_when_the_user_leaves_at_once(pages, site):
    ctx = pages.context("alice")
    ctx.add_init_script(NEVER_IDLE)
    page = pages.open("/reports", ctx=ctx)
    expect(page.locator(".ob-ban")).to_be_visible()
    assert not site.answers("/shown")  # deferred: nothing sent yet
    page.goto("about:blank")  # leaves the site: no later page of it will send what was left
    for _ in range(100):
        if site.answers("/banner-maint/shown"):
            break
        page.wait_for_timeout(50)
    sent = site.answers("/banner-maint/shown")
    assert [(uid, status) for uid, _, _, status in sent][:1] == [("alice", 200)]  # with the CSRF token
    assert re.match(KEY, sent[0][2])  # and an Idempotency-Key
    assert site.guide("alice", "banner-maint").impressions == 1


def test_hiding_the_page_sends_what_waits_and_a_repeat_is_applied_once(pages, site):
    ctx = pages.context("alice")
    ctx.add_init_script(NEVER_IDLE)
    page = pages.open("/reports", ctx=ctx)
    expect(page.locator(".ob-ban")).to_be_visible()
    hide = """() => { Object.defineProperty(document, 'hidden', {value: true, configurable: true});
      document.dispatchEvent(new Event('visibilitychange', {bubbles: true})) }"""
    page.evaluate(hide)
    page.evaluate(hide)  # hidden twice (visibilitychange, then pagehide): sent once
    page.evaluate("() => { delete document.hidden; dispatchEvent(new Event('online')) }")  # visible: the queue drains
    page.wait_for_function(SENT)  # (no idle callback pending: leaving queued the report)
    keys = [key for _, _, key, _ in site.answers("/banner-maint/shown")]
    assert keys and len(set(keys)) == 1  # one report, however often it went out
    assert site.guide("alice", "banner-maint").impressions == 1
