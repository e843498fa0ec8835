"""What every console view uses: the console's blueprint, a fresh view of the
published content, who is acting, and a page.

The blueprint is module-level: ``views``, ``editor``, ``preview`` and ``analytics_views`` add
their routes to it when imported (``console/blueprint.py`` imports them all); its views find
their app's state with ``get_state()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, g, render_template, request

from ..app_state import get_state
from ..engine import Engine
from . import csrf, i18n
from .access import ROLES, role_allows

NAME = "onboarding_console"
TEMPLATES = str(Path(__file__).resolve().parent.parent / "templates")
bp = Blueprint(NAME, __name__, template_folder=TEMPLATES)


def locale() -> str:
    """The console's language for this request (``console/i18n.py``): the cookie, the host's
    ``@onboarding.console_locale``, then Accept-Language."""
    if "onboarding_console_locale" not in g:
        g.onboarding_console_locale = i18n.pick(
            request.cookies.get(i18n.COOKIE), _preferred(), request.accept_languages
        )
    return str(g.onboarding_console_locale)


def _preferred() -> str | None:
    """The host's ``@onboarding.console_locale`` answer; None when it has none or it fails."""
    callback = get_state().extension.console_locale_callback
    if callback is None:
        return None
    try:
        answer = callback()
    except Exception:  # a language is a nicety: Accept-Language still decides
        return None
    return answer if isinstance(answer, str) else None


def t(text: str, **values: Any) -> str:
    """``text`` in the console's language (the catalog's English is the key)."""
    return i18n.translate(locale(), text, values)


def display_name(user_id: str) -> str:
    """A console user's name for people (``@onboarding.console_user_name``); the id when the
    host gives none, or its callback fails."""
    if user_id in ("", "unknown"):  # nobody signed in did it (a script, a test client)
        return t("unknown")
    callback = get_state().extension.console_user_name_callback
    if callback is None:
        return user_id
    try:
        name = callback(user_id)
    except Exception:  # a name is a nicety: the id still says who
        return user_id
    return str(name) if name else user_id


def actor() -> str:
    """Who is acting, for the audit log: the signed-in user's id, else ``"unknown"``."""
    state = get_state()
    try:
        profile = state.current_profile() if state.user_loader is not None else None
    except Exception:  # the audit names whoever we can; never fail a change over it
        profile = None
    return profile.id if profile is not None else "unknown"


def fresh_engine() -> Engine:
    """The engine serving the store's current revision (the console must never edit a stale one)."""
    current = get_state().engine
    current.content.sync(current.call_store(current.storage.content.revision))
    return current


def page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("role", g.get("onboarding_console_role"))
    context.update(csrf_token=csrf.token(), roles=ROLES, role_allows=role_allows)
    context.update(common(context["role"]))
    return render_template(f"onboarding/console/{template}", **context), status


def common(role: str | None) -> dict[str, Any]:
    """What every console page's layout uses: the language, names, the review badge."""
    return {
        "t": t,
        "lang": locale(),
        "display_name": display_name,
        "languages": i18n.LANGUAGE_NAMES,
        "script_texts": i18n.catalog(locale()),
        "review_count": _waiting(role),
    }


def _waiting(role: str | None) -> int:
    """Drafts submitted for review, for the menu's badge (publishers and admins)."""
    if not role_allows(role, "publisher"):
        return 0
    from . import drafts  # the drafts module imports the content loader: only when shown

    try:
        return sum(1 for d in drafts.every(get_state().engine).values() if d.submitted)
    except Exception:  # a badge never breaks a page (the store may be down: that page says so)
        return 0
