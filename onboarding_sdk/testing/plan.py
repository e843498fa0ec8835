"""Plan a user's history so that the app's own stage rules put them where a test wants. Pure.

The plugin never writes a stage into the store: it tracks events and activity, and the
engine's rules do the rest. This module finds such a history. It reads the stage rule the
test asks for (the condition language of docs/conditions.md) as a set of alternatives, each a
conjunction of bounds (days since sign-up, counts per event, distinct events, active days),
turns the first workable one into dated steps, and replays them through the rules exactly as
``Engine.track`` settles a user after each step. A plan whose replay does not end in the
wanted stage (a later stage's rule holds too, say) is rejected; when none works,
``StageUnreachable`` explains why with the rules' own words (``onboarding_sdk.why``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from ..conditions import Facts, compile_condition
from ..errors import OnboardingError
from ..events import EventSpec
from ..identity import UserProfile
from ..stages import StageModel
from ..state import STAGE_INDEX, STAGES, EventStats, UserState
from ..timeutil import epoch_day, to_epoch
from ..why import explain_when, first_unmet

INFINITY = 10**9
_MAX_ALTERNATIVES = 256
_PROFILE_KEYS = ("roles", "plans", "locales", "account_ids", "traits")
Bounds = tuple[int, int]


class StageUnreachable(OnboardingError):
    """The app's stage rules cannot put a user in the wanted stage with what the test gave."""


@dataclass(frozen=True)
class Wish:
    """What a test asked for. ``events``: name -> exact count, or the exact times it happened."""

    profile: UserProfile
    stage: str | None = None
    days_since_signup: int | None = None
    events: Mapping[str, int | Sequence[datetime]] = field(default_factory=dict)
    active_days: int | None = None


@dataclass(frozen=True)
class Step:
    at: datetime
    event: str | None  # None: a page view (activity only)


@dataclass(frozen=True)
class Plan:
    signed_up_at: datetime
    steps: tuple[Step, ...]
    stage: str  # where the replay ends


@dataclass(frozen=True)
class Need:
    """One way a rule can hold: every bound at once."""

    days: Bounds = (0, INFINITY)
    counts: Mapping[str, Bounds] = field(default_factory=dict)
    distinct: Bounds = (0, INFINITY)
    active: tuple[tuple[int, int, int | None], ...] = ()  # (min, max, within)

    def merge(self, other: Need) -> Need | None:
        """Both at once, or None when they contradict."""
        counts = dict(self.counts)
        for name, bounds in other.counts.items():
            counts[name] = _meet(counts.get(name, (0, INFINITY)), bounds)
        days, distinct = _meet(self.days, other.days), _meet(self.distinct, other.distinct)
        merged = Need(days, counts, distinct, self.active + other.active)
        return merged if merged.possible() else None

    def possible(self) -> bool:
        bounds = [self.days, self.distinct, *self.counts.values(), *((low, high) for low, high, _ in self.active)]
        return all(low <= high for low, high in bounds)


def _meet(a: Bounds, b: Bounds) -> Bounds:
    return max(a[0], b[0]), min(a[1], b[1])


def _bounds(value: Any) -> Bounds:
    return int(value.get("min", 0)), int(value.get("max", INFINITY))


def _outside(bounds: Bounds) -> list[Bounds]:
    low, high = bounds
    return ([(0, low - 1)] if low > 0 else []) + ([(high + 1, INFINITY)] if high < INFINITY else [])


# --- a condition as alternatives (disjunctive normal form) ------------------------------


class _Reader:
    def __init__(self, profile: UserProfile, now: datetime) -> None:
        self.facts = Facts(UserState("plan"), profile, now)

    def alternatives(self, data: Any, negated: bool = False) -> list[Need]:
        """Every ``Need`` under which ``data`` holds (``negated``: does not hold)."""
        if not isinstance(data, Mapping):
            return []
        parts = [self.key(str(key), value, negated) for key, value in data.items()]
        return _either(parts) if negated else _both(parts)

    def key(self, key: str, value: Any, negated: bool) -> list[Need]:
        if key in ("all", "any"):
            parts = [self.alternatives(item, negated) for item in value]
            return _both(parts) if (key == "all") != negated else _either(parts)
        if key == "not":
            return self.alternatives(value, not negated)
        if key in _PROFILE_KEYS:  # the test gave the profile: these are simply true or false
            holds = compile_condition({key: value}, "plan")(self.facts)
            return [Need()] if holds != negated else []
        if key in ("days_since_signup", "distinct_events"):
            ranges = _outside(_bounds(value)) if negated else [_bounds(value)]
            if key == "days_since_signup":
                return [Need(days=r) for r in ranges]
            return [Need(distinct=r) for r in ranges]
        if key in ("done", "not_done"):
            some = (key == "done") != negated
            wanted: Bounds = (1, INFINITY) if some else (0, 0)
            if negated:  # not all done: one of them is missing (or: one of them is done)
                return [Need(counts={name: wanted}) for name in value]
            return [Need(counts={name: wanted for name in value})]
        if key == "events":
            pairs = [(str(name), _bounds(bounds)) for name, bounds in value.items()]
            if negated:
                return [Need(counts={name: r}) for name, b in pairs for r in _outside(b)]
            return [Need(counts=dict(pairs))]
        if key == "active_days":
            within = value.get("within")
            ranges = _outside(_bounds(value)) if negated else [_bounds(value)]
            return [Need(active=((low, high, within),)) for low, high in ranges]
        if key == "dormant":  # a user is never dormant at the moment they are tracked
            return [Need()] if (value is False) != negated else []
        return []


