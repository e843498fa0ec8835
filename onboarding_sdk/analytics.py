"""Console analytics as plain tables, computed from the store's per-day counters and the
population index.

Pure: no Flask, no store. The counters are ``{day: {"guide_id|action": n}}`` (days since
1970-01-01 UTC), as ``Engine.counters(days)`` returns them, where ``n`` is the number of users
who did that action on that guide that day (each user once: ``Storage.guide_write``, not the
number of requests); the engine also counts there, per
day, ``stage|<name>`` (stage entries; ``awareness``: users new to the index),
``stay|<name>|<days>`` (whole days spent in a stage when leaving it) and ``users|active``
(see ``storage/population.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .storage.population import (
    ACTIVE_USERS,
    STAGE_PREFIX,
    STAY_PREFIX,
    AccountActivity,
    Population,
    stage_field,
)

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
_EPOCH = date(1970, 1, 1)
_COLUMN_OF_ACTION = {action: i for i, (_, action) in enumerate(GUIDE_COLUMNS)}
#: Per-day counter keys that are not guide actions.
_NOT_GUIDES = (STAGE_PREFIX, STAY_PREFIX, ACTIVE_USERS)


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
    percent: tuple[str, ...] = ()  # columns holding shares (0..1), shown as percentages

    def column(self, name: str) -> list[Cell]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]


def _guide_counts(counters: Counters, days: Sequence[int]) -> Iterable[tuple[int, str, int, int]]:
    """Every guide-action counter of ``days`` as (day, guide id, column index, users), in one
    pass over what is stored: the tables below cost the counters present, not guides x days."""
    for day in days:
        for key, n in counters.get(day, {}).items():
            if key.startswith(_NOT_GUIDES):
                continue
            gid, _, action = key.rpartition("|")
            column = _COLUMN_OF_ACTION.get(action)
            if gid and column is not None:
                yield day, gid, column, int(n)


def guide_totals(counters: Counters, days: Sequence[int], guide_ids: Iterable[str]) -> Table:
    """Per guide: each action summed over ``days``. Guides with counts but no longer in the
    catalog are listed too, so a removed guide's history does not vanish."""
    totals = {gid: [0] * len(GUIDE_COLUMNS) for gid in guide_ids}
    for _day, gid, column, n in _guide_counts(counters, days):
        totals.setdefault(gid, [0] * len(GUIDE_COLUMNS))[column] += n
    rows: list[Row] = [(gid, *totals[gid]) for gid in sorted(totals)]
    return Table("guides", ("guide", *(col for col, _ in GUIDE_COLUMNS)), tuple(rows))


def guide_daily(counters: Counters, days: Sequence[int], guide_ids: Iterable[str]) -> Table:
    """Per day: each action summed over ``guide_ids``."""
    ids = set(guide_ids)
    sums = {day: [0] * len(GUIDE_COLUMNS) for day in days}
    for day, gid, column, n in _guide_counts(counters, days):
        if gid in ids:
            sums[day][column] += n
    rows: list[Row] = [(day_label(d), *sums[d]) for d in days]
    return Table("daily", ("day", *(col for col, _ in GUIDE_COLUMNS)), tuple(rows))


def changelog_reads(counters: Counters, days: Sequence[int], entry_ids: Iterable[str]) -> Table:
    """Per changelog entry: shown, read and read / shown (empty when never shown)."""
    wanted = set(entry_ids)
    counts = {gid: [0, 0] for gid in wanted}
    for day in days:
        for key, n in counters.get(day, {}).items():
            gid, _, action = key.rpartition("|")
            if gid in wanted and action in ("shown", "read"):
                counts[gid][action == "read"] += int(n)
    rows: list[Row] = []
    for gid in sorted(wanted):
        shown, read = counts[gid]
        rate = ratio(read, shown)
        rows.append((gid, shown, read, None if rate is None else round(rate, 4)))
    return Table("changelog", ("entry", "shown", "read", "read_rate"), tuple(rows), percent=("read_rate",))


def median(histogram: Mapping[int, int]) -> int | float | None:
    """The median of values given as ``{value: how many}``: the middle value, or the mean of
    the two middle ones (so a whole number or a half); None when there are none."""
    total = sum(n for n in histogram.values() if n > 0)
    if not total:
        return None
    wanted = (total - 1) // 2, total // 2  # 0-based positions of the middle value(s)
    found: list[int] = []
    seen = 0
    for value in sorted(v for v, n in histogram.items() if n > 0):
        seen += histogram[value]
        while len(found) < 2 and seen > wanted[len(found)]:
            found.append(value)
    middle = (found[0] + found[1]) / 2
    return int(middle) if middle.is_integer() else middle


def stays(counters: Counters, days: Sequence[int], stage: str) -> dict[int, int]:
    """Whole days spent in ``stage`` by the users who left it during ``days``: ``{days: users}``."""
    head = f"{STAY_PREFIX}{stage}|"
    histogram: dict[int, int] = {}
    for day in days:
        for key, n in counters.get(day, {}).items():
            if key.startswith(head) and key[len(head) :].isdigit():
                value = int(key[len(head) :])
                histogram[value] = histogram.get(value, 0) + int(n)
    return histogram


