"""One condition language for stage rules and guide targeting.

A condition is a mapping; every key in it must hold (an implicit ``all``)::

    {"all": [...]}, {"any": [...]}, {"not": {...}}
    {"days_since_signup": {"min": 0, "max": 7}}
    {"done": ["installed_code"]}, {"not_done": ["installed_code"]}
    {"events": {"report_created": {"min": 3}}}
    {"active_days": {"min": 10, "within": 28}}
    {"distinct_events": {"min": 4}}
    {"roles": [...]}, {"plans": [...]}, {"locales": [...]}, {"account_ids": [...]}
    {"traits": {"industry": ["retail", "media"]}}
    {"dormant": true}

Every compiled condition is total: whatever JSON value a profile field or trait holds
(None, booleans, numbers, strings, lists, mappings, nested), evaluating it returns a bool
and never raises. Values compare as JSON does, not as Python does: ``true`` never equals
``1``, ``1`` equals ``1.0``, NaN equals nothing; a list-valued field or trait matches when
one of its items does (docs/conditions.md, "Values").

``compile_condition`` validates with marshmallow, reports every error with its
path (``ONBOARDING_STAGE_RULES.depth.distinct_events.min: must be an integer``)
and returns a plain function of ``Facts`` -> bool. Evaluation is pure: no I/O.
Guide targeting passes extra leaf keys (stages, endpoints, ...) through ``extra``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import OnboardingError
from .identity import UserProfile
from .state import UserState
from .timeutil import DAY, epoch_day, to_epoch


@dataclass(slots=True)
class Facts:
    """What a condition may look at, computed once per evaluation."""

    state: UserState
    profile: UserProfile | None
    now: datetime
    dormant_after_days: int = 14
    endpoint: str | None = None
    path: str | None = None
    seen: Collection[str] = frozenset()
    today: int = field(init=False)
    days_since_signup: int = field(init=False)

    def __post_init__(self) -> None:
        now_epoch = to_epoch(self.now)
        self.today = epoch_day(now_epoch)
        start = self.state.signup_or_first_seen()
        if start is None and self.profile is not None:
            start = self.profile.signed_up_at
        self.days_since_signup = 0 if start is None else max(0, (now_epoch - to_epoch(start)) // DAY)


Condition = Callable[[Facts], bool]
LeafBuilder = Callable[[Any], Condition]


class ConditionError(OnboardingError, ValueError):
    """A condition is malformed. ``errors`` lists every ``path: message``.

    Also a ValueError, as it was before it derived from OnboardingError."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


# --- leaf shapes, validated with marshmallow -------------------------------------------

# The leaves' checks, by name: marshmallow loads with them, when a condition is compiled.
_RANGE = "range"
_ACTIVE = "active_days"
_NAMES = "names"
_BOOL = "bool"


def _in_range(value: int, bounds: Mapping[str, int]) -> bool:
    low = bounds.get("min")
    high = bounds.get("max")
    return (low is None or value >= low) and (high is None or value <= high)


def _range_test(bounds: Mapping[str, int]) -> Callable[[int], bool]:
    """A bounds check specialised once at compile time (resolution runs it per guide)."""
    low = bounds.get("min")
    high = bounds.get("max")
    if low is None and high is not None:
        return lambda value: value <= high
    if high is None and low is not None:
        return lambda value: value >= low
    return lambda value: _in_range(value, bounds)


# --- the compiler ----------------------------------------------------------------------


