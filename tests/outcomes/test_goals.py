"""Goals and experiments end to end, through the public API, against a known truth, on memory,
Redis and Redis Cluster: a holdout of known size, goals reached by known users on known days,
every figure of the Outcomes tables checked; content errors and a store failing at exposure."""

from __future__ import annotations

import csv
import html as html_lib
import io
import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from onboarding_sdk import Onboarding, UserProfile, get_state, signals
from onboarding_sdk.content import ContentError, load_content_text
from onboarding_sdk.errors import StorageError
from onboarding_sdk.experiments import HOLDOUT, TREATMENT, assign, holdout, unit_of
from onboarding_sdk.outcomes import NOT_ENOUGH, experiments_table, goals_table, totals
from onboarding_sdk.storage import layout
from tests.guides.app import EVENTS, START, Clock, create_app
from tests.test_api import payload, post

CONTENT = """\
guides:
  - id: how-to-start
    kind: starter_guide
    title: Start here
    body: Make your first report.
    goal: {event: report_created, within_days: 7}
experiments:
  - id: starter-holdout
    guides: [how-to-start]
    holdout: 0.25
"""
USERS = [f"user-{n}" for n in range(240)]
PREFIX = "/onboarding/console"
EXPERIMENT = holdout("starter-holdout", ["how-to-start"], 0.25)


def at_day(n: int) -> datetime:
    return START + timedelta(days=n, hours=1)


@pytest.fixture
def outcome_app(store_uri: str, tmp_path: Path) -> Iterator[tuple[Flask, Onboarding, Clock]]:
    content = tmp_path / "goals.yaml"
    content.write_text(CONTENT, encoding="utf-8")
    clock = Clock(at_day(0))
    app, ext = create_app(
        clock,
        [str(content)],
        ONBOARDING_STORAGE_URI=store_uri,
        ONBOARDING_KEY_PREFIX=f"t{uuid.uuid4().hex[:12]}",
        ONBOARDING_STORAGE_TIMEOUT=5.0,
    )
    ext.console_access(lambda: request.headers.get("X-Role"))
    yield app, ext, clock
    with app.app_context():
        get_state(app).engine.storage.reset()


def arm_of(user: str) -> str:
    return assign(EXPERIMENT, unit_of(EXPERIMENT, user, None))


def view_and_show(client: FlaskClient, user: str) -> list[str]:
    """A page view, then the widget's ``shown`` for every guide it got."""
    data = payload(client, user)
    ids = [g["id"] for g in data["guides"]]
    for guide_id in ids:
        answer = post(client, f"/guides/{guide_id}/shown", user, token=data["csrf"]["token"])
        assert answer.status_code == 200, answer.text
    return ids


def console_csv(app: Flask, table: str) -> list[tuple[Any, ...]]:
    """The Outcomes page's CSV of ``table``, numbers read back as numbers (empty: None)."""
    answer = app.test_client().get(f"{PREFIX}/outcomes?format=csv&table={table}", headers={"X-Role": "viewer"})
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(answer.text)))
    return [tuple(_number(cell) for cell in row) for row in rows[1:]]


def _number(cell: str) -> Any:
    if cell == "":
        return None
    try:
        return int(cell)
    except ValueError:
        try:
            return float(cell)
        except ValueError:
            return cell


