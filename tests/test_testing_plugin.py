"""The pytest plugin (onboarding_sdk.testing, docs/testing.md), used the way a host uses it.

The host apps under tests/hosts/ (a flaskr with sqlite and ``g.user``, a Flask-Login app with
an app factory) have their own tests, written from the docs; each runs here in its own pytest
process, where the plugin comes in through the ``pytest11`` entry point, on ``memory://`` and
on a real Redis. The planner, the clock and ``assert_guides`` also get direct tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask, request

from onboarding_sdk import Onboarding, UserProfile
from onboarding_sdk.events import parse_events
from onboarding_sdk.stages import StageModel
from onboarding_sdk.testing import ManualClock, StageUnreachable, assert_guides, make_user, shown_ids, use_clock
from onboarding_sdk.testing.plan import Wish, plan_for

HOSTS = Path(__file__).parent / "hosts"
FLASKR = HOSTS / "flaskr_onboarding"
PROJECTS = HOSTS / "flask_login_onboarding"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def run_pytest(where: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """pytest in its own process, in ``where`` (its own rootdir and pytest.ini), as a host runs it."""
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    environment.pop("PYTEST_ADDOPTS", None)
    # Other installed plugins a host would not have (schemathesis alone costs seconds to import).
    others = ["-p", "no:schemathesis", "-p", "no:hypothesispytest", "-p", "no:anyio", "-p", "no:cacheprovider"]
    command = [sys.executable, "-m", "pytest", *others, "-q", *args]
    return subprocess.run(command, cwd=where, env=environment, capture_output=True, text=True, timeout=240)


@pytest.fixture(params=["memory", "redis"])
def host_store(request: pytest.FixtureRequest) -> str:
    return "memory://" if request.param == "memory" else str(request.getfixturevalue("redis_uri"))


# --- the host apps' own suites ------------------------------------------------------------


def test_flaskr_suite_passes(host_store: str) -> None:
    done = run_pytest(FLASKR, env={"FLASKR_ONBOARDING_STORAGE_URI": host_store})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "8 passed" in done.stdout


def test_flask_login_suite_passes(host_store: str) -> None:
    done = run_pytest(PROJECTS, env={"PROJECTS_ONBOARDING_STORAGE_URI": host_store})
    assert done.returncode == 0, done.stdout + done.stderr
    assert "6 passed" in done.stdout


def test_the_entry_point_is_what_loads_the_plugin() -> None:
    done = run_pytest(FLASKR, "-p", "no:onboarding_sdk")
    assert done.returncode != 0
    assert "fixture 'assert_guides' not found" in done.stdout


def test_failures_explain_themselves() -> None:
    done = run_pytest(FLASKR, "failing")
    out = done.stdout
    assert "3 failed" in out, out
    # assert_guides: every misplaced guide with preview-as's reason, for the response's user
    assert "guides on page blog.index (path /) for user 1: new-post-button, write-first-post" in out
    assert "- expected posts-footer, not there: stages: use, depth, adaptation, stickiness (the user: awareness)" in out
    assert "- did not expect new-post-button, shown: on pages blog.index; stages: awareness" in out
    assert "there is no guide 'no-such-guide' in the served content" in out
    # onboarding_user: the rules, and why no history leads there; nothing written
    assert "onboarding_user(stage='stickiness', days_since_signup=3): the app's stage rules cannot put" in out
    assert "needs at least 90 days since sign-up and 20 active days by then" in out
    assert "StageUnreachable" not in out.split("short test summary")[0].split("test_a_stage_the_rules")[1][:400]


def test_the_fixtures_ask_for_an_app_fixture(tmp_path: Path) -> None:
    (tmp_path / "test_no_app.py").write_text("def test_clock(onboarding_clock):\n    pass\n")
    done = run_pytest(tmp_path)
    assert done.returncode != 0
    assert "onboarding_clock needs your Flask app: define a fixture named `app`" in done.stdout + done.stderr


def test_the_clock_is_restored_after_each_test(tmp_path: Path) -> None:
    (tmp_path / "test_restore.py").write_text(
        textwrap.dedent(
            """
            from datetime import UTC, datetime, timedelta
            import pytest
            from flask import Flask
            from onboarding_sdk import Onboarding
            from onboarding_sdk.timeutil import system_clock

            APP = Flask(__name__)
            APP.config["ONBOARDING_STORAGE_URI"] = "memory://"
            Onboarding(APP)

            @pytest.fixture
            def app():
                return APP

            def test_travel(onboarding_clock):
                onboarding_clock.advance(days=40)
                assert APP.extensions["onboarding"].now() > datetime.now(UTC) + timedelta(days=39)

            def test_back_to_real_time():
                assert APP.extensions["onboarding"].clock is system_clock
            """
        )
    )
    done = run_pytest(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout


# --- the clock ------------------------------------------------------------------------------


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(datetime(2026, 1, 1, 9, 0))
    assert clock() == datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
    assert clock.advance(days=1, hours=2) == datetime(2026, 1, 2, 11, 0, tzinfo=UTC)
    assert clock.set(datetime(2026, 3, 1)) == datetime(2026, 3, 1, tzinfo=UTC) == clock()


def test_use_clock_gives_the_app_its_clock_back() -> None:
    app = Flask(__name__)
    app.config["ONBOARDING_STORAGE_URI"] = "memory://"
    Onboarding(app)
    own = app.extensions["onboarding"].clock
    with use_clock(app, ManualClock(NOW)) as clock:
        assert app.extensions["onboarding"].now() == NOW
        clock.advance(days=3)
        assert app.extensions["onboarding"].now() == NOW + timedelta(days=3)
    assert app.extensions["onboarding"].clock is own
    with pytest.raises(Exception, match="init_app"):
        ManualClock().attach(Flask("bare"))


# --- the planner (pure) -----------------------------------------------------------------------

EVENTS = parse_events({"installed_code": {"key": True}, "report_created": {}, "export_done": {}, "alert_set": {}})


def plan(rules: object, stage: str, **wish: object):  # type: ignore[no-untyped-def]
    profile = wish.pop("profile", UserProfile("u"))
    model = StageModel.build(rules, EVENTS)
    return plan_for(Wish(profile, stage, **wish), model, EVENTS, NOW, 14)  # type: ignore[arg-type]


@pytest.mark.parametrize("stage", ["awareness", "use", "depth", "adaptation", "stickiness"])
def test_every_default_stage_is_reachable(stage: str) -> None:
    assert plan(None, stage).stage == stage


def test_alternatives_negations_and_windows() -> None:
    rules = {
        "use": {"any": [{"done": ["report_created"]}, {"events": {"export_done": {"min": 2}}}]},
        "depth": {"all": [{"not": {"done": ["alert_set"]}}, {"active_days": {"min": 5, "within": 7}}]},
        "adaptation": {"plans": ["paid"]},
    }
    used = plan(rules, "use", events={"report_created": 0})
    assert [s.event for s in used.steps].count("export_done") == 2  # the other alternative
    deep = plan(rules, "depth")
    assert "alert_set" not in {s.event for s in deep.steps}
    assert len({s.at.date() for s in deep.steps}) >= 5
    assert plan(rules, "adaptation", profile=UserProfile("u", plan="paid")).stage == "adaptation"
    with pytest.raises(StageUnreachable, match="cannot hold for this role, plan"):
        plan(rules, "adaptation")
    with pytest.raises(StageUnreachable, match="reached adaptation"):
        plan(rules, "depth", profile=UserProfile("u", plan="paid"))  # the plan alone moves them on


def test_unreachable_wishes_are_refused_with_reasons() -> None:
    with pytest.raises(StageUnreachable, match="reached use on day 0"):
        plan(None, "awareness", events={"installed_code": 1})
    with pytest.raises(StageUnreachable, match="needs installed_code done at least 1 times, the test gave 0"):
        plan(None, "use", events={"installed_code": 0})
    with pytest.raises(StageUnreachable, match="undeclared event"):
        plan(None, "use", events={"nope": 1})
    with pytest.raises(StageUnreachable, match="unknown stage"):
        plan(None, "expert")
    with pytest.raises(StageUnreachable, match="no rule for depth"):
        plan({"use": {"done": ["installed_code"]}}, "depth")


def test_a_rule_met_in_the_past_and_days_since_signup() -> None:
    rules = {"use": {"all": [{"done": ["installed_code"]}, {"days_since_signup": {"max": 3}}]}}
    found = plan(rules, "use", days_since_signup=30)
    assert found.signed_up_at == NOW - timedelta(days=30)
    assert [s for s in found.steps if s.event] and all(
        s.at <= found.signed_up_at + timedelta(days=3) for s in found.steps if s.event
    )
    assert found.steps[-1].at == NOW  # seen today


# --- make_user on a real store -----------------------------------------------------------------


CONTENT = """
guides:
  - id: week-one
    kind: footer_help
    title: Your first week
    body: Welcome.
    when: {endpoints: [home], days_since_signup: {max: 7}}
  - id: for-depth
    kind: starter_guide
    title: Deeper
    body: More.
    when: {stages: [depth], endpoints: [home]}
  - id: a-tip
    kind: advanced_tip
    title: A tip
    body: Tip.
