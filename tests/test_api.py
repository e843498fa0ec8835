"""The end users' JSON API over real HTTP through Flask's test client."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate

from onboarding_sdk import Onboarding, signals
from tests.guides.app import START, TOPICS, Clock, create_app, grow


@pytest.fixture
def env() -> tuple[Flask, Onboarding, Clock, FlaskClient]:
    clock = Clock(START + timedelta(days=1))
    app, ext = create_app(clock)
    return app, ext, clock, app.test_client()


def payload(client: FlaskClient, user: str, page: str = "home", path: str = "/") -> dict[str, Any]:
    response = client.get(f"/onboarding/api/guides?page={page}&path={path}", headers={"X-User": user})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.get_json()
    return data


def post(client: FlaskClient, url: str, user: str, body: Any = None, token: str | None = "fetch", **headers: str):  # type: ignore[no-untyped-def]
    if token == "fetch":
        token = payload(client, user)["csrf"]["token"]
    sent = {"X-User": user, **headers}
    if token is not None:
        sent["X-Onboarding-CSRF"] = token
    return client.post(f"/onboarding/api{url}", json=body if body is not None else {}, headers=sent)


def test_guides_for_matches_the_api(env: tuple[Flask, Onboarding, Clock, FlaskClient]) -> None:
    app, ext, _, client = env
    from onboarding_sdk import UserProfile

    api = payload(client, "a")["guides"]
    with app.app_context():
        python = ext.guides_for(UserProfile(id="a", signed_up_at=START, plan="free"), page="home", path="/")
    assert python == api
    assert [g["id"] for g in api] == ["how-to-start", "starter-guide"]


def test_payload_shape(env: tuple[Flask, Onboarding, Clock, FlaskClient]) -> None:
    data = payload(env[3], "a")
    assert data["version"] == 1 and data["page"] == "home" and data["api"] == "/onboarding/api"
    assert data["csrf"]["header"] == "X-Onboarding-CSRF" and data["csrf"]["token"]
    assert data["strings"]["close"] and data["locale"] == "en" and data["dir"] == "ltr"
    assert data["changelog"]["url"] == "/onboarding/changelog"


def test_anonymous_gets_401_json(env: tuple[Flask, Onboarding, Clock, FlaskClient]) -> None:
    response = env[3].get("/onboarding/api/guides?page=home")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "not_signed_in"


def test_dismiss_sticks_on_every_device_and_signals(env: tuple[Flask, Onboarding, Clock, FlaskClient]) -> None:
    app, _, _, client = env
    got: list[dict[str, Any]] = []
    signals.guide_dismissed.connect(lambda sender, **kw: got.append(kw), sender=app, weak=False)
    response = post(client, "/guides/how-to-start/dismiss", "a")
    assert response.status_code == 200 and response.get_json()["dismissed"] is True
    assert [g["id"] for g in payload(app.test_client(), "a")["guides"]] == ["starter-guide"]  # another client
    assert got == [{"user_id": "a", "guide_id": "how-to-start"}]
    assert [g["id"] for g in payload(client, "b")["guides"]] == ["how-to-start", "starter-guide"]


def test_csrf_and_origin_are_required(env: tuple[Flask, Onboarding, Clock, FlaskClient]) -> None:
    client = env[3]
    assert post(client, "/guides/how-to-start/dismiss", "a", token=None).status_code == 403
    assert post(client, "/guides/how-to-start/dismiss", "a", token="1.forged").status_code == 403
    other_user_token = payload(client, "b")["csrf"]["token"]
    assert post(client, "/guides/how-to-start/dismiss", "a", token=other_user_token).status_code == 403
    evil = post(client, "/guides/how-to-start/dismiss", "a", Origin="https://evil.example")
    assert evil.status_code == 403 and evil.get_json()["error"]["code"] == "bad_origin"
    same = post(client, "/guides/how-to-start/dismiss", "a", Origin="http://localhost")
    assert same.status_code == 200
    assert next(g["id"] for g in payload(client, "b")["guides"]) == "how-to-start"  # refusals changed nothing


@pytest.mark.parametrize(
    ("url", "body", "status", "field"),
    [
        ("/events", {"name": "not_declared"}, 422, "name"),
        ("/events", {"name": 5}, 422, "name"),
        ("/events", {}, 422, "name"),
        ("/events", {"name": "installed_code", "extra": 1}, 422, "extra"),
        ("/guides/starter-guide/feedback", {"helpful": "very"}, 422, "helpful"),
        ("/guides/starter-guide/progress", {"step": -1}, 422, "step"),
        ("/changelog/read", {"ids": "all"}, 422, "ids"),
        ("/guides/nope/dismiss", {}, 404, None),
        ("/guides/starter-guide/explode", {}, 404, None),
    ],
)
def test_bad_input_gets_json_errors_with_fields(
    env: tuple[Flask, Onboarding, Clock, FlaskClient], url: str, body: Any, status: int, field: str | None
) -> None:
    response = post(env[3], url, "a", body)
    assert response.status_code == status
    error = response.get_json()["error"]
    assert error["code"] and error["message"]
    if field:
        assert field in error["fields"]


def test_malformed_and_oversized_bodies(env: tuple[Flask, Onboarding, Clock, FlaskClient]) -> None:
    client = env[3]
    token = payload(client, "a")["csrf"]["token"]
    headers = {"X-User": "a", "X-Onboarding-CSRF": token, "Content-Type": "application/json"}
    bad = client.post("/onboarding/api/events", data="{not json", headers=headers)
    assert bad.status_code == 400 and bad.get_json()["error"]["code"] == "bad_json"
    listed = client.post("/onboarding/api/events", data="[1]", headers=headers)
    assert listed.status_code == 422
    huge = client.post("/onboarding/api/events", data='{"name": "' + "x" * 20000 + '"}', headers=headers)
    assert huge.status_code == 413 and huge.get_json()["error"]["code"] == "too_large"


def test_deeply_nested_bodies_are_422_not_500(env: tuple[Flask, Onboarding, Clock, FlaskClient]) -> None:
    # 2,000 levels in 4 KB overflowed json's recursion: every POST answered 500
    client = env[3]
    token = payload(client, "a")["csrf"]["token"]
    headers = {"X-User": "a", "X-Onboarding-CSRF": token, "Content-Type": "application/json"}
    deep_array = "[" * 2000 + "]" * 2000
    deep_object = '{"name":' * 1500 + "1" + "}" * 1500
    for url in ("/events", "/changelog/read", "/guides/how-to-start/feedback"):
        for body in (deep_array, deep_object):
            response = client.post(f"/onboarding/api{url}", data=body, headers=headers)
            assert response.status_code == 422, (url, response.status_code)
            assert response.get_json()["error"]["fields"]["_schema"] == ["nested more than 8 levels deep"]
    ordinary = client.post("/onboarding/api/changelog/read", data='{"ids": ["a"]}', headers=headers)
    assert ordinary.status_code == 200


def test_events_from_the_browser_move_the_stage(env: tuple[Flask, Onboarding, Clock, FlaskClient]) -> None:
    response = post(env[3], "/events", "a", {"name": "installed_code"})
    assert response.get_json() == {"name": "installed_code", "stage": "use", "count": 1}


def test_client_false_events_are_refused_from_the_browser() -> None:
    app, _ = create_app(Clock(), ONBOARDING_EVENTS={"installed_code": {"client": False}, "report_created": {}})
    response = post(app.test_client(), "/events", "a", {"name": "installed_code"})
    assert response.status_code == 422


def test_feedback_progress_complete(env: tuple[Flask, Onboarding, Clock, FlaskClient]) -> None:
    app, _, _, client = env
    votes: list[bool] = []
    signals.guide_feedback.connect(lambda sender, **kw: votes.append(kw["helpful"]), sender=app, weak=False)
    assert post(client, "/guides/starter-guide/feedback", "a", {"helpful": True}).status_code == 200
    assert post(client, "/guides/starter-guide/feedback", "a", {"helpful": False}).status_code == 200
    assert votes == [True, False]
    refused = post(client, "/guides/starter-guide/progress", "a", {"step": 2})
    assert refused.status_code == 422 and "step" in refused.get_json()["error"]["fields"]  # not a tour
    assert post(client, "/guides/starter-guide/complete", "a").get_json()["completed"] is True
    with app.app_context():
        engine = app.extensions["onboarding"]
        day = int(START.timestamp()) // 86400 + 1
        counts = engine.counters([day])[day]
    assert counts["starter-guide|helpful"] == 1 and counts["starter-guide|not_helpful"] == 1
    assert counts["starter-guide|complete"] == 1


def test_attention_budget_holds_across_tabs() -> None:
    clock = Clock(START + timedelta(days=1))
    app, _ = create_app(clock, ONBOARDING_ATTENTION_BUDGET={"awareness": 1})
    tab_one, tab_two = app.test_client(), app.test_client()
    first = post(tab_one, "/guides/how-to-start/shown", "a", {"auto": True})
    second = post(tab_two, "/guides/starter-guide/shown", "a", {"auto": True})
    assert first.get_json()["auto_open"] is True
    assert second.get_json()["auto_open"] is False  # today's one auto-open is spent
    passive = post(tab_two, "/guides/starter-guide/shown", "a", {"auto": False})
    assert passive.status_code == 200 and passive.get_json()["seen"] is True


def test_changelog_api_and_read_state_across_devices(env: tuple[Flask, Onboarding, Clock, FlaskClient]) -> None:
    app, ext, clock, client = env
    grow(app, ext, "s", "stickiness")
    clock.now = START + timedelta(days=92)
    data = client.get("/onboarding/api/changelog", headers={"X-User": "s"}).get_json()
    assert data["unread"] == 2 and [e["id"] for e in data["entries"]] == ["v2-alerts", "v2-funnels"]
    marked = post(client, "/changelog/read", "s", {"ids": ["v2-alerts", "unknown-entry"]}).get_json()
    assert marked == {"unread": 1, "marked": ["v2-alerts"]}
    assert app.test_client().get("/onboarding/api/changelog", headers={"X-User": "s"}).get_json()["unread"] == 1
    assert post(client, "/changelog/read", "s").get_json()["unread"] == 0


def test_storage_down_is_503_not_500() -> None:
    app, _ = create_app(Clock(), ONBOARDING_STORAGE_URI="redis://127.0.0.1:1/0", ONBOARDING_STORAGE_TIMEOUT=0.2)
    client = app.test_client()
    response = client.get("/onboarding/api/guides?page=home", headers={"X-User": "a"})
    assert response.status_code == 503
    assert response.get_json()["error"]["code"] == "storage_unavailable"
    assert client.get("/", headers={"X-User": "a"}).status_code == 200  # the host's page still renders


def test_openapi_document_is_valid_and_lists_every_route(env: tuple[Flask, Onboarding, Clock, FlaskClient]) -> None:
    app, _, _, client = env
    document = client.get("/onboarding/api/openapi.json").get_json()
    validate(document)
    documented = {path for path in document["paths"]}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/onboarding/api/") and rule.rule != "/onboarding/api/":
            path = rule.rule.removeprefix("/onboarding/api").replace("<guide_id>", "{guide_id}")
            if "<action>" in path:
                for action in ("dismiss", "complete", "progress", "feedback"):
                    assert path.replace("<action>", action) in documented
            else:
                assert path in documented, path


def test_help_at_the_moment_of_trouble_opens_even_over_budget() -> None:
    clock = Clock(START + timedelta(days=31))
    app, ext = create_app(clock, ONBOARDING_ATTENTION_BUDGET={"adaptation": 0})
    grow(app, ext, "ad", "adaptation")
    client = app.test_client()
    answer = post(client, "/guides/hint-import-failed/shown", "ad", {"auto": True}).get_json()
    assert answer["auto_open"] is True  # an error hint answers the user's own action


def test_guides_query_is_validated_every_time_it_is_bad(env: tuple[Flask, Onboarding, Clock, FlaskClient]) -> None:
    # Valid query strings are memoised; a refused one must be refused again, never cached.
    client, user = env[3], {"X-User": "a"}
    for _ in range(2):
        assert client.get("/onboarding/api/guides?page=home", headers=user).status_code == 200
        bad = client.get("/onboarding/api/guides?page=home&user=2", headers=user)
        assert bad.status_code == 422
        assert "user" in bad.get_json()["error"]["fields"]
        long = client.get("/onboarding/api/guides?page=" + "x" * 201, headers=user)
        assert long.status_code == 422 and "page" in long.get_json()["error"]["fields"]


TOUR = """
version: 1
guides:
  - id: report-tour
    kind: tour
    title: {en: "Reports"}
    steps:
      - {endpoint: home, anchor: start, title: {en: "One"}, body: {en: "First."}}
      - {endpoint: home, anchor: next, title: {en: "Two"}, body: {en: "Second."}}
