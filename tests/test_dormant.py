"""Dormant accounts: the account_dormant signal once per dormancy episode (threads and processes
racing included), the extension method, the CLI, and the opportunistic check after a request."""

from __future__ import annotations

import multiprocessing
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from onboarding_sdk import Onboarding, UserProfile, signals
from tests import dormant_worker
from tests.guides.app import START, Clock, create_app

PROCESSES, THREADS = 2, 4


def day(n: int) -> datetime:
    return START + timedelta(days=n)


def active(app: Flask, user: str, account: str, n: int) -> None:
    """``user`` of ``account`` active on day ``n`` after START (a tracked page view)."""
    with app.app_context():
        app.extensions["onboarding"].track(user, None, day(n), UserProfile(user, START, account_id=account))


class Received:
    """The account_dormant signals one app sent, as (account, last active, users)."""

    def __init__(self, app: Flask) -> None:
        self.calls: list[tuple[str, date, int]] = []
        self._lock = threading.Lock()
        signals.account_dormant.connect(self, sender=app)

    def __call__(self, sender: Flask, **data: Any) -> None:
        with self._lock:
            self.calls.append((data["account_id"], data["last_active"], data["users"]))

    def take(self) -> list[tuple[str, date, int]]:
        with self._lock:
            calls, self.calls = self.calls, []
            return calls


@pytest.fixture
def store_app(store_uri: str) -> Iterator[tuple[Flask, Onboarding, Clock]]:
    clock = Clock(day(0))
    app, ext = create_app(
        clock,
        ONBOARDING_STORAGE_URI=store_uri,
        ONBOARDING_KEY_PREFIX=f"t{uuid.uuid4().hex[:12]}",
        ONBOARDING_STORAGE_TIMEOUT=5.0,
        ONBOARDING_DORMANT_CHECK_INTERVAL=0,
    )
    yield app, ext, clock
    app.extensions["onboarding"].storage.reset()
    app.extensions["onboarding"].storage.close()


def test_once_per_dormancy_episode(store_app: tuple[Flask, Onboarding, Clock]) -> None:
    app, ext, clock = store_app
    received = Received(app)
    active(app, "a1", "acme", 1)
    active(app, "a2", "acme", 20)
    active(app, "g1", "gamma", 40)
    active(app, "b1", "beta", 58)
    with app.app_context():
        clock.now = day(33)  # acme's last activity (day 20) is 13 days old: not yet
        assert ext.check_dormant_accounts() == [] and received.take() == []
        clock.now = day(34)  # 14 days: dormant
        found = ext.check_dormant_accounts()
        assert [(a.account_id, a.users) for a in found] == [("acme", 2)]
        assert received.take() == [("acme", day(20).date(), 2)]
        assert ext.check_dormant_accounts() == [] and received.take() == []  # the same episode
        clock.now = day(60)
        ext.check_dormant_accounts()
        assert received.take() == [("gamma", day(40).date(), 1)]
        active(app, "a1", "acme", 61)  # acme is back ...
        clock.now = day(74)
        ext.check_dormant_accounts()
        assert received.take() == [("beta", day(58).date(), 1)]
        clock.now = day(75)  # ... and dormant again 14 days later: a new episode
        ext.check_dormant_accounts()
        assert received.take() == [("acme", day(61).date(), 2)]
        clock.now = day(200)
        assert ext.check_dormant_accounts() == [] and received.take() == []


def test_a_failing_receiver_does_not_stop_the_others(store_app: tuple[Flask, Onboarding, Clock]) -> None:
    app, ext, clock = store_app
    received = Received(app)

    def broken(sender: Flask, **data: Any) -> None:
        if data["account_id"] == "acme":
            raise RuntimeError("the mail server is down")

    signals.account_dormant.connect(broken, sender=app)
    active(app, "a1", "acme", 1)
    active(app, "g1", "gamma", 2)
    clock.now = day(30)
    with app.app_context():
        assert [a.account_id for a in ext.check_dormant_accounts()] == ["acme", "gamma"]
    assert [account for account, _, _ in received.take()] == ["acme", "gamma"]


