"""Properties of the condition language, checked with Hypothesis.

1. Compiled conditions (the fast path every page view runs) agree with a plain reference
   interpreter of docs/conditions.md over generated conditions, profiles, traits and facts:
   any JSON value in any profile field or trait, and never an exception.
2. Under any sequence of events (in order or backfilled), a user's stage never moves back,
   whatever the stage rules say, through the real Engine on memory://.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onboarding_sdk.conditions import Facts
from onboarding_sdk.config import load_settings
from onboarding_sdk.engine import Engine
from onboarding_sdk.identity import UserProfile
from onboarding_sdk.state import STAGES, EventStats, UserState
from onboarding_sdk.storage import storage_from_uri
from onboarding_sdk.targeting import compile_when

EVENTS = ("installed_code", "report_created", "export_done")
SIGNUP = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DAY = 86_400
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- the reference interpreter: docs/conditions.md read literally -------------------------


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def json_equal(a: Any, b: Any) -> bool:
    """Equality of two JSON scalars as docs/conditions.md ("Values") defines it."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if is_number(a) and is_number(b):
        return bool(a == b)  # NaN != NaN by IEEE rules
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    return a is None and b is None


def value_matches(actual: Any, rule_value: Any) -> bool:
    options = rule_value if isinstance(rule_value, list) else [rule_value]
    items = actual if isinstance(actual, list) else [actual]  # membership, one level deep
    return any(json_equal(item, option) for item in items for option in options)


def name_matches(actual: Any, names: list[str]) -> bool:
    items = actual if isinstance(actual, list) else [actual]
    return any(isinstance(item, str) and item in names for item in items)


def within(value: int, bounds: Mapping[str, int]) -> bool:
    return bounds.get("min", value) <= value <= bounds.get("max", value)


def seconds(moment: datetime) -> int:
    return int(moment.timestamp())


def reference(rule: Mapping[str, Any], facts: Facts) -> bool:
    return all(reference_key(key, value, facts) for key, value in rule.items())


def reference_key(key: str, value: Any, f: Facts) -> bool:
    state, profile = f.state, f.profile
    if key == "all":
        return all(reference(item, f) for item in value)
    if key == "any":
        return any(reference(item, f) for item in value)
    if key == "not":
        return not reference(value, f)
    if key == "days_since_signup":
        start = state.signed_up_at or state.first_seen
        days = 0 if start is None else max(0, (seconds(f.now) - seconds(start)) // DAY)
        return within(days, value)
    if key == "done":
        return all(state.events.get(name, EventStats(0, SIGNUP, SIGNUP)).count > 0 for name in value)
    if key == "not_done":
        return all(name not in state.events for name in value)
    if key == "events":
        return all(within(state.events[n].count if n in state.events else 0, b) for n, b in value.items())
    if key == "active_days":
        today = seconds(f.now) // DAY
        days = [d for d in state.active_days if "within" not in value or today - value["within"] < d <= today]
        return within(len(days), value)
    if key == "distinct_events":
        return within(len(state.events), value)
    if key in ("roles", "plans", "locales", "account_ids"):
        attribute = {"roles": "role", "plans": "plan", "locales": "locale", "account_ids": "account_id"}[key]
        return profile is not None and name_matches(getattr(profile, attribute), value)
    if key == "traits":
        if profile is None:
            return False
        traits = profile.traits if isinstance(profile.traits, dict) else {}
        return all(value_matches(traits.get(name), expected) for name, expected in value.items())
    if key == "dormant":
        inactive = (
            state.last_seen is not None and seconds(f.now) - seconds(state.last_seen) >= f.dormant_after_days * DAY
        )
        return inactive is value
    if key == "stages":
        return state.stage in value
    if key == "endpoints":
        return f.endpoint == "*" or f.endpoint in value
    if key == "seen":
        return all(guide in f.seen for guide in value)
    if key == "not_seen":
        return not any(guide in f.seen for guide in value)
    raise AssertionError(f"the reference does not know {key!r}")


# --- generated conditions ------------------------------------------------------------------

NAMES = st.sampled_from(["a", "b", "retail", ""])
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from([0, 1, -1, 2, 10**20]),
    st.sampled_from([0.0, 1.0, -0.0, 1.5, math.inf, math.nan]),
    NAMES,
)
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(NAMES, inner, max_size=2), max_leaves=8
)


