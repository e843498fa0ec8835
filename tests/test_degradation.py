"""Never break the host: a real redis-server goes away and comes back."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from onboarding_sdk import ConfigurationError, Onboarding, StorageError, UserProfile, signals
from onboarding_sdk.health import LOST_PROBE_AFTER, HealthGate
from tests import servers
from tests.test_extension import EVENTS, START


class FakeMonotonic:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_degraded_store_is_probed_on_a_fixed_interval_however_long_the_outage() -> None:
    clock = FakeMonotonic()
    gate = HealthGate(0.5, clock)
    assert gate.allow() and not gate.degraded
    assert gate.failed() is True  # healthy -> degraded
    assert not gate.allow()  # skipped: no time lost on a dead store
    for _ in range(2 * 3600):  # an hour of failed probes, one every half second...
        clock.now += 0.5
        assert gate.allow()  # the probe
        assert not gate.allow()  # nobody else in the same interval
        assert gate.failed() is False  # still degraded
    clock.now += 0.49
    assert not gate.allow()
    clock.now += 0.01
    assert gate.allow()  # ...and the next probe is still one interval away, not 30 s
    assert gate.succeeded() == pytest.approx(3600.5)
    assert gate.allow() and not gate.degraded


def test_one_probe_at_a_time_across_threads_even_when_it_is_slow() -> None:
    clock = FakeMonotonic()
    gate = HealthGate(0.5, clock)
    gate.failed()
    clock.now += 0.5
    barrier = threading.Barrier(8)
    answers: list[bool] = []

    def ask() -> None:
        barrier.wait()
        answers.append(gate.allow())

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [False] * 7 + [True]
    clock.now += 2.0  # the probe is still waiting for a timeout: no second one joins it
    assert not gate.allow()
    gate.failed()
    assert not gate.allow()
    clock.now += 0.5
    assert gate.allow()
    clock.now += LOST_PROBE_AFTER  # a probe that never reported (its caller died) is taken as lost
    assert gate.allow()


def test_the_deprecated_backoff_keys_only_ever_probe_sooner(caplog: pytest.LogCaptureFixture) -> None:
    base = {"ONBOARDING_DEGRADED_PROBE_INTERVAL": 0.5, "ONBOARDING_DEGRADED_BACKOFF": None}
    with caplog.at_level(logging.WARNING, "onboarding_sdk"):
        assert HealthGate.from_settings({**base, "ONBOARDING_DEGRADED_BACKOFF_MAX": None}).interval == 0.5
        assert not caplog.text
        assert (
            HealthGate.from_settings(
                {**base, "ONBOARDING_DEGRADED_BACKOFF": 5.0, "ONBOARDING_DEGRADED_BACKOFF_MAX": 30.0}
            ).interval
            == 0.5
        )
        assert "ONBOARDING_DEGRADED_BACKOFF is deprecated" in caplog.text
        assert "ONBOARDING_DEGRADED_BACKOFF_MAX is deprecated and ignored" in caplog.text
        assert (
            HealthGate.from_settings(
                {**base, "ONBOARDING_DEGRADED_BACKOFF": 0.0, "ONBOARDING_DEGRADED_BACKOFF_MAX": None}
            ).interval
            == 0.0
        )
    app, _ = app_for("memory://")
    assert app.extensions["onboarding"].gate.interval == 0.0
    with pytest.raises(ConfigurationError, match="ONBOARDING_DEGRADED_PROBE_INTERVAL"):
        app_for("memory://", ONBOARDING_DEGRADED_PROBE_INTERVAL=-1)


def app_for(uri: str, **config: Any) -> tuple[Flask, Onboarding]:
    app = Flask(__name__)
    app.config.update(
        ONBOARDING_STORAGE_URI=uri,
        ONBOARDING_EVENTS=EVENTS,
        ONBOARDING_DEGRADED_PROBE_INTERVAL=0.0,
        ONBOARDING_STORAGE_TIMEOUT=0.2,
    )
    app.config.update(config)
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


def test_after_a_long_outage_the_store_is_used_again_at_the_next_probe(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A real redis-server stops for what the gate sees as 60 s (twice the old 30 s backoff cap;
    its clock is a fake one, so the test does not wait), with requests skipping the store and
    one probe per interval failing; it comes back, and the very next probe (within one 0.5 s
    interval, so within 2 s) uses it again."""
    server = servers.start_server(tmp_path / "r1")
    app, ext = app_for(f"redis://{server.address}/0", ONBOARDING_STORAGE_RETRIES=0)
    engine = app.extensions["onboarding"]
    clock = FakeMonotonic()
    engine.gate = HealthGate(0.5, clock)  # the default interval, on a clock the test moves
    recovered: list[float] = []
    signals.storage_recovered.connect(lambda sender, down_for: recovered.append(down_for), sender=app, weak=False)
    restarted: servers.Server | None = None
    try:
        with app.app_context():
            assert ext.track("installed_code", user_id="1") is not None
            server.stop()
            probes = skipped = 0
            with caplog.at_level(logging.ERROR, "onboarding_sdk"):
                for _ in range(239):  # 60 s of outage, a request every 0.25 s
                    clock.now += 0.25
                    caplog.clear()
                    assert ext.track("installed_code", user_id="1") is None
                    if "skipping the call until the next probe" in caplog.text:
                        skipped += 1
                    else:
                        probes += 1
            assert (probes, skipped) == (120, 119)  # every other request probed: one per 0.5 s, no backoff
            restarted = servers._launch(servers.require_binary(), tmp_path / "r1", server.port, (), None)
            assert servers._wait_ready(restarted, time.monotonic() + 10)
            clock.now += 0.25  # a request in the same interval as the last failed probe: still skipped
            assert ext.track("installed_code", user_id="1") is None and engine.gate.degraded
            clock.now += 0.25  # the next probe, 0.5 s after the last one: the store is used again
            state = ext.track("installed_code", user_id="1")
            assert state is not None and not engine.gate.degraded
            assert recovered == [pytest.approx(60.0, abs=0.5)]
    finally:
        server.stop()
        if restarted is not None:
            restarted.stop()
