"""Request-scoped glue shared by the API, the pages and the Jinja helpers.

``page_payload`` is the one code path behind the inline page data, ``GET /api/guides`` and
``Onboarding.guides_for``: the same user and page always get the same guides.
"""

from __future__ import annotations

import json
import logging
import re
from html import unescape
from typing import Any

from flask import current_app, g, has_request_context, request, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError

from . import csrf
from .app_state import OnboardingState, get_state
from .config import Settings
from .content.i18n import pick_locale, ui_strings
from .delivery import CompiledGuide, Decision, Page, Situation
from .engine import Engine
from .identity import UserProfile
from .payload import Json, guides_json, guides_json_text, tooltip_anchor

logger = logging.getLogger("onboarding_sdk")
_SITUATION_ATTR = "_onboarding_situation"
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})
_TAGS = re.compile(r"<[^>]+>")


def locale_for(profile: UserProfile | None, eng: Engine | None = None) -> str:
    """The profile's locale, else Flask-Babel's, else ONBOARDING_DEFAULT_LOCALE.

    ``eng``: the current app's engine when the caller has it (each ``current_app`` costs)."""
    if profile is not None and profile.locale:
        return profile.locale
    eng = eng or get_state().engine
    if has_request_context() and "babel" in current_app.extensions:
        try:
            from flask_babel import get_locale  # type: ignore[import-not-found, import-untyped, unused-ignore]

            babel_locale = get_locale()
            if babel_locale is not None:
                return str(babel_locale).replace("_", "-")
        except ImportError:
            pass
    return eng.settings.default_locale


def theme_for(profile: UserProfile | None, state: OnboardingState | None = None) -> Json:
    """The theme for the profile's account, else its plan, else the base theme (a fresh dict)."""
    state = state or get_state()
    key = (profile.account_id, profile.plan) if profile is not None else (None, None)
    theme = state.theme_cache.get(key)
    if theme is None:
        theme = _theme(state.settings, profile)
        if len(state.theme_cache) < 4096:  # one entry per account and plan seen: bounded all the same
            state.theme_cache[key] = theme
    return {"mode": theme["mode"], "vars": dict(theme["vars"])}


def _theme(settings: Settings, profile: UserProfile | None) -> Json:
    base = settings.theme
    themes = settings.themes
    chosen = None
    if profile is not None:
        chosen = themes.get(profile.account_id or "") or themes.get(profile.plan or "")
    if chosen is None:
        return {"mode": base["mode"], "vars": dict(base["vars"])}
    return {"mode": chosen.get("mode", base["mode"]), "vars": {**base["vars"], **chosen["vars"]}}


def situation(profile: UserProfile, eng: Engine | None = None) -> Situation:
    """This request's Situation for ``profile``: one storage round trip, then cached."""
    if not has_request_context():
        return (eng or get_state().engine).situation(profile)
    request_globals = g._get_current_object()  # one proxy lookup instead of two
    cached: Situation | None = request_globals.get(_SITUATION_ATTR)
    if cached is not None and cached.user.user_id == profile.id:
        return cached
    result = (eng or get_state().engine).situation(profile)
    setattr(request_globals, _SITUATION_ATTR, result)
    return result


def forget_situation() -> None:
    """After a write in this request, the next read must go to the store again."""
    if has_request_context():
        g.pop(_SITUATION_ATTR, None)


def guide_urls(decisions: list[Decision]) -> dict[str, str]:
    return {
        d.guide.id: url_for("onboarding.guide_page", guide_id=d.guide.id)
        for d in decisions
        if d.guide.spec.kind == "starter_guide"
    }


def page_guides(profile: UserProfile, endpoint: str | None, path: str | None) -> list[Json]:
    """The guides for this user and page as JSON dicts (the API's ``guides``)."""
    guides: list[Json] = _page_guides(get_state().engine, situation(profile), locale_for(profile), endpoint, path)
    return guides


