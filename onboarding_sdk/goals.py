"""Goals: did a guide make users do the thing? (docs/content.md "Goals", docs/console.md "Outcomes").

A guide's goal is an event done, or a stage reached, within ``within_days`` of the user's
first sighting of the guide (the first ``shown``, kept in the guide's state). ``engine.goals``
looks at what track() and a stage move already hold in memory, so the common case (no goal
pending) costs nothing; a conversion is one more write, once per user per guide:

- the guide state's ``GOAL`` flag (guide_action.lua's ``goal`` action) and the per-day counter
  ``goal|<guide>``, counted once per user and day by the store: the call that counted it is
  the one that sends ``goal_reached``, however many processes race;
- the days-to-goal histogram ``goal_days|<guide>|<days>``.

Experiments measure from the exposure instead (a held-out user never sees the guide), per arm:
``xgoal|<experiment>|<arm>`` and ``xgoal_days|...|<days>`` when the experiment's goal is
reached within its window after exposure, ``xstage|...`` and ``xstage_days|...`` when the user
reaches the stage after the one they were in at exposure (``experiment_runtime``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from . import signals
from .content.model import Goal
from .errors import StorageError
from .guide_state import GuideState
from .state import STAGE_INDEX, UserState
from .storage import layout
from .timeutil import epoch_day, to_epoch

if TYPE_CHECKING:
    from .delivery import Catalog
    from .engine import Engine

logger = logging.getLogger("onboarding_sdk")
SEEN = "seen|"
GOAL_COUNTER = "goal|"
GOAL_DAYS = "goal_days|"
ARM_GOAL = "xgoal|"
ARM_GOAL_DAYS = "xgoal_days|"
ARM_STAGE = "xstage|"
ARM_STAGE_DAYS = "xstage_days|"
ARM_USERS = "xusers|"
#: Markers beside an arm in the user's record (``x:<experiment><marker>``): recorded once.
GOAL_MARK = "!g"
STAGE_MARK = "!s"


@dataclass(frozen=True, slots=True)
class Exposure:
    """A stored arm: ``arm,day,stage`` (the UTC day and stage index at exposure)."""

    arm: str
    day: int
    stage: int

    def encode(self) -> str:
        return f"{self.arm},{self.day},{self.stage}"

    @classmethod
    def decode(cls, raw: str) -> Exposure | None:
        parts = raw.split(",")
        if len(parts) != 3:
            return None
        try:
            return cls(parts[0], int(parts[1]), int(parts[2]))
        except ValueError:
            return None


def exposures(extra: dict[str, bytes] | object) -> dict[str, Exposure]:
    """The arms stored in a user's record (``UserState.extra``): experiment id -> exposure."""
    if not isinstance(extra, dict):
        return {}
    found: dict[str, Exposure] = {}
    for experiment_id, raw in layout.arms_in(extra).items():
        exposure = Exposure.decode(raw)
        if exposure is not None:
            found[experiment_id] = exposure
    return found


def within(goal: Goal, since_day: int, day: int) -> bool:
    return 0 <= day - since_day <= goal.within_days


@dataclass(frozen=True)
class _GoalIndex:
    """One catalog's goals, looked up by what reaches them."""

    by_event: dict[str, tuple[str, ...]]
    by_stage: tuple[tuple[int, str], ...]
    experiments: tuple[tuple[str, Goal], ...]  # experiment id -> the goal its arms are measured by


def _index(catalog: Catalog) -> _GoalIndex:
    by_event: dict[str, list[str]] = {}
    by_stage: list[tuple[int, str]] = []
    experiment_goals: dict[str, Goal] = {}
    for guide_id, guide in catalog.guides.items():
        goal = guide.spec.goal
        if goal is None:
            continue
        if goal.event is not None:
            by_event.setdefault(goal.event, []).append(guide_id)
        elif goal.stage is not None:
            by_stage.append((STAGE_INDEX[goal.stage], guide_id))
        experiment = guide.spec.experiment
        if experiment is not None and experiment.id not in experiment_goals:
            # the goal of the experiment's first covered guide that has one
            for covered in experiment.guides:
                spec = catalog.guides[covered].spec if covered in catalog.guides else None
                if spec is not None and spec.goal is not None:
                    experiment_goals[experiment.id] = spec.goal
                    break
    return _GoalIndex({k: tuple(v) for k, v in by_event.items()}, tuple(by_stage), tuple(experiment_goals.items()))


