"""The stage model: ordered stages, rules that promote a user, and transitions. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .conditions import Condition, ConditionError, Facts, compile_condition
from .errors import ConfigurationError
from .events import EventSpec
from .state import STAGES

CONFIG_KEY = "ONBOARDING_STAGE_RULES"


def default_rules(events: Mapping[str, EventSpec]) -> dict[str, Any]:
    """The seed's lifecycle (DESIGN.md section 2) as rules, used when none are configured.

    use: every ``key`` event done (else any one event); depth: four different events
    (or all of them if fewer are declared, but at least two); adaptation: a month in, ten active days;
    stickiness: three months in, twenty active days within the last eight weeks.
    """
    key_events = [name for name, spec in events.items() if spec.key]
    use: dict[str, Any] = {"done": key_events} if key_events else {"distinct_events": {"min": 1}}
    return {
        "use": use,
        "depth": {"distinct_events": {"min": max(2, min(4, len(events)))}},
        "adaptation": {"all": [{"days_since_signup": {"min": 30}}, {"active_days": {"min": 10}}]},
        "stickiness": {"all": [{"days_since_signup": {"min": 90}}, {"active_days": {"min": 20, "within": 56}}]},
    }


@dataclass(frozen=True, slots=True)
class Transition:
    user_id: str
    old: str
    new: str
    at: datetime


@dataclass(frozen=True)
class StageModel:
    """Compiled rules for stages 1..4; awareness needs no rule."""

    rules: tuple[tuple[int, Condition], ...]
    source: Mapping[str, Any]

    @classmethod
    def build(cls, raw: Any, events: Mapping[str, EventSpec]) -> StageModel:
        """Validate ``ONBOARDING_STAGE_RULES`` (None means the defaults)."""
        source = default_rules(events) if raw is None else raw
        if not isinstance(source, Mapping):
            raise ConfigurationError(f"{CONFIG_KEY}: must be a mapping of stage name to condition")
        errors: list[str] = []
        compiled: list[tuple[int, Condition]] = []
        for name, rule in source.items():
            if name not in STAGES[1:]:
                errors.append(f"{CONFIG_KEY}.{name}: unknown stage; stages with rules are {', '.join(STAGES[1:])}")
                continue
            try:
                compiled.append((STAGES.index(name), compile_condition(rule, f"{CONFIG_KEY}.{name}", events=events)))
            except ConditionError as exc:
                errors.extend(exc.errors)
        if errors:
            raise ConfigurationError("\n".join(errors))
        compiled.sort(key=lambda item: item[0])
        return cls(tuple(compiled), dict(source))

    def furthest(self, facts: Facts) -> int:
        """Index of the furthest stage whose rule holds (0 when none does)."""
        for index, rule in reversed(self.rules):
            if rule(facts):
                return index
        return 0

    def target(self, current: int, facts: Facts) -> int:
        """Users never move back: the furthest stage that holds, or where they are."""
        return max(current, self.furthest(facts))


def transitions_between(user_id: str, old: int, new: int, at: datetime) -> list[Transition]:
    """Every stage between ``old`` and ``new`` is entered, in order, at ``at``."""
    return [Transition(user_id, STAGES[i], STAGES[i + 1], at) for i in range(old, new)]
