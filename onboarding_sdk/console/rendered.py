"""The guide being edited, as a reader of each locale would see it. Pure: no Flask.

Works on the form's data even while it is invalid (a missing anchor must not stop an author
from seeing their Markdown), with the same Markdown renderer and sanitizer as published
content, and the same locale fallback the widget uses, so the preview says when a reader gets
another locale's text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..content import render_markdown
from ..content.i18n import best_tag
from ..content.schema import MAX_BODY, MAX_TITLE


@dataclass(frozen=True)
class Text:
    """One text for one reader: ``html`` is sanitized; ``source`` the locale it came from."""

    html: str
    source: str | None  # None: no text in any locale

    def fallback(self, locale: str) -> bool:
        return self.source is not None and self.source != locale


@dataclass(frozen=True)
class Part:
    """A checklist item or a tour step."""

    title: Text
    body: Text | None


@dataclass(frozen=True)
class LocaleView:
    locale: str
    title: Text
    body: Text
    parts: tuple[Part, ...]
    topic: Text | None = None  # advanced_tip, faq: None when the guide has no topic


def _texts(value: Any) -> dict[str, str]:
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items() if isinstance(v, str) and v.strip()}
    return {}


def _pick(texts: Mapping[str, str], locale: str, default: str, *, markdown: bool) -> Text:
    tag = best_tag(texts, locale, default)
    if tag is None:
        return Text("", None)
    if markdown:
        return Text(render_markdown(texts[tag][: MAX_BODY + 1]), tag)
    # titles and topics are plain text: the template escapes them
    return Text(texts[tag][: MAX_TITLE + 1], tag)


def render_guide(data: Mapping[str, Any], locales: Sequence[str], default_locale: str) -> list[LocaleView]:
    """Every locale's view of the guide ``data`` (a content-file mapping)."""
    views = []
    title, body, topic = _texts(data.get("title")), _texts(data.get("body")), _texts(data.get("topic"))
    rows = [r for r in (data.get("items") or data.get("steps") or []) if isinstance(r, Mapping)]
    for locale in locales:
        parts = tuple(
            Part(
                _pick(_texts(row.get("title")), locale, default_locale, markdown=False),
                _pick(_texts(row.get("body")), locale, default_locale, markdown=True) if row.get("body") else None,
            )
            for row in rows
        )
        views.append(
            LocaleView(
                locale,
                _pick(title, locale, default_locale, markdown=False),
                _pick(body, locale, default_locale, markdown=True),
                parts,
                _pick(topic, locale, default_locale, markdown=False) if topic else None,
            )
        )
    return views
