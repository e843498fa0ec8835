"""Issue 10, items 5 and 8: every widget POST applied once, counted once per user, guide and day;
actions on guides the user is not targeted by refused and logged; the API's contract is strict."""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from onboarding_sdk import Onboarding, signals
from tests.guides.app import START, Clock, create_app, grow
from tests.test_api import payload, post

DAY = int(START.timestamp()) // 86400 + 1
KEY = "Key_0123456789-abc"


def counters(app: Flask) -> dict[str, int]:
    with app.app_context():
        found: dict[str, int] = app.extensions["onboarding"].counters([DAY])[DAY]
    return found


def keyed_app(store_uri: str) -> Flask:
    app, _ = create_app(
        Clock(START + timedelta(days=1)),
        ONBOARDING_STORAGE_URI=store_uri,
        ONBOARDING_KEY_PREFIX=f"t{uuid.uuid4().hex[:12]}",
        ONBOARDING_STORAGE_TIMEOUT=5.0,
    )
    return app


def test_a_retried_dismissal_is_applied_and_counted_once_on_every_backend(store_uri: str) -> None:
    app = keyed_app(store_uri)
    dismissed: list[dict[str, Any]] = []
    signals.guide_dismissed.connect(lambda sender, **kw: dismissed.append(kw), sender=app, weak=False)
    client = app.test_client()
    answers = [post(client, "/guides/how-to-start/dismiss", "a", **{"Idempotency-Key": KEY}) for _ in range(4)]
    assert [a.status_code for a in answers] == [200] * 4
    assert [a.headers.get("Idempotency-Replayed") for a in answers] == [None, "true", "true", "true"]
    assert {a.get_json()["dismissed"] for a in answers} == {True}  # the same shape: the state now
    assert len(dismissed) == 1 and counters(app)["how-to-start|dismiss"] == 1
    events = [
        post(client, "/events", "a", {"name": "installed_code"}, **{"Idempotency-Key": KEY + "e"}) for _ in range(3)
    ]
    assert [e.get_json()["count"] for e in events] == [1, 1, 1]
    assert [e.headers.get("Idempotency-Replayed") for e in events] == [None, "true", "true"]
    app.extensions["onboarding"].storage.reset()


def test_concurrent_retries_from_threads_count_once(store_uri: str) -> None:
    app = keyed_app(store_uri)
    shown: list[dict[str, Any]] = []
    signals.guide_shown.connect(lambda sender, **kw: shown.append(kw), sender=app, weak=False)
    clients = [app.test_client() for _ in range(8)]
    tokens = [payload(c, "a")["csrf"]["token"] for c in clients]
    barrier = threading.Barrier(len(clients))
    results: list[Any] = [None] * len(clients)

    def send(i: int) -> None:
        barrier.wait()
        results[i] = post(
            clients[i], "/guides/starter-guide/shown", "a", {}, token=tokens[i], **{"Idempotency-Key": KEY}
        )

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in results] == [200] * len(clients)
    assert sorted(r.headers.get("Idempotency-Replayed", "") for r in results) == [""] + ["true"] * 7
    assert {r.get_json()["impressions"] for r in results} == {1}
    assert len(shown) == 1 and counters(app)["starter-guide|shown"] == 1
    app.extensions["onboarding"].storage.reset()


@pytest.mark.parametrize("key", ["short", "x" * 65, "has space in it 123", "dots.are.not.allowed.here"])
def test_a_malformed_key_is_422_naming_the_header(key: str) -> None:
    app, _ = create_app(Clock(START + timedelta(days=1)))
    answer = post(app.test_client(), "/guides/how-to-start/dismiss", "a", **{"Idempotency-Key": key})
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "invalid" and list(error["fields"]) == ["Idempotency-Key"]


def test_shown_counts_each_user_once_per_guide_and_day() -> None:
    clock = Clock(START + timedelta(days=1))
    app, _ = create_app(clock)
    client = app.test_client()
    for _ in range(25):  # the customer who pushed "shown" up by 25
        assert post(client, "/guides/starter-guide/shown", "a", {}).status_code == 200
    post(client, "/guides/starter-guide/shown", "b", {})
    assert counters(app)["starter-guide|shown"] == 2
    state = post(client, "/guides/starter-guide/shown", "a", {}).get_json()
    assert state["impressions"] == 26  # the user's own state still sees every view (frequency)


SCHEDULED = """
version: 1
guides:
  - id: later
    kind: footer_help
    title: {en: "Soon"}
    body: {en: "Not yet."}
    starts_at: 2030-01-01
  - id: paid-only
    kind: starter_guide
    title: {en: "Paid"}
    body: {en: "The paid-plan price."}
    when: {plans: [paid]}
  - id: now
    kind: footer_help
    title: {en: "Now"}
    body: {en: "Here."}
"""


