"""The checks before publishing (onboarding_sdk/guide_checks.py) as the console runs them:
against the app serving the console, its published content and its pages' anchors."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app

from ..app_state import get_state
from ..content import GuideSpec
from ..content.loader import guide_data
from ..engine import Engine
from ..guide_checks import Finding, check_guide, content_locales
from ..inventory import Inventory, endpoint_for_url, scan


def inventory(engine: Engine) -> Inventory:
    """The host's pages and their anchors (templates, and what this process rendered)."""
    return scan(current_app, get_state().anchors)


def locales(engine: Engine) -> list[str]:
    """The locales the content is written in: the default one first."""
    datas = [{"title": guide.spec.title} for guide in engine.catalog.guides.values()]
    return content_locales(datas, engine.settings.default_locale)


def findings(
    engine: Engine, data: Mapping[str, Any], published: GuideSpec | None, pages: Inventory | None = None
) -> list[Finding]:
    """Every finding for one edited guide; ``published``: the guide as readers have it now."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    return check_guide(
        data,
        pages if pages is not None else inventory(engine),
        locales=locales(engine),
        previous=guide_data(published) if published is not None else None,
        endpoint_for_url=lambda url: endpoint_for_url(app, url),
    )


def anchor_catalog(pages: Inventory) -> list[dict[str, Any]]:
    """Every anchor the form can offer: key, label and the pages it is on (none: a template no
    page is known to render), by key."""
    out: dict[str, dict[str, Any]] = {}
    for page in pages.page_choices():
        for key in sorted(page.anchor_keys()):
            entry = out.setdefault(key, {"key": key, "label": "", "pages": []})
            entry["label"] = entry["label"] or page.label(key) or pages.label(key)
            entry["pages"].append(page.endpoint)
    for key, anchor in pages.marked.items():
        out.setdefault(key, {"key": key, "label": anchor.label, "pages": []})
    return [out[key] for key in sorted(out)]


def offered(catalog: list[dict[str, Any]], pages: Inventory, chosen: list[str]) -> list[dict[str, Any]]:
    """The anchors to offer for the chosen pages: theirs when every page is known, else all."""
    if not chosen or pages.on_pages(chosen) is None:
        return catalog
    return [entry for entry in catalog if set(entry["pages"]) & set(chosen)]
