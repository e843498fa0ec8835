"""``assert_guides``: which guides a rendered page or an API answer carries, and why not.

A page carries its guides in the inline ``<script type="application/json"
id="onboarding-data">`` that ``onboarding_assets()`` writes; ``GET /onboarding/api/guides``
answers the same payload (docs/widget-contract.md). When a guide is not where the test
expects it, the failure gives preview-as's reasons (``onboarding_sdk.why``) for that user on
that page, computed read-only from the store.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping
from html.parser import HTMLParser
from typing import Any

from flask import Flask, current_app, has_app_context

from ..app_state import get_state
from ..delivery import COLLECTION_KINDS, Page
from ..identity import UserProfile
from ..why import explain_guide, explain_when, first_unmet
from .clock import engine_of

DATA_ID = "onboarding-data"


class _DataScript(HTMLParser):
    """Collects the text of ``<script id="onboarding-data">``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and (DATA_ID in (value for name, value in attrs if name == "id")):
            self.inside = True
            self.found.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside:
            self.found[-1] += data


def payload_of(page: Any) -> dict[str, Any]:
    """The widget payload in a test-client response, an HTML page, JSON text or a dict."""
    if isinstance(page, Mapping):
        return dict(page)
    if hasattr(page, "get_data") and hasattr(page, "status_code"):
        if page.status_code != 200:
            hint = " (a redirect: pass follow_redirects=True)" if 300 <= page.status_code < 400 else ""
            raise AssertionError(f"the response is {page.status}, not a page with guides{hint}")
        text = page.get_data(as_text=True)
    elif isinstance(page, bytes):
        text = page.decode()
    elif isinstance(page, str):
        text = page
    else:
        raise TypeError(f"assert_guides() takes a response, HTML, JSON or a dict, not {type(page).__name__}")
    if text.lstrip().startswith("{"):
        loaded = json.loads(text)
        if "guides" not in loaded:
            raise AssertionError(f"this JSON has no 'guides': {text[:200]}")
        return dict(loaded)
    parser = _DataScript()
    parser.feed(text)
    if not parser.found:
        raise AssertionError(
            f'the page has no <script id="{DATA_ID}">: is a user signed in (the user loader returned a '
            "profile) and does its template call {{ onboarding_assets() }}?"
        )
    return dict(json.loads(parser.found[0]))


def shown_ids(page: Any) -> list[str]:
    """The ids of the guides a page or API answer carries, in display order."""
    return [str(guide["id"]) for guide in payload_of(page)["guides"]]


def assert_guides(
    page: Any,
    shows: Iterable[str] = (),
    hides: Iterable[str] = (),
    *,
    app: Flask | None = None,
    user: UserProfile | str | None = None,
) -> list[str]:
    """Check that ``page`` carries every guide of ``shows`` and none of ``hides``; return the ids
    it carries. On failure the message explains each misplaced guide with preview-as's reasons,
    for ``user`` (default: the user the host's loader finds for the response's own request)."""
    __tracebackhide__ = True
    payload = payload_of(page)
    present = [str(guide["id"]) for guide in payload["guides"]]
    missing = [gid for gid in shows if gid not in present]
    unwanted = [gid for gid in hides if gid in present]
    if not missing and not unwanted:
        return present
    app = app or (current_app._get_current_object() if has_app_context() else None)  # type: ignore[attr-defined]
    why = _Explainer(app, page, user, Page(payload.get("page"), payload.get("path")))
    where = f"page {payload.get('page') or '(no endpoint)'} (path {payload.get('path')})"
    who = f" for user {why.situation.user.user_id}" if why.situation is not None else ""
    lines = [f"guides on {where}{who}: {', '.join(present) or 'none'}"]
    lines += [f"- expected {gid}, not there: {why.missing(gid)}" for gid in missing]
    lines += [f"- did not expect {gid}, shown: {why.shown(gid)}" for gid in unwanted]
    raise AssertionError("\n".join(lines))


class _Explainer:
    """Preview-as's reasons for one user on one page, computed once, read-only."""

    def __init__(self, app: Flask | None, page: Any, user: UserProfile | str | None, where: Page) -> None:
        self.app, self.where, self.problem = app, where, ""
        self.situation: Any = None
        if app is None:
            self.problem = "(no reasons: pass app=, or use the assert_guides fixture, to see why)"
            return
        engine = engine_of(app)
        profile = user if isinstance(user, UserProfile) else None
        with app.app_context():
            if profile is None and isinstance(user, str):
                profile = UserProfile(user)
            if profile is None:
                profile = _requesting_user(app, page)
            if profile is None:
                self.problem = "(no reasons: the response's user is unknown; pass user=)"
                return
            self.situation = engine.situation(profile, read_only=True)
        self.catalog = engine.catalog

    def missing(self, guide_id: str) -> str:
        if self.situation is None:
            return self.problem
        guide = self.catalog.get(guide_id)
        if guide is None:
            known = ", ".join(sorted(self.catalog.guides)[:20])
            return f"there is no guide {guide_id!r} in the served content (guides: {known})"
        if guide.spec.kind in COLLECTION_KINDS and not guide.spec.when.get("endpoints"):
            return f"{guide.spec.kind} guides are gathered on the tips or changelog page, never in a page's guides"
        checks = explain_guide(self.catalog, guide, self.situation, self.where, None)
        failing = [check for check in checks if check.ok is False]
        if not failing:
            return "every check passes, but better-ranked guides of its kind took the page (one per kind or slot)"
        reasons: list[str] = []
        for check in failing:
            if check.name == "condition":
                facts = self.situation.facts(self.where)
                unmet = first_unmet(explain_when(guide.spec.when, facts, f"guides.{guide_id}.when"))
                reasons.append(f"condition not met: {unmet.text}" if unmet else check.text)
            else:
                reasons.append(check.text)
        return "; ".join(reasons)

    def shown(self, guide_id: str) -> str:
        if self.situation is None:
            return self.problem
        guide = self.catalog.get(guide_id)
        if guide is None:
            return "(not in this process's content)"
        checks = explain_guide(self.catalog, guide, self.situation, self.where, None)
        return "; ".join(check.text for check in checks if check.ok is not None)


def _requesting_user(app: Flask, page: Any) -> UserProfile | None:
    """The profile the host's user loader returns for the request that made ``page``."""
    request = getattr(page, "request", None)
    state = get_state(app)
    if request is None or getattr(request, "environ", None) is None:
        return None
    environ = dict(request.environ)
    environ["wsgi.input"] = io.BytesIO()  # the body was read already; the loader needs headers and cookies
    with app.request_context(environ):
        app.preprocess_request()  # before_request hooks: flaskr sets g.user in one
        profile: UserProfile | None = state.current_profile()
        return profile
