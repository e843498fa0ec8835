"""Never break the host: a real redis-server goes away and comes back."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from onboarding_sdk import Onboarding, StorageError, UserProfile, signals
from onboarding_sdk.health import HealthGate
from tests import servers
from tests.test_extension import EVENTS, START


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_health_gate_backs_off_and_probes_one_at_a_time() -> None:
    clock = FakeMonotonic()
    gate = HealthGate(1.0, 4.0, clock)
    assert gate.allow()
    assert gate.failed() is True  # healthy -> degraded
    assert not gate.allow()
    clock.now += 1.0
    assert gate.allow()  # one probe...
    assert not gate.allow()  # ...and no second one in the same window
    assert gate.failed() is False  # still degraded; backoff doubles to 2 s
    clock.now += 1.9
    assert not gate.allow()
    clock.now += 0.1
    assert gate.allow()
    gate.failed()
    gate.failed()  # capped at 4 s
    clock.now += 4.0
    assert gate.allow()
    assert gate.succeeded() == pytest.approx(7.0)
    assert gate.allow() and not gate.degraded


def app_for(uri: str, **config: Any) -> tuple[Flask, Onboarding]:
    app = Flask(__name__)
    app.config.update(
        ONBOARDING_STORAGE_URI=uri,
        ONBOARDING_EVENTS=EVENTS,
        ONBOARDING_DEGRADED_BACKOFF=0.0,
        ONBOARDING_STORAGE_TIMEOUT=0.2,
        **config,
    )
    ext = Onboarding(app)

    @ext.user_loader
    def load() -> UserProfile:
        return UserProfile(id="host-user", signed_up_at=START)

    @app.get("/")
    def index() -> str:
        return "host page"

    return app, ext


def test_store_going_down_and_coming_back(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    server = servers.start_server(tmp_path / "r1")
    app, ext = app_for(f"redis://{server.address}/0")
    events: list[tuple[str, dict[str, Any]]] = []
    for name in ("storage_degraded", "storage_recovered"):
        getattr(signals, name).connect(lambda sender, _n=name, **kw: events.append((_n, kw)), sender=app, weak=False)
    with app.app_context():
        assert ext.track("installed_code", user_id="1") is not None
    server.stop()
    with app.app_context(), caplog.at_level(logging.ERROR, "onboarding_sdk"):
        assert ext.track("installed_code", user_id="1") is None  # swallowed, logged
        assert ext.track("installed_code", user_id="1") is None
    assert "event 'installed_code' for user 1 was not recorded" in caplog.text
    assert [name for name, _ in events] == ["storage_degraded"]  # once, not per call
    assert app.test_client().get("/").text == "host page"  # the activity hook swallowed it too
    restarted = servers._launch(servers.require_binary(), tmp_path / "r1", server.port, (), None)
    try:
        assert servers._wait_ready(restarted, time.monotonic() + 10)
        with app.app_context():
            state = ext.track("installed_code", user_id="1")
        assert state is not None and state.count("installed_code") == 1  # the old server's data is gone
        assert [name for name, _ in events] == ["storage_degraded", "storage_recovered"]
    finally:
        restarted.stop()


def test_without_swallowing_track_raises(tmp_path: Path) -> None:
    app, ext = app_for("redis://127.0.0.1:1/0", ONBOARDING_SWALLOW_ERRORS=False)
    with app.app_context(), pytest.raises(StorageError):
        ext.track("installed_code", user_id="1")
    with app.app_context(), pytest.raises(StorageError):
        ext.stage_of("1")
