"""Server-rendered help that works without JavaScript: Jinja helpers and the pages
``/guide/<id>``, ``/tips`` and ``/changelog``. Templates live in templates/onboarding/ and
the host overrides any of them by shipping a template of the same name."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app, g, render_template, request, url_for
from jinja2.utils import htmlsafe_json_dumps
from markupsafe import Markup, escape

from . import web
from .app_state import get_state
from .blueprint import bp
from .content.i18n import pick_locale, ui_strings
from .delivery import Decision, Page
from .errors import StorageError
from .guide_state import EMPTY
from .payload import starter_lead, tooltip_anchor

logger = logging.getLogger("onboarding_sdk")


def csp_nonce() -> str | None:
    """The host's CSP nonce: ``g.csp_nonce``, or Flask-Talisman's ``csp_nonce()`` global."""
    nonce = g.get("csp_nonce")
    if nonce:
        return str(nonce)
    provider = current_app.jinja_env.globals.get("csp_nonce")
    if callable(provider):
        value = provider()
        return str(value) if value else None
    return None


def _safe(render: Callable[..., Markup]) -> Callable[..., Markup]:
    """Template helpers never break the host's page: errors are logged, nothing is drawn."""

    def helper(*args: Any, **kwargs: Any) -> Markup:
        try:
            return render(*args, **kwargs)
        except StorageError as exc:
            logger.warning("onboarding: %s skipped, storage unavailable: %s", render.__name__, exc)
        except Exception:
            if not web.swallowing():
                raise
            logger.exception("onboarding: %s failed", render.__name__)
        return Markup("")

    helper.__name__ = render.__name__
    return helper


def _text(value: Any, locale: str) -> str:
    return pick_locale(value, locale, get_state().settings.default_locale)


def _chunks_needed(payload: dict[str, Any]) -> list[str]:
    """The widget's lazy chunks this payload will import at once, preloaded from the page's
    <head> (<link rel="modulepreload">) so they load beside the core instead of one after another:
    a tour needs its chunk and the placement chunk (its step is anchored); a tooltip or a hint,
    the placement chunk (its beacon and card)."""
    kinds = {guide.get("kind") for guide in payload.get("guides") or []}
    chunks = ["onboarding-tour.js"] if "tour" in kinds else []
    if chunks or "tooltip" in kinds or payload.get("hints"):
        chunks.append("onboarding-float.js")
    return chunks


def page_decisions(kind: str) -> tuple[list[Decision], str]:
    profile = web.profile_or_none()
    if profile is None:
        return [], web.locale_for(None)
    endpoint, path = web.current_page()
    sit = web.situation(profile)  # first: loading the user swaps in a newly published revision
    decisions = get_state().engine.catalog.resolve(sit, Page(endpoint, path))
    return [d for d in decisions if d.guide.spec.kind == kind], web.locale_for(profile)


@_safe
def onboarding_assets() -> Markup:
    """The widget's CSS and JS, and this page's guides inlined as JSON."""
    nonce = csp_nonce()
    attr = Markup(' nonce="{}"').format(nonce) if nonce else Markup("")
    css = url_for("onboarding.static", filename="onboarding.css")
    js = url_for("onboarding.static", filename="onboarding.js")
    profile = web.profile_or_none()
    parts = [Markup('<link rel="stylesheet" href="{}"{}>').format(css, attr)]
    if profile is not None:
        endpoint, path = web.current_page()
        payload = web.page_payload(profile, endpoint, path)
        data = htmlsafe_json_dumps(payload)
        parts.append(Markup('<script type="application/json" id="onboarding-data"{}>{}</script>').format(attr, data))
        parts.append(Markup('<script src="{}" defer{}></script>').format(js, attr))
        for chunk in _chunks_needed(payload):
            href = url_for("onboarding.static", filename=chunk)
            parts.append(Markup('<link rel="modulepreload" href="{}"{}>').format(href, attr))
    return Markup("\n").join(parts)


