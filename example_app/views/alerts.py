"""Alerts: be told when a metric crosses a threshold."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from .. import db
from ..extensions import now, onboarding
from ..i18n import current_locale, translate
from ..security import current_org, current_user, login_required
from ..settings import METRICS

bp = Blueprint("alerts", __name__, url_prefix="/app/alerts")


def _render(
    status: int = 200, errors: dict[str, str] | None = None, form: dict[str, str] | None = None
) -> tuple[str, int]:
    alerts = db.query("select * from alerts where org_id = ? order by id desc", current_org().id)
    return render_template("alerts.html", alerts=alerts, errors=errors or {}, form=form or {}), status


@bp.get("/")
@login_required
def index() -> tuple[str, int]:
    return _render()


@bp.post("/")
@login_required
def create() -> Response | tuple[str, int]:
    form = {k: request.form.get(k, "").strip() for k in ("metric", "direction", "threshold")}
    errors: dict[str, str] = {}
    if form["metric"] not in METRICS:
        errors["metric"] = translate(current_locale(), "err_field")
    if form["direction"] not in ("above", "below"):
        errors["direction"] = translate(current_locale(), "err_field")
    if not form["threshold"].isdigit() or not 0 < int(form["threshold"]) <= 10_000_000:
        errors["threshold"] = translate(current_locale(), "err_threshold")
    if errors:
        return _render(422, errors, form)
    db.execute(
        "insert into alerts (org_id, metric, direction, threshold, created_by, created_at) values (?, ?, ?, ?, ?, ?)",
        current_org().id, form["metric"], form["direction"], int(form["threshold"]), current_user().id,
        now().isoformat(),
    )  # fmt: skip
    onboarding.track("alert_set")
    flash(translate(current_locale(), "alert_saved"), "success")
    return redirect(url_for("alerts.index"))


@bp.post("/<int:alert_id>/delete")
@login_required
def delete(alert_id: int) -> Response:
    if db.one("select id from alerts where id = ? and org_id = ?", alert_id, current_org().id) is None:
        abort(404)
    db.execute("delete from alerts where id = ?", alert_id)
    flash(translate(current_locale(), "alert_deleted"), "success")
    return redirect(url_for("alerts.index"))
