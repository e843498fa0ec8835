"""POST /api/guides/<guide>/followup: the answer to "Did you get it done?" after an error hint.
The first answer is kept; "No" shows the host's support contact with the time in the user's
locale and the context (guide, page, when) and sends trouble_unresolved once, even when the
answer is retried; every bad request is refused with the API's error shape."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from onboarding_sdk import signals
from onboarding_sdk.errors import ConfigurationError
from onboarding_sdk.openapi import build_document
from tests.guides.app import START, Clock, create_app, grow
from tests.test_api import post

AT = START + timedelta(days=31)
SUPPORT = {
    "url": "https://example.com/help",
    "response_time": {"en": "within 4 working hours", "zh-CN": "4 个工作小时内"},
}


def app_with_trouble(**config: Any) -> tuple[Flask, Clock]:
    clock = Clock(AT)
    app, ext = create_app(clock, **config)
    grow(app, ext, "ad", "adaptation")
    client = app.test_client()
    shown = post(client, "/guides/hint-import-failed/shown", "ad", {}, Referer="http://localhost/reports?f=x")
    assert shown.status_code == 200
    clock.now += timedelta(days=1)  # the next day
    return app, clock


def test_no_shows_support_with_context_and_signals_once_even_when_retried() -> None:
    app, _ = app_with_trouble(ONBOARDING_SUPPORT=SUPPORT)
    client = app.test_client()
    heard: list[dict[str, Any]] = []

    def listen(sender: object, **data: Any) -> None:
        heard.append(data)

    with signals.trouble_unresolved.connected_to(listen):
        key = {"Idempotency-Key": "answer-no-0000000001", "X-Locale": "zh-CN"}
        first = post(client, "/guides/hint-import-failed/followup", "ad", {"done": False}, **key)
        again = post(client, "/guides/hint-import-failed/followup", "ad", {"done": False}, **key)
        later_yes = post(client, "/guides/hint-import-failed/followup", "ad", {"done": True})
    assert first.status_code == again.status_code == later_yes.status_code == 200
    context = {"guide": "hint-import-failed", "page": "/reports", "at": AT.isoformat(timespec="minutes")}
    assert first.get_json() == {
        "guide": "hint-import-failed",
        "state": "unresolved",
        "support": {
            "url": "https://example.com/help",
            "email": None,
            "response_time": "4 个工作小时内",
            "context": context,
        },
    }
    assert "Idempotency-Replayed" not in first.headers
    assert again.get_json() == first.get_json() and again.headers["Idempotency-Replayed"] == "true"
    assert later_yes.get_json()["state"] == "unresolved"  # the first answer stays
    assert later_yes.get_json()["support"]["response_time"] == "within 4 working hours"
    assert heard == [{"user_id": "ad", "guide_id": "hint-import-failed", "context": context}]


def test_yes_closes_it_without_support_or_signal() -> None:
    app, _ = app_with_trouble(ONBOARDING_SUPPORT=SUPPORT)
    heard: list[object] = []
    with signals.trouble_unresolved.connected_to(lambda sender, **data: heard.append(data)):
        answered = post(app.test_client(), "/guides/hint-import-failed/followup", "ad", {"done": True})
    assert answered.get_json() == {"guide": "hint-import-failed", "state": "resolved", "support": None}
    assert heard == []


def test_no_without_a_support_setting_is_kept_and_signalled() -> None:
    app, _ = app_with_trouble()
    heard: list[object] = []
    with signals.trouble_unresolved.connected_to(lambda sender, **data: heard.append(data)):
        answered = post(app.test_client(), "/guides/hint-import-failed/followup", "ad", {"done": False})
    assert answered.get_json() == {"guide": "hint-import-failed", "state": "unresolved", "support": None}
    assert len(heard) == 1


def test_bad_requests_are_refused() -> None:
    app, _ = app_with_trouble(ONBOARDING_SUPPORT=SUPPORT)
    client = app.test_client()
    missing = post(client, "/guides/hint-filter-digits/followup", "ad", {"done": True})
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "no_such_followup"
    other_user = post(client, "/guides/hint-import-failed/followup", "someone-else", {"done": False})
    assert other_user.status_code == 404
    for bad in ({"done": "yes"}, {}, {"done": True, "user_id": "ad"}):
        refused = post(client, "/guides/hint-import-failed/followup", "ad", bad)
        assert refused.status_code == 422, bad
    bad_key = post(client, "/guides/hint-import-failed/followup", "ad", {"done": True}, **{"Idempotency-Key": "short"})
    assert bad_key.status_code == 422
    no_csrf = post(client, "/guides/hint-import-failed/followup", "ad", {"done": True}, token=None)
    assert no_csrf.status_code in (400, 403)
    still = post(client, "/guides/hint-import-failed/followup", "ad", {"done": True})
    assert still.get_json()["state"] == "resolved"  # none of the refused requests answered it


def test_support_setting_is_checked_at_startup() -> None:
    for bad in ({"url": "https://x"}, {"response_time": "soon"}, {"email": "nobody", "response_time": "1 day"}):
        with pytest.raises(ConfigurationError, match="ONBOARDING_SUPPORT"):
            create_app(Clock(AT), ONBOARDING_SUPPORT=bad)


def test_the_endpoint_is_in_the_openapi_document() -> None:
    operation = build_document("/onboarding/api")["paths"]["/guides/{guide_id}/followup"]["post"]
    assert operation["requestBody"]["required"] is True
    assert any(p["name"] == "Idempotency-Key" for p in operation["parameters"])