def test_actions_on_guides_the_user_is_not_targeted_by_are_refused_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    content = tmp_path / "scheduled.yaml"
    content.write_text(SCHEDULED, encoding="utf-8")
    app, _ = create_app(Clock(START + timedelta(days=1)), content=[str(content)])
    client = app.test_client()
    caplog.set_level(logging.WARNING, logger="onboarding_sdk")
    for guide, reason in (("later", "schedule"), ("paid-only", "condition")):
        for action, body in (("shown", {}), ("dismiss", {}), ("feedback", {"helpful": True})):
            caplog.clear()
            answer = post(client, f"/guides/{guide}/{action}", "a", body)
            assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "not_targeted"
            [line] = [r.getMessage() for r in caplog.records]
            assert f"POST /onboarding/api/guides/{guide}/{action} for user a: 404 not_targeted" in line
            assert f"reason: {reason}" in line
    assert not [name for name in counters(app) if name.startswith(("later|", "paid-only|"))]
    assert post(client, "/guides/now/dismiss", "a").status_code == 200
    assert post(client, "/guides/now/feedback", "a", {"helpful": False}).status_code == 200  # dismissed: still its own


def test_a_guide_of_another_stage_is_refused() -> None:
    app, ext = create_app(Clock(START + timedelta(days=1)))
    client = app.test_client()
    refused = post(client, "/guides/footer-home/dismiss", "a")  # footer-home is for the use stage
    assert refused.status_code == 404 and refused.get_json()["error"]["code"] == "not_targeted"
    grow(app, ext, "u", "use")
    assert post(client, "/guides/footer-home/dismiss", "u").status_code == 200


def test_every_refused_post_is_one_log_line_with_code_route_and_user(
    env: tuple[Flask, Onboarding, Clock, FlaskClient], caplog: pytest.LogCaptureFixture
) -> None:
    client = env[3]
    caplog.set_level(logging.WARNING, logger="onboarding_sdk")
    cases = [
        (post(client, "/guides/how-to-start/dismiss", "a", token=None), "403 csrf", "for user a"),
        (post(client, "/guides/how-to-start/dismiss", "a", Origin="https://evil.example"), "403 bad_origin", "user a"),
        (post(client, "/events", "a", {"name": "nope"}), "422 unknown_event", "user a"),
        (post(client, "/guides/nope/dismiss", "a"), "404 no_such_guide", "user a"),
        (client.post("/onboarding/api/events", json={}), "401 not_signed_in", "user -"),
    ]
    lines = [r.getMessage() for r in caplog.records if "refused POST" in r.getMessage()]
    assert len(lines) == len(cases)
    for (answer, code, who), line in zip(cases, lines, strict=True):
        assert code in line and who in line and answer.status_code == int(code[:3])


def test_behind_a_proxy_without_proxyfix_the_log_says_what_to_configure(
    env: tuple[Flask, Onboarding, Clock, FlaskClient], caplog: pytest.LogCaptureFixture
) -> None:
    app, _, _, client = env
    caplog.set_level(logging.WARNING, logger="onboarding_sdk")
    refused = post(client, "/guides/how-to-start/dismiss", "a", Origin="https://localhost")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "bad_origin"
    [line] = [r.getMessage() for r in caplog.records]
    assert "werkzeug.middleware.proxy_fix.ProxyFix" in line and "x_proto=1" in line
    from werkzeug.middleware.proxy_fix import ProxyFix

    app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1)  # type: ignore[method-assign]
    fixed = post(
        client, "/guides/how-to-start/dismiss", "a", Origin="https://localhost", **{"X-Forwarded-Proto": "https"}
    )
    assert fixed.status_code == 200


@pytest.fixture
def env() -> tuple[Flask, Onboarding, Clock, FlaskClient]:
    clock = Clock(START + timedelta(days=1))
    app, ext = create_app(clock)
    return app, ext, clock, app.test_client()


# ----------------------------------------------------------------------------- without SECRET_KEY


def test_without_secret_key_the_widget_is_read_only(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="onboarding_sdk")
    app, _ = create_app(Clock(START + timedelta(days=1)), SECRET_KEY=None)
    [warning] = [r.getMessage() for r in caplog.records if "SECRET_KEY" in r.getMessage()]
    assert "read-only" in warning and "no_secret_key" in warning
    client = app.test_client()
    caplog.clear()
    data = payload(client, "a")
    assert data["csrf"] is None and data["user"] is None and data["guides"]
    for _ in range(3):
        page = client.get("/", headers={"X-User": "a"})
        assert page.status_code == 200 and "onboarding-data" in page.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]  # no traceback per page
    refused = post(client, "/guides/how-to-start/dismiss", "a", token="1.anything")
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "no_secret_key"


