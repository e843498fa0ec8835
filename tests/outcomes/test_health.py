"""Account health and milestones end to end: facts from the index and the members' records
against a known truth, bands stored with a compare-and-set (threads and processes racing on
memory, Redis and Cluster), ``account_health_changed`` and ``milestone_reached`` once each."""

from __future__ import annotations

import multiprocessing
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from onboarding_sdk import ConfigurationError, Onboarding, UserProfile, account_facts, get_state, signals
from onboarding_sdk.account_health import AT_RISK, HEALTHY
from onboarding_sdk.storage import Storage
from onboarding_sdk.storage import population as reference
from tests import health_worker
from tests.race_worker import run_threads

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def day(n: int) -> datetime:
    return START + timedelta(days=n)


def day_number(n: int) -> int:
    return (day(n).date() - date(1970, 1, 1)).days


class Now:
    def __init__(self) -> None:
        self.at = day(0)

    def __call__(self) -> datetime:
        return self.at


def profile(user: str, account: str) -> UserProfile:
    return UserProfile(user, START, account_id=account)


def active(app: Flask, user: str, account: str, n: int, event: str | None = None) -> None:
    with app.app_context():
        get_state(app).engine.track(user, event, day(n), profile(user, account))


class Signals:
    def __init__(self, app: Flask) -> None:
        self.calls: list[tuple[Any, ...]] = []
        self._lock = threading.Lock()
        signals.account_health_changed.connect(self.on_move, sender=app)
        signals.milestone_reached.connect(self.on_milestone, sender=app)

    def on_move(self, sender: Flask, **data: Any) -> None:
        with self._lock:
            self.calls.append(("health", data["account_id"], data["old"], data["new"], data["reason"]))

    def on_milestone(self, sender: Flask, **data: Any) -> None:
        with self._lock:
            self.calls.append(("milestone", data["account_id"], data["milestone"], data["day"]))

    def take(self) -> list[tuple[Any, ...]]:
        with self._lock:
            calls, self.calls = self.calls, []
            return calls


@pytest.fixture
def health_app(store_uri: str) -> Iterator[tuple[Flask, Onboarding, Now]]:
    now = Now()
    app = Flask(__name__)
    app.config.update(
        ONBOARDING_STORAGE_URI=store_uri,
        ONBOARDING_KEY_PREFIX=f"t{uuid.uuid4().hex[:12]}",
        ONBOARDING_EVENTS=health_worker.EVENTS,
        ONBOARDING_MILESTONES=health_worker.MILESTONES,
        ONBOARDING_STORAGE_TIMEOUT=5.0,
        ONBOARDING_DORMANT_CHECK_INTERVAL=0,
    )
    ext = Onboarding(app, clock=now)
    yield app, ext, now
    get_state(app).engine.storage.reset()


# --------------------------------------------------------------------------- the store


def test_record_health_returns_the_band_before(storage: Storage) -> None:
    outcomes = storage.outcomes
    assert outcomes.record_health("acme", "healthy", '{"score": 80}') is None
    assert outcomes.record_health("acme", "healthy", '{"score": 75}') == "healthy"
    assert outcomes.record_health("acme", "watch", '{"score": 50}') == "healthy"
    assert outcomes.health() == {"acme": ("watch", '{"score": 50}')}


def test_a_milestone_is_recorded_once_with_its_day(storage: Storage) -> None:
    outcomes = storage.outcomes
    assert outcomes.reach_milestone("acme", "first_report", 20500) is True
    assert outcomes.reach_milestone("acme", "first_report", 20501) is False
    assert outcomes.reach_milestone("globex", "first_report", 20502) is True
    found = outcomes.milestones(["acme", "globex", "initech"])
    assert found == {"acme": {"first_report": 20500}, "globex": {"first_report": 20502}, "initech": {}}
    assert outcomes.milestones([]) == {}


def test_event_counts_add_up(storage: Storage) -> None:
    assert [storage.outcomes.add_event("acme", "report_created") for _ in range(3)] == [1, 2, 3]
    storage.outcomes.add_event("acme", "export_done")
    assert storage.outcomes.event_counts("acme") == {"report_created": 3, "export_done": 1}
    assert storage.outcomes.event_counts("globex") == {}


