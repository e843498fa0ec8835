"""Account milestones (seed 003, 里程碑): declared conditions over an account's facts.

Pure: no Flask, no store. ``ONBOARDING_MILESTONES`` maps a milestone name to its condition;
every key of a condition must hold:

    ONBOARDING_MILESTONES = {
        "first_report": {"event": "report_created"},                 # done once by anyone
        "three_reports": {"event": "report_created", "count": 3},
        "team_active": {"active_users": 3},                          # in the last 7 days
        "month_of_data": {"days_since_first_activity": 30},
        "whole_team": {"users": 5, "stage": "use"},                  # 5 users at "use" or later
    }

The store records each milestone once per account with the day it was reached; this module
only says which conditions hold now.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

_KEYS = ("event", "count", "active_users", "days_since_first_activity", "users", "stage")
_COUNTS = ("count", "active_users", "days_since_first_activity", "users")


@dataclass(frozen=True)
class Milestone:
    name: str
    event: str | None = None
    count: int = 1
    active_users: int = 0
    days_since_first_activity: int = 0
    #: Users at ``stage`` or later (all users when no stage is named).
    users: int = 0
    stage: int | None = None


@dataclass(frozen=True)
class AccountProgress:
    #: Times each event was done by anyone in the account, ever.
    events: Mapping[str, int]
    #: Users active in the last 7 days.
    active_users: int
    days_since_first_activity: int
    #: Users per stage index (0 awareness ... 4 stickiness).
    stages: Mapping[int, int]


def parse(table: Mapping[str, Any], events: Sequence[str], stages: Sequence[str]) -> tuple[Milestone, ...]:
    """Milestones from config, or ValueError naming the milestone and key at fault."""
    if not isinstance(table, Mapping):
        raise ValueError("ONBOARDING_MILESTONES must map milestone names to conditions")
    parsed = []
    for name, spec in table.items():
        where = f"ONBOARDING_MILESTONES[{name!r}]"
        if not isinstance(spec, Mapping) or not spec:
            raise ValueError(f"{where}: a condition with at least one of {', '.join(_KEYS)}")
        unknown = sorted(set(spec) - set(_KEYS))
        if unknown:
            raise ValueError(f"{where}: unknown key {unknown[0]!r}; known: {', '.join(_KEYS)}")
        for key in _COUNTS:
            value = spec.get(key, 0)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{where}.{key}: a whole number of 0 or more, not {value!r}")
        event = spec.get("event")
        if event is not None and event not in events:
            raise ValueError(f"{where}.event: {event!r} is not in ONBOARDING_EVENTS")
        if "count" in spec and event is None:
            raise ValueError(f"{where}.count: needs an event to count")
        stage = spec.get("stage")
        if stage is not None and stage not in stages:
            raise ValueError(f"{where}.stage: {stage!r} is not a stage ({', '.join(stages)})")
        parsed.append(
            Milestone(
                name=str(name),
                event=event,
                count=spec.get("count", 1),
                active_users=spec.get("active_users", 0),
                days_since_first_activity=spec.get("days_since_first_activity", 0),
                users=spec.get("users", 0),
                stage=None if stage is None else list(stages).index(stage),
            )
        )
    return tuple(parsed)


def holds(milestone: Milestone, progress: AccountProgress) -> bool:
    if milestone.event is not None and progress.events.get(milestone.event, 0) < milestone.count:
        return False
    if progress.active_users < milestone.active_users:
        return False
    if progress.days_since_first_activity < milestone.days_since_first_activity:
        return False
    lowest = milestone.stage or 0
    at_stage = sum(n for stage, n in progress.stages.items() if stage >= lowest)
    return at_stage >= milestone.users


def newly_reached(
    milestones: Sequence[Milestone], progress: AccountProgress, already: frozenset[str] | set[str]
) -> list[str]:
    """Names of milestones that hold now and were not reached before, in declared order."""
    return [m.name for m in milestones if m.name not in already and holds(m, progress)]
