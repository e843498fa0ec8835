"""Guides as JSON for the widget and the API (docs/widget-contract.md). Pure.

One function builds what both the inline page data and ``GET /api/guides`` return, so
Python (``guides_for``), the API and the page always agree.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, MutableMapping, Sequence
from functools import lru_cache
from typing import Any

from .content.i18n import pick_locale
from .content.model import GuideSpec, TourStep
from .delivery import Decision

Json = dict[str, Any]


def tooltip_anchor(spec: GuideSpec) -> str | None:
    """The ``data-onboarding`` key a tooltip attaches to: its ``anchor``; else, for a glossary
    entry, the ``term-ID`` that ``onboarding_term()`` writes; else, for a validation hint, its field."""
    if spec.anchor:
        return spec.anchor
    return f"term-{spec.id}" if spec.term else spec.field


# The first top-level block of a sanitized body when it is a paragraph or a heading
_FIRST_BLOCK = re.compile(r"\s*<(p|h[1-6])\b.*?</\1>", re.S)  # (these never nest)


@lru_cache(maxsize=1024)
def starter_lead(html: str) -> tuple[str, bool]:
    """A starter guide's card: (its lead, whether more is behind it). The page shows a link card,
    the lead and a link to the one-page guide, never the whole guide inlined; a guide that is all
    lead is shown whole, without a link to a page that would only repeat it."""
    match = _FIRST_BLOCK.match(html)
    if match is None:
        return html, False
    lead = match.group(0).strip()
    return lead, bool(html[match.end() :].strip())


def guide_json(
    decision: Decision,
    locale: str,
    default_locale: str,
    guide_url: str | None = None,
    step_urls: Sequence[str | None] = (),
) -> Json:
    """One guide in the contract's shape, texts in ``locale`` (with fallback)."""
    spec = decision.guide.spec

    def text(value: Mapping[str, str]) -> str:
        return pick_locale(value, locale, default_locale)

    data: Json = {
        "id": spec.id,
        "kind": spec.kind,
        "title": text(spec.title),
        "body": text(spec.body),
        "priority": spec.priority,
        "auto_open": decision.auto_open,
    }
    if spec.kind == "starter_guide":
        data["body"], more = starter_lead(data["body"])
        guide_url = guide_url if more else None
    if guide_url:
        data["url"] = guide_url
    if spec.kind == "tooltip":
        data.update(anchor=tooltip_anchor(spec), purpose=spec.purpose or "field_help")
        if spec.term:
            data["term"] = spec.term
    elif spec.kind in ("advanced_tip", "faq"):
        data["topic"] = text(spec.topic) if spec.topic else None
    elif spec.kind == "changelog":
        data.update(
            version=spec.version,
            date=spec.date.date().isoformat() if spec.date else None,
            level=spec.level or "badge",
            read=not decision.unread,
        )
    elif spec.kind == "checklist":
        data["items"] = [
            {"id": item.id, "title": text(item.title), "event": item.event, "done": done}
            for item, done in zip(spec.items, decision.items_done, strict=False)
        ]
    elif spec.kind == "tour":
        data["step"] = decision.step
        urls = list(step_urls) or [None] * len(spec.steps)
        data["steps"] = [
            {
                "endpoint": step.endpoint,
                "url": url,
                "anchor": step.anchor,
                "spotlight": step.spotlight,
                "advance_on": _advance_on(step),
                "title": text(step.title),
                "body": text(step.body),
            }
            for step, url in zip(spec.steps, urls, strict=False)
        ]
    return data


def _advance_on(step: TourStep) -> Json | None:
    if step.advance_click:
        return {"click": True}
    return {"event": step.advance_event} if step.advance_event else None


def guides_json(
    decisions: Sequence[Decision],
    locale: str,
    default_locale: str,
    urls: Mapping[str, str] | None = None,
    step_urls: Mapping[str, Sequence[str | None]] | None = None,
) -> list[Json]:
    urls = urls or {}
    steps = step_urls or {}
    return [guide_json(d, locale, default_locale, urls.get(d.guide.id), steps.get(d.guide.id, ())) for d in decisions]


#: Kinds whose JSON depends on the user only through ``auto_open`` (and a starter guide's URL).
_FIXED_KINDS = frozenset({"tooltip", "footer_help", "banner", "advanced_tip", "faq", "starter_guide"})
_JSON_CACHE_LIMIT = 50_000  # guides x locales; locales come from profiles, so bound it anyway


def _encode(data: object) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def guides_json_text(
    decisions: Sequence[Decision],
    locale: str,
    default_locale: str,
    urls: Mapping[str, str],
    step_urls: Mapping[str, Sequence[str | None]],
    cache: MutableMapping[tuple[str, str], str],
) -> str:
    """``guides_json`` as compact JSON text (the API's hot path), the same data: the fixed part
    of each guide is encoded once per (guide, locale) in ``cache``, the per-user keys appended."""
    parts: list[str] = []
    for decision in decisions:
        spec = decision.guide.spec
        url = urls.get(spec.id)
        if spec.kind not in _FIXED_KINDS:
            parts.append(_encode(guide_json(decision, locale, default_locale, url, step_urls.get(spec.id, ()))))
            continue
        fixed = cache.get((spec.id, locale))
        if fixed is None:
            data = guide_json(decision, locale, default_locale)
            del data["auto_open"]
            fixed = _encode(data)[:-1]
            if len(cache) >= _JSON_CACHE_LIMIT:
                cache.clear()
            cache[(spec.id, locale)] = fixed
        tail = ',"auto_open":true' if decision.auto_open else ',"auto_open":false'
        if url and spec.kind == "starter_guide" and not starter_lead(pick_locale(spec.body, locale, default_locale))[1]:
            url = None  # all lead: no link to a page that would only repeat it
        parts.append(f'{fixed}{tail},"url":{_encode(url)}}}' if url else f"{fixed}{tail}}}")
    return "[" + ",".join(parts) + "]"
