"""UserProfile(signed_up_at=None): an app without sign-up dates. The user's sign-up is the first
time onboarding_sdk saw them, kept in the store; tested on memory and a real Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask, request

from onboarding_sdk import Onboarding, UserProfile

START = datetime(2026, 5, 4, 9, 30, tzinfo=UTC)
RULES = {"use": {"days_since_signup": {"min": 7}}}


class ManualClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, days: int) -> None:
        self.now += timedelta(days=days)


@pytest.fixture(params=["memory", "redis"])
def uri(request: pytest.FixtureRequest) -> str:
    return "memory://" if request.param == "memory" else str(request.getfixturevalue("redis_uri"))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def app(uri: str, clock: ManualClock) -> Iterator[Flask]:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="test",
        ONBOARDING_STORAGE_URI=uri,
        ONBOARDING_KEY_PREFIX=f"su{uuid.uuid4().hex[:10]}",
        ONBOARDING_EVENTS=["report_created"],
        ONBOARDING_STAGE_RULES=RULES,
    )
    onboarding = Onboarding(app, clock=clock)

    @onboarding.user_loader
    def load() -> UserProfile | None:
        uid = request.headers.get("X-User")
        return None if uid is None else UserProfile(uid, None, plan="free")  # the app keeps no sign-up date

    @app.get("/")
    def home() -> str:
        return "home"

    @app.post("/report")
    def report() -> str:
        onboarding.track("report_created")
        return "done"

    yield app
    app.extensions["onboarding"].storage.reset()


def test_the_profile_may_omit_the_signup_date() -> None:
    assert UserProfile("1").signed_up_at is None
    assert UserProfile("1", None).signed_up_at is None
    assert UserProfile("1", datetime(2026, 1, 1)).signed_up_at == datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(TypeError, match="datetime or None"):
        UserProfile("1", "2026-01-01")  # type: ignore[arg-type]


def test_first_seen_stands_in_for_the_signup_and_is_kept(app: Flask, clock: ManualClock) -> None:
    client = app.test_client()
    client.get("/", headers={"X-User": "7"})
    engine = app.extensions["onboarding"]
    with app.app_context():
        assert "su" not in engine.storage.load("7")  # nothing made up is stored as a sign-up date
        state = engine.state_of("7")
        assert state.signed_up_at is None and state.first_seen == START
        assert state.days_since_signup(START) == 0 and state.stage == "awareness"
    clock.advance(days=3)
    client.post("/report", headers={"X-User": "7"})
    clock.advance(days=5)
    client.get("/", headers={"X-User": "7"})  # later visits never move the first sight
    with app.app_context():
        state = engine.state_of("7")
        assert state.first_seen == START
        assert state.days_since_signup(clock.now) == 8
        assert state.stage == "use"  # days_since_signup {min: 7}, counted from the first visit
        assert state.stage_entered["use"] == START + timedelta(days=8)


def test_a_user_first_tracked_by_an_event_starts_there(app: Flask, clock: ManualClock) -> None:
    clock.advance(days=1)
    app.test_client().post("/report", headers={"X-User": "8"})
    with app.app_context():
        state = app.extensions["onboarding"].state_of("8")
        assert state.first_seen == START + timedelta(days=1)
        assert state.count("report_created") == 1


def test_a_real_signup_date_given_later_is_stored_once(app: Flask, clock: ManualClock) -> None:
    # An app that adds a sign-up column later: the first real date is stored, and kept.
    app.test_client().get("/", headers={"X-User": "9"})
    engine = app.extensions["onboarding"]
    real = START - timedelta(days=20)
    with app.app_context():
        engine.track("9", "report_created", START, UserProfile("9", real))
        engine.track("9", "report_created", START, UserProfile("9", real - timedelta(days=5)))
        state = engine.state_of("9")
    assert state.signed_up_at == real
    assert state.days_since_signup(START) == 20 and state.stage == "use"
