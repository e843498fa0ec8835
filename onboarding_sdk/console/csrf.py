"""CSRF for the console's forms: a random token kept in the signed session cookie.

The console is for signed-in staff using ordinary HTML forms, so the session token (the
synchronizer pattern) fits better than the API's header token. Every POST must carry it as
the ``csrf_token`` form field, and a cross-site Origin is refused as well.
"""

from __future__ import annotations

import hmac
import logging
import secrets

from flask import request, session

from ..csrf import origin_is_allowed, proxy_hint

FIELD = "csrf_token"
_SESSION_KEY = "_onboarding_console_csrf"
logger = logging.getLogger("onboarding_sdk")


def token() -> str:
    """This session's token (made on first use); put it in every form."""
    value = session.get(_SESSION_KEY)
    if not isinstance(value, str) or not value:
        value = secrets.token_urlsafe(32)
        session[_SESSION_KEY] = value
    return value


def request_is_valid() -> bool:
    expected = session.get(_SESSION_KEY)
    sent = request.form.get(FIELD, "")
    if not isinstance(expected, str) or not expected or not sent:
        return False
    if not hmac.compare_digest(expected, sent):
        return False
    if not origin_is_allowed():
        hint = proxy_hint()
        if hint is not None:  # the same words as the API's bad_origin refusal
            logger.warning("onboarding console refused POST %s: bad_origin: %s", request.path, hint)
        return False
    return True
