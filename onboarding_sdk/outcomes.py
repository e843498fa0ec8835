"""The console's outcome figures (docs/console.md "Outcomes"): goals per guide and experiment
arms, from the per-day counters ``goals`` records. Pure: counters in, ``analytics.Table`` out.

A rate is shown with its 95% Wilson interval, and an arm's difference against the control with
Newcombe's; below ``stats.enough_data`` (``MIN_USERS`` users and ``MIN_CONVERSIONS``
conversions) the figure cells are empty and the note says "not enough data yet".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from . import stats
from .analytics import Row, Table
from .content.model import GuideSpec
from .experiments import Experiment
from .goals import ARM_GOAL, ARM_GOAL_DAYS, ARM_STAGE, ARM_STAGE_DAYS, ARM_USERS, GOAL_COUNTER, GOAL_DAYS, SEEN

Counters = Mapping[int, Mapping[str, int]]
NOT_ENOUGH = "not enough data yet"
GOAL_COLUMNS = (
    "guide", "goal", "shown_users", "goal_reached", "conversion", "conversion_low", "conversion_high",
    "median_days_to_goal", "note",
)  # fmt: skip
ARM_COLUMNS = (
    "experiment", "arm", "users", "goal_reached", "conversion", "conversion_low", "conversion_high",
    "difference", "difference_low", "difference_high", "median_days_to_goal", "reached_next_stage", "next_stage_share",
    "median_days_to_next_stage", "note",
)  # fmt: skip


def totals(counters: Counters, days: Sequence[int]) -> Counter[str]:
    """Every counter summed over ``days``."""
    summed: Counter[str] = Counter()
    for day in days:
        summed.update(counters.get(day, {}))
    return summed


def histogram_median(summed: Mapping[str, int], prefix: str) -> float | None:
    """The median of a ``<prefix><days>`` histogram (``goal_days|<guide>|3`` -> 3 days)."""
    values: list[int] = []
    for key, n in summed.items():
        if key.startswith(prefix) and key[len(prefix) :].isdigit():
            values.extend([int(key[len(prefix) :])] * int(n))
    return stats.median(values)


def _rate(successes: int, trials: int) -> tuple[float | None, float | None, float | None, str]:
    successes = min(successes, trials)  # a window's edge: converted in it, first seen before it
    interval = stats.wilson(successes, trials)
    if interval is None or not stats.enough_data(trials, successes):
        return None, None, None, NOT_ENOUGH
    return interval.value, interval.low, interval.high, ""


def describe_goal(spec: GuideSpec) -> str:
    goal = spec.goal
    if goal is None:
        return ""
    what = f"event {goal.event}" if goal.event is not None else f"stage {goal.stage}"
    return f"{what} within {goal.within_days} days"


def goals_table(summed: Mapping[str, int], specs: Sequence[GuideSpec]) -> Table:
    """Per guide with a goal: users shown it first in the window, users who reached its goal,
    the conversion with its interval, and the median whole days from first sighting to goal."""
    rows: list[Row] = []
    for spec in sorted(specs, key=lambda s: s.id):
        if spec.goal is None:
            continue
        shown = int(summed.get(f"{SEEN}{spec.id}", 0))
        reached = int(summed.get(f"{GOAL_COUNTER}{spec.id}", 0))
        value, low, high, note = _rate(reached, shown)
        median = histogram_median(summed, f"{GOAL_DAYS}{spec.id}|")
        rows.append((spec.id, describe_goal(spec), shown, reached, value, low, high, median, note))
    return Table("goals", GOAL_COLUMNS, tuple(rows), percent=("conversion", "conversion_low", "conversion_high"))


def experiments_table(summed: Mapping[str, int], experiments: Sequence[Experiment]) -> Table:
    """Per experiment and arm: users exposed, the experiment's goal reached (conversion, and its
    difference against the control arm), and the users who reached the stage after the one
    they were in at exposure (share, median days)."""
    rows: list[Row] = []
    for experiment in experiments:
        control = experiment.control.name
        base = f"{experiment.id}|{control}"
        control_users = int(summed.get(f"{ARM_USERS}{base}", 0))
        control_goal = min(int(summed.get(f"{ARM_GOAL}{base}", 0)), control_users)
        for arm in experiment.arms:
            key = f"{experiment.id}|{arm.name}"
            users = int(summed.get(f"{ARM_USERS}{key}", 0))
            reached = int(summed.get(f"{ARM_GOAL}{key}", 0))
            value, low, high, note = _rate(reached, users)
            diff: tuple[float | None, float | None, float | None] = (None, None, None)
            enough_control = stats.enough_data(control_users, control_goal)
            if arm.name != control and note == "" and enough_control:
                interval = stats.difference(control_goal, control_users, min(reached, users), users)
                if interval is not None:
                    diff = (interval.value, interval.low, interval.high)
            moved = int(summed.get(f"{ARM_STAGE}{key}", 0))
            share = stats.wilson(min(moved, users), users) if users else None
            rows.append(
                (
                    experiment.id, arm.name, users, reached, value, low, high, *diff,
                    histogram_median(summed, f"{ARM_GOAL_DAYS}{key}|"), moved,
                    share.value if share is not None else None,
                    histogram_median(summed, f"{ARM_STAGE_DAYS}{key}|"),
                    note if note else ("control" if arm.name == control else ""),
                )
            )  # fmt: skip
    return Table(
        "experiments",
        ARM_COLUMNS,
        tuple(rows),
        percent=("conversion", "conversion_low", "conversion_high", "difference", "difference_low",
                 "difference_high", "next_stage_share"),
    )  # fmt: skip


TOUR_COLUMNS = ("tour", "step", "users", "share_of_first_step", "lost_since_previous")


def tours_table(summed: Mapping[str, int], specs: Sequence[GuideSpec]) -> Table:
    """Per tour and step: users who reached the step (step 1: first sightings, ``seen|<tour>``;
    step n: ``<tour>|step<n-1>``, the widget's progress, once per user and day), their share of
    step 1 and how many fewer than the step before."""
    rows: list[Row] = []
    for spec in sorted(specs, key=lambda s: s.id):
        if spec.kind != "tour":
            continue
        first = int(summed.get(f"{SEEN}{spec.id}", 0))
        previous = first
        for index in range(len(spec.steps)):
            users = first if index == 0 else int(summed.get(f"{spec.id}|step{index}", 0))
            share = users / first if first else None
            rows.append((spec.id, index + 1, users, share, None if index == 0 else previous - users))
            previous = users
    return Table("tours", TOUR_COLUMNS, tuple(rows), percent=("share_of_first_step",))
