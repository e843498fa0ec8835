"""CSRF for the end users' API: a token issued with the page, sent back in a header.

The token is an HMAC of the user id and the day, keyed with the app's SECRET_KEY, so it
needs no server-side storage and works across processes; it is valid for two days. The
request's Origin (when the browser sends one) must be this host. With Flask-WTF installed
and enabled, its token is accepted too.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlsplit

from flask import Flask, current_app, request

HEADER = "X-Onboarding-CSRF"
_DAY = 86400


def _signature(user_id: str, day: int) -> str:
    secret = current_app.secret_key
    if not secret:
        raise RuntimeError("SECRET_KEY is not set: the onboarding API cannot issue CSRF tokens")
    key = secret.encode() if isinstance(secret, str) else bytes(secret)
    message = f"onboarding-csrf|{user_id}|{day}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def issue_token(user_id: str, app: Flask | None = None) -> str:
    """This user's token for today. ``app``: the current app when the caller has it at hand."""
    day = int(time.time()) // _DAY
    extensions = (app or current_app).extensions
    cache: dict[tuple[str, int], str] = extensions.setdefault("onboarding_csrf_tokens", {})
    token = cache.get((user_id, day))
    if token is None:
        if len(cache) > 10_000:  # bounded: a day's active users, then start again
            cache.clear()
        token = cache[(user_id, day)] = f"{day}.{_signature(user_id, day)}"
    return token


def token_is_valid(user_id: str, token: str | None) -> bool:
    if not token or "." not in token:
        return _flask_wtf_accepts()
    day_text, signature = token.split(".", 1)
    if not day_text.isdigit():
        return False
    day = int(day_text)
    today = int(time.time()) // _DAY
    if not today - 1 <= day <= today:
        return False
    return hmac.compare_digest(signature, _signature(user_id, day))


def origin_is_allowed() -> bool:
    origin = request.headers.get("Origin")
    if origin is None:
        return True  # same-origin requests from older browsers; the token still guards
    parsed = urlsplit(origin)
    return f"{parsed.scheme}://{parsed.netloc}" == request.host_url.rstrip("/")


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