def _blank(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(None if cell == "" else cell for cell in row)  # an empty CSV cell


def figures(app: Flask, clock: Clock) -> dict[str, Any]:
    """What the console's Outcomes CSVs say, checked against the tables computed here."""
    engine = get_state(app).engine
    with app.app_context():
        today = (clock.now.date() - datetime(1970, 1, 1).date()).days
        days = list(range(today - 29, today + 1))
        summed = totals(engine.counters(days), days)
    specs = [g.spec for g in engine.catalog.guides.values()]
    goals, arms = goals_table(summed, specs), experiments_table(summed, [EXPERIMENT])
    shown = {"goals": console_csv(app, "goals"), "arms": console_csv(app, "experiments")}
    assert shown["goals"] == [pytest.approx(_blank(row)) for row in goals.rows]
    assert shown["arms"] == [pytest.approx(_blank(row)) for row in arms.rows]
    return {"goals": {row[0]: row for row in shown["goals"]}, "arms": {row[1]: row for row in shown["arms"]}}


def test_holdout_goals_and_stage_progress_are_counted_once_against_a_known_truth(
    outcome_app: tuple[Flask, Onboarding, Clock],
) -> None:
    app, ext, clock = outcome_app
    reached: list[dict[str, Any]] = []
    signals.goal_reached.connect(lambda sender, **kw: reached.append(kw), sender=app, weak=False)
    client = app.test_client()
    arms = {user: arm_of(user) for user in USERS}
    for user in USERS:
        shown = view_and_show(client, user)
        # the holdout never gets the guide; the treatment does
        assert ("how-to-start" in shown) == (arms[user] == TREATMENT), user
    treated = [u for u in USERS if arms[u] == TREATMENT]
    held = [u for u in USERS if arms[u] == HOLDOUT]
    assert 40 <= len(held) <= 80  # about a quarter of 240
    # the arm is stored once, in the user's record, with the exposure day and stage
    with app.app_context():
        record = get_state(app).engine.storage.users.load(USERS[0])
    assert layout.arms_in(record)["starter-holdout"].split(",")[0] == arms[USERS[0]]

    # known truth: every third user creates a report on day 2 (inside 7 days), the next third on
    # day 10 (outside); users 0..59 install the code on day 3 (stage awareness -> use)
    on_day_2 = USERS[0::3]
    on_day_10 = USERS[1::3]
    installed = USERS[:60]
    clock.now = at_day(2)
    with app.app_context():
        for user in on_day_2:
            ext.track("report_created", user_id=user, profile=UserProfile(user, START))
            ext.track("report_created", user_id=user, profile=UserProfile(user, START))  # no second count
        clock.now = at_day(3)
        for user in installed:
            ext.track("installed_code", user_id=user, profile=UserProfile(user, START))
        clock.now = at_day(10)
        for user in on_day_10:
            ext.track("report_created", user_id=user, profile=UserProfile(user, START))

    converted = sorted(u for u in on_day_2 if arms[u] == TREATMENT)
    assert sorted(kw["user_id"] for kw in reached) == converted  # once each, within the window only
    assert {kw["guide_id"] for kw in reached} == {"how-to-start"} and {kw["days"] for kw in reached} == {2}
    with app.app_context():
        state = ext.state_of(converted[0])
    assert b"," in state.guides["how-to-start"]

    found = figures(app, clock)
    guide = found["goals"]["how-to-start"]
    assert guide[1] == "event report_created within 7 days"
    assert guide[2:4] == (len(treated), len(converted))
    assert guide[4] == pytest.approx(len(converted) / len(treated))
    assert guide[5] < guide[4] < guide[6] and guide[7] == 2.0 and guide[8] is None
    held_goal = [u for u in on_day_2 if arms[u] == HOLDOUT]
    arm_rows = found["arms"]
    for arm, members, goal in ((HOLDOUT, held, held_goal), (TREATMENT, treated, converted)):
        row = arm_rows[arm]
        assert row[2:4] == (len(members), len(goal))
        assert row[4] == pytest.approx(len(goal) / len(members))
        moved = [u for u in installed if arms[u] == arm]
        assert row[11] == len(moved) and row[12] == pytest.approx(len(moved) / len(members))
        assert row[13] == 3.0 and row[10] == 2.0
    assert arm_rows[HOLDOUT][13 + 1] == "control"
    assert arm_rows[TREATMENT][7] == pytest.approx(arm_rows[TREATMENT][4] - arm_rows[HOLDOUT][4])
    html = app.test_client().get(f"{PREFIX}/outcomes", headers={"X-Role": "viewer"}).text
    assert f"<td>{len(treated)}</td><td>{len(converted)}</td><td>{guide[4] * 100:.1f}%</td>" in html


def test_a_stored_arm_survives_a_change_of_shares(outcome_app: tuple[Flask, Onboarding, Clock]) -> None:
    app, _, _ = outcome_app
    client = app.test_client()
    users = USERS[:40]
    before = {user: "how-to-start" in view_and_show(client, user) for user in users}
    # the publisher moves every new user to the holdout (share 0.99): exposed users keep theirs
    with app.app_context():
        get_state(app).engine.content.publish(CONTENT.replace("holdout: 0.25", "holdout: 0.99"), None, "ed")
    after = {user: any(g["id"] == "how-to-start" for g in payload(client, user)["guides"]) for user in users}
    # a shown guide's frequency may hide it later; compare the arms themselves
    with app.app_context():
        stored = {u: layout.arms_in(get_state(app).engine.storage.users.load(u))["starter-holdout"] for u in users}
    assert {u: s.split(",")[0] == TREATMENT for u, s in stored.items()} == before
    assert not any(after[u] and not before[u] for u in users)
    newcomer = [n for n in range(400) if "how-to-start" not in view_and_show(client, f"new-{n}")]
    assert len(newcomer) >= 380  # new users fall under the new share


def test_storage_down_at_exposure_serves_the_page_and_stores_no_arm(
    outcome_app: tuple[Flask, Onboarding, Clock], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _, _ = outcome_app
    client = app.test_client()
    users = get_state(app).engine.storage.users

    def down(user_id: str, arms: Any) -> Any:
        raise StorageError("store went away")

    monkeypatch.setattr(users, "remember_arms", down)
    user = next(u for u in USERS if arm_of(u) == HOLDOUT)
    assert "how-to-start" not in [g["id"] for g in payload(client, user)["guides"]]
    monkeypatch.undo()
    with app.app_context():
        assert layout.arms_in(users.load(user)) == {}
    get_state(app).engine.gate.succeeded()  # the store answers again (as the gate's probe finds)
    payload(client, user)  # the exposure is stored now
    with app.app_context():
        assert layout.arms_in(users.load(user))["starter-holdout"].startswith(HOLDOUT + ",")


def test_too_few_users_says_not_enough_data_yet(outcome_app: tuple[Flask, Onboarding, Clock]) -> None:
    app, _, clock = outcome_app
    client = app.test_client()
    for user in USERS[:12]:
        view_and_show(client, user)
    found = figures(app, clock)
    row = found["goals"]["how-to-start"]
    assert row[4:7] == (None, None, None) and row[8] == NOT_ENOUGH
    html = app.test_client().get(f"{PREFIX}/outcomes", headers={"X-Role": "viewer"}).text
    assert NOT_ENOUGH in html and 'id="goals"' in html and 'id="experiments"' in html
    assert 'id="tours"' not in html and 'id="no-outcomes"' not in html  # no tour here: no table
    assert 'href="/onboarding/console/outcomes"' in html  # in the menu


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (CONTENT.replace("event: report_created", "event: report_made"), "goal: unknown event 'report_made'"),
        (CONTENT.replace("event: report_created", "stage: expert"), "goal.stage: unknown stage 'expert'"),
        (CONTENT.replace("within_days: 7", "within_days: 0"), "goal.within_days: must be a whole number"),
        (CONTENT.replace("guides: [how-to-start]", "guides: [how-to-stat]"), "unknown guide 'how-to-stat'"),
        (
            CONTENT + "  - id: again\n    guides: [how-to-start]\n    holdout: 0.5\n",
            "guide 'how-to-start' is already in experiment 'starter-holdout'",
        ),
        (CONTENT.replace("holdout: 0.25", "holdout: 1.5"), "holdout: must be a share between 0 and 1"),
        (CONTENT + "    winner: nobody\n", "the winner 'nobody' is not one of its arms"),
    ],
)
def test_bad_goals_and_experiments_are_refused_with_file_and_line(text: str, message: str) -> None:
    with pytest.raises(ContentError) as refused:
        load_content_text(text, "goals.yaml", events=EVENTS)
    assert message in str(refused.value) and "goals.yaml:" in str(refused.value)