def test_active_accounts_match_the_reference(storage: Storage) -> None:
    data = reference.PopulationData()
    for n in range(30):
        storage.index.note_activity(f"user{n}", f"acct{n % 11}", 20000 + n % 7, 1, 0)
        reference.note_activity(data, {}, f"user{n}", f"acct{n % 11}", 20000 + n % 7, 1, 0)
    for since, limit in ((20000, 100), (20003, 100), (20003, 4), (20007, 10), (20000, 0)):
        assert storage.index.active_accounts(since, limit) == reference.active_accounts(data, since, limit)


def test_threads_racing_see_each_move_once(storage: Storage) -> None:
    storage.outcomes.record_health("acme", "watch", "{}")
    befores: list[str | None] = []
    reached: list[bool] = []
    lock = threading.Lock()

    def work() -> None:
        before = storage.outcomes.record_health("acme", "at_risk", "{}")
        won = storage.outcomes.reach_milestone("acme", "team_of_two", 20500)
        with lock:
            befores.append(before)
            reached.append(won)

    run_threads(8, work)
    assert Counter(befores) == {"watch": 1, "at_risk": 7}
    assert Counter(reached) == {True: 1, False: 7}


# --------------------------------------------------------------------------- facts and health


def test_facts_and_health_of_an_account_match_the_truth(health_app: tuple[Flask, Onboarding, Now]) -> None:
    app, _, now = health_app
    for n in range(21):
        active(app, "u1", "acme", n, "report_created" if n == 5 else "export_done" if n == 18 else None)
    for n in (3, 10):
        active(app, "u2", "acme", n)
    active(app, "u3", "acme", 19, "installed_code")
    active(app, "x1", "other", 2)
    now.at = day(20)
    engine = get_state(app).engine
    with app.app_context():
        data = account_facts.gather(engine, "acme")
        assert data is not None
        facts = account_facts.health_facts(data, engine.settings)
        stages = Counter(engine.state_of(user).stage_index for user in ("u1", "u2", "u3"))  # type: ignore[attr-defined]
    assert (facts.users, facts.active_users, facts.active_users_before) == (3, 3, 2)
    assert facts.key_events == ("report_created", "export_done")
    assert facts.key_events_done == {"export_done"}  # report_created was 15 days ago
    assert facts.days_since_active == 0
    assert dict(facts.stages) == dict(stages)
    progress = account_facts.progress(data)
    assert progress.events == {"report_created": 1, "export_done": 1, "installed_code": 1}
    assert progress.active_users == 2  # days 14..20: u1 and u3
    assert progress.days_since_first_activity == 20
    assert account_facts.gather(engine, "nobody") is None


def test_milestones_on_track_and_in_the_check(health_app: tuple[Flask, Onboarding, Now]) -> None:
    app, ext, now = health_app
    seen = Signals(app)
    active(app, "u1", "acme", 0)
    active(app, "u1", "acme", 2, "report_created")  # first_report: decided by this event alone
    assert seen.take() == [("milestone", "acme", "first_report", date(2026, 3, 4))]
    active(app, "u1", "acme", 3, "report_created")
    assert seen.take() == []  # once
    active(app, "u2", "acme", 4)
    assert seen.take() == []  # team_of_two waits for the check
    now.at = day(5)
    with app.app_context():
        checked = ext.check_accounts()
        assert checked.milestones == [("acme", "team_of_two")]
        assert ext.check_accounts().milestones == []
    assert seen.take() == [("milestone", "acme", "team_of_two", date(2026, 3, 7))]
    stored = get_state(app).engine.storage.outcomes.milestones(["acme"])["acme"]
    assert stored == {"first_report": day_number(2), "team_of_two": day_number(5)}


