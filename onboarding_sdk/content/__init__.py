"""Guide content: kinds, marshmallow schemas, file loading, Markdown -> safe HTML, locales.

Pure: no Flask. ``read_content`` reads YAML or JSON files into ``GuideSpec`` values (bodies
rendered and sanitized once, here), keeping every valid guide and listing every problem as a
``ContentProblem`` (``file:line: path: message``); ``load_content`` is all or nothing and raises
``ContentError``. The format is documented in docs/content.md.
"""

from __future__ import annotations

from .diff import ContentDiff, diff_content
from .errors import ContentError, ContentProblem
from .i18n import UI_STRINGS, canonical_tag, pick_locale, ui_strings
from .limits import ContentLimits
from .loader import ContentReport, dump_content, load_content, load_content_text, read_content, read_content_text
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
from .render import render_markdown, sanitize

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
