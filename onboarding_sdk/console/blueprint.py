"""The console's whole blueprint: importing this module imports every module that adds routes
to ``base.bp`` (the pages, the editor, preview-as, analytics). ``console_mount`` imports it on
the first console request; nothing on a page view does."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from . import accounts_views, analytics_views, editor, outcomes_views, preview, segments_views, views  # noqa: F401 (each adds its routes to bp)
from .base import NAME, bp

__all__ = ["NAME", "bp", "console_blueprint"]


def console_blueprint(ext: Any = None) -> Blueprint:
    """Deprecated: the console's blueprint is module-level, ``bp`` (every route, the editor's,
    preview-as's and analytics' included), registered by ``init_app``; ``ext`` is ignored."""
    return bp
