"""The console's account page lists the follow-ups its users answered "No" to, newest first,
with the hint, the page and when; escaped; in Chinese too; none answered: a sentence says so."""

from __future__ import annotations

from datetime import timedelta

from flask import request

from onboarding_sdk import UserProfile
from onboarding_sdk.app_state import get_state
from onboarding_sdk.storage.troubles import ANSWER_FROM
from onboarding_sdk.timeutil import to_epoch
from tests.guides.app import START, Clock, create_app

AT = START + timedelta(days=31)


def test_unresolved_follow_ups_on_the_account_page() -> None:
    app, ext = create_app(Clock(AT + timedelta(days=2)))

    @ext.console_access
    def role() -> str | None:
        return request.headers.get("X-Role")

    with app.app_context():
        for user in ("acme-a", "acme-b", "acme-c"):
            ext.track("installed_code", profile=UserProfile(user, START, account_id="acme"), at=AT)
        troubles = get_state().engine.storage.troubles
        stale = to_epoch(AT) - 14 * 86400
        troubles.note("acme-a", "hint-import-failed", "/reports", to_epoch(AT), stale)
        troubles.note("acme-b", "hint-import-failed", "/<script>x</script>", to_epoch(AT) + 3600, stale)
        troubles.note("acme-c", "hint-import-failed", "/reports", to_epoch(AT), stale)
        for user, outcome in (("acme-a", "u"), ("acme-b", "u"), ("acme-c", "r")):
            assert troubles.change(user, "hint-import-failed", ANSWER_FROM, outcome)
    client = app.test_client()
    html = client.get("/onboarding/console/accounts/acme", headers={"X-Role": "viewer"}).text
    section = html[html.index('id="followups"') :]
    assert "Unresolved follow-ups" in html
    assert section.index("acme-b") < section.index("acme-a")  # newest first
    assert "acme-c" not in section  # resolved
    assert "&lt;script&gt;" in section and "<script>x" not in section
    assert AT.isoformat(timespec="minutes") in section
    zh = client.get("/onboarding/console/accounts/acme", headers={"X-Role": "viewer", "Accept-Language": "zh-CN"}).text
    assert "未解决的跟进" in zh and "错误提示" in zh


def test_an_account_without_unresolved_follow_ups_says_so() -> None:
    app, ext = create_app(Clock(AT))

    @ext.console_access
    def role() -> str | None:
        return request.headers.get("X-Role")

    with app.app_context():
        ext.track("installed_code", profile=UserProfile("acme-a", START, account_id="acme"), at=AT)
    html = app.test_client().get("/onboarding/console/accounts/acme", headers={"X-Role": "viewer"}).text
    assert "No user of this account answered that they are still stuck." in html
