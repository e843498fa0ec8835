"""The host zoo (issue 11 item 2): one Flask app on the real extension, used the way
docs/integrate.md and docs/widget.md say (``onboarding_assets()``, ``onboarding_anchor()``,
``onboarding_slot()``, ``onboarding_whats_new()``, ``onboarding_term()``), and one page drawn
in many host layouts, ``/zoo/<variant>``: body as a CSS grid or as flex, a fixed header, content
in a scrolling container, a transformed ancestor, a single-page app, right-to-left, light-only
and dark hosts. Each layout is a stylesheet in static/ (the app sends a strict CSP: no inline
styles). ``?widget=off`` is not a thing: the tests block onboarding.js to see the host alone.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, g, render_template, request

from onboarding_sdk import Onboarding, UserProfile

HERE = Path(__file__).resolve().parent
CSP = "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:"


@dataclass(frozen=True)
class Variant:
    css: str  # the layout's stylesheet in static/
    dir: str = "ltr"
    scheme: str | None = None  # <meta name="color-scheme">
    starter_slot: bool = True  # False: the starter card floats (no slot on the page)
    footer_slot: bool = True  # False: footer help goes to the end of <main> if it is a block, else floats
    spa: bool = False


VARIANTS = {
    "grid": Variant("grid.css"),
    "flex": Variant("flex.css", starter_slot=False, footer_slot=False),
    "all-grid": Variant("allgrid.css", starter_slot=False, footer_slot=False),
    "fixed-header": Variant("fixed.css"),
    "scroller": Variant("scroller.css", starter_slot=False),
    "transformed": Variant("transformed.css"),
    "spa": Variant("grid.css", spa=True),
    "rtl": Variant("grid.css", dir="rtl"),
    "light-only": Variant("grid.css", scheme="light"),
    "dark": Variant("dark.css", scheme="dark"),
}


def make_zoo_app() -> Flask:
    app = Flask(
        __name__, root_path=str(HERE), template_folder="templates", static_folder="static", static_url_path="/z"
    )
    app.config.update(
        SECRET_KEY="host-zoo",
        ONBOARDING_STORAGE_URI="memory://",
        ONBOARDING_CONTENT=["content.yaml"],
        ONBOARDING_EVENTS={"installed_code": {}, "report_created": {}},
        TEST_STATE={"calls": [], "answers": [], "deleted": 0},  # what LiveServer reads (unused here)
    )
    ext = Onboarding(app)
    engine = app.extensions["onboarding"]
    if engine.content.file_problems:
        raise RuntimeError("zoo content.yaml: " + "\n".join(map(str, engine.content.file_problems)))

    @ext.user_loader
    def load() -> UserProfile | None:
        uid = request.cookies.get("uid")
        return UserProfile(id=uid, signed_up_at=datetime(2026, 1, 1, tzinfo=UTC)) if uid else None

    @app.before_request
    def nonce() -> None:
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def strict_csp(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP.format(nonce=g.get("csp_nonce", ""))
        return response

    def page(name: str, route: str = "") -> Any:
        variant = VARIANTS.get(name) or abort(404)
        # the server's own validation failed for the year: a server hint at that field
        ext.hints_for({"year": ["Not a valid year."]}, form="zoo-form")
        return render_template("page.html", name=name, v=variant, route=route)

    app.add_url_rule("/zoo/<name>", "zoo.page", page)
    app.add_url_rule("/zoo/<name>/<route>", "zoo.route", page)  # the single-page app's second view
    return app
