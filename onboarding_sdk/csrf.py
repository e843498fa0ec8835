"""CSRF for the end users' API: a token issued with the page, sent back in a header.

The token is an HMAC of the user id, the day and a random value kept in the host's Flask
session, keyed with the app's SECRET_KEY: it needs no server-side storage, works across
processes, is valid for two days, and is bound to the session: a token works only with the
session it was issued in. When the host clears the session (sign-out), Flask-Login signs a user
in or out (its signals), ``forget_session_token()`` is called, or another user signs in with the
session, the random value changes and tokens issued before stop working. With server-side
sessions a copied cookie dies with the session; Flask's default signed-cookie session carries its
contents with it, so there a copy lives as long as the host accepts that cookie (its own sign-in
is in it too). The request's Origin (when the browser sends one) must be this host. With
Flask-WTF installed and enabled, its token is accepted too.

Without SECRET_KEY there are no tokens (``issue_token`` returns None) and the API refuses
every POST with ``no_secret_key``: the widget then draws read-only (docs/widget-contract.md).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request, session

from .app_state import OnboardingState, get_state

HEADER = "X-Onboarding-CSRF"
_DAY = 86400
_SESSION_KEY = "_onboarding_api_csrf"  # [the user's tag, the session's random value]
PROXY_HINT = (
    "the request came over http but the browser's Origin is https for the same host: this app runs "
    "behind a TLS-terminating proxy without ProxyFix; wrap the app, "
    "app.wsgi_app = werkzeug.middleware.proxy_fix.ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1), "
    "and have the proxy send X-Forwarded-Proto (docs/integrate.md, 'Behind a proxy')"
)


def _key(app: Flask | None = None) -> bytes | None:
    secret = (app or current_app).secret_key
    if not secret:
        return None
    return secret.encode() if isinstance(secret, str) else bytes(secret)


def has_secret(app: Flask | None = None) -> bool:
    return _key(app) is not None


def user_tag(user_id: str, state: OnboardingState | None = None) -> str | None:
    """16 hex characters naming the user without revealing the id (an HMAC keyed with the app's
    secret): the widget keys its retry queue with it. None without SECRET_KEY.
    ``state``: the current app's state when the caller has it at hand."""
    state = state or get_state()
    key = _key(state.app)
    if key is None:
        return None
    # Every page view asks: computed once per user and secret (bounded, like the token cache).
    cache = state.user_tags
    tag = cache.get((user_id, key))
    if tag is None:
        if len(cache) > 50_000:
            cache.clear()
        digest = hmac.new(key, f"onboarding-user|{user_id}".encode(), hashlib.sha256).hexdigest()
        tag = cache[(user_id, key)] = digest[:16]
    return tag


def _signature(key: bytes, user_id: str, day: int, nonce: str) -> str:
    message = f"onboarding-csrf|{user_id}|{day}|{nonce}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def _session_nonce(tag: str, create: bool) -> str | None:
    """The session's random value for the user ``tag``; a new one (when ``create``) if the
    session has none or holds another user's. Outside a request: "" (no session to bind to)."""
    if not has_request_context():
        return ""
    stored = session.get(_SESSION_KEY)
    if isinstance(stored, list) and len(stored) == 2 and stored[0] == tag and isinstance(stored[1], str):
        return stored[1]
    if not create:
        return None
    nonce = secrets.token_urlsafe(16)
    session[_SESSION_KEY] = [tag, nonce]
    return nonce


def forget_session_token(*_: Any, **__: Any) -> None:
    """Retire this session's API tokens: the next page issues new ones. Call it where your app
    signs a user in or out if it keeps the session then; with Flask-Login it runs by itself on
    ``user_logged_in`` and ``user_logged_out``, and ``session.clear()`` does the same."""
    if has_request_context():
        session.pop(_SESSION_KEY, None)


def issue_token(user_id: str, state: OnboardingState | None = None) -> str | None:
    """This user's token for today in this session; None without SECRET_KEY.
    ``state``: the current app's state when the caller has it at hand."""
    state = state or get_state()
    key = _key(state.app)
    if key is None:
        return None
    tag = user_tag(user_id, state) or ""
    nonce = _session_nonce(tag, create=True) or ""
    day = int(time.time()) // _DAY
    cache = state.csrf_tokens
    token = cache.get((user_id, day, nonce))
    if token is None:
        if len(cache) > 10_000:  # bounded: a day's active sessions, then start again
            cache.clear()
        token = cache[(user_id, day, nonce)] = f"{day}.{_signature(key, user_id, day, nonce)}"
    return token


def token_is_valid(user_id: str, token: str | None, state: OnboardingState | None = None) -> bool:
    state = state or get_state()
    key = _key(state.app)
    if key is None:
        return False
    if not token or "." not in token:
        return _flask_wtf_accepts()
    day_text = token.split(".", 1)[0]
    if not day_text.isdigit():
        return False
    day = int(day_text)
    today = int(time.time()) // _DAY
    if not today - 1 <= day <= today:
        return False
    nonce = _session_nonce(user_tag(user_id, state) or "", create=False)
    if nonce is None:
        return False  # the session was cleared or belongs to someone else: reload the page
    # The token a user's session has for a day is fixed: computed once per process and kept
    # in issue_token's bounded cache, so a POST costs a look-up, not an HMAC.
    cache = state.csrf_tokens
    expected = cache.get((user_id, day, nonce))
    if expected is None:
        if len(cache) > 10_000:
            cache.clear()
        expected = cache[(user_id, day, nonce)] = f"{day}.{_signature(key, user_id, day, nonce)}"
    return hmac.compare_digest(token, expected)


def origin_is_allowed() -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # same-origin requests from older browsers; the token still guards
    parsed = urlsplit(origin)
    return f"{parsed.scheme}://{parsed.netloc}" == request.host_url.rstrip("/")


def proxy_hint() -> str | None:
    """When a refused Origin is the https twin of this http request (a TLS-terminating proxy
    without ProxyFix), what to configure; else None."""
    origin = urlsplit(request.headers.get("Origin") or "")
    host = urlsplit(f"//{request.host}").hostname
    if request.scheme == "http" and origin.scheme == "https" and origin.hostname == host:
        return PROXY_HINT
    return None


def _flask_wtf_accepts() -> bool:
    """A Flask-WTF token (X-CSRFToken) is as good as ours when the host uses Flask-WTF."""
    if "csrf" not in current_app.extensions:
        return False
    try:
        from flask_wtf.csrf import validate_csrf  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:
        return False
    token = request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token")
    if not token:
        return False
    try:
        validate_csrf(token)
    except Exception:  # flask_wtf raises ValidationError for any bad token
        return False
    return True


def connect_flask_login() -> None:
    """Flask-Login keeps the rest of the session across logout_user() and login_user(): rotate
    there. Called by init_app (importing Flask-Login costs start-up time, not import time)."""
    try:
        from flask_login import user_logged_in, user_logged_out  # type: ignore[import-not-found, import-untyped, unused-ignore]
    except ImportError:  # the host does not use Flask-Login
        return
    user_logged_in.connect(forget_session_token, weak=False)  # connecting twice is a no-op
    user_logged_out.connect(forget_session_token, weak=False)
