"""Experiment arms at resolution time (``engine.arms``; docs/content.md "Experiments").

The arms come with the user's record (fields ``x:<experiment>``, loaded in the page view's one
round trip). An arm not stored yet is computed by hash (``experiments.assign``) and stored at
the user's exposure: the first page view, while the experiment runs, in a stage one of its
guides is for. Every arm is exposed the same way (a held-out user is never shown the guide,
so "first shown" would count one arm only); it costs one write, once per user and experiment.
Once stored, an arm never moves: later changes of shares only place users not yet exposed.

A store that fails at that write leaves nothing stored: the page is served with the hashed
arm and the exposure is tried again on the next view.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from .errors import StorageError
from .experiments import Experiment, arms_of, hidden_guides
from .goals import ARM_USERS, Exposure, exposures
from .identity import UserProfile
from .state import UserState
from .timeutil import epoch_day, to_epoch

if TYPE_CHECKING:
    from .delivery import Catalog
    from .engine import Engine

logger = logging.getLogger("onboarding_sdk")


def experiments_of(catalog: Catalog) -> tuple[Experiment, ...]:
    """The catalog's experiments, in the order of their first covered guide."""
    found: dict[str, Experiment] = {}
    for guide in catalog.guides.values():
        experiment = guide.spec.experiment
        if experiment is not None:
            found.setdefault(experiment.id, experiment)
    return tuple(found.values())


@dataclass(frozen=True, slots=True)
class Arms:
    """A user's arm in each experiment, whether it is stored, and the guides it hides."""

    arms: Mapping[str, str]
    stored: frozenset[str]
    hidden: frozenset[str]


class ExperimentArms:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._cached: tuple[Catalog, tuple[Experiment, ...]] | None = None

    def experiments(self) -> tuple[Experiment, ...]:
        catalog = self.engine.catalog
        cached = self._cached
        if cached is None or cached[0] is not catalog:
            cached = (catalog, experiments_of(catalog))
            self._cached = cached
        return cached[1]

    def of(self, profile: UserProfile | None, state: UserState) -> Arms:
        """The user's arms from their record (in memory: no store call)."""
        experiments = self.experiments()
        if not experiments:
            return _NONE
        stored = {e: x.arm for e, x in exposures(state.extra).items()}
        account = profile.account_id if profile is not None else None
        arms = arms_of(experiments, stored, state.user_id, account)
        return Arms(arms, frozenset(stored), hidden_guides(experiments, arms))

    def expose(self, state: UserState, arms: Arms, at: datetime, account: str | None) -> Arms:
        """Store the arms of running experiments the user meets now for the first time (one
        write; none when every arm is stored) and return the arms to serve. An account
        experiment takes the account's arm, stored by its first exposed member (one more
        write). A failing store stores nothing (logged): the hashed arms serve this view."""
        catalog = self.engine.catalog
        met: list[Experiment] = []
        for experiment in self.experiments():
            if not experiment.running or experiment.id in arms.stored:
                continue
            guides = (catalog.get(g) for g in experiment.guides)
            if any(g is not None and state.stage in g.stages for g in guides):
                met.append(experiment)
        if not met:
            return arms
        engine = self.engine
        day = epoch_day(to_epoch(at))
        chosen = dict(arms.arms)
        try:
            by_account = {e.id: chosen[e.id] for e in met if e.unit == "account" and account}
            if by_account and account:
                placed = engine.call_store(lambda: engine.storage.users.remember_account_arms(account, by_account))
                chosen.update({experiment_id: arm for experiment_id, (arm, _) in placed.items()})
            new = {e.id: Exposure(chosen[e.id], day, state.stage_index).encode() for e in met}
            kept = engine.call_store(lambda: engine.storage.users.remember_arms(state.user_id, new))
            counts = {
                f"{ARM_USERS}{experiment_id}|{raw.split(',')[0]}": 1
                for experiment_id, (raw, stored_now) in kept.items()
                if stored_now
            }
            if counts:
                engine.call_store(lambda: engine.storage.index.count(day, counts))
        except StorageError as exc:
            logger.warning("experiment arms of user %s not stored (tried on the next view): %s", state.user_id, exc)
            return arms
        stored = {e: raw.split(",")[0] for e, (raw, _) in kept.items()}
        chosen.update(stored)
        experiments = self.experiments()
        return Arms(chosen, arms.stored | frozenset(stored), hidden_guides(experiments, chosen))


_NONE = Arms({}, frozenset(), frozenset())
