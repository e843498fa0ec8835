"""The console's routes, mounted at init_app without importing the console.

The console (its views, forms, editor, preview, analytics and their imports) is code a page
view never runs, so ``init_app`` registers this light stand-in: the console's URL rules (the
table below, which ``tests/test_imports.py`` holds equal to the real blueprint's) with
placeholder views that declare the same roles. The first request to any of them builds the
real blueprint (Flask's "lazily loading views" pattern), puts its view functions in the app's
``view_functions`` (Flask lets a rule's view be stored there later), its template filters in
the app's Jinja environment, and runs its ``before_request`` gate; from then on Flask calls
the real views directly.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app

from .errors import StorageError

NAME = "onboarding_console"
TEMPLATES = str(Path(__file__).resolve().parent / "templates")

#: (rule, endpoint, methods, role, POST role) of every console route, as the console's
#: blueprint (``console.blueprint.bp``) declares them (``@requires``). A route added or changed
#: there must be changed here too: the first build refuses to serve otherwise, and a test says so.
ROUTES: tuple[tuple[str, str, tuple[str, ...], str, str], ...] = (
    ("/console.css", "css", ("GET",), "viewer", "viewer"),
    ("/console.js", "js", ("GET",), "viewer", "viewer"),
    ("/", "index", ("GET",), "viewer", "viewer"),
    ("/guides", "guides", ("GET",), "viewer", "viewer"),
    ("/guides/<guide_id>", "edit", ("GET", "POST"), "viewer", "publisher"),
    ("/guides/<guide_id>/yaml", "yaml", ("GET",), "viewer", "viewer"),
    ("/new-guide", "new", ("GET", "POST"), "editor", "publisher"),
    ("/guides/<guide_id>/preview", "preview", ("POST",), "editor", "editor"),
    ("/new-guide/preview", "new_preview", ("POST",), "editor", "editor"),
    ("/guides/<guide_id>/draft", "draft", ("POST",), "editor", "editor"),
    ("/new-guide/draft", "new_draft", ("POST",), "editor", "editor"),
    ("/guides/<guide_id>/discard", "discard", ("POST",), "editor", "editor"),
    ("/pages", "inventory", ("GET",), "viewer", "viewer"),
    ("/guides/<guide_id>/unpublish", "unpublish", ("POST",), "publisher", "publisher"),
    ("/history", "history", ("GET",), "viewer", "viewer"),
    ("/history/<int:revision>", "revision", ("GET",), "viewer", "viewer"),
    ("/history/<int:revision>/rollback", "rollback", ("POST",), "publisher", "publisher"),
    ("/audit", "audit", ("GET",), "admin", "admin"),
    ("/preview-as", "preview_as", ("GET",), "viewer", "viewer"),
    ("/analytics", "analytics", ("GET",), "viewer", "viewer"),
    ("/outcomes", "outcomes", ("GET",), "viewer", "viewer"),
    ("/outcomes/<experiment_id>", "experiment", ("POST",), "publisher", "publisher"),
    ("/accounts", "accounts", ("GET",), "viewer", "viewer"),
    ("/accounts/<path:account_id>", "account", ("GET",), "viewer", "viewer"),
    ("/accounts/<path:account_id>/report", "account_report", ("GET",), "viewer", "viewer"),
    ("/report.css", "report_css", ("GET",), "viewer", "viewer"),
    ("/segments", "segments", ("GET",), "viewer", "viewer"),
    ("/segments/new", "new_segment", ("GET", "POST"), "editor", "editor"),
    ("/segments/<name>", "segment", ("GET", "POST"), "viewer", "editor"),
    ("/guides/<guide_id>/history", "guide_history", ("GET",), "viewer", "viewer"),
    ("/guides/<guide_id>/revert/<int:revision>", "revert", ("POST",), "publisher", "publisher"),
    ("/language/<code>", "language", ("GET",), "viewer", "viewer"),
)
#: The exception classes the console's own error handlers answer.
HANDLED: tuple[type[Exception], ...] = (StorageError,)


class _Built:
    """What the real blueprint registers, read from a private app it was registered on."""

    def __init__(self) -> None:
        from .console.blueprint import bp  # the heavy import, on the first request

        scratch = Flask(__name__)
        scratch.register_blueprint(bp)
        self.views = {endpoint: view for endpoint, view in scratch.view_functions.items() if endpoint.startswith(NAME)}
        differ = set(routes_of(scratch)) ^ set(ROUTES)
        if differ:
            raise RuntimeError(f"onboarding_sdk.console_mount.ROUTES differs from the console's routes: {differ}")
        self.gates = list(scratch.before_request_funcs.get(NAME, ()))
        self.handlers: dict[type[BaseException], Callable[..., Any]] = {
            cls: handler for cls, handler in scratch.error_handler_spec[NAME][None].items()
        }
        unknown = set(self.handlers) - set(HANDLED)
        if unknown:
            raise RuntimeError(f"onboarding_sdk.console_mount.HANDLED lacks {unknown}")
        plain = Flask(__name__).jinja_env.filters
        self.filters = {k: f for k, f in scratch.jinja_env.filters.items() if plain.get(k) is not f}


def _placeholder() -> Callable[..., Any]:
    def placeholder(**_: Any) -> Any:  # the gate puts the real view in its place before it runs
        raise RuntimeError("the onboarding console was not built before its view ran")

    return placeholder


def routes_of(app: Flask, prefix: str = "") -> list[tuple[str, str, tuple[str, ...], str, str]]:
    """The console routes registered on ``app`` at ``prefix``, as in ``ROUTES``."""
    from .console.access import required_role

    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(f"{NAME}."):
            view = app.view_functions[rule.endpoint]
            methods = tuple(sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}))
            roles = (required_role(view, "GET") or "", required_role(view, "POST") or "")
            found.append((rule.rule[len(prefix) :] or "/", rule.endpoint.partition(".")[2], methods, *roles))
    return found


def register_console(app: Flask, url_prefix: str) -> None:
    """Mount the console's routes on ``app`` at ``url_prefix``; the console loads on first use."""
    built: list[_Built] = []  # this app's real console, once built
    lock = threading.Lock()

    def real() -> _Built:
        if not built:
            with lock:
                if not built:
                    console = _Built()
                    flask_app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
                    flask_app.jinja_env.filters.update(console.filters)
                    flask_app.view_functions.update(console.views)
                    built.append(console)
        return built[0]

    bp = Blueprint(NAME, __name__, template_folder=TEMPLATES)

    @bp.before_request
    def gate() -> Any:
        for check in real().gates:
            answer = check()
            if answer is not None:
                return answer
        return None

    def handle(exc: Exception) -> Any:
        for cls in type(exc).__mro__:
            handler = real().handlers.get(cls)
            if handler is not None:
                return handler(exc)
        raise exc

    for cls in HANDLED:
        bp.register_error_handler(cls, handle)

    from .console.access import requires  # light: the roles, not the views

    for rule, endpoint, methods, role, post in ROUTES:
        bp.add_url_rule(rule, endpoint, requires(role, post=post)(_placeholder()), methods=list(methods))
    app.register_blueprint(bp, url_prefix=url_prefix)