# ----------------------------------------------------------------------------- the payload


def test_the_payload_names_the_user_by_a_keyed_hash_and_says_debug(
    env: tuple[Flask, Onboarding, Clock, FlaskClient],
) -> None:
    app, _, _, client = env
    first = payload(client, "a")
    tag = first["user"]
    assert len(tag) == 16 and int(tag, 16) >= 0 and tag != "a" and "debug" not in first
    assert payload(app.test_client(), "a")["user"] == tag  # the same on every device
    assert payload(client, "b")["user"] != tag
    other, _ = create_app(Clock(START), SECRET_KEY="another-secret")
    assert payload(other.test_client(), "a")["user"] != tag  # keyed with the app's secret
    app.debug = True
    assert payload(client, "a")["debug"] is True


# ----------------------------------------------------------------------------- CSRF bound to the session


def test_the_csrf_token_is_bound_to_the_session(env: tuple[Flask, Onboarding, Clock, FlaskClient]) -> None:
    app, _, _, client = env
    token = payload(client, "a")["csrf"]["token"]
    assert payload(client, "a")["csrf"]["token"] == token  # stable within the session
    assert post(client, "/guides/how-to-start/complete", "a", token=token).status_code == 200
    copied = app.test_client()  # another browser: no session, or a session of its own
    assert post(copied, "/guides/how-to-start/complete", "a", token=token).status_code == 403
    assert payload(copied, "a")["csrf"]["token"] != token
    with client.session_transaction() as session:  # the host signs the user out
        session.clear()
    assert post(client, "/guides/how-to-start/complete", "a", token=token).status_code == 403
    fresh = payload(client, "a")["csrf"]["token"]
    assert fresh != token and post(client, "/guides/how-to-start/complete", "a", token=fresh).status_code == 200


def test_the_token_rotates_when_another_user_signs_in(env: tuple[Flask, Onboarding, Clock, FlaskClient]) -> None:
    client = env[3]
    token_a = payload(client, "a")["csrf"]["token"]
    payload(client, "b")  # b signs in with the same browser session
    assert post(client, "/guides/how-to-start/complete", "a", token=token_a).status_code == 403


# ----------------------------------------------------------------------------- a strict contract


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/guides/starter-guide/feedback", {"helpful": "yes"}),
        ("/guides/starter-guide/feedback", {"helpful": 1}),
        ("/guides/starter-guide/feedback", {"helpful": "true"}),
        ("/guides/starter-guide/shown", {"auto": 1}),
        ("/guides/starter-guide/shown", {"auto": "on"}),
    ],
)
def test_booleans_are_json_true_or_false_only(
    env: tuple[Flask, Onboarding, Clock, FlaskClient], url: str, body: dict[str, Any]
) -> None:
    answer = post(env[3], url, "a", body)
    assert answer.status_code == 422 and list(answer.get_json()["error"]["fields"]) == list(body)


def test_routing_errors_under_the_api_are_json(env: tuple[Flask, Onboarding, Clock, FlaskClient]) -> None:
    client = env[3]
    missing = client.get("/onboarding/api/nothing/here", headers={"X-User": "a"})
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    for method in ("delete", "put", "post"):
        wrong = getattr(client, method)("/onboarding/api/guides", headers={"X-User": "a"})
        assert wrong.status_code == 405 and wrong.get_json()["error"]["code"] == "method_not_allowed"
        assert "GET" in wrong.headers["Allow"]
    assert client.get("/onboarding/api/events").status_code == 405
    host = client.get("/no-such-host-page")
    assert host.status_code == 404 and host.mimetype == "text/html"  # the host's own 404 is untouched


def test_guides_without_page_come_once(env: tuple[Flask, Onboarding, Clock, FlaskClient]) -> None:
    app, ext, _, client = env
    grow(app, ext, "c", "adaptation")
    ids = [g["id"] for g in client.get("/onboarding/api/guides", headers={"X-User": "c"}).get_json()["guides"]]
    assert "term-uv" in ids and len(ids) == len(set(ids))
    with app.app_context():
        from onboarding_sdk import UserProfile

        python = ext.guides_for(UserProfile(id="c", signed_up_at=START, plan="free"))
    assert [g["id"] for g in python] == ids


