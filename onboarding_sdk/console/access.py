"""Console roles and the per-route check. Deny by default: a route without a declared role,
an app without ``@onboarding.console_access``, or a person without a role gets a 404."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

logger = logging.getLogger("onboarding_sdk")
F = TypeVar("F", bound=Callable[..., Any])

#: Lowest to highest; each role may do everything the ones before it may.
ROLES = ("viewer", "editor", "publisher", "admin")
_ATTR = "console_role"


def requires(role: str, *, post: str | None = None) -> Callable[[F], F]:
    """Declare the lowest role a console view needs (checked before the view runs);
    ``post``: a higher one for its POST (a page anyone may read but few may change)."""
    for name in (role, post or role):
        if name not in ROLES:
            raise ValueError(f"unknown console role {name!r}; roles are {', '.join(ROLES)}")

    def mark(view: F) -> F:
        setattr(view, _ATTR, {"GET": role, "POST": post or role})
        return view

    return mark


def required_role(view: Callable[..., Any] | None, method: str) -> str | None:
    """The role ``view`` needs for ``method``; None (no access) when it declares none."""
    roles: dict[str, str] | None = getattr(view, _ATTR, None)
    if roles is None:
        return None
    return roles["POST"] if method not in ("GET", "HEAD", "OPTIONS") else roles["GET"]


def role_allows(role: str | None, needed: str | None) -> bool:
    """Whether ``role`` may use a route needing ``needed`` (None on either side: no)."""
    if role is None or needed is None or role not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(needed)


def checked_role(value: Any) -> str | None:
    """The callback's answer as a role; anything else counts as no access (and is logged)."""
    if value is None or value in ROLES:
        return value  # type: ignore[no-any-return]
    logger.warning("console_access returned %r, not one of %s: treated as no access", value, ", ".join(ROLES))
    return None