def test_threads_racing_send_each_signal_once(store_app: tuple[Flask, Onboarding, Clock]) -> None:
    app, ext, clock = store_app
    received = Received(app)
    for n in range(40):
        active(app, f"user{n}", f"acct{n}", n % 7)
    clock.now = day(30)
    barrier = threading.Barrier(8)

    def work() -> None:
        with app.app_context():
            barrier.wait()
            ext.check_dormant_accounts()

    pool = [threading.Thread(target=work) for _ in range(8)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert Counter(account for account, _, _ in received.take()) == Counter({f"acct{n}": 1 for n in range(40)})


def test_processes_racing_send_each_signal_once(redis_uri: str) -> None:
    prefix = f"dormant-{uuid.uuid4().hex[:8]}"
    app, _ = dormant_worker.make_app(redis_uri, prefix, day(0))
    for n in range(60):
        active(app, f"user{n}", f"acct{n}", n % 9)
    context = multiprocessing.get_context("spawn")
    try:
        with context.Manager() as manager:
            start = manager.Event()
            with ProcessPoolExecutor(PROCESSES, mp_context=context) as pool:
                futures = [
                    pool.submit(dormant_worker.run, redis_uri, prefix, day(40), THREADS, start)
                    for _ in range(PROCESSES)
                ]
                start.set()
                sent = [signal for future in futures for signal in future.result(timeout=120)]
        expected = {(f"acct{n}", day(n % 9).date().isoformat(), 1): 1 for n in range(60)}
        assert Counter(sent) == Counter(expected)
    finally:
        app.extensions["onboarding"].storage.reset()


def test_cli_lists_dormant_accounts_and_users_and_signals(store_app: tuple[Flask, Onboarding, Clock]) -> None:
    app, _, clock = store_app
    received = Received(app)
    active(app, "a1", "acme", 1)
    active(app, "a2", "acme", 20)
    active(app, "g1", "gamma", 40)
    active(app, "b1", "beta", 58)
    with app.app_context():
        app.extensions["onboarding"].track("lone", None, day(10), None)
    clock.now = day(60)
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["onboarding", "dormant", "--no-signal"])
    assert listed.exit_code == 0, listed.output
    assert received.take() == []
    assert listed.output.splitlines() == [
        "dormant: no activity for 14 days or more (last active 2026-07-17 or before; UTC)",
        "accounts: 2 of 3 dormant",
        "  gamma                    last active 2026-07-11 (20 days ago)  1 user",
        "  acme                     last active 2026-06-21 (40 days ago)  2 users",
        "users: 4 of 5 dormant",
        "  g1                       last active 2026-07-11 (20 days ago)  account gamma",
        "  a2                       last active 2026-06-21 (40 days ago)  account acme",
        "  lone                     last active 2026-06-11 (50 days ago)",
        "  a1                       last active 2026-06-02 (59 days ago)  account acme",
    ]
    sent = runner.invoke(args=["onboarding", "dormant", "--limit", "1"])
    assert sent.exit_code == 0, sent.output
    assert "  ... 1 more (--limit)" in sent.output and "  ... 3 more (--limit)" in sent.output
    assert sent.output.splitlines()[-1] == "account_dormant sent for 2 accounts newly dormant: acme, gamma"
    assert [account for account, _, _ in received.take()] == ["acme", "gamma"]
    again = runner.invoke(args=["onboarding", "dormant"])
    assert again.output.splitlines()[-1] == "account_dormant: no account went dormant since the last check"
    assert received.take() == []


def test_cli_reports_a_store_that_is_down() -> None:
    from tests import servers

    app, _ = create_app(Clock(day(0)), ONBOARDING_STORAGE_URI=f"redis://127.0.0.1:{servers.free_port()}/0")
    result = app.test_cli_runner().invoke(args=["onboarding", "dormant"])
    assert result.exit_code == 1 and "cannot read the store" in result.output


class Ticks:
    """A stand-in for time.monotonic: the opportunistic check's interval, without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def opportunistic_app(uri: str, prefix: str, clock: Clock, interval: int) -> tuple[Flask, Ticks, Received]:
    app, _ = create_app(
        clock,
        ONBOARDING_STORAGE_URI=uri,
        ONBOARDING_KEY_PREFIX=prefix,
        ONBOARDING_STORAGE_TIMEOUT=5.0,
        ONBOARDING_DORMANT_CHECK_INTERVAL=interval,
    )
    ticks = Ticks()
    app.extensions["onboarding"].dormancy.monotonic = ticks
    return app, ticks, Received(app)


def get(app: Flask, user: str | None = None) -> None:
    response = app.test_client().get("/", headers={"X-User": user} if user else {})
    assert response.status_code == 200
    response.close()  # what the WSGI server does once the body is sent: call_on_close runs


def test_the_check_runs_after_a_request_once_per_interval_and_fleet(store_uri: str) -> None:
    prefix, clock = f"t{uuid.uuid4().hex[:12]}", Clock(day(0))
    first, ticks, received = opportunistic_app(store_uri, prefix, clock, 3600)
    active(first, "a1", "acme", 0)
    clock.now = day(20)
    get(first)  # anonymous visitors count too: the check is not about the visitor
    assert received.take() == [("acme", day(0).date(), 1)]
    active(first, "b1", "beta", 1)
    clock.now = day(40)
    get(first, "someone")
    assert received.take() == []  # within the interval in this process: no store call at all
    if store_uri != "memory://":  # memory is one process: no fleet to share a lock with
        second, _, others = opportunistic_app(store_uri, prefix, clock, 3600)
        get(second)  # due in this process, but the fleet's lock (one interval) is taken
        assert others.take() == [] and received.take() == []
    ticks.now += 3600  # due again in this process, but the store's lock (held for an interval) is not free
    get(first)
    assert received.take() == []
    first.extensions["onboarding"].storage.reset()  # the lock is gone (as after its expiry)
    active(first, "b1", "beta", 1)
    ticks.now += 3600
    get(first)
    assert received.take() == [("beta", day(1).date(), 1)]
    first.extensions["onboarding"].storage.reset()


def test_interval_zero_turns_the_check_off(store_uri: str) -> None:
    clock = Clock(day(0))
    app, ticks, received = opportunistic_app(store_uri, f"t{uuid.uuid4().hex[:12]}", clock, 0)
    active(app, "a1", "acme", 0)
    clock.now = day(30)
    for _ in range(3):
        get(app)
        ticks.now += 10_000
    assert received.take() == []
    with app.app_context():
        assert [a.account_id for a in app.extensions["onboarding"].dormancy.check()] == ["acme"]
    app.extensions["onboarding"].storage.reset()


def test_a_failing_store_never_breaks_the_page() -> None:
    from tests import servers

    app, _, _ = opportunistic_app(f"redis://127.0.0.1:{servers.free_port()}/0", "down", Clock(day(0)), 60)
    get(app)  # the check fails after the response: logged, never raised