class Goals:
    """The engine's goal bookkeeping (``engine.goals``)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._cached: tuple[Catalog, _GoalIndex] | None = None

    def index(self) -> _GoalIndex:
        catalog = self.engine.catalog
        cached = self._cached
        if cached is None or cached[0] is not catalog:
            cached = (catalog, _index(catalog))
            self._cached = cached
        return cached[1]

    def first_sighting(self, guide_id: str, day: int) -> None:
        """A user saw ``guide_id`` for the first time (the write that made its impressions 1):
        ``seen|<guide>`` counts the users a guide with a goal (or a tour: its first step) was
        shown to. One more write, for those guides only."""
        guide = self.engine.catalog.get(guide_id)
        if guide is None or (guide.spec.goal is None and guide.spec.kind != "tour"):
            return
        engine = self.engine
        try:
            engine.call_store(lambda: engine.storage.index.count(day, {f"{SEEN}{guide_id}": 1}))
        except StorageError as exc:
            logger.warning("first sighting of guide %s not counted: %s", guide_id, exc)

    def on_event(self, state: UserState, event: str, at: datetime) -> None:
        """After ``event`` was tracked for the user whose record is ``state``."""
        index = self.index()
        day = epoch_day(to_epoch(at))
        for guide_id in index.by_event.get(event, ()):
            self._guide(state, guide_id, day, at)
        self._arms(state, day, at, [e for e, goal in index.experiments if goal.event == event], None)

    def on_stage(self, state: UserState, old: int, new: int, at: datetime) -> None:
        """After the user moved from stage index ``old`` to ``new`` (the compare-and-set winner)."""
        index = self.index()
        day = epoch_day(to_epoch(at))
        for stage, guide_id in index.by_stage:
            if old < stage <= new:
                self._guide(state, guide_id, day, at)
        reached = [
            e for e, goal in index.experiments if goal.stage is not None and old < STAGE_INDEX[goal.stage] <= new
        ]
        self._arms(state, day, at, reached, (old, new))

    def _guide(self, state: UserState, guide_id: str, day: int, at: datetime) -> None:
        guide = self.engine.catalog.get(guide_id)
        raw = state.guides.get(guide_id)
        if guide is None or guide.spec.goal is None or raw is None:
            return
        seen = GuideState.decode(raw)
        first = seen.first_shown_day or seen.last_shown_day  # shown before first days were kept
        if not seen.seen or seen.goal_reached or not within(guide.spec.goal, first, day):
            return
        engine = self.engine
        field = engine.codes.guides(engine.catalog.guides).fields[guide_id]
        counter = f"{GOAL_COUNTER}{guide_id}"
        try:
            write = engine.call_store(
                lambda: engine.storage.users.guide_write(state.user_id, field, "goal", day, 0, 0, counter=counter)
            )
            if not write.counted:
                return  # another process recorded it (or the counter failed: logged by the store)
            days = day - first
            engine.call_store(lambda: engine.storage.index.count(day, {f"{GOAL_DAYS}{guide_id}|{days}": 1}))
        except StorageError as exc:
            logger.warning("goal of guide %s for user %s not recorded: %s", guide_id, state.user_id, exc)
            return
        signals.goal_reached.send(engine.sender, user_id=state.user_id, guide_id=guide_id, days=days, at=at)

    def _arms(
        self, state: UserState, day: int, at: datetime, goal_of: Sequence[str], moved: tuple[int, int] | None
    ) -> None:
        """Per-arm figures of the experiments this user is in: the experiment's goal (for the
        experiments in ``goal_of``) and, on a stage move, the next stage after exposure."""
        stored = exposures(state.extra)
        if not stored:
            return
        marks: dict[str, tuple[str, str, int]] = {}  # marker field -> (counter, days counter, days)
        index = self.index()
        goals = dict(index.experiments)
        for experiment_id, exposure in stored.items():
            goal = goals.get(experiment_id)
            if experiment_id in goal_of and goal is not None and within(goal, exposure.day, day):
                marks[experiment_id + GOAL_MARK] = (ARM_GOAL, ARM_GOAL_DAYS, day - exposure.day)
            if moved is not None and moved[0] <= exposure.stage < moved[1]:
                marks[experiment_id + STAGE_MARK] = (ARM_STAGE, ARM_STAGE_DAYS, day - exposure.day)
        if not marks:
            return
        engine = self.engine
        user_id = state.user_id
        wanted = {field: "1" for field in marks if layout.arm_field(field) not in state.extra}
        if not wanted:
            return
        try:
            kept = engine.call_store(lambda: engine.storage.users.remember_arms(user_id, wanted))
            counts: dict[str, int] = {}
            for field, (_, new) in kept.items():
                if not new:
                    continue
                experiment_id = field[: -len(GOAL_MARK)]
                counter, days_counter, days = marks[field]
                arm = stored[experiment_id].arm
                counts[f"{counter}{experiment_id}|{arm}"] = 1
                counts[f"{days_counter}{experiment_id}|{arm}|{days}"] = 1
            if counts:
                engine.call_store(lambda: engine.storage.index.count(day, counts))
        except StorageError as exc:
            logger.warning("experiment figures of user %s not recorded: %s", user_id, exc)
