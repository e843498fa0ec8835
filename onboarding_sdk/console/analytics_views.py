"""The console's analytics page (role viewer): tables and SVG charts from the per-day counters
and the population index, each table also as CSV (``?format=csv&table=<name>``).

``?account=<id>`` shows one account instead: its active users, events and key events per day
and its users. What each figure means and how it is counted: docs/console.md, "Analytics".
"""

from __future__ import annotations

import csv
import io
import threading
import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask import Flask, Response, abort, current_app, g, render_template, request

from .. import analytics, signals
from ..app_state import get_state
from ..engine import Engine
from ..state import STAGES
from ..storage.population import Population
from ..timeutil import epoch_day, to_epoch
from . import csrf, svg
from .access import ROLES, requires, role_allows
from .base import bp, common, t

DEFAULT_DAYS, MAX_DAYS = 30, 366
#: Dormant users and accounts listed on the page (the counts are always complete).
LIST_LIMIT = 100
TABLES = ("funnel", "activity", "dormant_accounts", "dormant_users", "guides", "daily", "changelog")
ACCOUNT_TABLES = ("account_daily", "account_users")
MAX_ACCOUNT_ID = 256


def days_arg() -> int:
    """``?days=`` (1 to MAX_DAYS, default DEFAULT_DAYS); a bad value is a 400."""
    raw = request.args.get("days", "")
    if not raw:
        return DEFAULT_DAYS
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        abort(400, description=f"days must be a whole number from 1 to {MAX_DAYS}")
    return int(raw)


def format_arg() -> str:
    """``?format=`` (``html`` or ``csv``); a bad value is a 400."""
    value = request.args.get("format", "html") or "html"
    if value not in ("html", "csv"):
        abort(400, description="format must be html or csv")
    return value


def _account_arg() -> str:
    value = request.args.get("account", "")
    if len(value) > MAX_ACCOUNT_ID or any(not char.isprintable() for char in value):
        abort(400, description=f"account must be a printable id of at most {MAX_ACCOUNT_ID} characters")
    return value


def today_of(engine: Engine) -> int:
    """The engine's UTC day number now."""
    return epoch_day(to_epoch(engine.now()))


def build_tables(engine: Engine, days: int, guide: str) -> tuple[dict[str, analytics.Table], Population]:
    """Every table of the page: three storage round trips (the per-day counters, the
    population index, and the listed dormant accounts' per-day counters)."""
    today = today_of(engine)
    span = analytics.day_range(today, days)
    population = engine.call_store(lambda: engine.storage.population(engine.dormancy.cutoff(), span[0], LIST_LIMIT))
    listed = [row.account_id for row in population.newest_dormant_accounts]
    per_day = engine.call_store(lambda: engine.storage.account_days(listed, span)) if listed else {}
    specs = [item.spec for item in engine.catalog.guides.values()]
    ids = [s.id for s in specs]
    changelog = [s.id for s in specs if s.kind == "changelog"]
    # one pass over the counters present for every counter table (analytics.scan)
    found = _scan(engine, span, ids, guide)
    tables = analytics.tables_of(found, span, ids, guide, changelog, population.users, population.reached, STAGES)
    tables["dormant_accounts"] = analytics.dormant_accounts(population, per_day, span, today)
    tables["dormant_users"] = analytics.dormant_users(population, today)
    return tables, population


#: Seconds a process keeps its scan of the window's days before today (0: never): a page view
#: then reads and scans today's counters only. Those days' counters hardly change (a request
#: in flight at midnight), so their figures are at most this old.
CLOSED_DAYS_SECONDS = 300
#: Scans kept per app (windows and guide filters asked for recently).
CLOSED_SCANS = 16
_scans_lock = threading.Lock()