def onboarding_anchor(key: str) -> Markup:
    """``data-onboarding="key"`` for an element, recorded in this endpoint's anchor inventory."""
    get_state().anchors.setdefault(request.endpoint or "", set()).add(key)
    return Markup('data-onboarding="{}"').format(key)


@_safe
def onboarding_footer_help() -> Markup:
    decisions, locale = page_decisions("footer_help")
    return Markup(render_template("onboarding/footer_help.html", guides=_view(decisions, locale), locale=locale))


@_safe
def onboarding_starter_link() -> Markup:
    decisions, locale = page_decisions("starter_guide")
    # as the widget draws it: the lead, and a link to the one-page guide only when more is behind it
    guides = []
    for guide in _view(decisions, locale):
        lead, more = starter_lead(str(guide["body"]))
        guides.append({**guide, "body": Markup(lead), "url": guide["url"] if more else None})
    return Markup(render_template("onboarding/starter_link.html", guides=guides, locale=locale))


@_safe
def onboarding_slot(name: str) -> Markup:
    """The place the widget may draw an inline kind: ``"footer"`` (footer help) or
    ``"starter"`` (the starter card). Writes ``<div data-onboarding-slot="NAME">`` holding the
    no-JavaScript copy, which the widget replaces in place (docs/widget.md, "Slots")."""
    if name not in SLOTS:
        raise ValueError(f"onboarding_slot({name!r}): the slots are {', '.join(sorted(SLOTS))}")
    inner = SLOTS[name]()
    return Markup('<div data-onboarding-slot="{}">{}</div>').format(name, inner)


SLOTS: dict[str, Callable[[], Markup]] = {"footer": onboarding_footer_help, "starter": onboarding_starter_link}


@_safe
def onboarding_whats_new() -> Markup:
    profile = web.profile_or_none()
    if profile is None:
        return Markup("")
    sit = web.situation(profile)  # first: loading the user swaps in a newly published revision
    _, unread, level = get_state().engine.catalog.changelog_for(sit)
    locale = web.locale_for(profile)
    return Markup(
        render_template(
            "onboarding/whats_new.html",
            unread=unread,
            level=level,
            strings=ui_strings(locale),
            url=url_for("onboarding.changelog_page"),
        )
    )


@_safe
def onboarding_term(term: str) -> Markup:
    """Jargon with its explanation: a glossary tooltip whose ``term`` matches."""
    profile = web.profile_or_none()
    locale = web.locale_for(profile)
    try:
        if profile is not None:
            web.situation(profile)  # first: loading the user swaps in a newly published revision
        guide = get_state().engine.catalog.glossary.get(term.casefold())
        if guide is None or not web.may_see(guide, profile):
            return Markup(escape(term))
    except StorageError as exc:  # the host's word stays on the page, without its explanation
        logger.warning("onboarding: onboarding_term drew %r plain, storage unavailable: %s", term, exc)
        return Markup(escape(term))
    explanation = web.plain_text(_text(guide.spec.body, locale))
    anchor = tooltip_anchor(guide.spec)
    return Markup(render_template("onboarding/term.html", term=term, explanation=explanation, anchor=anchor))


#: The Jinja globals every app gets (``onboarding_assets()``, ...): docs/guides.md.
TEMPLATE_GLOBALS: tuple[Callable[..., Markup], ...] = (
    onboarding_assets,
    onboarding_anchor,
    onboarding_footer_help,
    onboarding_starter_link,
    onboarding_whats_new,
    onboarding_slot,
    onboarding_term,
)


def register_helpers(app: Flask) -> None:
    """Add the Jinja helpers to ``app``; they find its state with ``get_state()``."""
    for helper in TEMPLATE_GLOBALS:
        app.add_template_global(helper)


