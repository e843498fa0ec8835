"""The product teams' console: a blueprint at ``ONBOARDING_CONSOLE_PREFIX``, deny by default.

``access`` decides who may do what, ``csrf`` guards every form, ``audit`` records changes,
``views`` are the pages; ``blueprint.bp`` is the whole blueprint. See docs/console.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .access import ROLES, role_allows

if TYPE_CHECKING:
    from .blueprint import console_blueprint


def __getattr__(name: str) -> Any:
    # The views (and the editor, forms, preview and analytics they import) load on first use:
    # init_app mounts the console's routes through console_mount without them.
    if name == "console_blueprint":
        from .blueprint import console_blueprint

        return console_blueprint
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["ROLES", "console_blueprint", "role_allows"]
