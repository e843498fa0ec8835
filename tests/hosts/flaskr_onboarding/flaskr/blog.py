from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from .auth import login_required
from .db import get_db
from .onboarding import onboarding

bp = Blueprint("blog", __name__)


@bp.route("/")
def index() -> Any:
    posts = (
        get_db()
        .execute(
            "SELECT p.id, title, body, created, author_id, username"
            " FROM post p JOIN user u ON p.author_id = u.id ORDER BY created DESC"
        )
        .fetchall()
    )
    return render_template("blog/index.html", posts=posts)


@bp.route("/create", methods=("GET", "POST"))
@login_required
def create() -> Any:
    if request.method == "POST":
        title, body = request.form["title"], request.form["body"]
        if not title:
            flash("Title is required.")
        else:
            db = get_db()
            db.execute("INSERT INTO post (title, body, author_id) VALUES (?, ?, ?)", (title, body, g.user["id"]))
            db.commit()
            onboarding.track("post_created")  # after the post is really saved
            return redirect(url_for("blog.index"))
    return render_template("blog/create.html")
