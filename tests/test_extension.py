"""The Flask extension: init_app, identity, tracking, stages, signals, time (memory store)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from onboarding_sdk import (
    ConfigurationError,
    NoCurrentUser,
    NoUserLoader,
    Onboarding,
    UnknownEvent,
    UserProfile,
    signals,
)
from onboarding_sdk.app_state import OnboardingState, get_state
from onboarding_sdk.engine import Engine
from onboarding_sdk.errors import InvalidArgument

EVENTS = ["installed_code", "report_created", "export_done", "alert_set", "api_used"]
RULES = {
    "use": {"done": ["installed_code"]},
    "depth": {"distinct_events": {"min": 4}},
    "adaptation": {"all": [{"days_since_signup": {"min": 30}}, {"active_days": {"min": 10}}]},
    "stickiness": {"all": [{"days_since_signup": {"min": 90}}, {"active_days": {"min": 20, "within": 56}}]},
}
START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


class FakeClock:
    """The injectable clock: tests move it by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_app(**config: Any) -> Flask:
    app = Flask(__name__)
    app.config.update(ONBOARDING_STORAGE_URI="memory://", ONBOARDING_EVENTS=EVENTS, ONBOARDING_STAGE_RULES=RULES)
    app.config.update(config)
    return app


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def app(clock: FakeClock) -> Flask:
    return make_app()


@pytest.fixture
def onboarding(app: Flask, clock: FakeClock) -> Onboarding:
    ext = Onboarding(app, clock=clock)
    calls: list[str] = []
    app.config["loader_calls"] = calls

    @ext.user_loader
    def load() -> UserProfile | None:
        from flask import request

        calls.append("load")
        uid = request.headers.get("X-User")
        return None if uid is None else UserProfile(id=uid, signed_up_at=START, plan="free")

    @app.route("/page")
    def page() -> str:
        return "ok"

    @app.route("/do/<event>")
    def do(event: str) -> str:
        ext.track(event)
        ext.track(event)
        state = ext.state_of(request_user())
        return state.stage

    def request_user() -> str:
        from flask import request

        return request.headers["X-User"]

    return ext


@pytest.fixture
def received() -> Iterator[list[tuple[str, Any, dict[str, Any]]]]:
    log: list[tuple[str, Any, dict[str, Any]]] = []
    handlers = []
    for name in ("event_tracked", "stage_changed", "storage_degraded", "storage_recovered"):
        signal = getattr(signals, name)

        def handler(sender: Any, _name: str = name, **data: Any) -> None:
            log.append((_name, sender, data))

        signal.connect(handler)
        handlers.append((signal, handler))
    yield log
    for signal, handler in handlers:
        signal.disconnect(handler)


def test_init_app_stores_state_in_app_extensions(app: Flask) -> None:
    ext = Onboarding()
    ext.init_app(app)
    state = get_state(app)
    assert app.extensions["onboarding"] is state and isinstance(state, OnboardingState)
    assert isinstance(state.engine, Engine) and state.extension is ext and state.settings is state.engine.settings
    # only callbacks on the object (and the clock a test may pass)
    assert vars(ext).keys() == {"_user_loader", "_console_access", "_console_user_name", "_console_locale", "_clock"}


def test_two_apps_in_one_process_keep_their_own_state(clock: FakeClock) -> None:
    first = make_app()
    second = make_app(ONBOARDING_EVENTS=["other_event"], ONBOARDING_STAGE_RULES=None)
    ext = Onboarding(clock=clock)
    ext.init_app(first)
    ext.init_app(second)
    with first.app_context():
        ext.track("installed_code", user_id="7")
        assert ext.stage_of("7") == "use"
    with second.app_context():
        assert ext.state_of("7").is_new
        with pytest.raises(UnknownEvent):
            ext.track("installed_code", user_id="7")
        ext.track("other_event", user_id="7")
        assert ext.stage_of("7") == "use"  # default rule: any one event
    assert first.extensions["onboarding"].storage is not second.extensions["onboarding"].storage


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("ONBOARDING_STORAGE_URI", "mysql://localhost"),
        ("ONBOARDING_STORAGE_URI", 42),
        ("ONBOARDING_STORAGE_TIMEOUT", "fast"),
        ("ONBOARDING_STORAGE_RETRIES", -1),
        ("ONBOARDING_DORMANT_AFTER_DAYS", 0),
        ("ONBOARDING_SWALLOW_ERRORS", "yes"),
        ("ONBOARDING_URL_PREFIX", "onboarding"),
        ("ONBOARDING_KEY_PREFIX", "a{b}"),
        ("ONBOARDING_EVENTS", "installed_code"),
        ("ONBOARDING_STAGE_RULES", {"use": {"done": ["never_declared"]}}),
    ],
)
def test_bad_config_raises_naming_the_key(key: str, value: Any) -> None:
    with pytest.raises(ConfigurationError, match=key):
        Onboarding(make_app(**{key: value}))


