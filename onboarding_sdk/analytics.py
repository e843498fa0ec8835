"""Console analytics as plain tables, computed from the store's per-day counters.

Pure: no Flask, no store. The counters are ``{day: {"guide_id|action": n}}`` (days since
1970-01-01 UTC), as ``Engine.counters(days)`` returns them; stage entries are counted under
``stage|<name>`` by the console (see ``console/analytics_views.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

Counters = Mapping[int, Mapping[str, int]]
Cell = str | int | float | None
Row = tuple[Cell, ...]

#: Table column -> the action recorded by ``Engine.guide_action``.
GUIDE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("shown", "shown"),
    ("dismissed", "dismiss"),
    ("completed", "complete"),
    ("helpful_yes", "helpful"),
    ("helpful_no", "not_helpful"),
)
STAGE_PREFIX = "stage|"
_EPOCH = date(1970, 1, 1)


def day_range(today: int, days: int) -> list[int]:
    """The ``days`` epoch days ending with ``today``, oldest first."""
    return list(range(today - days + 1, today + 1))


def day_label(day: int) -> str:
    return (_EPOCH + timedelta(days=day)).isoformat()


def _get(counters: Counters, day: int, key: str) -> int:
    return int(counters.get(day, {}).get(key, 0))


def ratio(part: int, whole: int) -> float | None:
    """``part / whole``, or None when there is nothing to divide by."""
    return part / whole if whole else None


@dataclass(frozen=True)
class Table:
    """Rows of cells under named columns: what the page shows and the CSV holds."""

    name: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]

    def column(self, name: str) -> list[Cell]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


def guide_totals(counters: Counters, days: Sequence[int], guide_ids: Iterable[str]) -> Table:
    """Per guide: each action summed over ``days``. Guides with counts but no longer in the
    catalog are listed too, so a removed guide's history does not vanish."""
    ids = set(guide_ids)
    for day in days:
        for key in counters.get(day, {}):
            gid, _, action = key.rpartition("|")
            if gid and not key.startswith(STAGE_PREFIX) and action in dict(GUIDE_COLUMNS).values():
                ids.add(gid)
    rows: list[Row] = [
        (gid, *[sum(_get(counters, d, f"{gid}|{action}") for d in days) for _, action in GUIDE_COLUMNS])
        for gid in sorted(ids)
    ]
    return Table("guides", ("guide", *(col for col, _ in GUIDE_COLUMNS)), tuple(rows))


def guide_daily(counters: Counters, days: Sequence[int], guide_ids: Iterable[str]) -> Table:
    """Per day: each action summed over ``guide_ids``."""
    ids = list(guide_ids)
    rows: list[Row] = [
        (day_label(d), *[sum(_get(counters, d, f"{g}|{action}") for g in ids) for _, action in GUIDE_COLUMNS])
        for d in days
    ]
    return Table("daily", ("day", *(col for col, _ in GUIDE_COLUMNS)), tuple(rows))


def changelog_reads(counters: Counters, days: Sequence[int], entry_ids: Iterable[str]) -> Table:
    """Per changelog entry: shown, read and read / shown (empty when never shown)."""
    rows: list[Row] = []
    for gid in sorted(set(entry_ids)):
        shown = sum(_get(counters, d, f"{gid}|shown") for d in days)
        read = sum(_get(counters, d, f"{gid}|read") for d in days)
        rate = ratio(read, shown)
        rows.append((gid, shown, read, None if rate is None else round(rate, 4)))
    return Table("changelog", ("entry", "shown", "read", "read_rate"), tuple(rows))


def stage_funnel(counters: Counters, days: Sequence[int], stages: Sequence[str]) -> Table:
    """Per stage: users who entered it during ``days`` and the share of the previous stage's
    entries that number is (entries in the same range, not a cohort followed over time)."""
    rows: list[Row] = []
    previous: int | None = None
    for stage in stages:
        entered = sum(_get(counters, d, f"{STAGE_PREFIX}{stage}") for d in days)
        rate = ratio(entered, previous) if previous is not None else None
        rows.append((stage, entered, None if rate is None else round(rate, 4)))
        previous = entered
    return Table("funnel", ("stage", "entered", "conversion_from_previous"), tuple(rows))
