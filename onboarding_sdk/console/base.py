"""What every console view uses: the console's blueprint, a fresh view of the
published content, who is acting, and a page.

The blueprint is module-level: ``views``, ``editor``, ``preview`` and ``analytics_views`` add
their routes to it when imported (``console/blueprint.py`` imports them all); its views find
their app's state with ``get_state()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Blueprint, g, render_template

from ..app_state import get_state
from ..engine import Engine
from . import csrf
from .access import ROLES, role_allows

NAME = "onboarding_console"
TEMPLATES = str(Path(__file__).resolve().parent.parent / "templates")
bp = Blueprint(NAME, __name__, template_folder=TEMPLATES)


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
    return render_template(f"onboarding/console/{template}", **context), status