def test_a_retry_after_a_timeout_whose_write_went_through_counts_once(redis_uri: str) -> None:
    """The slow-Redis case: the app gives up waiting (503, try again) but the server runs the
    write later; the widget's retry, with the same key, must not count the event again."""
    app, _ = create_app(
        Clock(START + timedelta(days=1)),
        ONBOARDING_STORAGE_URI=redis_uri,
        ONBOARDING_KEY_PREFIX=f"t{uuid.uuid4().hex[:12]}",
        ONBOARDING_STORAGE_TIMEOUT=0.3,
        ONBOARDING_DEGRADED_PROBE_INTERVAL=0,  # every retry reaches the store
    )
    client = app.test_client()
    token = payload(client, "a")["csrf"]["token"]  # also learns the event codes: the POST only writes
    hold_the_server_busy(redis_uri, microseconds=1_500_000)  # longer than the app's timeout
    answers = []
    for _ in range(100):  # the widget's retries (bounded), each with the same key
        answer = post(client, "/events", "a", {"name": "report_created"}, token=token, **{"Idempotency-Key": KEY})
        answers.append(answer.status_code)
        if answer.status_code == 200:
            break
    assert answers[0] == 503 and answers[-1] == 200  # timed out first, though the write went through
    assert answer.headers.get("Idempotency-Replayed") == "true" and answer.get_json()["count"] == 1
    with app.app_context():
        assert app.extensions["onboarding"].state_of("a").count("report_created") == 1
        app.extensions["onboarding"].storage.reset()


# A script that keeps redis-server busy (it serves nobody else meanwhile) for ARGV[1] microseconds.
BUSY = """
local t = redis.call('TIME')
local stop = t[1] * 1000000 + t[2] + tonumber(ARGV[1])
repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] >= stop
return 1
"""


def hold_the_server_busy(uri: str, microseconds: int) -> None:
    """Start BUSY without waiting for it, and return once the server is inside it (a PING no
    longer answers). Commands sent meanwhile wait in line and run when it ends, even when their
    client has given up: a write that timed out goes through."""
    import socket
    from urllib.parse import urlsplit

    import redis

    parts = urlsplit(uri)
    busy = socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379))
    args = [b"EVAL", BUSY.encode(), b"0", str(microseconds).encode()]
    busy.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
    probe = redis.Redis.from_url(uri, socket_timeout=0.1)
    for _ in range(1000):
        try:
            probe.ping()  # answered: the script has not started yet
        except redis.TimeoutError:
            break
    else:
        raise AssertionError("the server never became busy")
    probe.close()
    busy.close()  # the script runs to its end all the same


def test_with_flask_login_the_token_rotates_at_sign_in_and_sign_out() -> None:
    from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

    from onboarding_sdk import UserProfile

    class Person(UserMixin):
        def __init__(self, user_id: str) -> None:
            self.id = user_id

    app = Flask(__name__)
    app.config.update(SECRET_KEY="s", ONBOARDING_EVENTS=["installed_code"], ONBOARDING_STORAGE_URI="memory://")
    ext = Onboarding(app, clock=Clock(START))
    LoginManager(app).user_loader(Person)

    @ext.user_loader
    def profile() -> UserProfile | None:
        return UserProfile(id=current_user.id, signed_up_at=START) if current_user.is_authenticated else None

    @app.post("/login")
    def login() -> str:
        login_user(Person("42"))
        return "in"

    @app.post("/logout")
    def logout() -> str:
        logout_user()
        return "out"

    client = app.test_client()

    def token() -> str:
        found: str = client.get("/onboarding/api/guides").get_json()["csrf"]["token"]
        return found

    def event(sent: str) -> int:
        headers = {"X-Onboarding-CSRF": sent}
        return client.post("/onboarding/api/events", json={"name": "installed_code"}, headers=headers).status_code

    client.post("/login")
    first = token()
    assert token() == first and event(first) == 200
    client.post("/logout")
    client.post("/login")  # the same person signs in again, in the same browser session
    second = token()
    assert second != first and event(first) == 403 and event(second) == 200


def test_an_action_costs_the_users_read_and_one_write(env: tuple[Flask, Onboarding, Clock, FlaskClient]) -> None:
    """Two storage calls per action, as before the targeting check: the user's record (what a
    page view reads), then the write with its analytics count (one pipeline on Redis)."""
    app, _, _, client = env
    token = payload(client, "a")["csrf"]["token"]
    storage = app.extensions["onboarding"].storage
    calls: list[str] = []
    for name in ("load", "load_with_revision", "guide_write", "count", "track_once", "track_and_note", "counters"):
        original = getattr(storage, name)

        def wrapper(*args: Any, _name: str = name, _original: Any = original, **kwargs: Any) -> Any:
            calls.append(_name)
            return _original(*args, **kwargs)

        setattr(storage, name, wrapper)
    for action, body in (("dismiss", {}), ("feedback", {"helpful": True}), ("shown", {})):
        calls.clear()
        answer = post(
            client, f"/guides/starter-guide/{action}", "a", body, token=token, **{"Idempotency-Key": KEY + action}
        )
        assert answer.status_code == 200 and calls == ["load_with_revision", "guide_write"], (action, calls)