def _page_guides(
    eng: Engine, sit: Situation, locale: str, endpoint: str | None, path: str | None, encode: bool = False
) -> Any:
    """The page's guides as JSON dicts, or (``encode``) as JSON text."""
    catalog = eng.catalog
    decisions = catalog.resolve(sit, Page(endpoint, path))
    default = eng.settings.default_locale
    urls, steps = guide_urls(decisions), step_urls(decisions)
    if encode:
        return guides_json_text(decisions, locale, default, urls, steps, catalog.json_cache)
    return guides_json(decisions, locale, default, urls, steps)


#: The centre's sections, in its order: the beginners' questions first (they need it most).
CENTRE_COLLECTIONS = ("faq", "advanced_tip")
#: Kinds the centre lists whether or not they were dismissed: a starter guide to read again, a
#: tour to replay (what resolution would give the user on some page, how often shown aside).
CENTRE_REPLAYABLE = frozenset({"starter_guide", "tour"})


def centre_entries(profile: UserProfile) -> list[Json]:
    """What the resource centre offers this user (``GET /api/centre``): the same questions and
    tips as the tips page, starter guides, tours to replay (from their first step), then what's
    new, newest first. Fetched when the centre opens, so a page view pays nothing for it."""
    eng = get_state().engine
    sit = situation(profile, eng)  # first: loading the user swaps in a newly published revision
    catalog = eng.catalog
    again = sorted(
        (g for g in catalog.guides.values() if g.spec.kind in CENTRE_REPLAYABLE and catalog.refusal(g, sit) is None),
        key=lambda g: g.rank,
    )
    decisions = [
        *(d for kind in CENTRE_COLLECTIONS for d in catalog.collection(sit, [kind])),
        *(Decision(g, sit.state_of(g.id)) for g in again),
        *catalog.changelog_for(sit)[0],
    ]
    default = eng.settings.default_locale
    return guides_json(decisions, locale_for(profile, eng), default, guide_urls(decisions), step_urls(decisions))


def page_payload(profile: UserProfile, endpoint: str | None, path: str | None) -> Json:
    """The whole widget payload (docs/widget-contract.md) for this user and page."""
    payload, fixed = _payload_and_locale_parts(profile, endpoint, path)
    payload["strings"] = fixed["strings"]
    return payload


def page_payload_json(profile: UserProfile, endpoint: str | None, path: str | None) -> str:
    """``page_payload`` as compact JSON (the API's hot path). The UI strings, 40% of the bytes
    and the same for every user of a locale, are spliced in already encoded."""
    payload, fixed = _payload_and_locale_parts(profile, endpoint, path, encode_guides=True)
    guides = payload.pop("guides")
    encoded = json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
    return f'{encoded[:-1]},"strings":{fixed["strings_json"]},"guides":{guides}}}'


def _payload_and_locale_parts(
    profile: UserProfile, endpoint: str | None, path: str | None, encode_guides: bool = False
) -> tuple[Json, Json]:
    """The payload without its UI strings, and this locale's fixed parts. ``encode_guides``:
    ``guides`` is already JSON text (``page_payload_json``)."""
    state = get_state()
    eng = state.engine
    locale = locale_for(profile, eng)
    sit = situation(profile, eng)
    _, unread, level = eng.catalog.changelog_for(sit)
    urls = _urls(state)
    fixed = _locale_parts(state, locale)
    in_request = has_request_context()
    app = state.app
    token = csrf.issue_token(profile.id, state)
    payload = {
        "version": 1,
        "page": endpoint,
        "path": path,
        "api": urls["api"],
        # Without SECRET_KEY: null, and the widget draws read-only (docs/widget-contract.md).
        "csrf": None if token is None else {"header": csrf.HEADER, "token": token},
        "user": csrf.user_tag(profile.id, state),  # keys the widget's retry queue; never the raw id
        "locale": locale,
        "dir": fixed["dir"],
        "theme": theme_for(profile, state),
        "changelog": {"unread": unread, "level": level, "url": urls["changelog"]},
        "tips_url": urls["tips"],
        "hints": list(g.get("_onboarding_hints", [])) if in_request else [],
        "guides": _page_guides(eng, sit, locale, endpoint, path, encode_guides),
    }
    if app.debug:  # the widget then reports refused POSTs with console.warn
        payload["debug"] = True
    return payload, fixed


