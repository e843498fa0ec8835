"""Where onboarding_sdk meets the host: round trips per page, Flask-Babel, Flask-WTF, signals."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect, generate_csrf

from onboarding_sdk import signals
from onboarding_sdk.storage.base import Storage
from tests.guides.app import START, Clock, create_app, grow


def count_calls(storage: Storage) -> list[str]:
    """Record every storage method call (each is one round trip by the interface's contract)."""
    calls: list[str] = []
    names = ("track", "load", "load_with_revision", "advance_stage", "guide_action", "count", "counters")
    for name in (*names, "assign_codes", "load_content", "content_revision", "publish_content"):
        original = getattr(storage, name)

        def wrapper(*args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            calls.append(_name)
            return _original(*args, **kwargs)

        setattr(storage, name, wrapper)
    return calls


def test_a_page_view_costs_one_storage_round_trip() -> None:
    app, ext = create_app(Clock(START + timedelta(days=1)))
    grow(app, ext, "u", "use")
    client = app.test_client()
    client.get("/", headers={"X-User": "u"})  # first request of the day: the activity write
    calls = count_calls(app.extensions["onboarding"].storage)
    html = client.get("/reports", headers={"X-User": "u"}).text  # assets, footer, starter link, badge
    assert "About reports" in html and "onboarding-data" in html
    assert calls == ["load_with_revision"]


def test_locale_comes_from_flask_babel_when_the_profile_has_none() -> None:
    app, _ = create_app(Clock(START + timedelta(days=1)))
    Babel(app, locale_selector=lambda: "zh_Hans_CN")
    data = app.test_client().get("/onboarding/api/guides?page=home", headers={"X-User": "a"}).get_json()
    assert data["locale"] == "zh-Hans-CN"
    assert [g["title"] for g in data["guides"]] == ["如何开始", "新手宝典"]
    assert data["strings"]["close"] != "Close"


def test_a_flask_wtf_token_is_accepted() -> None:
    app, _ = create_app(Clock(START + timedelta(days=1)))
    CSRFProtect(app)

    @app.get("/wtf-token")
    def wtf_token() -> str:
        return generate_csrf()

    client = app.test_client()  # keeps the session cookie Flask-WTF ties its token to
    token = client.get("/wtf-token", headers={"X-User": "a"}).text
    ok = client.post(
        "/onboarding/api/guides/starter-guide/dismiss", json={}, headers={"X-User": "a", "X-CSRFToken": token}
    )
    assert ok.status_code == 200, ok.get_json()
    forged = client.post(
        "/onboarding/api/guides/how-to-start/dismiss", json={}, headers={"X-User": "a", "X-CSRFToken": "nope"}
    )
    assert forged.status_code in (400, 403)
    ours = client.get("/onboarding/api/guides?page=home", headers={"X-User": "a"}).get_json()["csrf"]["token"]
    widget = client.post(
        "/onboarding/api/guides/how-to-start/dismiss", json={}, headers={"X-User": "a", "X-Onboarding-CSRF": ours}
    )
    assert widget.status_code == 200  # the widget's own header works beside Flask-WTF


def test_guide_signals_are_sent_after_the_store_write() -> None:
    app, _ = create_app(Clock(START + timedelta(days=1)))
    received: list[tuple[str, dict[str, Any]]] = []
    for name in ("guide_shown", "guide_completed"):
        getattr(signals, name).connect(lambda sender, _n=name, **kw: received.append((_n, kw)), sender=app, weak=False)
    client = app.test_client()
    token = client.get("/onboarding/api/guides?page=home", headers={"X-User": "a"}).get_json()["csrf"]["token"]
    headers = {"X-User": "a", "X-Onboarding-CSRF": token}
    client.post("/onboarding/api/guides/starter-guide/shown", json={}, headers=headers)
    client.post("/onboarding/api/guides/starter-guide/complete", json={}, headers=headers)
    assert received == [
        ("guide_shown", {"user_id": "a", "guide_id": "starter-guide", "auto": False}),
        ("guide_completed", {"user_id": "a", "guide_id": "starter-guide"}),
    ]
