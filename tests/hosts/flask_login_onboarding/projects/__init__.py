"""Projects: a small SaaS app (app factory, Flask-Login) with onboarding."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, abort, redirect, render_template_string, request, url_for
from flask_login import LoginManager, current_user, login_required, login_user
from werkzeug.wrappers import Response

from onboarding_sdk import Onboarding, UserProfile

from .models import User, users

login_manager = LoginManager()
onboarding = Onboarding()

PAGE = """<!doctype html><html lang="en"><head><title>{{ title }}</title>{{ onboarding_assets() }}</head>
<body><main><h1>{{ title }}</h1>
<form method="post" action="{{ url_for('new_project') }}"><input name="name" {{ onboarding_anchor('project-name') }}>
<button>Create</button></form>
</main>{{ onboarding_footer_help() }}</body></html>"""


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return users.get(user_id)


@onboarding.user_loader
def load_profile() -> UserProfile | None:
    if not current_user.is_authenticated:
        return None
    return UserProfile(
        id=current_user.id,
        signed_up_at=current_user.created_at,
        role=current_user.role,
        plan=current_user.plan,
        account_id=current_user.account_id,
    )


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="dev",
        ONBOARDING_STORAGE_URI="memory://",
        ONBOARDING_EVENTS={"project_created": {"key": True}, "member_invited": {}, "report_viewed": {}},
        ONBOARDING_STAGE_RULES={
            "use": {"done": ["project_created"]},
            "depth": {"all": [{"done": ["member_invited"]}, {"plans": ["team"]}]},
        },
        ONBOARDING_CONTENT=["onboarding.yaml"],
    )
    app.config.update(config or {})
    login_manager.init_app(app)
    onboarding.init_app(app)

    @app.get("/")
    @login_required
    def dashboard() -> str:
        return render_template_string(PAGE, title="Dashboard")

    @app.post("/projects")
    @login_required
    def new_project() -> Response:
        if not request.form.get("name"):
            abort(400)
        onboarding.track("project_created")  # after the project exists
        return redirect(url_for("dashboard"))

    @app.post("/login")
    def login() -> Response:
        user = users.get(request.form["id"])
        if user is None:
            abort(403)
        login_user(user)
        return redirect(url_for("dashboard"))

    return app


def add_user(user_id: str, plan: str = "free", role: str = "member", days_ago: int = 0) -> User:
    user = User(user_id, datetime.now(UTC) - timedelta(days=days_ago), plan, role, account_id="acme")
    users[user_id] = user
    return user