"""


def test_tour_progress_is_bounded_by_the_tour(tmp_path: Path) -> None:
    content = tmp_path / "tour.yaml"
    content.write_text(TOUR, encoding="utf-8")
    app, _ = create_app(Clock(START), content=[str(content)])
    client = app.test_client()
    assert post(client, "/guides/report-tour/progress", "a", {"step": 1}).get_json()["step"] == 1
    past_the_end = post(client, "/guides/report-tour/progress", "a", {"step": 2})
    assert past_the_end.status_code == 422
    assert past_the_end.get_json()["error"]["fields"]["step"] == ["must be less than 2 (steps count from 0)"]
    assert post(client, "/guides/report-tour/progress", "a", {"step": 0}).get_json()["step"] == 0


def test_the_api_json_is_the_page_payload(env: tuple[Flask, Onboarding, Clock, FlaskClient]) -> None:
    # The API splices pre-encoded UI strings into its JSON; it must still be exactly the payload.
    app, _, _, client = env
    from onboarding_sdk import UserProfile, web

    ext = env[1]
    grow(app, ext, "b", "use")  # footer help on home and reports
    grow(app, ext, "c", "adaptation")  # the error and confirmation tooltips on reports
    for user, page in (("a", "home"), ("b", "home"), ("b", "reports"), ("c", "reports")):
        for locale in ("en", "zh-CN", "en"):  # the third time from the encoded-guide cache
            headers = {"X-User": user, "X-Locale": locale}
            api = client.get(f"/onboarding/api/guides?page={page}&path=/", headers=headers)
            with app.test_request_context("/"):
                profile = UserProfile(id=user, signed_up_at=START, plan="free", locale=locale)
                expected = web.page_payload(profile, page, "/")
            assert expected["guides"], (user, page)
            got = api.get_json()
            # The CSRF token is bound to the session: the test client's and the request
            # context's differ; everything else is the same.
            assert got.pop("csrf")["token"] and expected.pop("csrf")["token"]
            assert got == expected


def test_the_api_gives_each_topic_in_the_users_locale_as_a_string() -> None:
    from onboarding_sdk import UserProfile

    app, ext = create_app(Clock(START + timedelta(days=1)), content=["topics.yaml"])
    client = app.test_client()
    for locale, topics in TOPICS.items():
        response = client.get("/onboarding/api/guides?page=home&path=/", headers={"X-User": "a", "X-Locale": locale})
        guides = response.get_json()["guides"]
        assert {g["id"]: g["topic"] for g in guides} == topics, locale
        with app.app_context():
            profile = UserProfile(id="a", signed_up_at=START, plan="free", locale=locale)
            assert ext.guides_for(profile, page="home", path="/") == guides