@st.composite
def bounds(draw: st.DrawFn, top: int = 12, window: bool = False) -> dict[str, int]:
    low, high = sorted(draw(st.lists(st.integers(0, top), min_size=2, max_size=2)))
    keys = draw(st.sampled_from([("min",), ("max",), ("min", "max")]))
    chosen = {key: {"min": low, "max": high}[key] for key in keys}
    if window and draw(st.booleans()):
        chosen["within"] = draw(st.integers(1, 30))
    return chosen


LEAVES = st.one_of(
    st.builds(lambda b: {"days_since_signup": b}, bounds(40)),
    st.builds(lambda n: {"done": n}, st.lists(st.sampled_from(EVENTS), max_size=2)),
    st.builds(lambda n: {"not_done": n}, st.lists(st.sampled_from(EVENTS), max_size=2)),
    st.builds(lambda m: {"events": m}, st.dictionaries(st.sampled_from(EVENTS), bounds(4), min_size=1, max_size=2)),
    st.builds(lambda b: {"active_days": b}, bounds(10, window=True)),
    st.builds(lambda b: {"distinct_events": b}, bounds(3)),
    st.builds(
        lambda key, names: {key: names},
        st.sampled_from(["roles", "plans", "locales", "account_ids"]),
        st.lists(NAMES, max_size=3),
    ),
    st.builds(
        lambda t: {"traits": t},
        st.dictionaries(st.sampled_from(["x", "teams"]), SCALARS | st.lists(SCALARS, max_size=3), min_size=1),
    ),
    st.builds(lambda flag: {"dormant": flag}, st.booleans()),
    st.builds(lambda s: {"stages": s}, st.lists(st.sampled_from(STAGES), min_size=1, max_size=2)),
    st.builds(lambda e: {"endpoints": e}, st.lists(st.sampled_from(["home", "reports"]), min_size=1, max_size=2)),
    st.builds(lambda g: {"seen": g}, st.lists(st.sampled_from(["g1", "g2"]), min_size=1, max_size=2)),
    st.builds(lambda g: {"not_seen": g}, st.lists(st.sampled_from(["g1", "g2"]), min_size=1, max_size=2)),
)