def test_a_band_move_is_signalled_once_with_the_reason(health_app: tuple[Flask, Onboarding, Now]) -> None:
    app, ext, now = health_app
    seen = Signals(app)
    for n in range(10):
        active(app, "u1", "acme", n, "report_created" if n == 8 else "export_done" if n == 9 else None)
        active(app, "u2", "acme", n)
    now.at = day(9)
    with app.app_context():
        first = ext.check_accounts()
    assert first.moves == []  # the first band is no move
    band, _ = get_state(app).engine.storage.outcomes.health()["acme"]
    assert band == HEALTHY
    seen.take()
    now.at = day(45)  # silent for 36 days
    with app.app_context():
        moved = ext.check_accounts()
        again = ext.check_accounts()
    assert moved.moves == [("acme", HEALTHY, AT_RISK)]
    assert again.moves == []
    calls = [c for c in seen.take() if c[0] == "health"]
    assert len(calls) == 1
    _, account, old, new, reason = calls[0]
    assert (account, old, new) == ("acme", HEALTHY, AT_RISK)
    assert "no activity in 36 days" in reason and "0 of 2 users active in 14 days" in reason


def test_a_bad_milestone_or_weight_stops_the_app() -> None:
    app = Flask(__name__)
    app.config.update(ONBOARDING_EVENTS=["a"], ONBOARDING_MILESTONES={"m": {"event": "nope"}})
    with pytest.raises(ConfigurationError, match=r"ONBOARDING_MILESTONES\['m'\].event: 'nope'"):
        Onboarding(app)
    app = Flask(__name__)
    app.config.update(ONBOARDING_HEALTH_WEIGHTS={"luck": 1})
    with pytest.raises(ConfigurationError, match="ONBOARDING_HEALTH_WEIGHTS: unknown health components"):
        Onboarding(app)


@pytest.fixture(params=["redis_uri", "cluster_uri"])
def shared_uri(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(request.param))


def test_processes_racing_send_each_signal_once(shared_uri: str) -> None:
    prefix = f"health-{uuid.uuid4().hex[:8]}"
    app, ext = health_worker.make_app(shared_uri, prefix, day(3))
    for n in range(12):
        for user in ("a", "b"):
            active(app, f"{user}{n}", f"acct{n}", n % 3, "report_created")
            active(app, f"{user}{n}", f"acct{n}", 3, "export_done")
    with app.app_context():
        ext.check_accounts()  # every account healthy and a team of two: stored, nothing to race for
    storage = get_state(app).engine.storage
    assert {band for band, _ in storage.outcomes.health().values()} == {HEALTHY}
    context = multiprocessing.get_context("spawn")
    try:
        with context.Manager() as manager:
            start = manager.Event()
            with ProcessPoolExecutor(2, mp_context=context) as pool:
                futures = [pool.submit(health_worker.run, shared_uri, prefix, day(60), 4, start) for _ in range(2)]
                start.set()
                sent = [signal for future in futures for signal in future.result(timeout=120)]
        expected = Counter({("health", f"acct{n}", HEALTHY, AT_RISK): 1 for n in range(12)})
        expected.update({("milestone", f"acct{n}", "month_of_data", day(60).date().isoformat()): 1 for n in range(12)})
        assert Counter(sent) == expected
    finally:
        storage.reset()


def test_the_cli_checks_and_lists_the_riskiest_first(health_app: tuple[Flask, Onboarding, Now]) -> None:
    app, _, now = health_app
    for n in range(10):
        active(app, "u1", "busy", n, "report_created" if n == 8 else "export_done" if n == 9 else None)
        active(app, "u2", "busy", n)
    active(app, "q1", "quiet", 0)
    now.at = day(9)
    result = app.test_cli_runner().invoke(args=["onboarding", "accounts"])
    assert result.exit_code == 0, result.output
    assert "checked 2 accounts: 0 moved between bands" in result.output
    assert "busy: reached team_of_two" in result.output
    listed = [line.split()[2].rstrip(":") for line in result.output.splitlines() if line[:1] in ("a", "w", "h")]
    assert listed[-1] == "busy" and "quiet" in listed  # healthy last
    assert "no key events in 14 days" in result.output
    quiet = app.test_cli_runner().invoke(args=["onboarding", "accounts", "--no-check", "--limit", "1"])
    assert "checked" not in quiet.output and "... and 1 more" in quiet.output
