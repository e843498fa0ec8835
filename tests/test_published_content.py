"""Published content lives in the store: every process serves it, with no extra round trip."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from onboarding_sdk import signals
from onboarding_sdk.content import ContentError
from onboarding_sdk.errors import StaleRevision
from tests.guides.app import HERE, START, Clock, create_app, grow
from tests.test_integration_points import count_calls

SEED = (HERE / "seed.yaml").read_text(encoding="utf-8")
EDITED = SEED.replace("About reports", "Reports, explained")


def two_processes(redis_uri: str) -> tuple:  # type: ignore[type-arg]
    """Two apps on one Redis under one prefix: two processes as far as the store can tell."""
    prefix = f"t{uuid.uuid4().hex[:12]}"
    clock = Clock(START + timedelta(days=1))
    first = create_app(clock, ONBOARDING_STORAGE_URI=redis_uri, ONBOARDING_KEY_PREFIX=prefix)
    second = create_app(clock, ONBOARDING_STORAGE_URI=redis_uri, ONBOARDING_KEY_PREFIX=prefix)
    return first, second


@pytest.mark.parametrize("server", ["redis_uri", "cluster_uri"])
def test_a_publication_reaches_the_other_process_on_its_next_request(
    server: str, request: pytest.FixtureRequest
) -> None:
    (app_a, ext_a), (app_b, _) = two_processes(str(request.getfixturevalue(server)))
    grow(app_a, ext_a, "u", "use")
    client_b = app_b.test_client()
    assert "About reports" in client_b.get("/reports", headers={"X-User": "u"}).text  # the files
    sent: list[dict[str, object]] = []
    with signals.content_published.connected_to(lambda sender, **data: sent.append(data), app_a):
        revision = app_a.extensions["onboarding"].content.publish(EDITED, 0, "ana", "clearer title")
    assert revision == 1 and sent == [{"revision": 1, "author": "ana", "note": "clearer title"}]
    html = client_b.get("/reports", headers={"X-User": "u"}).text
    assert "Reports, explained" in html and "About reports" not in html
    assert app_b.extensions["onboarding"].content.revision == 1
    app_a.extensions["onboarding"].storage.reset()


def test_no_extra_round_trip_while_the_revision_is_unchanged(redis_uri: str) -> None:
    (app_a, ext_a), (app_b, _) = two_processes(redis_uri)
    grow(app_a, ext_a, "u", "use")
    app_a.extensions["onboarding"].content.publish(EDITED, None, "ana", "")
    client_b = app_b.test_client()
    client_b.get("/reports", headers={"X-User": "u"})  # activity write and the content load
    calls = count_calls(app_b.extensions["onboarding"].storage)
    assert "Reports, explained" in client_b.get("/reports", headers={"X-User": "u"}).text
    assert calls == ["load_with_revision"]
    app_a.extensions["onboarding"].content.publish(SEED, 1, "bo", "rollback")
    calls.clear()
    assert "About reports" in client_b.get("/reports", headers={"X-User": "u"}).text
    # one extra read, once per revision: the content itself (and codes for its guide ids)
    assert calls[0] == "load_with_revision" and calls.count("load_with_revision") == 1
    calls.clear()
    client_b.get("/reports", headers={"X-User": "u"})
    assert calls == ["load_with_revision"]
    app_a.extensions["onboarding"].storage.reset()


def test_publish_validates_and_refuses_a_stale_revision() -> None:
    app, _ = create_app(Clock(START))
    engine = app.extensions["onboarding"]
    with pytest.raises(ContentError):
        engine.content.publish("guides: [{id: x, kind: nope}]\n", None, "ana", "")
    assert engine.storage.content_revision() == 0
    assert engine.content.publish(EDITED, 0, "ana", "") == 1
    with pytest.raises(StaleRevision, match="published revision is now 1"):
        engine.content.publish(SEED, 0, "bo", "")
    assert engine.storage.load_content() == (1, EDITED)
    history = engine.storage.content_history()
    assert [(h["revision"], h["author"]) for h in history] == [(1, "ana")]


def test_broken_stored_content_keeps_the_current_guides(caplog: pytest.LogCaptureFixture) -> None:
    app, ext = create_app(Clock(START + timedelta(days=1)))
    grow(app, ext, "u", "use")
    app.extensions["onboarding"].storage.publish_content("guides: [{id: x}]\n", None, "old", "")
    html = app.test_client().get("/reports", headers={"X-User": "u"}).text
    assert "About reports" in html
    assert "published content r1" in caplog.text


def test_a_bad_publication_is_refused_with_every_problem_and_the_last_good_one_keeps_serving() -> None:
    app, ext = create_app(Clock(START + timedelta(days=1)))
    grow(app, ext, "u", "use")
    engine = app.extensions["onboarding"]
    assert engine.content.publish(EDITED, 0, "ana", "good") == 1
    broken = EDITED.replace("    kind: footer_help\n", "    kind: footer_help\n    colour: red\n", 1)
    with pytest.raises(ContentError) as info:
        engine.content.publish(broken.replace("stages: [use]", "stagez: [use]", 1), 1, "bo", "bad")
    assert len(info.value.problems) == 2
    assert all(p.file == "published.yaml" and p.line for p in info.value.problems)
    assert any(p.path.endswith(".colour") and p.message == "unknown key" for p in info.value.problems)
    assert engine.storage.content_revision() == 1 and engine.content.revision == 1
    assert "Reports, explained" in app.test_client().get("/reports", headers={"X-User": "u"}).text


def test_a_publication_over_the_limits_is_refused_before_it_is_parsed() -> None:
    app, _ = create_app(Clock(START), ONBOARDING_CONTENT_MAX_BYTES=len(SEED.encode()) + 10)
    engine = app.extensions["onboarding"]
    with pytest.raises(ContentError, match=r"^published.yaml: \d+ bytes, more than the limit"):
        engine.content.publish(SEED + "#" * 100 + "\n  - {id: [unclosed\n", 0, "ana", "")
    deep = "guides:\n  - " + "[" * 2000 + "]" * 2000 + "\n"
    with pytest.raises(ContentError, match=r"published\.yaml:2: nested more than 32 levels deep"):
        engine.content.publish(deep, 0, "ana", "")
    assert engine.storage.content_revision() == 0


def test_the_first_hints_after_a_publication_come_from_the_new_revision(redis_uri: str) -> None:
    """Two workers on one store: one publishes; the other's very first hints_for uses the new text."""
    prefix = f"t{uuid.uuid4().hex[:12]}"
    clock = Clock(START + timedelta(days=40))
    app_a, ext_a = create_app(clock, ONBOARDING_STORAGE_URI=redis_uri, ONBOARDING_KEY_PREFIX=prefix)
    app_b, ext_b = create_app(clock, ONBOARDING_STORAGE_URI=redis_uri, ONBOARDING_KEY_PREFIX=prefix)
    grow(app_a, ext_a, "u", "adaptation")
    errors = {"year": ["Not a valid integer."]}
    with app_b.test_request_context("/reports", headers={"X-User": "u"}):
        assert ext_b.hints_for(errors, form="report-filter") == {"year": "Type a year in digits, for example 2024."}
    app_a.extensions["onboarding"].content.publish(SEED.replace("for example 2024", "such as 2031"), 0, "ana", "")
    with app_b.test_request_context("/reports", headers={"X-User": "u"}):
        assert ext_b.hints_for(errors, form="report-filter") == {"year": "Type a year in digits, such as 2031."}
    assert app_b.extensions["onboarding"].content.revision == 1
    app_a.extensions["onboarding"].storage.reset()