def _merged(parts: list[dict[str, Any]]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for part in parts:
        merged.update(part)  # a repeated key keeps its last value, as a YAML mapping would
    return merged


CONDITIONS = st.recursive(
    st.lists(LEAVES, max_size=3).map(_merged),
    lambda inner: st.one_of(
        st.builds(lambda items: {"all": items}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda items: {"any": items}, st.lists(inner, min_size=1, max_size=3)),
        st.builds(lambda item: {"not": item}, inner),
        st.lists(inner | LEAVES, min_size=2, max_size=3).map(_merged),
    ),
    max_leaves=8,
)


@st.composite
def generated_facts(draw: st.DrawFn) -> Facts:
    counts = draw(st.dictionaries(st.sampled_from(EVENTS), st.integers(1, 5), max_size=3))
    base = seconds(SIGNUP) // DAY
    state = UserState(
        user_id="u1",
        signed_up_at=draw(st.sampled_from([SIGNUP, None])),
        stage=draw(st.sampled_from(STAGES)),
        first_seen=SIGNUP,
        last_seen=SIGNUP + timedelta(days=draw(st.integers(0, 40))),
        events={name: EventStats(count, SIGNUP, SIGNUP) for name, count in counts.items()},
        active_days=frozenset(base + day for day in draw(st.lists(st.integers(0, 45), max_size=12))),
    )
    profile = None
    if draw(st.integers(0, 5)):  # mostly a profile, sometimes none (tracked by user id only)
        fields = {name: draw(JSON) for name in ("role", "plan", "locale", "account_id")}
        traits = draw(st.dictionaries(st.sampled_from(["x", "teams", "other"]), JSON, max_size=3) | JSON)
        profile = UserProfile(id="u1", signed_up_at=SIGNUP, traits=traits, **fields)
    return Facts(
        state,
        profile,
        SIGNUP + timedelta(days=draw(st.integers(0, 45)), hours=draw(st.integers(0, 23))),
        dormant_after_days=draw(st.integers(1, 20)),
        endpoint=draw(st.sampled_from([None, "home", "reports", "*"])),
        seen=frozenset(draw(st.lists(st.sampled_from(["g1", "g2"]), max_size=2))),
    )


@PROPERTY
@given(CONDITIONS, generated_facts())
def test_compiled_conditions_equal_the_reference_interpreter(rule: dict[str, Any], facts: Facts) -> None:
    compiled = compile_when(rule, "when", EVENTS)
    assert compiled(facts) is reference(rule, facts)


@PROPERTY
@given(st.dictionaries(st.sampled_from(["x", "teams"]), SCALARS | st.lists(SCALARS), min_size=1), JSON, JSON)
def test_traits_never_raise_and_follow_json_equality(rule: dict[str, Any], trait: Any, role: Any) -> None:
    """Denser than the general property on the one leaf that used to raise TypeError."""
    profile = UserProfile(id="u1", signed_up_at=SIGNUP, role=role, traits={"x": trait, "teams": trait})
    facts = Facts(UserState("u1", SIGNUP, first_seen=SIGNUP), profile, SIGNUP)
    for condition in ({"traits": rule}, {"roles": ["a", "b"]}):
        assert compile_when(condition, "when", EVENTS)(facts) is reference(condition, facts)


# --- the stage never moves back ----------------------------------------------------------

STAGE_RULES = st.fixed_dictionaries(
    {},
    optional={stage: CONDITIONS.filter(lambda rule: not _has_targeting(rule)) for stage in STAGES[1:]},
)
TARGETING_ONLY = {"stages", "endpoints", "seen", "not_seen"}


def _has_targeting(rule: Any) -> bool:
    if isinstance(rule, Mapping):
        return any(key in TARGETING_ONLY or _has_targeting(value) for key, value in rule.items())
    if isinstance(rule, list):
        return any(_has_targeting(item) for item in rule)
    return False


class StepClock:
    def __init__(self) -> None:
        self.now = SIGNUP

    def __call__(self) -> datetime:
        return self.now


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    STAGE_RULES,
    st.lists(
        st.tuples(st.sampled_from([*EVENTS, None]), st.integers(-10, 120), st.integers(0, 3)),
        min_size=1,
        max_size=25,
    ),
    st.one_of(st.none(), st.builds(lambda t: {"teams": t}, JSON)),
)
def test_the_stage_never_moves_back(
    rules: dict[str, Any], steps: list[tuple[str | None, int, int]], traits: dict[str, Any] | None
) -> None:
    """Events in any order (``at`` backfills into the past), activity only, reads between them."""
    config = {"ONBOARDING_STORAGE_URI": "memory://", "ONBOARDING_EVENTS": list(EVENTS), "ONBOARDING_STAGE_RULES": rules}
    clock = StepClock()
    engine = Engine(object(), load_settings(config), storage_from_uri("memory://"), clock)
    profile = UserProfile(id="u1", signed_up_at=SIGNUP, role="a", traits=traits or {})
    reached = 0
    for event, day, read in steps:
        at = SIGNUP + timedelta(days=day)
        clock.now = max(clock.now, at) + timedelta(hours=1)  # the wall clock only goes forward
        state = engine.track("u1", event, at, profile if read != 1 else None)
        assert state.stage_index >= reached, (rules, steps)
        reached = state.stage_index
        if read == 2:
            assert engine.state_of("u1", profile).stage_index >= reached
        stored = engine.state_of("u1")
        assert stored.stage_index >= reached
        reached = stored.stage_index
