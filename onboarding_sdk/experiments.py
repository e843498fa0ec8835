"""Experiment arms: which version of a guide (or none, for a holdout) a user gets.

Pure: no Flask, no store. Assignment is a hash of the experiment's salt and the unit (the
user, or the account for B2B products so colleagues see the same thing), so every process
agrees without coordination; the store then keeps the first assignment, so a later change of
shares never moves a user who was already counted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

HOLDOUT = "holdout"
#: The arm of a holdout experiment's users who get the guides.
TREATMENT = "treatment"
UNITS = ("user", "account")
STATUSES = ("running", "stopped")
_SCALE = 2**64


@dataclass(frozen=True)
class Arm:
    name: str
    #: Relative share; shares need not add up to 1.
    weight: float
    #: Variant guide ids shown in this arm; a holdout arm shows none of the experiment's guides.
    guides: tuple[str, ...] = ()


@dataclass(frozen=True)
class Experiment:
    id: str
    arms: tuple[Arm, ...]
    #: Guides the experiment covers: shown only to the arm that names them.
    guides: tuple[str, ...]
    unit: str = "user"
    #: Changing the salt reshuffles everyone: it is the experiment's identity, the id by default.
    salt: str = ""
    #: ``running`` or ``stopped``: a stopped experiment shows ``winner`` (else ``after_stop``)
    #: to everyone and assigns no one.
    status: str = "running"
    winner: str | None = None

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"experiment {self.id}: unit must be one of {', '.join(UNITS)}, not {self.unit!r}")
        if len(self.arms) < 2:
            raise ValueError(f"experiment {self.id}: needs at least two arms")
        names = [arm.name for arm in self.arms]
        if len(set(names)) != len(names):
            raise ValueError(f"experiment {self.id}: arm names must differ")
        if any(arm.weight <= 0 for arm in self.arms):
            raise ValueError(f"experiment {self.id}: every arm needs a share above 0")
        if self.status not in STATUSES:
            raise ValueError(f"experiment {self.id}: status must be one of {', '.join(STATUSES)}")
        if self.winner is not None and self.winner not in names:
            raise ValueError(f"experiment {self.id}: the winner {self.winner!r} is not one of its arms")

    @property
    def control(self) -> Arm:
        """The arm the others are compared with: the holdout of a holdout, else the first variant."""
        return self.arm(HOLDOUT) or self.arms[0]

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def after_stop(self) -> str:
        """What everyone gets once stopped: the winner; without one, the guides for a holdout
        (stopping a holdout releases the guide) and the control for variants."""
        if self.winner is not None:
            return self.winner
        return TREATMENT if self.arm(HOLDOUT) is not None else self.arms[0].name

    def arm(self, name: str) -> Arm | None:
        return next((arm for arm in self.arms if arm.name == name), None)


def holdout(
    experiment_id: str,
    guides: Sequence[str],
    share: float,
    unit: str = "user",
    *,
    status: str = "running",
    winner: str | None = None,
) -> Experiment:
    """An experiment where ``share`` of the units (0 < share < 1) do not get ``guides``."""
    if not 0 < share < 1:
        raise ValueError(f"experiment {experiment_id}: a holdout share is between 0 and 1, not {share}")
    covered = tuple(guides)
    arms = (Arm(HOLDOUT, share), Arm(TREATMENT, 1 - share, covered))
    return Experiment(experiment_id, arms, covered, unit, status=status, winner=winner)


def unit_of(experiment: Experiment, user_id: str, account_id: str | None) -> str:
    """The id assignment hashes: the account's for account experiments, the user's otherwise.

    A user without an account in an account experiment is a unit of one (their own id, marked
    so it can never collide with an account id).
    """
    if experiment.unit == "account":
        return f"a:{account_id}" if account_id else f"u:{user_id}"
    return f"u:{user_id}"


def position(salt: str, unit: str) -> float:
    """Where ``unit`` falls in [0, 1) for ``salt``: uniform, stable across processes and versions."""
    digest = hashlib.sha256(f"{salt}\x00{unit}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / _SCALE


def assign(experiment: Experiment, unit: str) -> str:
    """The arm ``unit`` falls in by the current shares."""
    point = position(experiment.salt or experiment.id, unit) * sum(arm.weight for arm in experiment.arms)
    for arm in experiment.arms:
        point -= arm.weight
        if point < 0:
            return arm.name
    return experiment.arms[-1].name  # only reached through float rounding at the very top


def arms_of(
    experiments: Sequence[Experiment], stored: Mapping[str, str], user_id: str, account_id: str | None
) -> dict[str, str]:
    """Each experiment's arm for a user: a stopped one's ``after_stop``; else the stored arm
    (``stored``: experiment id -> arm, kept since first exposure) when it is still an arm of
    the experiment; else the one the hash gives now (to be stored with the first exposure)."""
    arms: dict[str, str] = {}
    for experiment in experiments:
        if not experiment.running:
            arms[experiment.id] = experiment.after_stop
            continue
        kept = stored.get(experiment.id)
        if kept is not None and experiment.arm(kept) is not None:
            arms[experiment.id] = kept
        else:
            arms[experiment.id] = assign(experiment, unit_of(experiment, user_id, account_id))
    return arms


def hidden_guides(experiments: Sequence[Experiment], arms: Mapping[str, str]) -> frozenset[str]:
    """Guide ids this user must not get, given their arm in each experiment (experiment id -> arm).

    An experiment the user has no arm in hides nothing: assignment happens before resolution.
    """
    hidden: set[str] = set()
    for experiment in experiments:
        arm = experiment.arm(arms.get(experiment.id, ""))
        if arm is None:
            continue
        hidden.update(guide for guide in experiment.guides if guide not in arm.guides)
    return frozenset(hidden)