def test_memory_default_warns_only_when_not_set(caplog: pytest.LogCaptureFixture) -> None:
    app = Flask(__name__)
    with caplog.at_level(logging.WARNING, "onboarding_sdk"):
        Onboarding(app)
    assert "ONBOARDING_STORAGE_URI is not set" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, "onboarding_sdk"):
        Onboarding(make_app())
    assert "ONBOARDING_STORAGE_URI" not in caplog.text


def test_loader_runs_once_per_request(app: Flask, onboarding: Onboarding) -> None:
    response = app.test_client().get("/do/installed_code", headers={"X-User": "u1"})
    assert response.text == "use"
    assert app.config["loader_calls"] == ["load"]  # two track() calls, state_of and the activity hook


def test_anonymous_visitors_are_never_tracked(app: Flask, onboarding: Onboarding) -> None:
    with app.test_request_context("/"):
        assert onboarding.track("installed_code") is None
    with app.app_context():
        assert app.extensions["onboarding"].storage._users == {}


def test_missing_loader_and_missing_user_are_clear_errors(app: Flask, clock: FakeClock) -> None:
    app.testing = True  # mistakes in the host's code are raised while developing and testing
    ext = Onboarding(app, clock=clock)
    with app.test_request_context("/"), pytest.raises(NoUserLoader, match="user_loader"):
        ext.track("installed_code")
    with app.app_context(), pytest.raises(NoCurrentUser, match="user_id"):
        ext.track("installed_code")


def test_undeclared_events_are_refused(app: Flask, onboarding: Onboarding) -> None:
    with app.app_context():
        with pytest.raises(UnknownEvent, match="junk"):
            onboarding.track("junk", user_id="1")
        assert onboarding.state_of("1").is_new


def test_state_of_reports_counts_times_days_and_dormancy(app: Flask, onboarding: Onboarding, clock: FakeClock) -> None:
    with app.app_context():
        onboarding.track("report_created", user_id="9", at=START + timedelta(days=1))
        onboarding.track("report_created", user_id="9", at=START)
        onboarding.track("export_done", user_id="9", at=START + timedelta(days=3))
        clock.now = START + timedelta(days=10)
        state = onboarding.state_of("9")
        assert state.count("report_created") == 2
        assert state.events["report_created"].first == START
        assert state.events["report_created"].last == START + timedelta(days=1)
        assert state.first_seen == START and state.last_seen == START + timedelta(days=3)
        assert len(state.active_days) == 3
        assert not state.dormant
        clock.now = START + timedelta(days=17)
        assert onboarding.state_of("9").dormant


def test_signup_comes_from_the_profile_when_first_seen(app: Flask, onboarding: Onboarding) -> None:
    app.test_client().get("/page", headers={"X-User": "new"})
    with app.app_context():
        state = onboarding.state_of("new")
        assert state.signed_up_at == START
        assert state.active_days  # the activity hook recorded today


