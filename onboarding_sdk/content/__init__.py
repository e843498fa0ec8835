"""Guide content: kinds, marshmallow schemas, file loading, Markdown -> safe HTML, locales.

Pure: no Flask. ``read_content`` reads YAML or JSON files into ``GuideSpec`` values (bodies
rendered and sanitized once, here), keeping every valid guide and listing every problem as a
``ContentProblem`` (``file:line: path: message``); ``load_content`` is all or nothing and raises
``ContentError``. The format is documented in docs/content.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import ContentError, ContentProblem
from .i18n import UI_STRINGS, canonical_tag, pick_locale, ui_strings
from .model import (
    FREQUENCIES,
    KINDS,
    LEVELS,
    PURPOSES,
    ChecklistItem,
    Frequency,
    GuideSpec,
    Localized,
    SourceRef,
    TourStep,
)

if TYPE_CHECKING:
    from .diff import ContentDiff, diff_content
    from .limits import ContentLimits
    from .loader import ContentReport, dump_content, load_content, load_content_text, read_content, read_content_text
    from .render import render_markdown, sanitize

# The loader and its parsers (marshmallow, yaml, markdown-it, nh3) load on first use: reading
# content is start-up or publishing work, and a page view only needs the model and the locales.
_LAZY = {
    "ContentDiff": ".diff",
    "diff_content": ".diff",
    "ContentLimits": ".limits",
    "ContentReport": ".loader",
    "dump_content": ".loader",
    "load_content": ".loader",
    "load_content_text": ".loader",
    "read_content": ".loader",
    "read_content_text": ".loader",
    "render_markdown": ".render",
    "sanitize": ".render",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "FREQUENCIES",
    "KINDS",
    "LEVELS",
    "PURPOSES",
    "UI_STRINGS",
    "ChecklistItem",
    "ContentDiff",
    "ContentError",
    "ContentLimits",
    "ContentProblem",
    "ContentReport",
    "Frequency",
    "GuideSpec",
    "Localized",
    "SourceRef",
    "TourStep",
    "canonical_tag",
    "diff_content",
    "dump_content",
    "load_content",
    "load_content_text",
    "pick_locale",
    "read_content",
    "read_content_text",
    "render_markdown",
    "sanitize",
    "ui_strings",
]