def _locale_parts(state: OnboardingState, locale: str) -> Json:
    """The payload's parts that depend on the locale only, built once per locale (a page view
    serialises them and never changes them)."""
    parts = state.locale_cache.get(locale)
    if parts is None:
        language = locale.split("-")[0].lower()
        strings = ui_strings(locale)
        encoded = json.dumps(strings, separators=(",", ":"), ensure_ascii=False)
        parts = {"dir": "rtl" if language in RTL_LANGUAGES else "ltr", "strings": strings, "strings_json": encoded}
        if len(state.locale_cache) < 512:  # locales come from profiles: bounded all the same
            state.locale_cache[locale] = parts
    return parts


def validation_hints(errors: Any, form: str, profile: UserProfile | None) -> dict[str, tuple[str, str]]:
    """field -> (anchor, text) of the validation tooltips covering ``errors`` of ``form``."""
    if not isinstance(errors, dict):
        return {}
    locale = locale_for(profile)
    default = get_state().settings.default_locale
    hints: dict[str, tuple[str, str]] = {}
    # Loading the user brings the store's content revision and swaps the catalog after a
    # publication: load first, so the first request after one reads the new revision's hints.
    # An anonymous visitor (a sign-up form) loads no user: ask the store for the revision.
    if profile is not None:
        situation(profile)
    else:
        get_state().engine.content.refresh()
    for guide in get_state().engine.catalog.validation.get(form, ()):
        spec = guide.spec
        if spec.field in errors and may_see(guide, profile):
            body = pick_locale(spec.body, locale, default)
            text = plain_text(body)
            hints.setdefault(spec.field or "", (tooltip_anchor(spec) or "", text))
    return hints


def plain_text(html: str) -> str:
    """A sanitized body as plain text: tags dropped and entities decoded, since whatever shows
    it (Jinja, the widget's textContent) escapes it again; ``&amp;`` must not show literally."""
    return " ".join(unescape(_TAGS.sub(" ", html)).split())


def may_see(guide: CompiledGuide, profile: UserProfile | None) -> bool:
    """A guide's ``when`` holds for this user; anonymous visitors get only unconditional ones."""
    if profile is None:
        return not guide.spec.when
    return get_state().engine.catalog.allows(guide, situation(profile))


def endpoint_for_path(path: str) -> str | None:
    """The endpoint a URL path routes to (single-page apps send only the path)."""
    adapter = current_app.url_map.bind(request.host, script_name=request.script_root or None)
    try:
        endpoint, _ = adapter.match(path.split("?", 1)[0], method="GET")
    except HTTPException:
        return None
    return str(endpoint)


def step_urls(decisions: list[Decision]) -> dict[str, list[str | None]]:
    """For tours: the URL of each step's endpoint (None when it needs URL arguments)."""
    urls: dict[str, list[str | None]] = {}
    for decision in decisions:
        if decision.guide.spec.kind != "tour":
            continue
        built: list[str | None] = []
        for step in decision.guide.spec.steps:
            try:
                built.append(url_for(step.endpoint))
            except BuildError:
                built.append(None)
        urls[decision.guide.id] = built
    return urls


def _urls(state: OnboardingState) -> dict[str, str]:
    """The blueprint's fixed URLs, built once per script root (they never change)."""
    root = request.script_root if has_request_context() else ""
    cached = state.url_cache.get(root)
    if cached is None:
        cached = {
            "api": url_for("onboarding.api_root").rstrip("/"),
            "changelog": url_for("onboarding.changelog_page"),
            "tips": url_for("onboarding.tips_page"),
        }
        state.url_cache[root] = cached
    return cached


def current_page() -> tuple[str | None, str | None]:
    return request.endpoint, request.path


def profile_or_none() -> UserProfile | None:
    """The current user's profile; None when anonymous or when the user loader fails (logged)."""
    try:
        return get_state().current_profile()
    except Exception:  # a broken loader must not break the host's page
        logger.exception("onboarding: the user loader failed")
        return None


def swallowing() -> bool:
    return get_state().settings.swallow_errors


def render_context() -> dict[str, Any]:
    return {"onboarding_base_template": get_state().settings.base_template}
