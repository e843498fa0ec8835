"""Traffic reports: a year filter (digits only), saved reports, delete, and data import."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.wrappers import Response

from .. import db, traffic
from ..extensions import now, onboarding
from ..i18n import current_locale, translate
from ..security import current_org, current_user, login_required
from ..settings import METRICS

bp = Blueprint("reports", __name__, url_prefix="/app/reports")
IMPORT_COLUMNS = ("date", "pageviews", "visitors")


class ReportFilter(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class SavedReport(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    metric = fields.String(required=True, validate=validate.OneOf(METRICS))
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


def _render(status: int = 200, **extra: Any) -> tuple[str, int]:
    org = current_org()
    today = now().date()
    context: dict[str, Any] = {"year": today.year, "year_text": str(today.year), "filter_errors": {}}
    context.update(extra)
    context["months"] = traffic.monthly(org, context["year"], today) if org.installed else []
    context["saved"] = db.query("select * from reports where org_id = ? order by id desc", org.id)
    return render_template("reports.html", **context), status


@bp.get("/")
@login_required
def index() -> tuple[str, int]:
    raw = request.args.get("year")
    if raw is None:
        result = _render()
    else:
        try:
            year = ReportFilter().load({"year": raw})["year"]
        except ValidationError as err:
            # the product team's words for this mistake, also shown by the widget at the field
            hints = onboarding.hints_for(err.messages, form="report-filter")
            return _render(200, year_text=raw, filter_errors=hints or {"year": translate(current_locale(), "err_year")})
        result = _render(year=year, year_text=str(year))
    if current_org().installed:
        onboarding.track("report_viewed")  # the report was really shown with data
    return result


@bp.post("/")
@login_required
def create() -> Response | tuple[str, int]:
    try:
        data = SavedReport().load({k: request.form.get(k, "") for k in ("name", "metric", "year")})
    except ValidationError as err:
        hints = onboarding.hints_for(err.messages, form="report-save")
        messages = {k: hints.get(k) or translate(current_locale(), "err_field") for k in err.messages}
        return _render(422, save_errors=messages, save_form=request.form)
    db.execute(
        "insert into reports (org_id, name, metric, year, created_by, created_at) values (?, ?, ?, ?, ?, ?)",
        current_org().id, data["name"], data["metric"], data["year"], current_user().id, now().isoformat(),
    )  # fmt: skip
    onboarding.track("report_created")
    flash(translate(current_locale(), "report_saved", name=data["name"]), "success")
    return redirect(url_for("reports.index"))


@bp.post("/<int:report_id>/delete")
@login_required
def delete(report_id: int) -> Response:
    row = db.one("select * from reports where id = ? and org_id = ?", report_id, current_org().id)
    if row is None:
        abort(404)
    db.execute("delete from reports where id = ?", report_id)
    flash(translate(current_locale(), "report_deleted", name=row["name"]), "success")
    return redirect(url_for("reports.index"))


def parse_import(upload: Any) -> int:
    """Rows in an uploaded CSV export; raises ValueError with a message key when it is unusable."""
    if upload is None or not upload.filename:
        raise ValueError("import_no_file")
    try:
        text = upload.read(2_000_000).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("import_not_csv") from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or any(c not in reader.fieldnames for c in IMPORT_COLUMNS):
        raise ValueError("import_missing_columns")
    rows = list(reader)
    if not rows:
        raise ValueError("import_empty")
    return len(rows)


@bp.post("/import")
@login_required
def import_data() -> tuple[str, int] | Response:
    try:
        rows = parse_import(request.files.get("file"))
    except ValueError as exc:
        message = translate(current_locale(), str(exc), columns=", ".join(IMPORT_COLUMNS))
        return _render(422, import_error=message)
    flash(translate(current_locale(), "import_ok", n=rows), "success")
    return redirect(url_for("reports.index"))
