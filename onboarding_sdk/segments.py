"""Segments: targeting edited as rows, and named conditions reused by guides. Pure: no Flask.

A **row** is one condition a product manager reads as a sentence ("role is admin, owner",
"event installed_code not done", "days since sign-up between 3 and 14"). ``condition_of``
turns rows into the condition language (``conditions.py``, ``targeting.py``) and ``rows_of``
reads a condition back into rows plus whatever rows cannot say (``any``, event counts, ...),
which stays YAML. Every row set survives ``rows -> condition -> rows`` unchanged
(tests/test_console_segments.py checks it against the compiler).

A **segment** is a named condition: ``segments:`` at the top of a content file, used by a
guide as ``when: {segment: name}`` (``expand`` replaces the reference with the segment's
conditions when the file is loaded). ``estimate`` sizes a row set's audience from what the
population index holds (users per stage, accounts' members).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .state import STAGES

#: Row fields, in the order the builder offers them: field -> (condition key, operators).
FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "stage": ("stages", ("in", "not_in")),
    "role": ("roles", ("in", "not_in")),
    "plan": ("plans", ("in", "not_in")),
    "locale": ("locales", ("in", "not_in")),
    "account": ("account_ids", ("in", "not_in")),
    "event": ("done", ("done", "not_done")),
    "days": ("days_since_signup", ("at_least", "at_most", "between")),
    "trait": ("traits", ("in", "not_in")),
}
_LIST_FIELDS = {key: name for name, (key, _) in FIELDS.items() if name not in ("event", "days", "trait")}
#: The segment reference inside ``when``.
SEGMENT_KEY = "segment"
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_MAX_ROWS = 50
_MAX_DAYS = 100_000


@dataclass(frozen=True)
class Row:
    """One targeting row. ``values``: the names (stages, roles, events, trait values); for
    ``days``, ``low`` / ``high`` (either may be None except with ``between``)."""

    field: str
    op: str
    values: tuple[str, ...] = ()
    name: str = ""  # the trait's name
    low: int | None = None
    high: int | None = None


class RowError(ValueError):
    """A row that says nothing valid; ``where`` names its part (``value``, ``name``, ``op``).
    ``template`` and ``values`` are the message before formatting (the console translates it)."""

    def __init__(self, where: str, template: str, **values: Any) -> None:
        super().__init__(template.format(**values))
        self.where = where
        self.template = template
        self.values = values


# --- rows -> condition -----------------------------------------------------------------


def row_condition(row: Row) -> dict[str, Any]:
    """One row as a single-key condition."""
    if row.field == "event":
        return {row.op: list(row.values)}
    if row.field == "days":
        bounds = {k: v for k, v in (("min", row.low), ("max", row.high)) if v is not None}
        return {"days_since_signup": bounds}
    if row.field == "trait":
        inner: dict[str, Any] = {"traits": {row.name: list(row.values)}}
    else:
        inner = {FIELDS[row.field][0]: list(row.values)}
    return {"not": inner} if row.op == "not_in" else inner


def condition_of(rows: Sequence[Row]) -> dict[str, Any]:
    """Every row must hold: one flat mapping when no two rows share a key, else ``all``."""
    parts = [row_condition(row) for row in rows]
    keys = [next(iter(part)) for part in parts]
    if len(set(keys)) == len(keys):
        return {key: part[key] for key, part in zip(keys, parts, strict=True)}
    return {"all": parts}


def merged(*conditions: Mapping[str, Any]) -> dict[str, Any]:
    """Conditions that must all hold, as one: keys side by side, ``all`` when two share a key."""
    present = [dict(c) for c in conditions if c]
    keys = [k for c in present for k in c]
    if len(set(keys)) == len(keys):
        return {k: v for c in present for k, v in c.items()}
    return {"all": present}


# --- condition -> rows -----------------------------------------------------------------


def _names(value: Any) -> tuple[str, ...] | None:
    """A non-empty list of names a text field can hold (comma-separated), else None."""
    if not isinstance(value, list) or not value:
        return None
    if not all(isinstance(v, str) and v.strip() == v and v and "," not in v for v in value):
        return None
    return tuple(value)


def _bound(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= _MAX_DAYS


def key_rows(key: str, value: Any) -> list[Row] | None:
    """The rows saying ``{key: value}``, or None when rows cannot say it."""
    if key in _LIST_FIELDS:
        names = _names(value)
        return None if names is None else [Row(_LIST_FIELDS[key], "in", names)]
    if key in ("done", "not_done"):
        names = _names(value)
        return None if names is None else [Row("event", key, names)]
    if key == "days_since_signup":
        if not isinstance(value, Mapping) or not value or set(value) - {"min", "max"}:
            return None
        low, high = value.get("min"), value.get("max")
        if not all(b is None or _bound(b) for b in (low, high)):
            return None
        op = "between" if low is not None and high is not None else "at_least" if low is not None else "at_most"
        return [Row("days", op, low=low, high=high)]
    if key == "traits":
        if not isinstance(value, Mapping) or not value:
            return None
        found = []
        for name, wanted in value.items():
            names = _names(wanted if isinstance(wanted, list) else [wanted])
            if not isinstance(name, str) or not NAME.match(name) or names is None:
                return None
            found.append(Row("trait", "in", names, name=name))
        return found
    if key == "not" and isinstance(value, Mapping) and len(value) == 1:
        inner_key, inner = next(iter(value.items()))
        if inner_key not in _LIST_FIELDS and inner_key != "traits":
            return None
        rows = key_rows(str(inner_key), inner)
        if rows is None or len(rows) != 1:
            return None
        return [Row(rows[0].field, "not_in", rows[0].values, name=rows[0].name)]
    return None


def rows_of(condition: Any) -> tuple[list[Row], dict[str, Any]]:
    """A condition as rows, and the rest rows cannot say (a mapping, maybe empty)."""
    if not isinstance(condition, Mapping):
        return [], {}
    rows: list[Row] = []
    rest: dict[str, Any] = {}
    for key, value in condition.items():
        if key == "all" and isinstance(value, list):
            kept = []
            for item in value:
                said = _item_rows(item)
                if said is None:
                    kept.append(item)
                else:
                    rows.extend(said)
            if kept:
                rest["all"] = kept
            continue
        said = key_rows(str(key), value)
        if said is None:
            rest[str(key)] = value
        else:
            rows.extend(said)
    return rows, rest


def _item_rows(item: Any) -> list[Row] | None:
    if not isinstance(item, Mapping) or not item:
        return None
    rows: list[Row] = []
    for key, value in item.items():
        said = key_rows(str(key), value)
        if said is None:
            return None
        rows.extend(said)
    return rows


# --- form fields -> rows ---------------------------------------------------------------


def _split(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))


def _day(text: str, where: str) -> int:
    text = text.strip()
    if not re.fullmatch(r"\d{1,6}", text) or int(text) > _MAX_DAYS:
        raise RowError(where, "{text} is not a whole number of days (0 to {most})", text=repr(text), most=_MAX_DAYS)
    return int(text)


def read_row(
    field: str,
    op: str,
    value: str,
    *,
    name: str = "",
    until: str = "",
    events: Collection[str] | None = None,
) -> Row:
    """A row from its form fields; RowError naming the part that is wrong."""
    if field not in FIELDS:
        raise RowError("field", "unknown field {field}; fields are {known}", field=repr(field), known=", ".join(FIELDS))
    if op not in FIELDS[field][1]:
        choose = ", ".join(FIELDS[field][1])
        raise RowError("op", "{op} does not go with {field}; choose {known}", op=repr(op), field=field, known=choose)
    if field == "days":
        low = _day(value, "value") if op in ("at_least", "between") else None
        high: int | None = None
        if op != "at_least":
            high = _day(until if op == "between" else value, "until" if op == "between" else "value")
        if low is not None and high is not None and low > high:
            raise RowError("until", "the range {low} to {high} is empty", low=low, high=high)
        return Row("days", op, low=low, high=high)
    values = _split(value)
    if not values:
        raise RowError("value", "give at least one value (separate several with commas)")
    if field == "stage":
        unknown = [v for v in values if v not in STAGES]
        if unknown:
            raise RowError(
                "value", "unknown stage {name}; stages are {known}", name=repr(unknown[0]), known=", ".join(STAGES)
            )
    if field == "event" and events is not None:
        unknown = [v for v in values if v not in events]
        if unknown:
            raise RowError("value", "unknown event {name} (not in ONBOARDING_EVENTS)", name=repr(unknown[0]))
    if field == "trait" and not NAME.match(name.strip()):
        raise RowError("name", "name the trait: lower-case letters, digits, - and _ (such as industry)")
    return Row(field, op, values, name=name.strip() if field == "trait" else "")


def row_fields(row: Row) -> dict[str, str]:
    """A row as its form fields (``field``, ``op``, ``value``, ``name``, ``until``)."""
    if row.field == "days":
        first = row.low if row.op != "at_most" else row.high
        until = str(row.high) if row.op == "between" else ""
        return {"field": "days", "op": row.op, "value": "" if first is None else str(first), "name": "", "until": until}
    return {"field": row.field, "op": row.op, "value": ", ".join(row.values), "name": row.name, "until": ""}


def _same(text: str) -> str:
    return text


def read_rows(
    posted: Mapping[str, str],
    prefix: str = "seg",
    *,
    events: Collection[str] | None = None,
    say: Callable[[str], str] = _same,
) -> tuple[list[Row], dict[str, str], list[int]]:
    """The rows of a posted form (``seg.<n>.field|op|value|name|until|delete``): the rows,
    the errors by field name (``seg.2.value``, each message's words through ``say``: the
    console's catalog) and the row numbers the form had."""
    numbers = sorted(
        {int(m.group(1)) for key in posted if (m := re.match(rf"^{re.escape(prefix)}\.(\d{{1,4}})\.", key))}
    )
    rows: list[Row] = []
    errors: dict[str, str] = {}
    for n in numbers[:_MAX_ROWS]:
        base = f"{prefix}.{n}"
        field = posted.get(f"{base}.field", "").strip()
        value = posted.get(f"{base}.value", "")
        until = posted.get(f"{base}.until", "")
        if posted.get(f"{base}.delete") or not field or not (value.strip() or until.strip()):
            continue  # a blank row (the one offered for adding) or one marked for deletion
        try:
            rows.append(
                read_row(
                    field,
                    posted.get(f"{base}.op", "").strip() or FIELDS.get(field, ("", ("",)))[1][0],
                    value,
                    name=posted.get(f"{base}.name", ""),
                    until=until,
                    events=events,
                )
            )
        except RowError as exc:
            errors[f"{base}.{exc.where}"] = say(exc.template).format(**exc.values)
    if len(numbers) > _MAX_ROWS:
        errors[f"{prefix}"] = f"at most {_MAX_ROWS} rows"
    return rows, errors, numbers


# --- saved segments --------------------------------------------------------------------


def expand(when: Any, segments: Mapping[str, Any], path: str) -> tuple[Any, list[tuple[str, str]]]:
    """``when`` with every ``segment: name`` replaced by that segment's conditions (at the top
    and inside ``all`` / ``any`` / ``not``); the problems as ``(path, message)``."""
    problems: list[tuple[str, str]] = []

    def walk(node: Any, where: str) -> Any:
        if isinstance(node, list):
            return [walk(item, f"{where}[{i}]") for i, item in enumerate(node)]
        if not isinstance(node, Mapping):
            return node
        out: dict[str, Any] = {}
        used: Any = None
        for key, value in node.items():
            if key == SEGMENT_KEY:
                used = value
            elif key in ("all", "any", "not"):
                out[str(key)] = walk(value, f"{where}.{key}")
            else:
                out[str(key)] = value
        if used is None:
            return out
        if not isinstance(used, str) or used not in segments:
            known = ", ".join(sorted(segments)) or "none defined"
            problems.append((f"{where}.{SEGMENT_KEY}", f"unknown segment {used!r}; segments are {known}"))
            return out
        return merged(dict(segments[used]), out)

    return walk(when, path), problems


def _parts(condition: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A condition's single-key parts: its keys, and the keys of its ``all`` items."""
    parts: list[dict[str, Any]] = []
    for key, value in condition.items():
        if key == "all" and isinstance(value, list):
            parts.extend(p for item in value if isinstance(item, Mapping) for p in _parts(item))
        else:
            parts.append({key: value})
    return parts


def uses(when: Any, condition: Mapping[str, Any]) -> bool:
    """Whether a guide's ``when`` holds every condition of a segment (what a guide given the
    segment holds once it is expanded), each as a key or an ``all`` item."""
    if not isinstance(when, Mapping) or not condition:
        return False
    have = _parts(when)
    return all(part in have for part in _parts(condition))


# --- the audience estimate -------------------------------------------------------------


@dataclass(frozen=True)
class Estimate:
    """About how many users a row set targets. ``users``: the estimate; ``total``: users in the
    index; ``counted``: the rows' fields the index answers (stage, account); ``not_counted``:
    the others, which make ``users`` an upper bound."""

    users: int
    total: int
    counted: tuple[str, ...]
    not_counted: tuple[str, ...]
    stages: tuple[str, ...] = ()

    @property
    def exact(self) -> bool:
        return not self.not_counted and len(self.counted) <= 1


def users_now(total: int, reached: Mapping[str, int]) -> dict[str, int]:
    """Users in each stage today (``reached`` of a stage minus the next one's), as the funnel."""
    reach = [total if i == 0 else int(reached.get(stage, 0)) for i, stage in enumerate(STAGES)]
    return {s: max(0, reach[i] - (reach[i + 1] if i + 1 < len(STAGES) else 0)) for i, s in enumerate(STAGES)}


def estimate(rows: Sequence[Row], total: int, reached: Mapping[str, int], accounts: Mapping[str, int]) -> Estimate:
    """Size ``rows`` from the index: each stage or account row gives a count, every row must
    hold, so the smallest count bounds the audience; rows the index knows nothing of (roles,
    plans, locales, events, days, traits) leave it an upper bound."""
    per_stage = users_now(total, reached)
    bounds = [total]
    counted: list[str] = []
    not_counted: list[str] = []
    stages: tuple[str, ...] = ()
    for row in rows:
        if row.field == "stage":
            chosen = sum(per_stage.get(s, 0) for s in row.values)
            bounds.append(chosen if row.op == "in" else total - chosen)
            stages = row.values if row.op == "in" else tuple(s for s in STAGES if s not in row.values)
            counted.append("stage")
        elif row.field == "account":
            chosen = min(total, sum(accounts.get(a, 0) for a in row.values))
            bounds.append(chosen if row.op == "in" else total - chosen)
            counted.append("account")
        else:
            not_counted.append(row.field)
    return Estimate(
        max(0, min(bounds)),
        total,
        tuple(dict.fromkeys(counted)),
        tuple(dict.fromkeys(not_counted)),
        stages,
    )
