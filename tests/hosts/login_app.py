"""A Flask-Login app with a console for its own staff, written from README.md ("Quick start")
and docs/console.md ("Access: deny by default").

People sign in with a form (``POST /login``: ``username``, ``password``); ``logout`` signs out.
Customers get no console role; staff get one from their team, as the console docs show. The
app's content is tests/hosts/login_content.yaml, one guide of every kind the API acts on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, redirect, render_template_string, request, url_for
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from onboarding_sdk import Onboarding, UserProfile

CONTENT = Path(__file__).with_name("login_content.yaml")
EVENTS = {"project_created": {"key": True, "client": False}, "invited": {}, "searched": {}}
PASSWORD = "pass-word"
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
{{ onboarding_assets() }}</head><body><main><h1>{{ title }}</h1>
<p {{ onboarding_anchor('projects') }}>Projects</p>
<form method="post" action="{{ url_for('login') }}"><input name="username"><input name="password">
<button>Sign in</button></form></main>{{ onboarding_footer_help() }}</body></html>"""


@dataclass(frozen=True)
class Person(UserMixin):  # type: ignore[misc]
    id: str
    team: str | None  # None: a customer
    plan: str = "free"

    def get_id(self) -> str:
        return self.id


#: Customers and staff; a staff member's team gives their console role (docs/console.md).
PEOPLE = {
    "cora": Person("cora", None),
    "vic": Person("vic", "support"),
    "eddie": Person("eddie", "content"),
    "pat": Person("pat", "product"),
    "ada": Person("ada", "ops"),
}
CONSOLE_ROLES = {"support": "viewer", "content": "editor", "product": "publisher", "ops": "admin"}
login_manager = LoginManager()
onboarding = Onboarding()


@login_manager.user_loader
def load_person(user_id: str) -> Person | None:
    return PEOPLE.get(user_id)


@onboarding.user_loader
def load_profile() -> UserProfile | None:
    if not current_user.is_authenticated:
        return None  # anonymous visitors are never tracked
    return UserProfile(
        id=f"login-{current_user.id}",
        signed_up_at=datetime(2026, 3, 1, tzinfo=UTC),
        role="staff" if current_user.team else "customer",
        plan=current_user.plan,
        locale="en",
    )


@onboarding.console_access
def console_role() -> str | None:
    if not current_user.is_authenticated or current_user.team is None:
        return None
    return CONSOLE_ROLES.get(current_user.team)


def home() -> str:
    return render_template_string(PAGE, title="Projects")


@login_required
def projects() -> str:
    return render_template_string(PAGE, title="Your projects")


def login() -> Response | tuple[str, int]:
    person = PEOPLE.get(request.form.get("username", ""))
    if person is None or request.form.get("password") != PASSWORD:
        return render_template_string(PAGE, title="Sign in"), 401
    login_user(person)
    return redirect(url_for("projects"))


def logout() -> Response:
    logout_user()
    return redirect(url_for("home"))


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="login-app-test-secret",
        ONBOARDING_EVENTS=EVENTS,
        ONBOARDING_CONTENT=[str(CONTENT)],
    )
    app.config.update(config or {})
    login_manager.init_app(app)
    onboarding.init_app(app)
    app.add_url_rule("/", "home", home)
    app.add_url_rule("/projects", "projects", projects)
    app.add_url_rule("/login", "login", login, methods=["POST"])
    app.add_url_rule("/logout", "logout", logout, methods=["POST"])
    return app