def stage_funnel(
    counters: Counters, days: Sequence[int], users: int, reached: Mapping[str, int], stages: Sequence[str]
) -> Table:
    """The stage funnel. Now (from the population index): users in each stage, users who ever
    reached it (the first stage: every user in the index) and that as a share of the previous
    stage's. Over ``days`` (per-day counters): entries into the stage, users who moved on from
    it and the median whole days they had spent in it."""
    reach = [users if i == 0 else int(reached.get(stage, 0)) for i, stage in enumerate(stages)]
    rows: list[Row] = []
    for i, stage in enumerate(stages):
        now = max(0, reach[i] - (reach[i + 1] if i + 1 < len(stages) else 0))
        rate = ratio(reach[i], reach[i - 1]) if i else None
        entered = sum(_get(counters, d, stage_field(stage)) for d in days)
        histogram = stays(counters, days, stage) if i + 1 < len(stages) else {}
        moved: int | None = sum(histogram.values()) if i + 1 < len(stages) else None
        rows.append((stage, now, reach[i], None if rate is None else round(rate, 4), entered, moved, median(histogram)))
    columns = ("stage", "users_now", "reached", "conversion_from_previous", "entered", "moved_on")
    return Table("funnel", (*columns, "median_days_to_move_on"), tuple(rows), percent=("conversion_from_previous",))


def activity(counters: Counters, days: Sequence[int]) -> Table:
    """Per day: distinct active users and users new to the index (their first active day)."""
    rows: list[Row] = [
        (day_label(d), _get(counters, d, ACTIVE_USERS), _get(counters, d, f"{STAGE_PREFIX}awareness")) for d in days
    ]
    return Table("activity", ("day", "active_users", "new_users"), tuple(rows))


def dormant_users(population: Population, today: int) -> Table:
    """The newest dormant users (the index lists at most its query's limit)."""
    rows: list[Row] = [
        (user, day_label(day), today - day, account) for user, day, account in population.newest_dormant_users
    ]
    return Table("dormant_users", ("user", "last_active", "days_inactive", "account"), tuple(rows))


def dormant_accounts(
    population: Population, per_day: Mapping[str, Mapping[int, tuple[int, int, int]]], days: Sequence[int], today: int
) -> Table:
    """The newest dormant accounts with their users and, over ``days``: distinct active users,
    user-days (the per-day active users summed), events and key events."""
    rows: list[Row] = []
    for row in population.newest_dormant_accounts:
        series = per_day.get(row.account_id, {})
        zero = (0, 0, 0)
        sums = [sum(column) for column in zip(*(series.get(d, zero) for d in days), strict=True)] or [0, 0, 0]
        rows.append((row.account_id, day_label(row.last_day), today - row.last_day, row.users, row.active_users, *sums))
    columns = ("account", "last_active", "days_inactive", "users", "active_users", "user_days", "events", "key_events")
    return Table("dormant_accounts", columns, tuple(rows))


@dataclass
class Scan:
    """Everything the analytics page reads from the per-day counters, gathered in one pass
    over the counters present (``scan``): per guide and per day the guide actions, the
    changelog reads, the stage entries and stays, the active and new users."""

    guides: dict[str, list[int]]
    per_day: dict[int, list[int]]
    per_day_guide: dict[int, list[int]]
    reads: dict[str, int]
    entered: dict[str, int]
    stays: dict[str, dict[int, int]]
    active: dict[int, int]
    new: dict[int, int]


def scan(counters: Counters, days: Sequence[int], summed: Iterable[str], guide: str = "") -> Scan:
    """One pass over ``days``' counters. Per-day sums: of the ``summed`` guides (the catalog's:
    a removed guide keeps its totals but leaves the days' sums) and of ``guide`` alone."""
    wanted = set(summed)
    width = len(GUIDE_COLUMNS)
    found = Scan({}, {d: [0] * width for d in days}, {d: [0] * width for d in days}, {}, {}, {}, {}, {})
    guides, reads, column_of = found.guides, found.reads, _COLUMN_OF_ACTION
    new_key = stage_field("awareness")
    for day in days:
        sums, own = found.per_day[day], found.per_day_guide[day]
        for key, n in counters.get(day, {}).items():
            gid, _, action = key.rpartition("|")
            column = column_of.get(action)
            if column is not None and gid and not key.startswith(_NOT_GUIDES):
                count = int(n)
                totals = guides.get(gid)
                if totals is None:
                    totals = guides[gid] = [0] * width
                totals[column] += count
                if gid in wanted:
                    sums[column] += count
                if gid == guide:
                    own[column] += count
            elif action == "read" and gid:
                reads[gid] = reads.get(gid, 0) + int(n)
            elif key == ACTIVE_USERS:
                found.active[day] = int(n)
            elif key.startswith(STAGE_PREFIX):
                stage = key[len(STAGE_PREFIX) :]
                found.entered[stage] = found.entered.get(stage, 0) + int(n)
                if key == new_key:
                    found.new[day] = int(n)
            elif key.startswith(STAY_PREFIX):
                stage, _, spent = key[len(STAY_PREFIX) :].rpartition("|")
                if spent.isdigit():
                    histogram = found.stays.setdefault(stage, {})
                    histogram[int(spent)] = histogram.get(int(spent), 0) + int(n)
    return found


