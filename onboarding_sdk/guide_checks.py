"""Checks of one guide against the app it will be shown in, before it is published.

The loader judges whether a guide is valid content; these judge whether it will work in *this*
app: its pages exist, its anchors are on those pages, it is translated into every locale the
content uses, and a translation was not left behind by an edit. The console's form and draft
list, ``flask onboarding check`` and ``flask onboarding import --dry-run`` all use them.

Errors (the guide cannot work: refused): a page that is not an endpoint of ``app.url_map``, a
URL where an endpoint is expected. Warnings (shown, never blocking): an anchor not on the
chosen pages, a missing translation, a translation that may be out of date.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask

from .content import GuideSpec
from .content.loader import guide_data
from .inventory import Inventory, endpoint_for_url, looks_like_url, scan

#: Fields holding one text per locale, at the top of a guide and in its rows.
_LOCALIZED = ("title", "body", "topic")


@dataclass(frozen=True, slots=True)
class Finding:
    path: str  # under the guide, as the loader writes it: ``when.endpoints``, ``steps[1].anchor``
    message: str
    error: bool  # True: refused; False: a warning

    def line(self, guide_id: str, where: str = "") -> str:
        """``where: guides.<id>.<path>: message`` (warnings say so), as ``check`` prints it."""
        place = f"{where}: " if where else ""
        return f"{place}guides.{guide_id}.{self.path}: {'' if self.error else 'warning: '}{self.message}"


UrlMatcher = Callable[[str], "str | None"]


def check_guide(
    data: Mapping[str, Any],
    inventory: Inventory,
    *,
    locales: Sequence[str] = (),
    previous: Mapping[str, Any] | None = None,
    endpoint_for_url: UrlMatcher | None = None,
) -> list[Finding]:
    """Every finding for one guide's content-file data (as ``guide_data`` or a form gives it).

    ``locales``: the locales the content is written in; ``previous``: the same guide as
    published before this edit (None: a new guide); ``endpoint_for_url``: which endpoint
    answers a URL, to suggest it.
    """
    findings: list[Finding] = []
    when = data.get("when")
    pages = _names(when.get("endpoints")) if isinstance(when, Mapping) else []
    for name in pages:
        findings.extend(_endpoint(name, "when.endpoints", inventory, endpoint_for_url))
    anchor = data.get("anchor")
    exempt = data.get("kind") == "tooltip" and data.get("term")  # onboarding_term() marks a glossary entry
    if isinstance(anchor, str) and anchor and not exempt:
        findings.extend(_anchor(anchor, pages, "anchor", inventory))
    for index, step in enumerate(_rows(data.get("steps"))):
        endpoint = str(step.get("endpoint", ""))
        findings.extend(_endpoint(endpoint, f"steps[{index}].endpoint", inventory, endpoint_for_url))
        if isinstance(step.get("anchor"), str) and step["anchor"]:
            findings.extend(_anchor(step["anchor"], [endpoint], f"steps[{index}].anchor", inventory))
    findings.extend(missing_translations(data, locales))
    if previous is not None:
        findings.extend(stale_translations(previous, data))
    return findings


def _names(value: Any) -> list[str]:
    return [str(v) for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _rows(value: Any) -> list[Mapping[str, Any]]:
    return [row for row in value if isinstance(row, Mapping)] if isinstance(value, list) else []


def _endpoint(name: str, path: str, inventory: Inventory, for_url: UrlMatcher | None) -> list[Finding]:
    if not name or name in inventory.endpoints:
        return []
    if looks_like_url(name):
        match = for_url(name) if for_url is not None else None
        advice = f": use {match!r}" if match else " (and no page of this app answers that URL)"
        return [Finding(path, f"{name!r} is a URL, not a page: pages are named by their endpoint{advice}", True)]
    close = difflib.get_close_matches(name, sorted(inventory.endpoints), n=1)
    advice = f" (did you mean {close[0]!r}?)" if close else ""
    return [Finding(path, f"no endpoint {name!r} in this app{advice}", True)]


def _anchor(key: str, pages: Sequence[str], path: str, inventory: Inventory) -> list[Finding]:
    if not inventory.anywhere(key):
        hint = f'add {{{{ onboarding_anchor("{key}") }}}} to the element'
        return [Finding(path, f"no template marks {key!r} ({hint})", False)]
    on_pages = inventory.on_pages(pages) if pages else None
    if on_pages is None or key in on_pages:
        return []  # on the pages, or pages whose anchors we cannot know
    elsewhere = inventory.pages_with(key)
    where = f"it is on {', '.join(elsewhere)}" if elsewhere else "a template no page renders marks it"
    return [Finding(path, f"{key!r} is not on {_pages(pages)} ({where}): it will not be drawn", False)]


def _pages(pages: Sequence[str]) -> str:
    return f"page {pages[0]}" if len(pages) == 1 else "pages " + ", ".join(pages)


def _texts(data: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """Every localized text of a guide: ``title``, ``steps[0].body`` ... -> locale -> text."""
    out: dict[str, dict[str, str]] = {}

    def add(prefix: str, row: Mapping[str, Any]) -> None:
        for key in _LOCALIZED:
            value = row.get(key)
            if isinstance(value, Mapping):
                out[prefix + key] = {str(k): str(v) for k, v in value.items()}
            elif isinstance(value, str) and value:
                out[prefix + key] = {"": value}  # a plain string: the default locale's text

    add("", data)
    for what in ("steps", "items"):
        for index, row in enumerate(_rows(data.get(what))):
            add(f"{what}[{index}].", row)
    return out


def missing_translations(data: Mapping[str, Any], locales: Sequence[str]) -> list[Finding]:
    """One warning per configured locale the guide is not written in.

    What counts is each part's main text: its body, or its title when it has no body. A title
    left in one language beside translated bodies is a choice (a term such as "PV", a product
    name), not an omission.
    """
    default = locales[0] if locales else ""
    texts = _texts(data)
    main: dict[str, set[str]] = {}
    for path, tags in texts.items():
        prefix, _, key = path.rpartition(".")
        body = f"{prefix}.body" if prefix else "body"
        if key == "body" or (key == "title" and body not in texts):
            main[path] = {tag or default for tag in tags}  # a plain string is the default locale's
    findings: list[Finding] = []
    for locale in locales:
        lacking = [path for path, tags in main.items() if locale not in tags]
        if lacking:
            message = f"no {locale} translation ({', '.join(lacking)}): {locale} readers get another locale's text"
            findings.append(Finding(f"{lacking[0]}.{locale}", message, False))
    return findings


def stale_translations(previous: Mapping[str, Any], data: Mapping[str, Any]) -> list[Finding]:
    """A text changed in some locales and not in others (present before and after): the
    unchanged ones may still say what the old text said."""
    before = _texts(previous)
    findings: list[Finding] = []
    for path, now in _texts(data).items():
        old = before.get(path)
        if old is None:
            continue
        common = [tag for tag in now if tag in old and tag]
        changed = [tag for tag in common if now[tag].strip() != old[tag].strip()]  # not a stray newline
        if not changed:
            continue
        for tag in common:
            if tag not in changed:
                message = f"translation may be out of date: {', '.join(changed)} changed, {tag} did not"
                findings.append(Finding(f"{path}.{tag}", message, False))
    return findings


def content_locales(guides: Iterable[Mapping[str, Any]], default_locale: str) -> list[str]:
    """The locales the content is written in: the default one and every title's locales."""
    found = [default_locale]
    for data in guides:
        title = data.get("title")
        if isinstance(title, Mapping):
            found.extend(str(tag) for tag in title)
    return list(dict.fromkeys(found))


def check_content(
    app: Flask,
    specs: Sequence[GuideSpec],
    *,
    default_locale: str,
    previous: Sequence[GuideSpec] = (),
    seen: Mapping[str, Iterable[str]] | None = None,
) -> list[tuple[GuideSpec, Finding]]:
    """Every finding for a whole content set against ``app`` (inside an app context), each
    with its guide; ``previous``: the content it replaces (for translations left behind)."""
    inventory = scan(app, seen)
    datas = [guide_data(spec) for spec in specs]
    before = {spec.id: guide_data(spec) for spec in previous}
    locales = content_locales(datas, default_locale)
    found: list[tuple[GuideSpec, Finding]] = []
    for spec, data in zip(specs, datas, strict=True):
        findings = check_guide(
            data,
            inventory,
            locales=locales,
            previous=before.get(spec.id),
            endpoint_for_url=lambda url: endpoint_for_url(app, url),
        )
        found.extend((spec, finding) for finding in findings)
    return found
