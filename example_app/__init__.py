"""Pulse Analytics: a small web-analytics SaaS that uses onboarding_sdk the way our users will.

``create_app()`` builds it; ``python -m example_app`` (or ``bash scripts/demo``) runs it with
the embedded memory store and prints the URL and the demo logins.
"""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from flask import Flask, g, request

from onboarding_sdk import UserProfile

from . import db, demo
from .errors import init_errors
from .extensions import onboarding
from .i18n import current_locale, init_i18n
from .security import console_role, init_security
from .settings import EVENTS, THEMES
from .views import account, alerts, auth, dashboard, exports, reports, site, team

__all__ = ["MissingSecretKey", "create_app", "onboarding"]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY"),
        DATABASE=os.path.join(app.instance_path, "example_app.sqlite3"),
        PERMANENT_SESSION_LIFETIME=timedelta(days=30),
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=4 * 1024 * 1024,
        DEMO_CLOCK=False,  # the 'view as day N' control; always on in debug mode
        SEED_DEMO=True,
        ONBOARDING_STORAGE_URI=os.environ.get("ONBOARDING_STORAGE_URI", "memory://"),
        ONBOARDING_EVENTS=EVENTS,
        ONBOARDING_CONTENT=["content/guides.yaml", "content/changelog.yaml"],
        ONBOARDING_THEME={"mode": "light", "vars": {"--ob-accent": "#4f46e5", "--ob-radius": "10px"}},
        ONBOARDING_THEMES=THEMES,
        # the tour and one hint at a moment of trouble (a failed import) may open by themselves
        ONBOARDING_ATTENTION_BUDGET={"use": 2, "depth": 2},
        ONBOARDING_BASE_TEMPLATE="onboarding_base.html",
        # The session cookie is sent again only when a request changed the session: with a
        # refresh on every response, the widget's requests still in flight from the previous
        # page would answer with the old session and undo a form's change (the demo clock's
        # day, a sign-out) that landed in between.
        SESSION_REFRESH_EACH_REQUEST=False,
    )
    app.config.update(config or {})
    require_secret_key(app)
    os.makedirs(os.path.dirname(app.config["DATABASE"]) or ".", exist_ok=True)

    db.init_db(app)
    init_security(app)
    init_i18n(app)
    init_errors(app)
    onboarding.init_app(app)
    onboarding.user_loader(load_profile)
    onboarding.console_access(console_role)  # Pulse's own team only (settings.STAFF_ORG)
    blueprints = (site.bp, auth.bp, dashboard.bp, dashboard.setup, reports.bp, alerts.bp, exports.bp, team.bp)
    for blueprint in (*blueprints, account.bp, demo.bp):
        app.register_blueprint(blueprint)
    app.context_processor(shell_context)
    if app.config["SEED_DEMO"]:
        demo.seed(app)
    return app


class MissingSecretKey(RuntimeError):
    """The app was started outside debug and testing without a SECRET_KEY."""


def require_secret_key(app: Flask) -> None:
    """Sessions, the console's CSRF tokens and the widget's are signed with SECRET_KEY: a
    default one known to everyone would let anyone forge them, so only debug and testing get a
    development key; anywhere else the app refuses to start until SECRET_KEY is set."""
    if app.config.get("SECRET_KEY"):
        return
    if app.debug or app.testing:
        app.config["SECRET_KEY"] = "dev-only-secret-change-me"
        return
    raise MissingSecretKey(
        "SECRET_KEY is not set. Set it to a long random value kept secret, for example "
        "export SECRET_KEY=$(python -c 'import secrets; print(secrets.token_hex(32))'), "
        "or run in debug mode (FLASK_DEBUG=1; bash scripts/demo does) for a development key."
    )


def load_profile() -> UserProfile | None:
    """What onboarding_sdk knows about the signed-in user; None for visitors."""
    user, org = g.get("user"), g.get("org")
    if user is None or org is None:
        return None
    return UserProfile(
        id=str(user.id),
        signed_up_at=user.created_at,
        role=user.role,
        plan=org.plan,
        locale=user.locale,
        account_id=org.slug,
        traits={"org_installed": org.installed},
    )


def shell_context() -> dict[str, Any]:
    """Template context for the app shell: the user, the organisation, the demo strip."""
    context: dict[str, Any] = {"current_user": g.get("user"), "org": g.get("org"), "locale": current_locale()}
    context["console_role"] = console_role()  # the nav links the onboarding console for them only
    if g.get("user") is not None and request.blueprint != "site":
        context["demo_bar"] = demo.demo_bar()
        profile = onboarding.current_profile()
        try:
            page_guides = onboarding.guides_for(profile, page=request.endpoint) if profile else []
        except Exception:  # the store is down: no checklist button
            page_guides = []
        context["has_checklist"] = any(guide["kind"] == "checklist" for guide in page_guides)
    return context
