"""Onboarding.forget / export_user, their CLI commands, ONBOARDING_RETENTION_DAYS and the
reused-id warning, on every backend (memory, redis-server, Redis Cluster). Keys are counted
with SCAN on every node before and after (tests/privacy/test_storage_forget.keys_naming)."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from onboarding_sdk import Onboarding, StorageError, UserProfile, signals
from onboarding_sdk.engine import Engine
from tests.guides.app import START, Clock, create_app
from tests.privacy.test_storage_forget import keys_naming


def day(n: float) -> datetime:
    return START + timedelta(days=n)


@pytest.fixture
def host(store_uri: str) -> Iterator[tuple[Flask, Onboarding, Clock]]:
    clock = Clock(day(0))
    app, ext = create_app(
        clock,
        ONBOARDING_STORAGE_URI=store_uri,
        ONBOARDING_KEY_PREFIX=f"t{uuid.uuid4().hex[:12]}",
        ONBOARDING_STORAGE_TIMEOUT=5.0,
        ONBOARDING_DORMANT_CHECK_INTERVAL=0,
        ONBOARDING_RETENTION_DAYS=30,
    )
    yield app, ext, clock
    app.extensions["onboarding"].storage.reset()
    app.extensions["onboarding"].storage.close()


class Forgotten:
    def __init__(self, app: Flask) -> None:
        self.calls: list[tuple[str, str]] = []
        signals.user_forgotten.connect(self, sender=app)

    def __call__(self, sender: Flask, **data: Any) -> None:
        self.calls.append((data["user_id"], data["reason"]))


def engine_of(app: Flask) -> Engine:
    engine: Engine = app.extensions["onboarding"]
    return engine


def busy_user(app: Flask, clock: Clock, user: str, account: str = "acme") -> None:
    """A user with events, a stage, guide states and an idempotency key: every kind of entry."""
    engine = engine_of(app)
    profile = UserProfile(user, day(-3), account_id=account)
    with app.app_context():
        for n, event in enumerate(["installed_code", "report_created", "export_done", "alert_set"]):
            clock.now = day(n)
            engine.track(user, event, profile=profile)
        engine.track(user, "report_created", profile=profile)
        engine.act_on_guide(profile, "tip-api", "shown")
        engine.act_on_guide(profile, "tip-api", "dismiss", key="k" * 16)


def test_forget_leaves_no_key_and_the_population_drops_by_one(host: tuple[Flask, Onboarding, Clock]) -> None:
    app, ext, clock = host
    forgotten = Forgotten(app)
    for user in ("gone", "kept", "gone2"):
        busy_user(app, clock, user)
    storage = engine_of(app).storage
    before = storage.population(10_000_000, 0, 10)
    kept = keys_naming(storage, "kept")
    assert keys_naming(storage, "gone") and kept
    with app.app_context():
        ext.forget("gone")
    assert keys_naming(storage, "gone") == [] and keys_naming(storage, "kept") == kept
    after = storage.population(10_000_000, 0, 10)
    assert after.users == before.users - 1
    assert {stage: before.reached[stage] - after.reached.get(stage, 0) for stage in before.reached} == {
        "use": 1,
        "depth": 1,
    }
    assert forgotten.calls == [("gone", "request")]
    with app.app_context():
        assert ext.state_of("gone").is_new  # the id starts afresh
        ext.forget("never-seen")  # nothing stored: nothing happens but the signal
    assert forgotten.calls[-1] == ("never-seen", "request")


def test_export_user_has_everything_and_is_json(host: tuple[Flask, Onboarding, Clock]) -> None:
    app, ext, clock = host
    busy_user(app, clock, "u1")
    with app.app_context():
        data = ext.export_user("u1")
        json.dumps(data)  # JSON-able as is
        assert ext.export_user("nobody")["found"] is False
    assert data["found"] is True and data["user_id"] == "u1"
    assert data["signed_up_at"] == day(-3).isoformat()
    assert data["stage"] == "depth" and list(data["stage_entered"]) == ["awareness", "use", "depth"]
    assert data["events"]["report_created"] == {
        "count": 2,
        "first": day(1).isoformat(),
        "last": day(3).isoformat(),
    }
    assert data["active_days"] == [day(n).date().isoformat() for n in range(4)]
    tip = data["guides"]["tip-api"]
    assert tip["seen"] and tip["dismissed"] and tip["impressions"] == 1
    assert tip["last_shown_day"] == day(3).date().isoformat()
    assert [k["key"] for k in data["idempotency_keys"]] == ["k" * 16]
    assert data["index"] == {
        "last_active_day": day(3).date().isoformat(),
        "account": "acme",
        "last_active_day_in_account": day(3).date().isoformat(),
        "counted": {day(3).date().isoformat(): ["tip-api|dismiss", "tip-api|shown"]},
    }
    assert data["other_fields"] == {}


def test_cli_forget_asks_first_and_export_prints_json(host: tuple[Flask, Onboarding, Clock]) -> None:
    app, _, clock = host
    busy_user(app, clock, "u1")
    forgotten = Forgotten(app)
    runner = app.test_cli_runner()
    exported = runner.invoke(args=["onboarding", "export-user", "u1"])
    assert exported.exit_code == 0, exported.output
    assert json.loads(exported.output)["events"]["installed_code"]["count"] == 1
    refused = runner.invoke(args=["onboarding", "forget", "u1"], input="n\n")
    assert refused.exit_code == 1 and "Forget user 'u1'" in refused.output and "Aborted" in refused.output
    assert keys_naming(engine_of(app).storage, "u1") and forgotten.calls == []
    done = runner.invoke(args=["onboarding", "forget", "u1"], input="y\n")
    assert done.exit_code == 0 and "forgot user 'u1'" in done.output
    assert keys_naming(engine_of(app).storage, "u1") == [] and forgotten.calls == [("u1", "request")]
    again = runner.invoke(args=["onboarding", "forget", "u1", "--yes"])
    assert again.exit_code == 0 and "nothing stored for user 'u1'" in again.output
    assert runner.invoke(args=["onboarding", "forget"]).exit_code == 2  # neither an id nor --inactive


def test_retention_forgets_inactive_users_only(host: tuple[Flask, Onboarding, Clock]) -> None:
    app, _, clock = host
    forgotten = Forgotten(app)
    busy_user(app, clock, "old")  # last active on day 3
    with app.app_context():
        clock.now = day(20)
        engine_of(app).track("recent", None, profile=UserProfile("recent", day(20)))
    clock.now = day(33)  # "old": 30 days without activity, "recent": 13
    result = app.test_cli_runner().invoke(args=["onboarding", "forget", "--inactive"])
    assert result.exit_code == 0 and "forgot 1 user inactive for 30 days" in result.output
    assert forgotten.calls == [("old", "retention")]
    storage = engine_of(app).storage
    assert keys_naming(storage, "old") == [] and keys_naming(storage, "recent")
    assert storage.population(10_000_000, 0, 10).users == 1


def test_retention_runs_after_a_response_and_is_off_by_default(store_uri: str) -> None:
    prefix, clock = f"t{uuid.uuid4().hex[:12]}", Clock(day(0))
    app, _ = create_app(
        clock, ONBOARDING_STORAGE_URI=store_uri, ONBOARDING_KEY_PREFIX=prefix, ONBOARDING_RETENTION_DAYS=7
    )
    off, _ = create_app(clock, ONBOARDING_STORAGE_URI="memory://")
    forgotten = Forgotten(app)
    for each in (app, off):
        with each.app_context():
            engine_of(each).track("visitor", None, profile=UserProfile("visitor", day(0)))
    clock.now = day(8)
    for each in (app, off):
        response = each.test_client().get("/")  # the first request in this process: the check is due
        response.close()  # what the WSGI server does once the body is sent: call_on_close runs
    assert forgotten.calls == [("visitor", "retention")]
    assert keys_naming(engine_of(app).storage, "visitor") == []
    assert keys_naming(engine_of(off).storage, "visitor") != []
    assert off.test_cli_runner().invoke(args=["onboarding", "forget", "--inactive"]).exit_code == 1
    engine_of(app).storage.reset()


def test_a_reused_id_is_warned_about_once(
    host: tuple[Flask, Onboarding, Clock], caplog: pytest.LogCaptureFixture
) -> None:
    app, _, _ = host
    engine = engine_of(app)
    with app.app_context(), caplog.at_level(logging.WARNING, logger="onboarding_sdk"):
        engine.track("1", "installed_code", profile=UserProfile("1", day(-100)))
        engine.track("1", None, profile=UserProfile("1", day(-100) + timedelta(hours=23)))  # same person
        assert not [r for r in caplog.records if "reused" in r.getMessage()]
        for _ in range(2):  # `flask init-db`: a new person gets id 1 again
            engine.track("1", None, profile=UserProfile("1", day(0)))
    warnings = [r.getMessage() for r in caplog.records if "reused" in r.getMessage()]
    assert len(warnings) == 1 and "onboarding.forget('1')" in warnings[0]
    assert "flask onboarding forget 1" in warnings[0]


def test_the_cli_and_the_api_report_a_store_that_is_down() -> None:
    from tests import servers

    app, ext = create_app(Clock(day(0)), ONBOARDING_STORAGE_URI=f"redis://127.0.0.1:{servers.free_port()}/0")
    forgotten = Forgotten(app)
    runner = app.test_cli_runner()
    for args in (["forget", "u1", "--yes"], ["export-user", "u1"]):
        result = runner.invoke(args=["onboarding", *args])
        assert result.exit_code == 1 and "cannot" in result.output and "the store" in result.output
        assert "Traceback" not in result.output
    with app.app_context(), pytest.raises(StorageError):
        ext.forget("u1")
    assert forgotten.calls == []  # nothing deleted: nothing announced