def test_track_with_a_profile_outside_a_request(app: Flask, onboarding: Onboarding) -> None:
    # A backfill or a worker knows the user's profile: their sign-up time and account count.
    profile = UserProfile(id="w1", signed_up_at=START - timedelta(days=5), account_id="acme")
    with app.app_context():
        state = onboarding.track("installed_code", profile=profile, at=START)
        assert state is not None and state.user_id == "w1" and state.stage == "use"
        assert state.signed_up_at == START - timedelta(days=5)
        engine = app.extensions["onboarding"]
        day = int(START.timestamp()) // 86400
        found = engine.storage.account_activity("acme", [day], day, 10)
        assert found is not None and [user for user, _ in found.newest_users] == ["w1"]
        assert found.days[day][1] == 1  # one event that day, counted for the account
        with pytest.raises(InvalidArgument, match=r"profile\.id") as caught:
            onboarding.track("installed_code", user_id="someone-else", profile=profile)
        assert isinstance(caught.value, ValueError)  # as it was before it was an OnboardingError


def test_backfilled_history_reproduces_stage_dates(
    app: Flask, onboarding: Onboarding, received: list[tuple[str, Any, dict[str, Any]]]
) -> None:
    history = [(0, "installed_code"), (2, "report_created"), (3, "export_done"), (5, "alert_set")]
    history += [(day, "report_created") for day in range(6, 40, 3)]
    with app.app_context():
        for day, event in history:
            onboarding.track(event, user_id="42", at=START + timedelta(days=day))
        state = onboarding.state_of("42")
    assert state.stage == "adaptation"
    assert state.stage_entered["use"] == START
    assert state.stage_entered["depth"] == START + timedelta(days=5)
    # day 30 is the first day with 10 active days after 30 days since sign-up (first seen)
    assert state.stage_entered["adaptation"] == START + timedelta(days=30)
    changes = [(d["old"], d["new"], d["at"]) for name, sender, d in received if name == "stage_changed"]
    assert changes == [
        ("awareness", "use", START),
        ("use", "depth", START + timedelta(days=5)),
        ("depth", "adaptation", START + timedelta(days=30)),
    ]
    senders = {sender for _, sender, _ in received}
    assert senders == {app}


def test_skipping_stages_enters_each_in_order(
    app: Flask, onboarding: Onboarding, received: list[tuple[str, Any, dict[str, Any]]]
) -> None:
    with app.app_context():
        for event in ("report_created", "export_done", "alert_set", "api_used"):
            onboarding.track(event, user_id="5")
        # depth's rule (four distinct events) holds although use's (installed_code) does not:
        # the user is in the furthest stage that holds, having entered use on the way
        assert onboarding.stage_of("5") == "depth"
    changes = [(d["old"], d["new"]) for name, _, d in received if name == "stage_changed"]
    assert changes == [("awareness", "use"), ("use", "depth")]


def test_event_tracked_signal_carries_the_new_count(
    app: Flask, onboarding: Onboarding, received: list[tuple[str, Any, dict[str, Any]]]
) -> None:
    with app.app_context():
        onboarding.track("export_done", user_id="3")
        onboarding.track("export_done", user_id="3")
    counts = [d["count"] for name, _, d in received if name == "event_tracked"]
    assert counts == [1, 2]


def test_times_before_2000_are_refused(app: Flask, onboarding: Onboarding) -> None:
    with app.app_context(), pytest.raises(ValueError, match="unit mistake"):
        onboarding.track("export_done", user_id="3", at=datetime(1970, 1, 21, tzinfo=UTC))


def test_activity_is_written_once_per_day(app: Flask, onboarding: Onboarding, clock: FakeClock) -> None:
    client = app.test_client()
    engine: Engine = app.extensions["onboarding"]
    writes: list[str] = []
    original = engine.storage.track_and_note  # the activity write (the record and the index)

    def counting(*args: Any, **kwargs: Any) -> Any:
        writes.append("w")
        return original(*args, **kwargs)

    engine.storage.track_and_note = counting  # type: ignore[method-assign]
    for _ in range(3):
        client.get("/page", headers={"X-User": "a"})
    clock.now += timedelta(days=1)
    client.get("/page", headers={"X-User": "a"})
    client.get("/missing", headers={"X-User": "a"})  # 404s are not activity
    assert len(writes) == 2
    with app.app_context():
        assert len(onboarding.state_of("a").active_days) == 2
