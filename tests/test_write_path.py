"""The lean write path (issue 12 item 5), counted on a real redis-server: after a user's first
request of the day, an event POST is one script and a page view's API read one command; the
user loader runs once per request; the CSRF token of a (user, day, session) is computed once.

The server itself reports what it was asked (``MONITOR``; commands run inside a script are
told apart), so nothing here is mocked.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
import redis
from flask import Flask, request
from flask.testing import FlaskClient

from onboarding_sdk import Onboarding, UserProfile, get_state
from tests.guides.app import START, Clock, create_app

MARK = "onboarding-write-path-mark"


@contextmanager
def sent_commands(uri: str) -> Iterator[Counter[str]]:
    """The commands clients sent the server in the block, by name (inside scripts left out)."""
    found: Counter[str] = Counter()
    client = redis.Redis.from_url(uri)
    with client.monitor() as monitor:  # type: ignore[no-untyped-call]
        ready = threading.Event()

        def watch() -> None:
            ready.set()
            for command in monitor.listen():
                words = str(command["command"]).split()
                if MARK in words:
                    if found.get("<end>") is not None:
                        return
                    found["<end>"] = 0  # the first mark starts the count
                    continue
                if "<end>" in found and command.get("client_type") != "lua":
                    found[words[0].lower()] += 1

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        ready.wait(5)
        client.echo(MARK)
        try:
            yield found
        finally:
            client.echo(MARK)
            watcher.join(10)
            assert not watcher.is_alive(), "MONITOR never saw the end mark"
            del found["<end>"]
            found.pop("echo", None)


@pytest.fixture
def live(redis_uri: str) -> tuple[Flask, Onboarding, FlaskClient, list[str]]:
    app, ext = create_app(
        Clock(START + timedelta(days=1)),
        ONBOARDING_STORAGE_URI=redis_uri,
        ONBOARDING_KEY_PREFIX=f"wp{uuid.uuid4().hex[:10]}",
        ONBOARDING_STORAGE_TIMEOUT=5.0,
    )
    loads: list[str] = []

    @ext.user_loader
    def load() -> UserProfile | None:
        loads.append(request.path)
        uid = request.headers.get("X-User")
        return None if uid is None else UserProfile(id=uid, signed_up_at=START, account_id="acme")

    return app, ext, app.test_client(), loads


def page_view(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/onboarding/api/guides?page=home&path=/", headers={"X-User": "u1"})
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.get_json()
    return data


def event(client: FlaskClient, token: str, name: str = "report_created") -> dict[str, Any]:
    response = client.post(
        "/onboarding/api/events", json={"name": name}, headers={"X-User": "u1", "X-Onboarding-CSRF": token}
    )
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.get_json()
    return data


def test_an_event_post_is_one_script_and_a_page_view_one_command(
    live: tuple[Flask, Onboarding, FlaskClient, list[str]], redis_uri: str
) -> None:
    app, _, client, _ = live
    token = page_view(client)["csrf"]["token"]  # the day's activity, codes, scripts loaded
    event(client, token)
    with sent_commands(redis_uri) as posts:
        for _ in range(5):
            assert event(client, token)["name"] == "report_created"
    assert posts == Counter({"evalsha": 5})
    with sent_commands(redis_uri) as views:
        for _ in range(5):
            page_view(client)
    assert views == Counter({"evalsha": 5})
    profile = UserProfile(id="u1", signed_up_at=START, account_id="acme")
    with app.app_context(), sent_commands(redis_uri) as tracks:
        state = get_state(app).engine.track("u1", "report_created", None, profile)
    assert tracks == Counter({"evalsha": 1}) and state.count("report_created") == 7


def test_the_count_sees_every_command_a_client_sends(redis_uri: str) -> None:
    """The counts above would pass vacuously if the monitor missed commands."""
    other = redis.Redis.from_url(redis_uri)
    other.ping()  # connected before: a new connection's handshake is not counted here
    with sent_commands(redis_uri) as seen:
        other.hgetall("nothing")
        other.eval("return redis.call('get', KEYS[1])", 1, "nothing")
    assert seen == Counter({"hgetall": 1, "eval": 1})  # the script's own GET is not a round trip


def test_the_user_loader_runs_once_per_request(live: tuple[Flask, Onboarding, FlaskClient, list[str]]) -> None:
    _, _, client, loads = live
    token = page_view(client)["csrf"]["token"]
    del loads[:]
    event(client, token)
    page_view(client)
    assert loads == ["/onboarding/api/events", "/onboarding/api/guides"]


def test_the_csrf_token_is_computed_once_per_user_day_and_session(
    live: tuple[Flask, Onboarding, FlaskClient, list[str]],
) -> None:
    app, _, client, _ = live
    token = page_view(client)["csrf"]["token"]
    event(client, token)
    tokens = dict(get_state(app).csrf_tokens)
    for _ in range(3):
        event(client, token)
    assert get_state(app).csrf_tokens == tokens and token in tokens.values()
    refused = client.post(
        "/onboarding/api/events", json={"name": "report_created"}, headers={"X-User": "u1", "X-Onboarding-CSRF": "1.x"}
    )
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "csrf"
