"""The console's Outcomes page (role viewer): per guide with a goal, shown -> goal reached with
its interval and median days; per experiment and arm, users, goal conversion against the
control and the next stage reached. Each table also as CSV (``?format=csv&table=<name>``).

What the figures mean and how they are counted: docs/console.md, "Outcomes".
"""

from __future__ import annotations

from dataclasses import replace

from flask import Response, abort, redirect, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from .. import analytics, outcomes
from ..app_state import get_state
from ..content import dump_content
from ..errors import StaleRevision
from ..experiment_runtime import experiments_of
from ..stats import MIN_CONVERSIONS, MIN_USERS
from ..timeutil import epoch_day, to_epoch
from . import audit
from .access import requires
from .analytics_views import csv_response, days_arg, format_arg
from .base import actor, bp, fresh_engine, page, t

TABLES = ("goals", "tours", "experiments")


@bp.get("/outcomes", endpoint="outcomes")
@requires("viewer")
def outcomes_page() -> tuple[str, int] | Response:
    engine = get_state().engine
    days = days_arg()
    fmt = format_arg()
    span = analytics.day_range(epoch_day(to_epoch(engine.now())), days)
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
    return page(
        "outcomes.html",
        tables=tables,
        days=days,
        min_users=MIN_USERS,
        min_conversions=MIN_CONVERSIONS,
        experiments=experiments_of(catalog),
        base=engine.content.revision,
    )


@bp.post("/outcomes/<experiment_id>", endpoint="experiment")
@requires("publisher")
def experiment_action(experiment_id: str) -> tuple[str, int] | BaseResponse:
    """Start or stop an experiment (stopping may name the winner): a new content revision with
    the experiment's ``status`` and ``winner`` changed, audited like every publication."""
    engine = fresh_engine()
    found = next((e for e in experiments_of(engine.catalog) if e.id == experiment_id), None)
    if found is None:
        abort(404)
    action, winner, base = (request.form.get(k, "") for k in ("action", "winner", "base_revision"))
    if action not in ("start", "stop") or not base.isdigit():
        abort(400)
    if action == "stop" and winner and found.arm(winner) is None:
        abort(400, description=f"{winner!r} is not an arm of experiment {experiment_id}")
    changed = replace(
        found, status="running" if action == "start" else "stopped", winner=winner or None if action == "stop" else None
    )
    specs = [
        replace(g.spec, experiment=changed) if g.spec.experiment is found else g.spec
        for g in engine.catalog.guides.values()
    ]
    note = f"{action} experiment {experiment_id}" + (f" (winner {winner})" if action == "stop" and winner else "")
    try:
        revision = engine.content.publish(dump_content(specs), int(base), actor(), note)
    except StaleRevision as exc:
        message = t("{error}. Look at the guide again.", error=exc)
        return page("message.html", 409, title=t("Not published"), message=message)
    audit.record(engine, actor(), f"experiment_{action}", revision=revision, experiment=experiment_id, winner=winner)
    return redirect(url_for(".outcomes"))