NEWS = """
  - id: news-for-everyone
    kind: changelog
    version: "3.0"
    date: 2026-06-02
    title: {en: "Shared dashboards"}
    body: {en: "Share a dashboard with a link."}
"""


@pytest.mark.parametrize("url", ["/onboarding/api/changelog", "/onboarding/changelog"])
def test_the_first_changelog_read_after_a_publication_comes_from_the_new_revision(redis_uri: str, url: str) -> None:
    (app_a, ext_a), (app_b, _) = two_processes(redis_uri)
    grow(app_a, ext_a, "u", "use")
    client_b = app_b.test_client()
    assert "Shared dashboards" not in client_b.get(url, headers={"X-User": "u"}).text
    app_a.extensions["onboarding"].content.publish(SEED + NEWS, 0, "ana", "news")
    assert "Shared dashboards" in client_b.get(url, headers={"X-User": "u"}).text
    app_a.extensions["onboarding"].storage.reset()


def test_the_first_template_helper_after_a_publication_renders_the_new_revision(redis_uri: str) -> None:
    (app_a, ext_a), (app_b, _) = two_processes(redis_uri)
    grow(app_a, ext_a, "u", "use")
    footer = app_b.jinja_env.globals["onboarding_footer_help"]
    with app_b.test_request_context("/reports", headers={"X-User": "u"}):
        app_b.preprocess_request()
        assert "About reports" in str(footer())
    app_a.extensions["onboarding"].content.publish(EDITED, 0, "ana", "")
    with app_b.test_request_context("/reports", headers={"X-User": "u"}):
        app_b.preprocess_request()
        html = str(footer())
    assert "Reports, explained" in html and "About reports" not in html
    app_a.extensions["onboarding"].storage.reset()


SIGNUP_HINT = """
  - id: hint-signup-email
    kind: tooltip
    purpose: validation
    form: signup
    field: email
    title: {en: "Your work email"}
    body: {en: "Use the address you sign in with at work."}
"""


