"""Milestones: parsed from config with clear errors, and reached by account facts."""

from __future__ import annotations

from typing import Any

import pytest

from onboarding_sdk.milestones import AccountProgress, holds, newly_reached, parse

EVENTS = ("report_created", "invited_user")
STAGES = ("awareness", "use", "depth", "adaptation", "stickiness")
TABLE = {
    "first_report": {"event": "report_created"},
    "three_reports": {"event": "report_created", "count": 3},
    "team_active": {"active_users": 3},
    "month_of_data": {"days_since_first_activity": 30},
    "whole_team": {"users": 4, "stage": "use"},
}


def progress(**changes: Any) -> AccountProgress:
    base: dict[str, Any] = {
        "events": {"report_created": 1},
        "active_users": 2,
        "days_since_first_activity": 10,
        "stages": {0: 2, 1: 1, 2: 1},
    }
    return AccountProgress(**{**base, **changes})


def test_each_kind_of_condition_is_reached_at_its_threshold() -> None:
    milestones = {m.name: m for m in parse(TABLE, EVENTS, STAGES)}
    now = progress()
    assert holds(milestones["first_report"], now)
    assert not holds(milestones["three_reports"], now)
    assert holds(milestones["three_reports"], progress(events={"report_created": 3}))
    assert not holds(milestones["team_active"], now) and holds(milestones["team_active"], progress(active_users=3))
    assert not holds(milestones["month_of_data"], now)
    assert holds(milestones["month_of_data"], progress(days_since_first_activity=30))
    # whole_team: 4 users at "use" or later; 2 of the 4 are still in awareness
    assert not holds(milestones["whole_team"], now)
    assert holds(milestones["whole_team"], progress(stages={1: 2, 4: 2}))


def test_newly_reached_skips_what_the_account_already_has_and_keeps_declared_order() -> None:
    milestones = parse(TABLE, EVENTS, STAGES)
    rich = progress(events={"report_created": 5}, active_users=4, days_since_first_activity=40, stages={3: 4})
    assert newly_reached(milestones, rich, set()) == list(TABLE)
    assert newly_reached(milestones, rich, {"first_report", "team_active"}) == [
        "three_reports",
        "month_of_data",
        "whole_team",
    ]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"x": {"event": "typo"}}, r"\['x'\]\.event: 'typo' is not in ONBOARDING_EVENTS"),
        ({"x": {"active_users": -1}}, r"\.active_users: a whole number of 0 or more"),
        ({"x": {"users": True}}, r"\.users: a whole number"),
        ({"x": {"count": 2}}, r"\.count: needs an event"),
        ({"x": {"stage": "expert"}}, r"\.stage: 'expert' is not a stage"),
        ({"x": {"logins": 3}}, r"unknown key 'logins'"),
        ({"x": {}}, r"at least one of"),
        ({"x": "report_created"}, r"at least one of"),
        (["first_report"], r"must map milestone names"),
    ],
)
def test_bad_config_names_the_milestone_and_key(table: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(table, EVENTS, STAGES)
