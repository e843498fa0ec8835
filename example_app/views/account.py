"""The user centre: profile, language, plan, and the product's recent updates."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from .. import db
from ..extensions import onboarding
from ..i18n import LOCALES, current_locale, translate
from ..security import current_org, current_user, login_required, roles_required
from ..settings import PLANS

bp = Blueprint("account", __name__, url_prefix="/app/account")


def product_updates() -> list[dict[str, Any]]:
    """Changelog entries the extension gives this user on the user centre, newest first."""
    profile = onboarding.current_profile()
    if profile is None:
        return []
    entries = [g for g in onboarding.guides_for(profile, page=request.endpoint) if g["kind"] == "changelog"]
    return sorted(entries, key=lambda g: (g.get("date") or "", g.get("version") or ""), reverse=True)


@bp.get("/")
@login_required
def index() -> str:
    return render_template("account.html", updates=product_updates(), locales=LOCALES, plans=PLANS)


@bp.post("/profile")
@login_required
def profile() -> Response:
    name = request.form.get("name", "").strip()[:80] or current_user().name
    locale = request.form.get("locale", "")
    locale = locale if locale in LOCALES else current_user().locale
    db.execute("update users set name = ?, locale = ? where id = ?", name, locale, current_user().id)
    session["lang"] = locale
    flash(translate(locale, "profile_saved"), "success")
    return redirect(url_for("account.index"))


@bp.post("/plan")
@login_required
@roles_required("decision_maker")
def plan() -> Response:
    chosen = request.form.get("plan", "")
    if chosen in PLANS and chosen != current_org().plan:
        db.execute("update orgs set plan = ? where id = ?", chosen, current_org().id)
        flash(translate(current_locale(), "plan_changed_" + chosen), "success")
    return redirect(url_for("account.index"))