def _scan(engine: Engine, span: list[int], ids: list[str], guide: str) -> analytics.Scan:
    """``analytics.scan`` of the window: the days before today from the app's cache when fresh
    (keyed by window, guide filter and catalog), today's counters read and scanned each time."""
    closed_days, today = span[:-1], span[-1:]
    cache = get_state().analytics_cache
    key = (span[0], today[0], guide, id(engine.catalog))
    now = time.monotonic()
    with _scans_lock:
        hit = cache.get(key)
    if hit is not None and now - hit[0] < CLOSED_DAYS_SECONDS:
        closed: analytics.Scan = hit[1]
    else:
        closed = analytics.scan(engine.counters(closed_days), closed_days, ids, guide)
        if CLOSED_DAYS_SECONDS > 0:
            with _scans_lock:
                for old in [k for k, (at, _) in cache.items() if now - at >= CLOSED_DAYS_SECONDS]:
                    del cache[old]
                while len(cache) >= CLOSED_SCANS:
                    del cache[min(cache, key=lambda k: cache[k][0])]
                cache[key] = (now, closed)
    return analytics.merge(closed, analytics.scan(engine.counters(today), today, ids, guide))


def _forget_scans(sender: Any, **data: Any) -> None:
    """A backfill (an event or stage move stored for an earlier day) makes this process's
    scans of earlier days stale: drop them. Other processes see it within CLOSED_DAYS_SECONDS
    (and activity-only backfills, which send no signal, too)."""
    at = data.get("at")
    if not isinstance(at, datetime) or not isinstance(sender, Flask):
        return
    state = sender.extensions.get("onboarding")
    cache = getattr(state, "analytics_cache", None)
    if cache and epoch_day(to_epoch(at)) < epoch_day(to_epoch(state.engine.now())):  # type: ignore[union-attr]
        with _scans_lock:
            cache.clear()


signals.event_tracked.connect(_forget_scans)
signals.stage_changed.connect(_forget_scans)


#: Rows of a table on one page of the analytics page (the CSV holds every row).
PAGE_ROWS = 50
#: Guides drawn in the "times shown" chart: the most shown.
CHART_GUIDES = 20
#: Up to this many guides, the per-day filter is a list to choose from; above, a text field.
GUIDE_CHOICES = 200


@dataclass(frozen=True)
class Paged:
    """One page of a table's rows and where it is among them."""

    table: analytics.Table
    page: int
    pages: int
    total: int


