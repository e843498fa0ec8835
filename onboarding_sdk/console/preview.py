"""The console's preview-as page: which guides a (synthetic or real) user gets on a page, and why.

A GET form (nothing changes, so no CSRF token), role viewer. The explanations come from the
pure ``onboarding_sdk.why``; this module only turns the form into a ``Situation`` and a
``Page``. See docs/console.md, "Preview-as and why".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, g, render_template, request

from ..anchor_reports import missing_on
from ..app_state import get_state
from ..delivery import Page, Situation
from ..identity import UserProfile
from ..inventory import scan
from ..state import STAGES, EventStats, UserState
from ..timeutil import epoch_day, to_epoch
from ..why import PagePreview, explain_page
from .access import ROLES, requires, role_allows
from .base import bp, common

#: Blueprints whose pages never carry the host's guides.
_OWN_BLUEPRINTS = ("onboarding.", "onboarding_console.")
SYNTHETIC_ID = "preview-as"
FIELDS = ("user_id", "stage", "role", "plan", "locale", "days", "endpoint", "path")


@dataclass(frozen=True)
class Form:
    values: Mapping[str, str]
    events: tuple[str, ...]
    errors: tuple[str, ...]

    @property
    def ready(self) -> bool:
        return not self.errors and bool(self.values["endpoint"])


def page_endpoints() -> dict[str, str | None]:
    """The host's page endpoints (GET rules in ``app.url_map``) -> their path when it is fixed."""
    found: dict[str, str | None] = {}
    for rule in current_app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.startswith(_OWN_BLUEPRINTS) or "GET" not in (rule.methods or ()):
            continue
        path = None if rule.arguments else rule.rule
        found.setdefault(rule.endpoint, path)
    return dict(sorted(found.items()))


def read_form(args: Mapping[str, str], done: list[str], events: list[str], endpoints: Mapping[str, str | None]) -> Form:
    values = {name: (args.get(name) or "").strip() for name in FIELDS}
    values["stage"] = values["stage"] or STAGES[0]
    values["days"] = values["days"] or "0"
    errors: list[str] = []
    if values["stage"] not in STAGES:
        errors.append(f"unknown stage {values['stage']!r}")
    if not values["days"].isdigit() or int(values["days"]) > 36_500:
        errors.append("days since sign-up must be a whole number of days (0 to 36500)")
    if values["endpoint"] and values["endpoint"] not in endpoints:
        errors.append(f"{values['endpoint']!r} is not a page of this app")
    if values["path"] and not values["path"].startswith("/"):
        errors.append("the URL path must start with '/'")
    chosen = tuple(e for e in events if e in set(done))
    return Form(values, chosen, tuple(errors))


def synthetic_situation(form: Form, now: datetime, dormant_after: int) -> Situation:
    """A made-up user: the chosen stage, signed up ``days`` ago, each chosen event done once
    (just now), active today, no guide shown or dismissed yet and nothing of today's budget spent."""
    signup = now - timedelta(days=int(form.values["days"]))
    events = {name: EventStats(1, now, now) for name in form.events}
    user = UserState(
        SYNTHETIC_ID,
        signed_up_at=signup,
        stage=form.values["stage"],
        first_seen=signup,
        last_seen=now,
        events=events,
        active_days=frozenset({epoch_day(to_epoch(now))}),
    )
    return Situation(_profile(form, SYNTHETIC_ID, signup), user, {}, now, 0, dormant_after)


def _profile(form: Form, user_id: str, signed_up_at: datetime) -> UserProfile:
    values = form.values
    return UserProfile(
        user_id,
        signed_up_at,
        role=values["role"] or None,
        plan=values["plan"] or None,
        locale=values["locale"] or None,
    )


def page_anchors(endpoint: str | None) -> frozenset[str] | None:
    """The anchors known to be on a page: its templates' and what was rendered there; for a
    page whose templates are unknown, every anchor any template marks (none other can be on it)."""
    pages = scan(current_app, get_state().anchors)
    found = pages.on_pages([endpoint]) if endpoint else None
    if found is not None:
        return found
    return frozenset(pages.marked) | {key for page in pages.pages.values() for key in page.seen}


@bp.get("/preview-as", endpoint="preview_as")
@requires("viewer")
def preview_as() -> tuple[str, int]:
    engine = get_state().engine
    endpoints = page_endpoints()
    events = list(engine.settings.events)
    form = read_form(request.args, request.args.getlist("done"), events, endpoints)
    result: PagePreview | None = None
    real: UserState | None = None
    if form.ready:
        page = Page(form.values["endpoint"], form.values["path"] or endpoints.get(form.values["endpoint"]))
        if form.values["user_id"]:
            # One read: the user's record (their state, guide states and today's budget),
            # which also brings the catalog up to the store's content revision. Read-only:
            # the form's made-up role or plan must never move the real user's stage.
            profile = _profile(form, form.values["user_id"], engine.now())
            situation = engine.situation(profile, read_only=True)
            real = situation.user
        else:
            engine.content.sync(engine.call_store(engine.storage.content.revision))
            situation = synthetic_situation(form, engine.now(), engine.settings.dormant_after_days)
        # anchors the widget itself reported waiting for in vain on this path (anchor_reports.py)
        reported = missing_on(current_app, page.path) if page.path else {}
        result = explain_page(engine.catalog, situation, page, page_anchors(page.endpoint), reported)
    context: dict[str, Any] = {
        "form": form,
        "stages": STAGES,
        "events": events,
        "endpoints": endpoints,
        "result": result,
        "real": real,
        "revision": engine.content.revision,
        "role": g.get("onboarding_console_role"),
        "roles": ROLES,
        "role_allows": role_allows,
        **common(g.get("onboarding_console_role")),
    }
    status = 400 if form.errors else 200
    return render_template("onboarding/console/preview_as.html", **context), status
