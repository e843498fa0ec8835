"""Sessions, the signed-in user, roles and CSRF for the app's own forms."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import Flask, Response, abort, g, redirect, request, session, url_for

from .models import Org, User, org_by_id, user_by_id
from .settings import CONSOLE_ROLES, STAFF_ORG

F = TypeVar("F", bound=Callable[..., Any])


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(24)
    return str(token)


def check_csrf() -> None:
    """Every POST to the app's own forms carries the session's token. The onboarding API and the
    onboarding console check their own (the console's forms carry the console's token)."""
    if request.method != "POST" or request.blueprint in ("onboarding", "onboarding_console"):
        return
    sent = request.form.get("csrf_token", "")
    if not sent or not secrets.compare_digest(sent, session.get("csrf", "")):
        abort(400, description="The form expired. Reload the page and try again.")


def load_user() -> None:
    g.user = None
    g.org = None
    user_id = session.get("uid")
    if isinstance(user_id, int):
        g.user = user_by_id(user_id)
        if g.user is None:
            session.clear()
        else:
            g.org = org_by_id(g.user.org_id)


def current_user() -> User:
    user: User = g.user
    return user


def current_org() -> Org:
    org: Org = g.org
    return org


def log_in(user_id: int) -> None:
    session.clear()
    session["uid"] = user_id
    session.permanent = True


def console_role() -> str | None:
    """The signed-in person's onboarding console role (``@onboarding.console_access``): members of
    Pulse's own team get one from their team role; customers and visitors get None (404)."""
    user, org = g.get("user"), g.get("org")
    if user is None or org is None or org.slug != STAFF_ORG:
        return None
    return CONSOLE_ROLES.get(user.role)


def login_required(view: F) -> F:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if g.get("user") is None:
            return redirect(url_for("auth.login", next=request.path))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def roles_required(*roles: str) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if g.get("user") is None or g.user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def set_nonce() -> None:
    g.csp_nonce = secrets.token_urlsafe(16)  # onboarding_assets() puts it on its script tags


def add_headers(response: Response) -> Response:
    if response.mimetype == "text/html":
        response.headers.setdefault("Content-Security-Policy", CSP.format(nonce=g.get("csp_nonce", "none")))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_security(app: Flask) -> None:
    app.before_request(set_nonce)
    app.before_request(load_user)
    app.before_request(check_csrf)
    app.after_request(add_headers)
    app.add_template_global(csrf_token)
