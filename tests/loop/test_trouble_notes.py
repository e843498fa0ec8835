"""An error hint reported shown is a trouble kept for the follow-up: the guide, the page's path
and the time, on the shown report's own request; never the query string; once while pending;
not for other hints or a replayed report; exported and forgotten with the user."""

from __future__ import annotations

from datetime import timedelta

from onboarding_sdk import privacy
from onboarding_sdk.app_state import get_state
from tests.guides.app import START, Clock, create_app, grow
from tests.test_api import post

AT = START + timedelta(days=31)


def test_an_error_hint_shown_is_noted_once_with_its_page_and_time() -> None:
    clock = Clock(AT)
    app, ext = create_app(clock)
    grow(app, ext, "ad", "adaptation")
    client = app.test_client()
    referer = "http://localhost/reports?file=customers.csv&token=secret#row-3"
    headers = {"Referer": referer, "Idempotency-Key": "k" * 20}
    first = post(client, "/guides/hint-import-failed/shown", "ad", {"auto": True}, **headers)
    assert first.status_code == 200
    replayed = post(client, "/guides/hint-import-failed/shown", "ad", {"auto": True}, **headers)
    assert replayed.headers.get("Idempotency-Replayed") == "true"
    clock.now += timedelta(hours=1)
    post(client, "/guides/hint-import-failed/shown", "ad", {"auto": True}, Referer="http://localhost/other")
    post(client, "/guides/hint-filter-digits/shown", "ad", {"auto": True}, Referer="http://localhost/reports")
    with app.app_context():
        engine = get_state().engine
        troubles = engine.storage.troubles.troubles("ad")
        assert list(troubles) == ["hint-import-failed"]  # a validation hint is no trouble
        trouble = troubles["hint-import-failed"]
        assert (trouble.state, trouble.page, trouble.at) == ("open", "/reports", AT)  # the first one stays
        exported = privacy.export_user(engine, "ad")
        assert exported["troubles"] == {
            "hint-import-failed": {"state": "open", "at": AT.isoformat(), "page": "/reports"}
        }
        assert not any(name.startswith("f:") for name in exported["other_fields"])
        assert "secret" not in str(exported)
        privacy.forget(engine, "ad")
        assert engine.storage.troubles.troubles("ad") == {}


def test_a_hint_shown_without_a_referrer_keeps_an_empty_page() -> None:
    app, ext = create_app(Clock(AT))
    grow(app, ext, "ad", "adaptation")
    response = post(app.test_client(), "/guides/hint-import-failed/shown", "ad", {"auto": False})
    assert response.status_code == 200
    with app.app_context():
        assert get_state().engine.storage.troubles.troubles("ad")["hint-import-failed"].page == ""
