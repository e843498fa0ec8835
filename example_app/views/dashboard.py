"""The dashboard and the key setup step: installing the tracking code."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from .. import traffic
from ..extensions import now, onboarding
from ..i18n import current_locale, translate
from ..models import mark_installed, members
from ..security import current_org, current_user, login_required

bp = Blueprint("dashboard", __name__, url_prefix="/app")
setup = Blueprint("setup", __name__, url_prefix="/app")


def checklist() -> dict[str, Any] | None:
    """The 'get started' checklist for this page, as the extension resolves it (None once done)."""
    profile = onboarding.current_profile()
    if profile is None:
        return None
    for guide in onboarding.guides_for(profile, page=request.endpoint):
        if guide["kind"] == "checklist":
            items = guide["items"]
            return {**guide, "done": sum(1 for i in items if i["done"]), "total": len(items)}
    return None


@bp.get("/")
@login_required
def index() -> str:
    org = current_org()
    today = now().date()
    context: dict[str, Any] = {"checklist": checklist()}
    if org.installed:
        context.update(
            today=traffic.day_stats(org, today),
            delta=traffic.change(org, today),
            series=traffic.series(org, today),
            top_pages=traffic.top_pages(org, today),
            sources=traffic.sources(org),
        )
        context["peak"] = max((v for _, v in context["series"]), default=0)
    return render_template("dashboard.html", **context)


@setup.get("/install")
@login_required
def install() -> str:
    return render_template("install.html", error=None, site_url=current_org().site_url or "")


@setup.post("/install")
@login_required
def verify() -> str | Response | tuple[str, int]:
    site_url = request.form.get("site_url", "").strip()
    parts = urlsplit(site_url)
    if parts.scheme not in ("http", "https") or "." not in parts.netloc:
        error = translate(current_locale(), "install_bad_url")
        return render_template("install.html", error=error, site_url=site_url), 422
    org = current_org()
    first_time = not org.installed
    mark_installed(org.id, site_url)
    if first_time:
        # the key setup step succeeded: it is done for everyone in the organisation
        onboarding.track("installed_code")
        for member in members(org.id):
            if member.id != current_user().id:
                onboarding.track("installed_code", user_id=str(member.id))
    flash(translate(current_locale(), "install_ok", site=parts.netloc), "success")
    return redirect(url_for("dashboard.index"))