def merge(closed: Scan, today: Scan) -> Scan:
    """``closed`` (a scan of earlier days, kept) and ``today`` (a scan of later days) as one
    scan of both; neither is changed."""

    def add(into: dict[str, int], more: Mapping[str, int]) -> dict[str, int]:
        result = dict(into)
        for key, n in more.items():
            result[key] = result.get(key, 0) + n
        return result

    guides = {gid: list(values) for gid, values in closed.guides.items()}
    for gid, values in today.guides.items():
        totals = guides.setdefault(gid, [0] * len(values))
        for i, n in enumerate(values):
            totals[i] += n
    stays = {stage: dict(histogram) for stage, histogram in closed.stays.items()}
    for stage, histogram in today.stays.items():
        into = stays.setdefault(stage, {})
        for spent, n in histogram.items():
            into[spent] = into.get(spent, 0) + n
    return Scan(
        guides,
        {**closed.per_day, **today.per_day},
        {**closed.per_day_guide, **today.per_day_guide},
        add(closed.reads, today.reads),
        add(closed.entered, today.entered),
        stays,
        {**closed.active, **today.active},
        {**closed.new, **today.new},
    )


def tables_of(
    found: Scan,
    days: Sequence[int],
    guide_ids: Iterable[str],
    guide: str,
    changelog_ids: Iterable[str],
    users: int,
    reached: Mapping[str, int],
    stages: Sequence[str],
) -> dict[str, Table]:
    """The page's tables from one ``scan``: the same rows as ``stage_funnel``, ``activity``,
    ``guide_totals``, ``guide_daily`` and ``changelog_reads`` (tests/test_analytics_page.py
    holds them equal)."""
    width = len(GUIDE_COLUMNS)
    reach = [users if i == 0 else int(reached.get(stage, 0)) for i, stage in enumerate(stages)]
    funnel: list[Row] = []
    for i, stage in enumerate(stages):
        now = max(0, reach[i] - (reach[i + 1] if i + 1 < len(stages) else 0))
        rate = ratio(reach[i], reach[i - 1]) if i else None
        histogram = found.stays.get(stage, {}) if i + 1 < len(stages) else {}
        moved: int | None = sum(histogram.values()) if i + 1 < len(stages) else None
        entered = found.entered.get(stage, 0)
        funnel.append(
            (stage, now, reach[i], None if rate is None else round(rate, 4), entered, moved, median(histogram))
        )
    columns = ("stage", "users_now", "reached", "conversion_from_previous", "entered", "moved_on")
    totals = {gid: found.guides.get(gid) or [0] * width for gid in guide_ids}
    totals.update(found.guides)
    daily = found.per_day_guide if guide else found.per_day
    changelog: list[Row] = []
    for gid in sorted(set(changelog_ids)):
        shown, read = (found.guides.get(gid) or [0])[0], found.reads.get(gid, 0)
        rate = ratio(read, shown)
        changelog.append((gid, shown, read, None if rate is None else round(rate, 4)))
    names = tuple(col for col, _ in GUIDE_COLUMNS)
    return {
        "funnel": Table(
            "funnel", (*columns, "median_days_to_move_on"), tuple(funnel), percent=("conversion_from_previous",)
        ),
        "activity": Table(
            "activity",
            ("day", "active_users", "new_users"),
            tuple((day_label(d), found.active.get(d, 0), found.new.get(d, 0)) for d in days),
        ),
        "guides": Table("guides", ("guide", *names), tuple((gid, *totals[gid]) for gid in sorted(totals))),
        "daily": Table("daily", ("day", *names), tuple((day_label(d), *daily[d]) for d in days)),
        "changelog": Table(
            "changelog", ("entry", "shown", "read", "read_rate"), tuple(changelog), percent=("read_rate",)
        ),
    }


def account_daily(found: AccountActivity, days: Sequence[int]) -> Table:
    """One account per day: distinct active users, events and key events."""
    rows: list[Row] = [(day_label(d), *found.days.get(d, (0, 0, 0))) for d in days]
    return Table("account_daily", ("day", "active_users", "events", "key_events"), tuple(rows))


def account_users(found: AccountActivity, today: int, cutoff: int) -> Table:
    """One account's users, most recently active first (at most the query's limit)."""
    rows: list[Row] = [
        (user, day_label(day), today - day, "yes" if day <= cutoff else "no") for user, day in found.newest_users
    ]
    return Table("account_users", ("user", "last_active", "days_inactive", "dormant"), tuple(rows))
