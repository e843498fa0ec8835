"""Friendly error pages: say what happened and what to do, never blame the user."""

from __future__ import annotations

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException


def handle(exc: HTTPException) -> tuple[str, int]:
    code = exc.code or 500
    return render_template("error.html", code=code, message=exc.description), code


def init_errors(app: Flask) -> None:
    for code in (400, 403, 404, 405, 409, 413):
        app.register_error_handler(code, handle)