def paged(table: analytics.Table, newest_first: bool = False) -> Paged:
    """The rows ``?page_<table>=N`` asks for (1-based; past the end: the last page)."""
    rows = table.rows[::-1] if newest_first else table.rows
    pages = max(1, -(-len(rows) // PAGE_ROWS))
    raw = request.args.get(f"page_{table.name}", "1")
    if not raw.isdigit() or int(raw) < 1:
        abort(400, description=f"page_{table.name} must be a whole number from 1")
    page = min(int(raw), pages)
    chosen = rows[(page - 1) * PAGE_ROWS : page * PAGE_ROWS]
    return Paged(replace(table, rows=chosen), page, pages, len(rows))


def most_shown(table: analytics.Table) -> analytics.Table:
    """The guides table, the most shown first (then by id)."""
    return replace(table, rows=tuple(sorted(table.rows, key=lambda row: (-int(row[1] or 0), str(row[0])))))


def _cell(value: analytics.Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # no formulas when the file is opened in a spreadsheet
    return value


def csv_response(table: analytics.Table, days: int, name: str | None = None) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows([_cell(v) for v in row] for row in table.rows)
    response = Response(out.getvalue(), mimetype="text/csv")
    filename = name or f"onboarding-{table.name}-{days}d.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


FUNNEL_DESC = (  # the catalog's key (tests/test_console_i18n.py reads t(...) literals and this)
    "One bar per stage: its length is the users who ever reached the stage, the dark part the users in it now; the same figures are in the stage funnel table."  # noqa: E501
)


def charts(tables: dict[str, analytics.Table], days: int) -> dict[str, Any]:
    daily, guides, funnel, activity = tables["daily"], tables["guides"], tables["funnel"], tables["activity"]
    labels = [str(v) for v in daily.column("day")]
    series = {t(name): [int(v or 0) for v in daily.column(name)] for name in ("shown", "dismissed", "completed")}
    return {
        "funnel": svg.funnel_chart(
            t("Stage funnel: users who reached each stage, and users in it now"),
            t(FUNNEL_DESC),
            [
                (str(r[0]), int(r[2] or 0), int(r[1] or 0), r[3] if isinstance(r[3], float) else None)
                for r in funnel.rows
            ],
            say=t,
        ),
        "activity": svg.line_chart(
            t("Active and new users per day"),
            t("One line each over the last {days} days; the same figures are in the activity table.", days=days),
            [str(v) for v in activity.column("day")],
            {
                t(name.replace("_", " ")): [int(v or 0) for v in activity.column(name)]
                for name in ("active_users", "new_users")
            },
        ),
        "daily": svg.line_chart(
            t("Guides shown, dismissed and completed per day"),
            t("One line per action over the last {days} days; the same figures are in the per-day table.", days=days),
            labels,
            series,
        ),
        "guides": svg.bar_chart(
            t("Times each guide was shown"),
            t("One bar per guide, total over the last {days} days; see the guide performance table.", days=days),
            [(str(r[0]), int(r[1] or 0)) for r in guides.rows],
        ),
    }


def _context(**values: Any) -> dict[str, Any]:
    values.update(role=g.get("onboarding_console_role"), csrf_token=csrf.token(), roles=ROLES, role_allows=role_allows)
    values.update(common(values["role"]))
    return values


def account_page(engine: Engine, account: str, days: int, fmt: str) -> tuple[str, int] | Response:
    today = today_of(engine)
    span = analytics.day_range(today, days)
    found = engine.call_store(lambda: engine.storage.account_activity(account, span, span[0], LIST_LIMIT))
    if found is None:
        abort(404, description=f"no activity recorded for account {account!r}")
    cutoff = engine.dormancy.cutoff()
    tables = {
        "account_daily": analytics.account_daily(found, span),
        "account_users": analytics.account_users(found, today, cutoff),
    }
    if fmt == "csv":
        name = request.args.get("table", "account_daily")
        if name not in ACCOUNT_TABLES:
            abort(400, description=f"table must be one of {', '.join(ACCOUNT_TABLES)} for an account")
        return csv_response(tables[name], days, f"onboarding-{name}-{days}d.csv")
    daily = tables["account_daily"]
    chart = svg.line_chart(
        t("Account {account}: active users, events and key events per day", account=account),
        t("One line each over the last {days} days; the same figures are in the per-day table.", days=days),
        [str(v) for v in daily.column("day")],
        {
            t(name.replace("_", " ")): [int(v or 0) for v in daily.column(name)]
            for name in ("active_users", "events", "key_events")
        },
    )
    page = render_template(
        "onboarding/console/analytics_account.html",
        **_context(
            account=account,
            row=found.row,
            last_active=analytics.day_label(found.row.last_day),
            dormant=found.row.last_day <= cutoff,
            dormant_after=engine.settings.dormant_after_days,
            tables=tables,
            chart=chart,
            days=days,
            limit=LIST_LIMIT,
        ),
    )
    return page, 200


@bp.get("/analytics", endpoint="analytics")
@requires("viewer")
def analytics_page() -> tuple[str, int] | Response:
    engine = get_state().engine
    days = days_arg()
    fmt = format_arg()
    account = _account_arg()
    if account:
        return account_page(engine, account, days, fmt)
    guide = request.args.get("guide", "")
    if guide and engine.catalog.get(guide) is None:
        abort(404)
    name = request.args.get("table", "guides")
    if fmt == "csv" and name not in TABLES:
        abort(400, description=f"table must be one of {', '.join(TABLES)}")
    tables, population = build_tables(engine, days, guide)
    if fmt == "csv":
        return csv_response(tables[name], days)
    by_shown = most_shown(tables["guides"])
    # Pictures first, tables folded under them, long tables in pages (docs/console.md, "Analytics")
    drawn = dict(tables, guides=replace(by_shown, rows=by_shown.rows[:CHART_GUIDES]))
    shown_tables = dict(tables, guides=by_shown)
    pages = {name: paged(shown_tables[name], newest_first=name in ("daily", "activity")) for name in TABLES}
    outcomes = "onboarding_console.outcomes" in current_app.view_functions
    page = render_template(
        "onboarding/console/analytics.html",
        **_context(
            tables=tables,
            pages=pages,
            chart_guides=CHART_GUIDES,
            outcomes=outcomes,
            guide_choices=len(engine.catalog.guides) <= GUIDE_CHOICES,
            charts=charts(drawn, days),
            population=population,
            dormant_after=engine.settings.dormant_after_days,
            limit=LIST_LIMIT,
            days=days,
            guide=guide,
            guide_ids=sorted(engine.catalog.guides),
        ),
    )
    return page, 200
