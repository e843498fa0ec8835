"""A flaskr-like blog (the Flask tutorial's shape): the signed-in user is ``g.user``, loaded from
the session by a ``before_app_request`` hook of the auth blueprint; no Flask-Login.

Written from README.md ("Quick start") and docs/guides.md, docs/api.md: the user loader reads
``g.user``, the view tracks ``post_created`` after the post is saved, the base template calls
``onboarding_assets()`` and ``onboarding_footer_help()``. Posts and users live in memory (a lock
guards them: the app is served by a threaded server in the tests).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, abort, g, redirect, render_template, request, session, url_for
from jinja2 import DictLoader
from werkzeug.wrappers import Response

from onboarding_sdk import Onboarding, UserProfile

CONTENT = Path(__file__).with_name("blog_content.yaml")
EVENTS = {"post_created": {"key": True, "client": False}, "post_liked": {}}
SIGNED_UP = datetime(2026, 1, 5, tzinfo=UTC)

TEMPLATES = {
    "base.html": """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{% block title %}{% endblock %} - Flaskr</title>
{{ onboarding_assets() }}</head>
<body><nav><h1><a href="{{ url_for('blog.index') }}">Flaskr</a></h1><ul>
{% if g.user %}<li>{{ g.user['username'] }}</li><li><a href="{{ url_for('auth.logout') }}">Log Out</a></li>
{% else %}<li><a href="{{ url_for('auth.login') }}">Log In</a></li>{% endif %}</ul></nav>
<main>{% block content %}{% endblock %}</main>
{{ onboarding_footer_help() }}
</body></html>""",
    "index.html": """{% extends 'base.html' %}{% block title %}Posts{% endblock %}{% block content %}
{% if g.user %}<a href="{{ url_for('blog.create') }}" {{ onboarding_anchor('new-post') }}>New</a>{% endif %}
{% for post in posts %}<article><h2>{{ post['title'] }}</h2><p>{{ post['body'] }}</p></article>{% endfor %}
{% endblock %}""",
    "create.html": """{% extends 'base.html' %}{% block title %}New Post{% endblock %}{% block content %}
<form method="post"><label>Title <input name="title" {{ onboarding_anchor('post-title') }}></label>
<textarea name="body"></textarea><button>Save</button></form>{% endblock %}""",
    "login.html": """{% extends 'base.html' %}{% block title %}Log In{% endblock %}{% block content %}
<form method="post"><input name="username"><input name="password" type="password"><button>Log In</button></form>
{% endblock %}""",
}


class Store:
    """Users and posts in memory."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.users: dict[int, dict[str, Any]] = {}
        self.posts: list[dict[str, Any]] = []

    def add_user(self, username: str, password: str) -> int:
        with self.lock:
            user_id = len(self.users) + 1
            self.users[user_id] = {"id": user_id, "username": username, "password": password}
            return user_id

    def by_name(self, username: str) -> dict[str, Any] | None:
        with self.lock:
            return next((u for u in self.users.values() if u["username"] == username), None)


auth = Blueprint("auth", __name__, url_prefix="/auth")
blog = Blueprint("blog", __name__)
onboarding = Onboarding()


def store() -> Store:
    from flask import current_app

    found: Store = current_app.extensions["flaskr_store"]
    return found


@auth.before_app_request
def load_logged_in_user() -> None:
    user_id = session.get("user_id")
    g.user = store().users.get(user_id) if isinstance(user_id, int) else None


@auth.route("/login", methods=("GET", "POST"))
def login() -> str | Response:
    if request.method == "POST":
        user = store().by_name(request.form.get("username", ""))
        if user is None or user["password"] != request.form.get("password"):
            return render_template("login.html"), 401  # type: ignore[return-value]
        session.clear()
        session["user_id"] = user["id"]
        return redirect(url_for("blog.index"))
    return render_template("login.html")


@auth.route("/logout")
def logout() -> Response:
    session.clear()
    return redirect(url_for("blog.index"))


@blog.route("/")
def index() -> str:
    with store().lock:
        posts = list(reversed(store().posts[-20:]))
    return render_template("index.html", posts=posts)


@blog.route("/create", methods=("GET", "POST"))
def create() -> str | Response:
    if g.user is None:
        abort(401)
    if request.method == "POST":
        with store().lock:
            store().posts.append({"title": request.form.get("title", ""), "body": request.form.get("body", "")})
        onboarding.track("post_created")  # after the action really succeeded (README)
        return redirect(url_for("blog.index"))
    return render_template("create.html")


@onboarding.user_loader
def load_profile() -> UserProfile | None:
    if g.get("user") is None:
        return None
    return UserProfile(id=f"blog-{g.user['id']}", signed_up_at=SIGNED_UP, locale="en")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="flaskr-test-secret",
        ONBOARDING_EVENTS=EVENTS,
        ONBOARDING_CONTENT=[str(CONTENT)],
    )
    app.config.update(config or {})
    app.jinja_loader = DictLoader(TEMPLATES)
    app.extensions["flaskr_store"] = Store()
    onboarding.init_app(app)
    app.register_blueprint(auth)
    app.register_blueprint(blog)
    app.add_url_rule("/", endpoint="index")
    return app
