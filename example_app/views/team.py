"""Team settings: members and roles (decision maker, manager, employee)."""

from __future__ import annotations

import re
import secrets

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from .. import db
from ..extensions import onboarding
from ..i18n import current_locale, translate
from ..models import create_user, members, user_by_email
from ..security import current_org, current_user, login_required, roles_required
from ..settings import MANAGERS, ROLES

bp = Blueprint("team", __name__, url_prefix="/app/team")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _render(
    status: int = 200, errors: dict[str, str] | None = None, form: dict[str, str] | None = None
) -> tuple[str, int]:
    return render_template(
        "team.html", members=members(current_org().id), roles=ROLES, errors=errors or {}, form=form or {},
        can_invite=current_user().role in MANAGERS, can_change_roles=current_user().role == "decision_maker",
    ), status  # fmt: skip


@bp.get("/")
@login_required
def index() -> tuple[str, int]:
    return _render()


@bp.post("/invite")
@login_required
@roles_required(*MANAGERS)
def invite() -> Response | tuple[str, int]:
    locale = current_locale()
    form = {k: request.form.get(k, "").strip() for k in ("name", "email", "role")}
    errors: dict[str, str] = {}
    if not form["name"]:
        errors["name"] = translate(locale, "err_name")
    if not EMAIL.match(form["email"]):
        errors["email"] = translate(locale, "err_email")
    elif user_by_email(form["email"]) is not None:
        errors["email"] = translate(locale, "err_email_taken")
    if form["role"] not in ROLES or (form["role"] == "decision_maker" and current_user().role != "decision_maker"):
        errors["role"] = translate(locale, "err_field")
    if errors:
        return _render(422, errors, form)
    password = secrets.token_urlsafe(8)
    user_id = create_user(current_org().id, form["email"], form["name"], password, form["role"], locale)
    onboarding.track("member_invited")
    if current_org().installed:  # the organisation's key setup step is already done for the newcomer
        onboarding.track("installed_code", user_id=str(user_id))
    flash(translate(locale, "invited", name=form["name"], email=form["email"], password=password), "success")
    return redirect(url_for("team.index"))


@bp.post("/<int:user_id>/role")
@login_required
@roles_required("decision_maker")
def change_role(user_id: int) -> Response:
    role = request.form.get("role", "")
    target = db.one("select id from users where id = ? and org_id = ?", user_id, current_org().id)
    if target is None or role not in ROLES:
        abort(404 if target is None else 400)
    if user_id == current_user().id and role != "decision_maker":
        flash(translate(current_locale(), "err_last_owner"), "error")
        return redirect(url_for("team.index"))
    db.execute("update users set role = ? where id = ?", role, user_id)
    flash(translate(current_locale(), "role_changed"), "success")
    return redirect(url_for("team.index"))