def _both(parts: list[list[Need]]) -> list[Need]:
    found = [Need()]
    for options in parts:
        merged = [m for a in found for b in options if (m := a.merge(b)) is not None]
        found = merged[:_MAX_ALTERNATIVES]
    return found


def _either(parts: list[list[Need]]) -> list[Need]:
    return [need for options in parts for need in options][:_MAX_ALTERNATIVES]


# --- from a Need to dated steps ---------------------------------------------------------


@dataclass
class _Attempt:
    """Why one candidate history failed, for the error message."""

    text: str


def _counts(need: Need, wish: Wish, events: Mapping[str, EventSpec]) -> dict[str, int] | _Attempt:
    given = {name: (v if isinstance(v, int) else len(v)) for name, v in wish.events.items()}
    counts = dict(given)
    for name, (low, high) in need.counts.items():
        if name in given:
            if not low <= given[name] <= high:
                return _Attempt(f"needs {name} done {_show(low, high)} times, the test gave {given[name]}")
        elif low > 0:
            counts[name] = low
    done = [name for name, count in counts.items() if count > 0]
    low, high = need.distinct
    # More different events: the key setup steps first, as a real user would.
    spare = [n for n in sorted(events, key=lambda n: not events[n].key) if n not in counts and n not in need.counts]
    while len(done) < low and spare:
        name = spare.pop(0)
        counts[name] = 1
        done.append(name)
    if not low <= len(done) <= high:
        return _Attempt(f"needs {_show(low, high)} different events done, the plan has {len(done)}")
    return counts


def _show(low: int, high: int) -> str:
    if high >= INFINITY:
        return f"at least {low}"
    return f"exactly {low}" if low == high else f"{low} to {high}"


def _active_span(need: Need, given: int | None) -> int | _Attempt:
    """How many consecutive active days, ending on the day the rule is met, satisfy it
    (``given``: the test's own number)."""
    if given is not None and given < 1:
        return _Attempt("active_days leaves no day on which the stage's rule could be met")
    span = max([1, *(low for low, _, _ in need.active)]) if given is None else given
    for low, high, within in need.active:
        counted = span if within is None else min(span, within)
        if not low <= counted <= high:
            where = f" within {within} days" if within else ""
            return _Attempt(f"needs {_show(low, high)} active days{where}; the plan has {counted}")
    return span


def build(need: Need, wish: Wish, now: datetime, events: Mapping[str, EventSpec]) -> Plan | _Attempt:
    """Dated steps for ``need``: sign-up ``days`` ago, active on the last ``span`` days up to
    the day the rule is met (the events happen that day), and a page view now."""
    counts = _counts(need, wish, events)
    if isinstance(counts, _Attempt):
        return counts
    low, high = need.days
    if wish.days_since_signup is None:
        span = _active_span(need, wish.active_days)
        if isinstance(span, _Attempt):
            return span
        days = met = max(low, span - 1)
    else:
        days = wish.days_since_signup
        met = min(high, days)  # the rule is met today, or on its last possible day
        given = wish.active_days
        if given is not None and met < days:
            given -= 1  # today's page view is one of the test's active days
        span = _active_span(need, given)
        if isinstance(span, _Attempt):
            return span
        if met < max(low, span - 1):
            return _Attempt(f"needs {_show(low, high)} days since sign-up and {span} active days by then")
    if met > high:
        return _Attempt(f"needs {_show(low, high)} days since sign-up and {span} active days by then")
    signup = now - timedelta(days=days)
    moment = signup + timedelta(days=met)
    steps = [Step(signup + timedelta(days=day), None) for day in range(met - span + 1, met)]
    dated = {name: v for name, v in wish.events.items() if not isinstance(v, int)}
    for name, count in counts.items():
        if name not in dated:
            steps += [Step(moment, name)] * count
    steps += [Step(when, name) for name, times in dated.items() for when in times]
    if not any(step.at == moment for step in steps):
        steps.append(Step(moment, None))
    if moment < now:
        steps.append(Step(now, None))
    steps.sort(key=lambda step: step.at)
    return Plan(signup, tuple(steps), STAGES[0])


# --- replaying a plan through the rules ----------------------------------------------------