def test_an_anonymous_visitors_first_hints_after_a_publication_come_from_the_new_revision(redis_uri: str) -> None:
    """A sign-up form's visitor loads no user, so nothing brings the revision along: hints ask."""
    (app_a, _), (app_b, ext_b) = two_processes(redis_uri)
    errors = {"email": ["Not a valid email address."]}
    with app_b.test_request_context("/signup"):
        assert ext_b.hints_for(errors, form="signup") == {}
    app_a.extensions["onboarding"].content.publish(SEED + SIGNUP_HINT, 0, "ana", "")
    with app_b.test_request_context("/signup"):
        assert ext_b.hints_for(errors, form="signup") == {"email": "Use the address you sign in with at work."}
    assert app_b.extensions["onboarding"].content.revision == 1
    app_a.extensions["onboarding"].storage.reset()


def test_an_anonymous_hint_survives_a_failing_store(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    content = tmp_path / "guides.yaml"
    content.write_text(SEED + SIGNUP_HINT, encoding="utf-8")
    app, ext = create_app(Clock(START), [str(content)], ONBOARDING_STORAGE_URI="redis://127.0.0.1:1/0")
    with app.test_request_context("/signup"):
        hints = ext.hints_for({"email": ["Not a valid email address."]}, form="signup")
    assert hints == {"email": "Use the address you sign in with at work."}  # the files' catalog
    assert "could not check the published content revision" in caplog.text


NEW_TIP = """
  - id: tip-brand-new
    kind: advanced_tip
    title: {en: "A new tip"}
    body: {en: "Published a moment ago."}
"""


def test_an_action_on_a_guide_published_a_moment_ago_is_not_a_404(redis_uri: str) -> None:
    """The page came from a worker that has the new revision; the dismissal reaches one that has
    not loaded a user since: it must find the guide, not drop the user's action as unknown."""
    (app_a, ext_a), (app_b, _) = two_processes(redis_uri)
    grow(app_a, ext_a, "u", "use")
    client_a, client_b = app_a.test_client(), app_b.test_client()
    client_b.get("/reports", headers={"X-User": "u"})  # B serves revision 0
    app_a.extensions["onboarding"].content.publish(SEED + NEW_TIP, 0, "ana", "")
    page = client_a.get("/onboarding/api/guides?page=home&path=/", headers={"X-User": "u"}).get_json()
    session = client_a.get_cookie("session")
    if session is not None:
        client_b.set_cookie("session", session.value)
    headers = {"X-User": "u", "X-Onboarding-CSRF": page["csrf"]["token"], "Origin": "http://localhost"}
    response = client_b.post("/onboarding/api/guides/tip-brand-new/dismiss", json={}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.get_json()["dismissed"] is True
    missing = client_b.post("/onboarding/api/guides/no-such-tip/dismiss", json={}, headers=headers)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "no_such_guide"
    app_a.extensions["onboarding"].storage.reset()


def test_the_page_of_a_guide_published_a_moment_ago_is_not_a_404(redis_uri: str) -> None:
    (app_a, ext_a), (app_b, _) = two_processes(redis_uri)
    grow(app_a, ext_a, "u", "use")
    client_b = app_b.test_client()
    assert client_b.get("/onboarding/guide/tip-brand-new", headers={"X-User": "u"}).status_code == 404
    app_a.extensions["onboarding"].content.publish(SEED + NEW_TIP, 0, "ana", "")
    response = client_b.get("/onboarding/guide/tip-brand-new", headers={"X-User": "u"})
    assert response.status_code == 200 and "Published a moment ago." in response.text
    app_a.extensions["onboarding"].storage.reset()


def test_the_first_glossary_term_after_a_publication_explains_with_the_new_text(redis_uri: str) -> None:
    prefix = f"t{uuid.uuid4().hex[:12]}"
    clock = Clock(START + timedelta(days=40))
    app_a, ext_a = create_app(clock, ONBOARDING_STORAGE_URI=redis_uri, ONBOARDING_KEY_PREFIX=prefix)
    app_b, _ = create_app(clock, ONBOARDING_STORAGE_URI=redis_uri, ONBOARDING_KEY_PREFIX=prefix)
    grow(app_a, ext_a, "u", "adaptation")
    term = app_b.jinja_env.globals["onboarding_term"]
    with app_b.test_request_context("/", headers={"X-User": "u"}):
        assert "people, not visits" in str(term("UV"))
    app_a.extensions["onboarding"].content.publish(
        SEED.replace("people, not visits", "counted once a day"), 0, "ana", ""
    )
    with app_b.test_request_context("/", headers={"X-User": "u"}):
        html = str(term("UV"))
    assert "counted once a day" in html and "people, not visits" not in html
    app_a.extensions["onboarding"].storage.reset()


def test_a_glossary_term_stays_on_the_page_when_the_store_fails(caplog: pytest.LogCaptureFixture) -> None:
    app, _ = create_app(Clock(START), ONBOARDING_STORAGE_URI="redis://127.0.0.1:1/0")
    with app.test_request_context("/", headers={"X-User": "u"}):
        assert str(app.jinja_env.globals["onboarding_term"]("UV")) == "UV"
    assert "drew 'UV' plain, storage unavailable" in caplog.text