@dataclass
class _Compiler:
    events: Collection[str] | None
    extra: Mapping[str, Callable[[Any, str, list[str]], Condition | None]]
    errors: list[str] = field(default_factory=list)

    def fail(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def leaf(self, path: str, checker: str, value: Any) -> Any:
        from .condition_leaves import check_leaf  # marshmallow: at compile time, not on import

        checked, messages = check_leaf(checker, value)
        if messages is not None:
            self._report(path, messages)
        return checked

    def _report(self, path: str, messages: Any) -> None:
        if isinstance(messages, Mapping):
            for key, inner in messages.items():
                sub = path if key == "_schema" else f"{path}.{key}"
                self._report(sub, inner)
        elif isinstance(messages, list):
            for inner in messages:
                self._report(path, inner)
        else:
            self.fail(path, str(messages).rstrip("."))

    def known_events(self, path: str, names: list[str]) -> bool:
        if self.events is None:
            return True
        unknown = [name for name in names if name not in self.events]
        for name in unknown:
            self.fail(path, f"unknown event {name!r} (not in ONBOARDING_EVENTS)")
        return not unknown

    def compile(self, data: Any, path: str) -> Condition | None:
        if not isinstance(data, Mapping):
            self.fail(path, "must be a mapping of conditions")
            return None
        if not data:
            return _always
        parts: list[Condition] = []
        for key, value in data.items():
            built = self.compile_key(str(key), value, f"{path}.{key}")
            if built is not None:
                parts.append(built)
        return _all(parts)

    def compile_list(self, value: Any, path: str) -> list[Condition] | None:
        if not isinstance(value, list) or not value:
            self.fail(path, "must be a non-empty list of conditions")
            return None
        built = [self.compile(item, f"{path}[{i}]") for i, item in enumerate(value)]
        return [c for c in built if c is not None]

    def compile_key(self, key: str, value: Any, path: str) -> Condition | None:
        if key == "all":
            parts = self.compile_list(value, path)
            return None if parts is None else _all(parts)
        if key == "any":
            parts = self.compile_list(value, path)
            return None if parts is None else _any(parts)
        if key == "not":
            inner = self.compile(value, path)
            return None if inner is None else _not(inner)
        if key == "days_since_signup":
            bounds = self.leaf(path, _RANGE, value)
            if bounds is None:
                return None
            days_ok = _range_test(bounds)
            return lambda f: days_ok(f.days_since_signup)
        if key in ("done", "not_done"):
            names = self.leaf(path, _NAMES, value)
            if names is None or not self.known_events(path, names):
                return None
            wanted = tuple(names)
            if len(wanted) == 1:  # the common case, without a generator per call
                only = wanted[0]
                if key == "done":
                    return lambda f: only in f.state.events
                return lambda f: only not in f.state.events
            if key == "done":
                return lambda f: all(name in f.state.events for name in wanted)
            return lambda f: not any(name in f.state.events for name in wanted)
        if key == "events":
            return self.compile_event_counts(value, path)
        if key == "active_days":
            bounds = self.leaf(path, _ACTIVE, value)
            if bounds is None:
                return None
            within = bounds.get("within")
            return lambda f: _in_range(f.state.active_days_count(f.now, within), bounds)
        if key == "distinct_events":
            bounds = self.leaf(path, _RANGE, value)
            if bounds is None:
                return None
            return lambda f: _in_range(len(f.state.events), bounds)
        if key in _PROFILE_LISTS:
            names = self.leaf(path, _NAMES, value)
            if names is None:
                return None
            return _profile_field_test(_PROFILE_LISTS[key], frozenset(names))
        if key == "traits":
            return self.compile_traits(value, path)
        if key == "dormant":
            flag = self.leaf(path, _BOOL, value)
            if flag is None:
                return None
            return lambda f: f.state.is_dormant(f.now, f.dormant_after_days) is flag
        if key in self.extra:
            return self.extra[key](value, path, self.errors)
        self.fail(path, f"unknown condition {key!r}; known: {', '.join(sorted([*_KEYS, *self.extra]))}")
        return None

    def compile_event_counts(self, value: Any, path: str) -> Condition | None:
        if not isinstance(value, Mapping) or not value:
            self.fail(path, "must map event names to {min, max}")
            return None
        checks: list[tuple[str, dict[str, int]]] = []
        for name, bounds_data in value.items():
            if not self.known_events(f"{path}.{name}", [name]):
                continue
            bounds = self.leaf(f"{path}.{name}", _RANGE, bounds_data)
            if bounds is not None:
                checks.append((name, bounds))
        return lambda f: all(_in_range(f.state.count(name), bounds) for name, bounds in checks)

    def compile_traits(self, value: Any, path: str) -> Condition | None:
        if not isinstance(value, Mapping) or not value:
            self.fail(path, "must map trait names to a value or a list of values")
            return None
        wanted: list[tuple[str, Callable[[Any], bool]]] = []
        for name, expected in value.items():
            options = expected if isinstance(expected, list) else [expected]
            if not all(isinstance(o, str | int | float | bool) or o is None for o in options):
                self.fail(f"{path}.{name}", "must be a string, number, boolean or a list of them")
                continue
            wanted.append((str(name), _value_test(options)))
        checks = tuple(wanted)

        def traits_hold(f: Facts) -> bool:
            if f.profile is None:
                return False
            traits = f.profile.traits
            if not isinstance(traits, Mapping):  # a host passed something else: no trait is known
                traits = {}
            return all(matches(traits.get(name)) for name, matches in checks)

        return traits_hold


_PROFILE_LISTS = {"roles": "role", "plans": "plan", "locales": "locale", "account_ids": "account_id"}
# What a host may hand us as a list-valued field or trait (JSON gives lists; Python code may use the others).
_COLLECTIONS = (list, tuple, set, frozenset)


def _profile_field_test(attribute: str, allowed: frozenset[str]) -> Condition:
    """``roles: [...]`` and the like: the field is one of the names, or (a list) holds one of them.

    Only strings can match: a field holding a number, a mapping or None never does."""

    def field_holds(f: Facts) -> bool:
        if f.profile is None:
            return False
        actual = getattr(f.profile, attribute, None)
        if isinstance(actual, str):
            return actual in allowed
        if isinstance(actual, _COLLECTIONS):
            return any(isinstance(item, str) and item in allowed for item in actual)
        return False

    return field_holds


def _value_test(options: list[Any]) -> Callable[[Any], bool]:
    """A test of one trait value against a rule's values (any of them), with JSON equality.

    The options are split by JSON type at compile time, so the test never compares across
    types: ``True`` is not ``1`` (Python's ``True == 1`` would say it is), numbers compare by
    value (``1 == 1.0``), NaN matches nothing. A list-valued trait matches when one of its
    items does (one level deep: an item that is itself a list or mapping matches nothing).
    """
    strings = frozenset(o for o in options if isinstance(o, str))
    flags = frozenset(o for o in options if isinstance(o, bool))
    numbers = frozenset(o for o in options if _is_number(o) and o == o)  # o == o drops NaN
    null = any(o is None for o in options)

    def scalar(value: Any) -> bool:
        if isinstance(value, bool):  # before numbers: a bool is an int in Python
            return value in flags
        if isinstance(value, int | float):
            return value in numbers  # a frozenset without bools: 1 never finds True
        if isinstance(value, str):
            return value in strings
        return null and value is None

    def matches(value: Any) -> bool:
        if isinstance(value, _COLLECTIONS):
            return any(scalar(item) for item in value)
        return scalar(value)

    return matches


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


_KEYS = (
    "all", "any", "not", "days_since_signup", "done", "not_done", "events", "active_days",
    "distinct_events", *_PROFILE_LISTS, "traits", "dormant",
)  # fmt: skip


def _always(_: Facts) -> bool:
    return True


def _all(parts: list[Condition]) -> Condition:
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        first, second = parts
        return lambda f: first(f) and second(f)
    items = tuple(parts)
    return lambda f: all(part(f) for part in items)


def _any(parts: list[Condition]) -> Condition:
    items = tuple(parts)
    return lambda f: any(part(f) for part in items)


def _not(inner: Condition) -> Condition:
    return lambda f: not inner(f)


def compile_condition(
    data: Any,
    path: str,
    *,
    events: Collection[str] | None = None,
    extra: Mapping[str, Callable[[Any, str, list[str]], Condition | None]] | None = None,
) -> Condition:
    """Validate and compile one condition. Raises ConditionError listing every problem.

    ``events``: the declared event names (None skips the check). ``extra``: more leaf
    keys, each a function ``(value, path, errors) -> Condition | None`` that appends
    ``"path: message"`` to ``errors`` when the value is bad.
    """
    compiler = _Compiler(events, extra or {})
    built = compiler.compile(data, path)
    if compiler.errors or built is None:
        raise ConditionError(compiler.errors or [f"{path}: invalid condition"])
    return built


CONDITION_KEYS: tuple[str, ...] = _KEYS
