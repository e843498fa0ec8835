"""The product teams' console: a blueprint at ``ONBOARDING_CONSOLE_PREFIX``, deny by default.

``access`` decides who may do what, ``csrf`` guards every form, ``audit`` records changes,
``views`` are the pages. See docs/console.md.
"""

from __future__ import annotations

from .access import ROLES, role_allows
from .views import console_blueprint

__all__ = ["ROLES", "console_blueprint", "role_allows"]
