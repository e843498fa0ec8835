"""A blog host written from docs/integrate.md and docs/guides.md ("check --render")."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, Flask, abort, g, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from onboarding_sdk import Onboarding, UserProfile

onboarding = Onboarding()
blog = Blueprint("blog", __name__)
POSTS: dict[int, dict[str, Any]] = {1: {"id": 1, "title": "Hello", "body": "The first post."}}


@onboarding.user_loader
def load_profile() -> UserProfile | None:
    if g.get("user") is None:
        return None
    return UserProfile(id=str(g.user), signed_up_at=datetime(2026, 1, 1, tzinfo=UTC))


@blog.before_app_request
def load_user() -> None:
    g.user = session.get("user_id")


@blog.get("/")
def index() -> str:
    return render_template("blog/index.html", posts=sorted(POSTS.values(), key=lambda p: -p["id"]))


@blog.get("/login")
def login() -> str:
    return render_template("blog/about.html")


@blog.route("/<int:id>/update", methods=["GET", "POST"])
def update(id: int) -> str | Response:
    if g.user is None:  # flaskr's login_required
        return redirect(url_for("blog.login"))
    post = POSTS.get(id) or abort(404)
    hints: dict[str, str] = {}
    if request.method == "POST":
        title = request.form.get("title", "").strip()
        if title:
            post["title"] = title
            return redirect(url_for("blog.index"))
        hints = onboarding.hints_for({"title": ["Missing data for required field."]}, form="post")
    return render_template("blog/update.html", post=post, hints=hints)


@blog.post("/<int:id>/delete")
def delete(id: int) -> Response:
    POSTS.pop(id, None)
    return redirect(url_for("blog.index"))


@blog.get("/about")
def about() -> str:
    return render_template("blog/about.html")


def sign_in(client: Any) -> None:
    """ONBOARDING_CHECK_LOGIN: the check's test client signs in as one of the blog's users."""
    with client.session_transaction() as stored:
        stored["user_id"] = "writer"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="dev",
        ONBOARDING_STORAGE_URI="memory://",
        ONBOARDING_EVENTS={"post_created": {"key": True}, "post_edited": {}},
        ONBOARDING_CONTENT=["onboarding.yaml"],
        ONBOARDING_CHECK_SAMPLE_ARGS={"blog.update": {"id": 1}},
        ONBOARDING_CHECK_LOGIN=sign_in,
    )
    app.config.update(config or {})
    app.register_blueprint(blog)
    onboarding.init_app(app)
    return app