def test_a_stopped_experiment_shows_its_winner_to_everyone(outcome_app: tuple[Flask, Onboarding, Clock]) -> None:
    app, _, _ = outcome_app
    client = app.test_client()
    held = [u for u in USERS if arm_of(u) == HOLDOUT][:5]
    for user in held:
        assert "how-to-start" not in view_and_show(client, user)
    with app.app_context():
        get_state(app).engine.content.publish(CONTENT + "    status: stopped\n", None, "ed")
    for user in held:
        assert "how-to-start" in [g["id"] for g in payload(client, user)["guides"]]


def test_preview_as_shows_the_arm_and_why(outcome_app: tuple[Flask, Onboarding, Clock]) -> None:
    app, _, _ = outcome_app
    client = app.test_client()
    held = next(u for u in USERS if arm_of(u) == HOLDOUT)
    treated = next(u for u in USERS if arm_of(u) == TREATMENT)
    for user in (held, treated):
        payload(client, user)
    with app.app_context():
        stored_before = get_state(app).engine.storage.users.load(held)

    def why(user: str) -> str:
        answer = client.get(f"{PREFIX}/preview-as?user_id={user}&endpoint=home", headers={"X-Role": "viewer"})
        assert answer.status_code == 200
        return html_lib.unescape(answer.text)

    assert "arm holdout of experiment starter-holdout: this guide is held out" in why(held)
    assert "arm treatment of experiment starter-holdout: this arm shows it" in why(treated)
    with app.app_context():  # preview-as reads only
        assert get_state(app).engine.storage.users.load(held) == stored_before


TOUR = """\
guides:
  - id: report-tour
    kind: tour
    title: Reports
    goal: {stage: use, within_days: 14}
    steps:
      - {endpoint: home, title: One, body: first}
      - {endpoint: home, title: Two, body: second}
      - {endpoint: home, title: Three, body: third}
"""


