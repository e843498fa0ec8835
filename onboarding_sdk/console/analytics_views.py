"""The console's analytics page (role viewer): tables and SVG charts from the per-day
counters, each table also as CSV (``?format=csv&table=<name>``).

Stage entries have no index in the store, so registering this page also counts them:
``stage_changed`` adds ``stage|<name>`` to the day of the change (once per app).
"""

from __future__ import annotations

import csv
import io
import logging
from datetime import datetime
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, g, render_template, request
from flask.blueprints import BlueprintSetupState

from .. import analytics
from ..engine import Engine
from ..errors import StorageError
from ..signals import stage_changed
from ..state import STAGES
from ..timeutil import epoch_day, to_epoch
from . import csrf, svg
from .access import ROLES, requires, role_allows

logger = logging.getLogger("onboarding_sdk")
DEFAULT_DAYS, MAX_DAYS = 30, 366
TABLES = ("guides", "daily", "changelog", "funnel")


def record_stage_entry(sender: Flask, *, new: str, at: datetime, **_: Any) -> None:
    """``stage_changed`` receiver: count one entry into ``new`` on the day it happened."""
    engine: Engine | None = sender.extensions.get("onboarding")
    if engine is None:
        return
    try:
        engine.call_store(lambda: engine.storage.count(epoch_day(to_epoch(at)), {f"{analytics.STAGE_PREFIX}{new}": 1}))
    except StorageError as exc:  # the stage itself is recorded; only the funnel misses one
        logger.warning("stage entry for the analytics funnel not counted: %s", exc)


def _connect(state: BlueprintSetupState) -> None:
    stage_changed.connect(record_stage_entry, sender=state.app)  # same receiver twice: no-op


def _days_arg() -> int:
    raw = request.args.get("days", "")
    if not raw:
        return DEFAULT_DAYS
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_DAYS:
        abort(400, description=f"days must be a whole number from 1 to {MAX_DAYS}")
    return int(raw)


def build_tables(engine: Engine, days: int, guide: str) -> dict[str, analytics.Table]:
    today = epoch_day(to_epoch(engine.now()))
    span = analytics.day_range(today, days)
    counters = engine.counters(span)
    specs = [item.spec for item in engine.catalog.guides.values()]
    ids = [s.id for s in specs]
    return {
        "guides": analytics.guide_totals(counters, span, ids),
        "daily": analytics.guide_daily(counters, span, [guide] if guide else ids),
        "changelog": analytics.changelog_reads(counters, span, [s.id for s in specs if s.kind == "changelog"]),
        "funnel": analytics.stage_funnel(counters, span, STAGES[1:]),  # awareness is where users start
    }


def _cell(value: analytics.Cell) -> str | int | float:
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value  # no formulas when the file is opened in a spreadsheet
    return value


def csv_response(table: analytics.Table, days: int) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows([_cell(v) for v in row] for row in table.rows)
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="onboarding-{table.name}-{days}d.csv"'
    return response


def charts(tables: dict[str, analytics.Table], days: int) -> dict[str, Any]:
    daily, guides = tables["daily"], tables["guides"]
    labels = [str(v) for v in daily.column("day")]
    series = {name: [int(v or 0) for v in daily.column(name)] for name in ("shown", "dismissed", "completed")}
    return {
        "daily": svg.line_chart(
            "Guides shown, dismissed and completed per day",
            f"One line per action over the last {days} days; the same figures are in the per-day table.",
            labels,
            series,
        ),
        "guides": svg.bar_chart(
            "Times each guide was shown",
            f"One bar per guide, total over the last {days} days; see the guide performance table.",
            [(str(r[0]), int(r[1] or 0)) for r in guides.rows],
        ),
    }


def register_analytics(bp: Blueprint) -> None:
    """Add ``/analytics`` to the console blueprint and count stage entries for its funnel."""
    bp.record_once(_connect)

    @bp.get("/analytics", endpoint="analytics")
    @requires("viewer")
    def analytics_page() -> tuple[str, int] | Response:
        engine: Engine = current_app.extensions["onboarding"]
        days = _days_arg()
        guide = request.args.get("guide", "")
        if guide and engine.catalog.get(guide) is None:
            abort(404)
        tables = build_tables(engine, days, guide)
        if request.args.get("format") == "csv":
            name = request.args.get("table", "guides")
            if name not in TABLES:
                abort(400, description=f"table must be one of {', '.join(TABLES)}")
            return csv_response(tables[name], days)
        page = render_template(
            "onboarding/console/analytics.html",
            tables=tables,
            charts=charts(tables, days),
            days=days,
            guide=guide,
            guide_ids=sorted(engine.catalog.guides),
            role=g.get("onboarding_console_role"),
            csrf_token=csrf.token(),
            roles=ROLES,
            role_allows=role_allows,
        )
        return page, 200