def replay(plan: Plan, model: StageModel, profile: UserProfile, dormant_after: int) -> list[tuple[UserState, Facts]]:
    """The user's state after each step, settled as ``Engine.track`` settles it."""
    stats: dict[str, EventStats] = {}
    days: set[int] = set()
    stage = 0
    first: datetime | None = None
    last: datetime | None = None
    entered = {STAGES[0]: plan.signed_up_at}
    states: list[tuple[UserState, Facts]] = []
    for step in plan.steps:
        first = step.at if first is None else min(first, step.at)
        last = step.at if last is None else max(last, step.at)
        days.add(epoch_day(to_epoch(step.at)))
        if step.event is not None:
            old = stats.get(step.event)
            stats[step.event] = (
                EventStats(1, step.at, step.at)
                if old is None
                else EventStats(old.count + 1, min(old.first, step.at), max(old.last, step.at))
            )
        state = UserState(
            "plan", plan.signed_up_at, STAGES[stage], dict(entered), first, last, dict(stats), frozenset(days)
        )
        facts = Facts(state, profile, step.at, dormant_after)
        target = model.target(stage, facts)
        for index in range(stage + 1, target + 1):
            entered[STAGES[index]] = step.at
        stage = target
        states.append((replace(state, stage=STAGES[stage], stage_entered=dict(entered)), facts))
    return states


def plan_for(wish: Wish, model: StageModel, events: Mapping[str, EventSpec], now: datetime, dormant_after: int) -> Plan:
    """A history that ends in ``wish.stage`` (any stage when None). Raises StageUnreachable."""
    unknown = [name for name in wish.events if name not in events]
    if unknown:
        raise StageUnreachable(f"undeclared event(s) {', '.join(unknown)}: declare them in ONBOARDING_EVENTS")
    if wish.stage is not None and wish.stage not in STAGE_INDEX:
        raise StageUnreachable(f"unknown stage {wish.stage!r}; stages are {', '.join(STAGES)}")
    rules = dict(model.source)
    reader = _Reader(wish.profile, now)
    wanted = STAGE_INDEX[wish.stage] if wish.stage is not None else None
    needs = [Need()] if not wanted else reader.alternatives(rules.get(STAGES[wanted]))
    if wanted and wanted > 1:  # first try a user who also met every earlier stage's rule, as real ones do
        earlier = [reader.alternatives(rules[stage]) for stage in STAGES[1 : wanted + 1] if stage in rules]
        needs = _both(earlier) + needs
    misses: list[str] = []
    if wanted and STAGES[wanted] not in rules:
        misses.append(f"ONBOARDING_STAGE_RULES has no rule for {STAGES[wanted]}: no user ever enters it")
    elif not needs:
        misses.append(
            f"the rule for {STAGES[wanted or 0]} cannot hold for this role, plan, locale, account and traits "
            "(or it asks for a dormant user, which tracking never produces)"
        )
    for need in needs:
        built = build(need, wish, now, events)
        if isinstance(built, _Attempt):
            misses.append(built.text)
            continue
        states = replay(built, model, wish.profile, dormant_after)
        final, facts = states[-1]
        if wanted is None or final.stage_index == wanted:
            return replace(built, stage=final.stage)
        misses.append(_wrong_stage(final, facts, states, wanted, rules))
    raise StageUnreachable(_message(wish, rules, misses))


def _wrong_stage(
    final: UserState, facts: Facts, states: list[tuple[UserState, Facts]], wanted: int, rules: Mapping[str, Any]
) -> str:
    if final.stage_index > wanted:
        for state, then in states:  # the first step that went too far
            if state.stage_index > wanted:
                return f"the history reached {state.stage} on day {then.days_since_signup}: its rule holds too"
    rule = rules.get(STAGES[wanted])
    unmet = first_unmet(explain_when(rule, facts, f"ONBOARDING_STAGE_RULES.{STAGES[wanted]}")) if rule else None
    return f"the history stayed in {final.stage}" + (f": {unmet.text}" if unmet else "")


def _message(wish: Wish, rules: Mapping[str, Any], misses: list[str]) -> str:
    asked = [f"stage={wish.stage!r}"]
    if wish.days_since_signup is not None:
        asked.append(f"days_since_signup={wish.days_since_signup}")
    if wish.events:
        asked.append(f"events={dict(wish.events)!r}")
    if wish.active_days is not None:
        asked.append(f"active_days={wish.active_days}")
    lines = [
        f"onboarding_user({', '.join(asked)}): the app's stage rules cannot put a user there; "
        "nothing was written to the store.",
        "The rules in force (ONBOARDING_STAGE_RULES):",
    ]
    lines += [f"  {stage}: {rules[stage]!r}" for stage in STAGES[1:] if stage in rules]
    lines.append("What was tried:")
    seen: list[str] = []
    for miss in misses:
        if miss not in seen:
            seen.append(miss)
    lines += [f"  - {miss}" for miss in seen[:10]]
    lines.append("Change the arguments (days_since_signup, events, active_days, plan, role) or the rules.")
    return "\n".join(lines)
