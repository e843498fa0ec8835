"""What every console view uses: the engine, a fresh view of the published content, a page."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, render_template

from ..engine import Engine
from . import csrf
from .access import ROLES, role_allows


def engine() -> Engine:
    found: Engine = current_app.extensions["onboarding"]
    return found


def fresh_engine() -> Engine:
    """The engine serving the store's current revision (the console must never edit a stale one)."""
    current = engine()
    current.sync_content(current.call_store(current.storage.content_revision))
    return current


def page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    context.setdefault("role", g.get("onboarding_console_role"))
    context.update(csrf_token=csrf.token(), roles=ROLES, role_allows=role_allows)
    return render_template(f"onboarding/console/{template}", **context), status
