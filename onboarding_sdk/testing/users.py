"""Put a user in a given state through the tracking path the host itself uses.

``make_user`` plans a history with the app's own stage rules (``plan.py``), forgets whatever
the store held for that id, and replays the history through ``Engine.track``: the code behind
``onboarding.track(event, profile=..., at=...)`` and the request hook's page views. Counters,
stage transitions, the analytics index and the signals are therefore exactly what a real
user's history produces; no stage is ever written directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from flask import Flask

from ..identity import UserProfile
from ..state import UserState
from ..timeutil import as_utc
from .clock import engine_of
from .plan import StageUnreachable, Step, Wish, plan_for

EventsArg = Mapping[str, int | Sequence[datetime]] | Iterable[str] | None


@dataclass(frozen=True)
class PreparedUser:
    """What ``onboarding_user`` made: the profile it tracked with, the stored state, the steps."""

    profile: UserProfile
    state: UserState
    steps: tuple[Step, ...]

    @property
    def id(self) -> str:
        return self.profile.id

    @property
    def stage(self) -> str:
        return self.state.stage


def _events(value: EventsArg) -> dict[str, int | tuple[datetime, ...]]:
    """``{"report_created": 3}``, ``{"report_created": [dt, dt]}`` or ``["installed_code"]``."""
    if value is None:
        return {}
    if isinstance(value, str):
        raise TypeError("events must be a list of names or a mapping of name -> count or times, not a string")
    if not isinstance(value, Mapping):
        return dict.fromkeys(value, 1)
    found: dict[str, int | tuple[datetime, ...]] = {}
    for name, done in value.items():
        if isinstance(done, bool) or not isinstance(done, int | list | tuple):
            raise TypeError(f"events[{name!r}] must be a count or a list of datetimes")
        if isinstance(done, int):
            if done < 0:
                raise ValueError(f"events[{name!r}] must not be negative")
            found[name] = done
            continue
        if not all(isinstance(when, datetime) for when in done):
            raise TypeError(f"events[{name!r}] must be a count or a list of datetimes")
        found[name] = tuple(as_utc(when) for when in done)
    return found


def make_user(
    app: Flask,
    user_id: str | int,
    *,
    stage: str | None = None,
    days_since_signup: int | None = None,
    events: EventsArg = None,
    active_days: int | None = None,
    plan: str | None = None,
    role: str | None = None,
    account_id: str | None = None,
    locale: str | None = None,
    traits: Mapping[str, Any] | None = None,
) -> PreparedUser:
    """Give ``user_id`` a history that puts them in ``stage`` by ``app``'s own rules, now (the
    app's clock). Anything stored for that id before is forgotten first. Raises
    StageUnreachable, before writing anything, when the rules cannot lead there."""
    if days_since_signup is not None and days_since_signup < 0:
        raise ValueError("days_since_signup must not be negative")
    if active_days is not None and active_days < 1:
        raise ValueError("active_days must be at least 1 (the user is seen today)")
    engine = engine_of(app)
    profile = UserProfile(
        str(user_id), None, role=role, plan=plan, locale=locale, account_id=account_id, traits=dict(traits or {})
    )
    with app.app_context():  # signal receivers may need the app
        now = engine.now()
        wish = Wish(profile, stage, days_since_signup, _events(events), active_days)
        settings = engine.settings
        dormant_after = settings.dormant_after_days
        planned = plan_for(wish, settings.stage_model, settings.events, now, dormant_after)
        profile = replace(profile, signed_up_at=planned.signed_up_at)
        engine.call_store(lambda: engine.storage.privacy.forget(profile.id))
        for step in planned.steps:
            engine.track(profile.id, step.event, step.at, profile)
        state = engine.state_of(profile.id, profile, now)
    if stage is not None and state.stage != stage:  # the plan's replay and the engine disagree: our bug
        raise StageUnreachable(f"planned {planned.stage}, but the engine settled user {profile.id} in {state.stage}")
    return PreparedUser(profile, state, planned.steps)


def clear_store(app: Flask) -> None:
    """Delete everything ``app``'s onboarding store holds under its ``ONBOARDING_KEY_PREFIX``
    (all of it for ``memory://``): users, counters, published content. For test teardown."""
    engine = engine_of(app)
    engine.call_store(engine.storage.reset)
