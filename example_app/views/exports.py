"""Exports: download daily traffic as CSV."""

from __future__ import annotations

import csv
import io

from flask import Blueprint, render_template, request
from werkzeug.wrappers import Response

from .. import db, traffic
from ..extensions import now, onboarding
from ..i18n import current_locale, translate
from ..security import current_org, current_user, login_required

bp = Blueprint("exports", __name__, url_prefix="/app/exports")
RANGES = (7, 30, 90)


def _render(status: int = 200, error: str | None = None) -> tuple[str, int]:
    history = db.query(
        "select exports.*, users.name as who from exports left join users on users.id = exports.created_by "
        "where exports.org_id = ? order by exports.id desc limit 10",
        current_org().id,
    )
    return render_template("exports.html", history=history, ranges=RANGES, error=error), status


@bp.get("/")
@login_required
def index() -> tuple[str, int]:
    return _render()


@bp.post("/")
@login_required
def download() -> Response | tuple[str, int]:
    org = current_org()
    days = request.form.get("days", "")
    if not days.isdigit() or int(days) not in RANGES:
        return _render(422, translate(current_locale(), "err_field"))
    if not org.installed:
        return _render(409, translate(current_locale(), "export_no_data"))
    rows = traffic.export_rows(org, now().date(), int(days))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "pageviews", "visitors", "bounce_rate", "avg_visit_seconds"])
    for r in rows:
        writer.writerow([r.day.isoformat(), r.pv, r.uv, r.bounce, r.seconds])
    db.execute(
        "insert into exports (org_id, days, rows, created_by, created_at) values (?, ?, ?, ?, ?)",
        org.id, int(days), len(rows), current_user().id, now().isoformat(),
    )  # fmt: skip
    onboarding.track("export_done")  # the file was built: the export really succeeded
    name = f"{org.slug}-last-{days}-days.csv"
    return Response(
        out.getvalue(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