def test_a_tours_drop_off_per_step_and_its_stage_goal(store_uri: str, tmp_path: Path) -> None:
    content = tmp_path / "tour.yaml"
    content.write_text(TOUR, encoding="utf-8")
    clock = Clock(at_day(0))
    app, ext = create_app(
        clock, [str(content)], ONBOARDING_STORAGE_URI=store_uri, ONBOARDING_KEY_PREFIX=f"t{uuid.uuid4().hex[:12]}"
    )
    ext.console_access(lambda: request.headers.get("X-Role"))
    reached: list[dict[str, Any]] = []
    signals.goal_reached.connect(lambda sender, **kw: reached.append(kw), sender=app, weak=False)
    client = app.test_client()
    try:
        # 12 users start the tour; 8 reach step 2, 3 reach step 3 (known truth)
        for n in range(12):
            user = f"t-{n}"
            assert view_and_show(client, user) == ["report-tour"]
            for step in range(1, 3 if n < 3 else 2 if n < 8 else 1):
                answer = post(client, "/guides/report-tour/progress", user, {"step": step})
                assert answer.status_code == 200, answer.text
        clock.now = at_day(5)
        with app.app_context():
            for n in range(4):  # 4 of them reach the stage "use" on day 5: the tour's goal
                ext.track("installed_code", user_id=f"t-{n}", profile=UserProfile(f"t-{n}", START))
        rows = console_csv(app, "tours")
        assert rows == [
            ("report-tour", 1, 12, 1.0, None),
            ("report-tour", 2, 8, pytest.approx(8 / 12), 4),
            ("report-tour", 3, 3, 0.25, 5),
        ]
        goal = console_csv(app, "goals")
        assert goal == [("report-tour", "stage use within 14 days", 12, 4, None, None, None, 5.0, NOT_ENOUGH)]
        assert sorted(kw["user_id"] for kw in reached) == [f"t-{n}" for n in range(4)]
    finally:
        with app.app_context():
            get_state(app).engine.storage.reset()


def test_a_publisher_stops_an_experiment_with_a_winner_audited(outcome_app: tuple[Flask, Onboarding, Clock]) -> None:
    app, _, _ = outcome_app
    client = app.test_client()
    held = [u for u in USERS if arm_of(u) == HOLDOUT][:4]
    for user in held:
        assert "how-to-start" not in view_and_show(client, user)
    page = client.get(f"{PREFIX}/outcomes", headers={"X-Role": "publisher"}).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    base = re.search(r'name="base_revision" value="(\d+)"', page)
    assert token is not None and base is not None and 'data-experiment="starter-holdout"' in page
    form = {"csrf_token": token.group(1), "base_revision": base.group(1), "action": "stop", "winner": TREATMENT}
    viewer = client.post(f"{PREFIX}/outcomes/starter-holdout", data=form, headers={"X-Role": "viewer"})
    assert viewer.status_code == 403  # publishers only
    bad = client.post(
        f"{PREFIX}/outcomes/starter-holdout", data={**form, "winner": "nobody"}, headers={"X-Role": "publisher"}
    )
    assert bad.status_code == 400
    done = client.post(f"{PREFIX}/outcomes/starter-holdout", data=form, headers={"X-Role": "publisher"})
    assert done.status_code == 302
    for user in held:  # the winner, for everyone
        assert "how-to-start" in [g["id"] for g in payload(client, user)["guides"]]
    engine = get_state(app).engine
    with app.app_context():
        entries = engine.storage.audit.entries(5)
        history = engine.storage.content.history(1)
    assert entries[0]["action"] == "experiment_stop" and entries[0]["experiment"] == "starter-holdout"
    assert entries[0]["winner"] == TREATMENT
    assert history[0]["note"] == "stop experiment starter-holdout (winner treatment)"
    page = client.get(f"{PREFIX}/outcomes", headers={"X-Role": "publisher"}).text
    assert "stopped; everyone gets treatment" in page


def test_a_held_out_user_cannot_record_the_guide_as_shown(outcome_app: tuple[Flask, Onboarding, Clock]) -> None:
    app, _, _ = outcome_app
    client = app.test_client()
    user = next(u for u in USERS if arm_of(u) == HOLDOUT)
    answer = post(client, "/guides/how-to-start/shown", user)
    assert answer.status_code == 404 and answer.get_json()["error"]["code"] == "not_targeted"
    with app.app_context():
        assert "how-to-start" not in get_state(app).engine.state_of(user).guides


def test_content_without_goals_or_experiments_says_what_to_declare() -> None:
    app, ext = create_app(Clock(START))
    ext.console_access(lambda: "viewer")
    html = app.test_client().get(f"{PREFIX}/outcomes").text
    assert 'id="no-outcomes"' in html and "<table" not in html
    zh = app.test_client().get(f"{PREFIX}/outcomes", headers={"Accept-Language": "zh-CN"}).text
    assert "暂无可衡量的内容" in zh
