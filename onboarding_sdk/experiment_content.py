"""The ``experiments:`` list of a content file, checked against its guides (docs/content.md).

Pure: no Flask, no store. Each entry becomes an ``experiments.Experiment``; a problem is a
``(path, message)`` the loader turns into ``file:line: path: message``. An experiment with a
problem is dropped, and so is a guide it names twice over (two experiments on one guide).

    experiments:
      - id: starter-holdout
        guides: [how-to-start]
        holdout: 0.2              # share of users who do not get the guides
      - id: tour-copy
        unit: account             # colleagues see the same version
        variants:
          - {name: long, weight: 1, guide: tour-long}    # the first variant is the control
          - {name: short, weight: 1, guide: tour-short}
        status: stopped           # running (default) | stopped
        winner: short             # what everyone gets once stopped
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .experiments import HOLDOUT, STATUSES, UNITS, Arm, Experiment, holdout

if TYPE_CHECKING:
    from .content.model import GuideSpec

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_KEYS = frozenset({"id", "guides", "holdout", "variants", "unit", "status", "winner"})
_VARIANT_KEYS = frozenset({"name", "weight", "guide"})
Problem = tuple[str, str]


def parse_experiments(
    raw: Any, guide_ids: Collection[str], taken: Mapping[str, str]
) -> tuple[list[Experiment], list[Problem]]:
    """The experiments of one file's ``experiments:`` (``raw``), checked against the guides
    loaded so far (``guide_ids``) and the guides earlier experiments already cover (``taken``:
    guide id -> experiment id). Returns the valid experiments and every problem."""
    if not isinstance(raw, list):
        return [], []  # absent, or reported by the file's schema
    found: list[Experiment] = []
    problems: list[Problem] = []
    covered = dict(taken)
    for i, entry in enumerate(raw):
        path = f"experiments[{i}]"
        experiment, errors = _one(entry, path, guide_ids)
        if experiment is not None:
            for guide in experiment.guides:
                if guide in covered:
                    errors.append(
                        (
                            f"{path}.guides",
                            f"guide {guide!r} is already in experiment {covered[guide]!r}; "
                            "a guide is in one experiment at a time",
                        )
                    )
        if experiment is None or errors:
            problems.extend(errors)
            continue
        if any(e.id == experiment.id for e in found) or experiment.id in covered.values():
            problems.append((f"{path}.id", f"duplicate experiment id {experiment.id!r}"))
            continue
        covered.update(dict.fromkeys(experiment.guides, experiment.id))
        found.append(experiment)
    return found, problems


def _one(entry: Any, path: str, guide_ids: Collection[str]) -> tuple[Experiment | None, list[Problem]]:
    if not isinstance(entry, Mapping):
        return None, [(path, "must be a mapping (one experiment)")]
    errors: list[Problem] = [(f"{path}.{key}", "unknown key") for key in sorted(map(str, entry)) if key not in _KEYS]
    experiment_id = entry.get("id")
    if not isinstance(experiment_id, str) or not _ID.match(experiment_id):
        errors.append((f"{path}.id", "is required: lower-case letters, digits, - and _"))
    unit = entry.get("unit", "user")
    if unit not in UNITS:
        errors.append((f"{path}.unit", f"must be one of {', '.join(UNITS)}"))
    status = entry.get("status", "running")
    if status not in STATUSES:
        errors.append((f"{path}.status", f"must be one of {', '.join(STATUSES)}"))
    winner = entry.get("winner")
    if winner is not None and not isinstance(winner, str):
        errors.append((f"{path}.winner", "must be the name of an arm"))
    guides = entry.get("guides", [])
    if not isinstance(guides, list) or not all(isinstance(g, str) for g in guides):
        errors.append((f"{path}.guides", "must be a list of guide ids"))
        guides = []
    has_holdout, has_variants = "holdout" in entry, "variants" in entry
    if has_holdout == has_variants:
        errors.append((path, "needs exactly one of holdout or variants"))
        return None, errors
    arms: list[Arm] = []
    if has_holdout:
        share = entry["holdout"]
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share < 1:
            errors.append((f"{path}.holdout", "must be a share between 0 and 1 (0.2: one user in five)"))
        if not guides:
            errors.append((f"{path}.guides", "a holdout needs the guides it keeps away"))
    else:
        arms, variant_errors = _variants(entry["variants"], f"{path}.variants")
        errors.extend(variant_errors)
    covered = list(dict.fromkeys([*guides, *(g for arm in arms for g in arm.guides)]))
    for guide in covered:
        if guide not in guide_ids:
            errors.append((f"{path}.guides", f"unknown guide {guide!r}"))
    if errors:
        return None, errors
    assert isinstance(experiment_id, str)
    try:
        if has_holdout:
            return holdout(experiment_id, covered, float(entry["holdout"]), unit, status=status, winner=winner), []
        return Experiment(experiment_id, tuple(arms), tuple(covered), unit, status=status, winner=winner), []
    except ValueError as exc:  # the rules experiments.py keeps (a winner that is no arm, ...)
        message = str(exc).partition(": ")[2] or str(exc)
        return None, [(path, message)]


def _variants(raw: Any, path: str) -> tuple[list[Arm], list[Problem]]:
    if not isinstance(raw, list) or len(raw) < 2:
        return [], [(path, "must list at least two variants")]
    arms: list[Arm] = []
    errors: list[Problem] = []
    for i, variant in enumerate(raw):
        where = f"{path}[{i}]"
        if not isinstance(variant, Mapping):
            errors.append((where, "must be a mapping: name, weight, guide"))
            continue
        errors.extend((f"{where}.{k}", "unknown key") for k in sorted(map(str, variant)) if k not in _VARIANT_KEYS)
        name, weight, guide = variant.get("name"), variant.get("weight", 1), variant.get("guide")
        if not isinstance(name, str) or not _ID.match(name):
            errors.append((f"{where}.name", "is required: lower-case letters, digits, - and _"))
        if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
            errors.append((f"{where}.weight", "must be a number above 0"))
        if guide is not None and not isinstance(guide, str):
            errors.append((f"{where}.guide", "must be a guide id"))
        if isinstance(name, str) and any(arm.name == name for arm in arms):
            errors.append((f"{where}.name", f"duplicate variant {name!r}"))
        if not errors:
            arms.append(Arm(str(name), float(weight), (guide,) if isinstance(guide, str) else ()))
    return arms, errors


def experiments_data(specs: Iterable[GuideSpec]) -> list[dict[str, Any]]:
    """The ``experiments:`` list of a content set, from the experiments its guides carry (the
    inverse of ``parse_experiments``, for a file written back: an export, a console edit).
    A guide no longer in ``specs`` is left out; an experiment left with no guide is dropped."""
    specs = list(specs)
    present = {spec.id for spec in specs}
    seen: dict[str, Experiment] = {}
    for spec in specs:
        if spec.experiment is not None:
            seen.setdefault(spec.experiment.id, spec.experiment)
    out: list[dict[str, Any]] = []
    for experiment in seen.values():
        guides = [g for g in experiment.guides if g in present]
        data: dict[str, Any] = {"id": experiment.id}
        held = experiment.arm(HOLDOUT)
        if held is not None:
            if not guides:
                continue
            data["guides"] = guides
            data["holdout"] = held.weight / sum(arm.weight for arm in experiment.arms)
        else:
            variants: list[dict[str, Any]] = []
            for arm in experiment.arms:
                variant: dict[str, Any] = {"name": arm.name, "weight": arm.weight}
                shown = [g for g in arm.guides if g in present]
                if shown:
                    variant["guide"] = shown[0]
                variants.append(variant)
            extra = [g for g in guides if not any(g in arm.guides for arm in experiment.arms)]
            if extra:
                data["guides"] = extra
            data["variants"] = variants
        if experiment.unit != "user":
            data["unit"] = experiment.unit
        if not experiment.running:
            data["status"] = experiment.status
        if experiment.winner is not None:
            data["winner"] = experiment.winner
        out.append(data)
    return out
