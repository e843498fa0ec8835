"""Public pages: the landing page, the language switch and the organisation's theme."""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from ..i18n import LOCALES
from ..redirects import local_path
from ..security import current_user

bp = Blueprint("site", __name__)
HEX = re.compile(r"^[0-9a-fA-F]{6}$")


@bp.get("/")
def home() -> str | Response:
    if g.user is not None:
        return redirect(url_for("dashboard.index"))
    from .. import demo

    return render_template(
        "home.html",
        show_demo=current_app.config["SEED_DEMO"],
        demo_users=demo.USERS,
        demo_staff=[(user, demo.console_role_of(user)) for user in demo.STAFF],
        demo_plans={slug: plan for slug, (_, plan, _) in demo.ORGS.items()},
        demo_password=demo.PASSWORD,
    )


@bp.get("/language/<code>")
def language(code: str) -> Response:
    if code not in LOCALES:
        abort(404)
    session["lang"] = code
    if g.user is not None:
        from .. import db

        db.execute("update users set locale = ? where id = ?", code, current_user().id)
    return redirect(local_path(request.args.get("next")) or "/")


@bp.get("/theme/<colour>.css")
def theme_css(colour: str) -> Response:
    """The organisation's accent colour (a paid organisation's brand) as CSS custom properties."""
    if not HEX.match(colour):
        abort(404)
    css = f":root{{--accent:#{colour};--accent-soft:#{colour}1a;--accent-line:#{colour}55}}\n"
    response = current_app.response_class(css, mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response