"""


@pytest.fixture
def app(host_store: str, tmp_path: Path) -> Iterator[Flask]:
    content = tmp_path / "content.yaml"
    content.write_text(CONTENT)
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="s",
        TESTING=True,
        ONBOARDING_STORAGE_URI=host_store,
        ONBOARDING_KEY_PREFIX=f"plug{uuid.uuid4().hex[:10]}",
        ONBOARDING_EVENTS={"installed_code": {"key": True}, "report_created": {}, "export_done": {}, "alert_set": {}},
        ONBOARDING_CONTENT=[str(content)],
    )
    onboarding = Onboarding(app, clock=ManualClock(NOW))

    @onboarding.user_loader
    def load() -> UserProfile | None:
        uid = request.headers.get("X-User")
        return UserProfile(uid, None) if uid else None

    @app.get("/")
    def home() -> str:
        return "home"

    yield app
    app.extensions["onboarding"].storage.reset()


def test_make_user_goes_through_tracking_and_replaces_old_data(app: Flask) -> None:
    from onboarding_sdk import signals

    moves: list[str] = []

    def moved(sender: Flask, **data: object) -> None:
        moves.append(str(data["new"]))

    signals.stage_changed.connect(moved, app)
    try:
        app.test_client().get("/", headers={"X-User": "7"})  # the user exists already
        made = make_user(app, 7, stage="depth", days_since_signup=12, plan="free", account_id="acme")
    finally:
        signals.stage_changed.disconnect(moved, app)
    assert made.stage == "depth" and moves == ["use", "depth"]
    with app.app_context():
        state = app.extensions["onboarding"].state_of("7")
    assert state.stage == "depth" and state.signed_up_at == NOW - timedelta(days=12)
    assert state.last_seen == NOW and state.count("installed_code") == 1
    with pytest.raises(StageUnreachable):
        make_user(app, 8, stage="stickiness", days_since_signup=2)
    with app.app_context():
        assert app.extensions["onboarding"].storage.load("8") == {}  # nothing written


# --- assert_guides on every input it takes --------------------------------------------------


def test_assert_guides_reads_pages_json_and_dicts() -> None:
    payload = {"page": "home", "path": "/", "guides": [{"id": "a"}, {"id": "b"}]}
    data = '{"page": "home", "guides": [{"id": "a"}]}'
    html = f'<html><script type="application/json" id="onboarding-data" nonce="n">{data}</script>'
    assert assert_guides(payload, shows=["a", "b"], hides=["c"]) == ["a", "b"]
    assert shown_ids(html) == ["a"]
    assert shown_ids('{"guides": [{"id": "z"}]}') == ["z"]
    with pytest.raises(AssertionError, match=r"expected c, not there: \(no reasons: pass app="):
        assert_guides(payload, shows=["c"])
    with pytest.raises(AssertionError, match='no <script id="onboarding-data">'):
        shown_ids("<html><body>anonymous</body></html>")
    with pytest.raises(TypeError):
        shown_ids(42)


def test_assert_guides_refuses_an_error_response(app: Flask) -> None:
    response = app.test_client().get("/missing")
    with pytest.raises(AssertionError, match="404"):
        assert_guides(response, shows=["a"])


def test_assert_guides_explains_for_a_named_user(app: Flask) -> None:
    make_user(app, "old", stage="use", days_since_signup=30)
    make_user(app, "new", events=["report_created", "export_done"])
    client = app.test_client()
    answer = client.get("/onboarding/api/guides?page=home", headers={"X-User": "old"}).get_json()
    with pytest.raises(AssertionError) as failed:
        assert_guides(answer, shows=["week-one", "for-depth", "a-tip"], app=app, user="old")
    message = str(failed.value)
    assert "for user old" in message
    assert "expected week-one, not there: condition not met: days_since_signup: {max: 7} (the user: 30 days" in message
    assert "expected for-depth, not there: stages: depth (the user: use)" in message
    assert "expected a-tip, not there: advanced_tip guides are gathered on the tips or changelog page" in message
    # The response's own user, found through the loader with that request's headers:
    page = client.get("/onboarding/api/guides?page=home", headers={"X-User": "new"})
    assert assert_guides(page, shows=["week-one"], app=app) == ["week-one"]
    with pytest.raises(AssertionError, match="for user new: week-one\n- did not expect week-one, shown: on pages home"):
        assert_guides(page, hides=["week-one"], app=app)


@pytest.mark.parametrize("host_store", ["memory"], indirect=True)
def test_every_stage_and_age_under_the_default_rules(app: Flask) -> None:
    """The plan and the engine agree everywhere: each (stage, days) either lands exactly there
    or is refused before anything is written."""
    reachable_from = {"awareness": 0, "use": 0, "depth": 0, "adaptation": 30, "stickiness": 90}
    for stage, first_day in reachable_from.items():
        for days in (0, 7, 29, 30, 89, 90, 200):
            user_id = f"{stage}-{days}"
            if days < first_day:
                with pytest.raises(StageUnreachable):
                    make_user(app, user_id, stage=stage, days_since_signup=days)
                continue
            made = make_user(app, user_id, stage=stage, days_since_signup=days)
            assert made.stage == stage and made.state.days_since_signup(NOW) == days, user_id
