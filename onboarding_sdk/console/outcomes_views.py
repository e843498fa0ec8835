"""The console's Outcomes page (role viewer): per guide with a goal, shown -> goal reached with
its interval and median days; per experiment and arm, users, goal conversion against the
control and the next stage reached. Each table also as CSV (``?format=csv&table=<name>``).

What the figures mean and how they are counted: docs/console.md, "Outcomes".
"""

from __future__ import annotations

from flask import Response, abort, request

from .. import analytics, outcomes
from ..app_state import get_state
from ..experiment_runtime import experiments_of
from ..stats import MIN_CONVERSIONS, MIN_USERS
from .access import requires
from .analytics_views import _days_arg, _format_arg, _today, csv_response
from .base import bp, page

TABLES = ("goals", "tours", "experiments")


@bp.get("/outcomes", endpoint="outcomes")
@requires("viewer")
def outcomes_page() -> tuple[str, int] | Response:
    engine = get_state().engine
    days = _days_arg()
    fmt = _format_arg()
    span = analytics.day_range(_today(engine), days)
    summed = outcomes.totals(engine.counters(span), span)
    catalog = engine.catalog
    tables = {
        "goals": outcomes.goals_table(summed, [g.spec for g in catalog.guides.values()]),
        "tours": outcomes.tours_table(summed, [g.spec for g in catalog.guides.values()]),
        "experiments": outcomes.experiments_table(summed, experiments_of(catalog)),
    }
    if fmt == "csv":
        name = request.args.get("table", "goals")
        if name not in TABLES:
            abort(400, description=f"table must be one of {', '.join(TABLES)}")
        return csv_response(tables[name], days, f"onboarding-{name}-{days}d.csv")
    return page("outcomes.html", tables=tables, days=days, min_users=MIN_USERS, min_conversions=MIN_CONVERSIONS)
