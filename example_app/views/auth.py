"""Sign-up, login and logout. Passwords are hashed with werkzeug.security."""

from __future__ import annotations

import re

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..i18n import LOCALES, current_locale, translate
from ..models import authenticate, create_org, create_user, user_by_email
from ..redirects import local_path
from ..security import log_in, login_required

bp = Blueprint("auth", __name__)
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _safe_next(target: str | None) -> str:
    return local_path(target) or url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    if g.user is not None:
        return redirect(url_for("dashboard.index"))
    if request.method == "POST":
        user = authenticate(request.form.get("email", ""), request.form.get("password", ""))
        if user is None:
            error = translate(current_locale(), "login_failed")
            return render_template("auth/login.html", error=error, email=request.form.get("email", "")), 401
        log_in(user.id)
        return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", error=None, email="")


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> str | Response | tuple[str, int]:
    if g.user is not None:
        return redirect(url_for("dashboard.index"))
    form = {k: request.form.get(k, "").strip() for k in ("name", "email", "company", "locale")}
    if request.method == "GET":
        return render_template("auth/signup.html", form=form, errors={})
    locale = form["locale"] if form["locale"] in LOCALES else current_locale()
    password = request.form.get("password", "")
    errors: dict[str, str] = {}
    if not form["name"]:
        errors["name"] = translate(locale, "err_name")
    if not EMAIL.match(form["email"]):
        errors["email"] = translate(locale, "err_email")
    elif user_by_email(form["email"]) is not None:
        errors["email"] = translate(locale, "err_email_taken")
    if not form["company"]:
        errors["company"] = translate(locale, "err_company")
    if len(password) < 8:
        errors["password"] = translate(locale, "err_password")
    if errors:
        return render_template("auth/signup.html", form=form, errors=errors), 422
    org_id = create_org(form["company"])
    user_id = create_user(org_id, form["email"], form["name"], password, "decision_maker", locale)
    log_in(user_id)
    flash(translate(locale, "welcome", name=form["name"]), "success")
    return redirect(url_for("dashboard.index"))


@bp.post("/logout")
@login_required
def logout() -> Response:
    from flask import session

    session.clear()
    return redirect(url_for("site.home"))