def _view(decisions: list[Decision], locale: str) -> list[dict[str, Any]]:
    return [
        {
            "id": d.guide.id,
            "title": _text(d.guide.spec.title, locale),
            "body": Markup(_text(d.guide.spec.body, locale)),  # sanitized when content loaded
            "url": url_for("onboarding.guide_page", guide_id=d.guide.id)
            if d.guide.spec.kind == "starter_guide"
            else None,
            "topic": _text(d.guide.spec.topic, locale) if d.guide.spec.topic else None,
            "version": d.guide.spec.version,
            "date": d.guide.spec.date.date().isoformat() if d.guide.spec.date else None,
            "unread": d.unread,
        }
        for d in decisions
    ]


def page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    profile = web.profile_or_none()
    locale = web.locale_for(profile)
    html = render_template(template, strings=ui_strings(locale), locale=locale, **web.render_context(), **context)
    return html, status


def signed_in() -> Any:
    return web.profile_or_none()


@bp.get("/guide/<guide_id>", endpoint="guide_page")
def guide_page(guide_id: str) -> tuple[str, int]:
    """A guide on a page of its own, for the users the widget would show it to: the same
    targeting and schedule (how often it was shown does not matter: a starter guide read
    once can be read again). Anyone else, anonymous visitors included, gets a 404, so a
    restricted or unreleased guide's text never leaks."""
    profile = signed_in()
    if profile is None:
        return page("onboarding/message.html", 404, message_key="not_found")
    try:
        sit = web.situation(profile)  # first: loading the user swaps in a newly published revision
    except StorageError as exc:
        logger.warning("onboarding: guide page %s not shown, storage unavailable: %s", guide_id, exc)
        return page("onboarding/message.html", 503, message_key="unavailable")
    catalog = get_state().engine.catalog
    guide = catalog.get(guide_id)
    if guide is None or guide.spec.kind not in ("starter_guide", "advanced_tip", "faq", "changelog"):
        return page("onboarding/message.html", 404, message_key="not_found")
    if catalog.refusal(guide, sit) is not None:
        return page("onboarding/message.html", 404, message_key="not_found")
    locale = web.locale_for(profile)
    view = _view([Decision(guide, EMPTY)], locale)[0]
    return page("onboarding/guide.html", guide=view)


@bp.get("/tips", endpoint="tips_page")
def tips_page() -> tuple[str, int]:
    profile = signed_in()
    if profile is None:
        return page("onboarding/message.html", 401, message_key="sign_in")
    try:
        sit = web.situation(profile)
    except StorageError as exc:
        logger.warning("onboarding: tips page not shown, storage unavailable: %s", exc)
        return page("onboarding/message.html", 503, message_key="unavailable")
    locale = web.locale_for(profile)
    catalog = get_state().engine.catalog
    questions = _view(catalog.collection(sit, ["faq"]), locale)
    tips = _view(catalog.collection(sit, ["advanced_tip"]), locale)
    return page("onboarding/tips.html", questions=questions, tips=tips)


@bp.get("/changelog", endpoint="changelog_page")
def changelog_page() -> tuple[str, int]:
    profile = signed_in()
    if profile is None:
        return page("onboarding/message.html", 401, message_key="sign_in")
    engine = get_state().engine
    try:
        sit = web.situation(profile)  # first: loading the user swaps in a newly published revision
    except StorageError as exc:
        logger.warning("onboarding: changelog page not shown, storage unavailable: %s", exc)
        return page("onboarding/message.html", 503, message_key="unavailable")
    entries, _, _ = engine.catalog.changelog_for(sit)
    view = _view(entries, web.locale_for(profile))
    try:  # viewing the list marks it read, on every device
        for decision in entries:
            if decision.unread:
                engine.guide_action(profile, decision.guide.id, "read")
    except StorageError as exc:
        logger.warning("onboarding: changelog not marked read: %s", exc)
    web.forget_situation()
    return page("onboarding/changelog.html", entries=view)
