"""The app's Onboarding object and its demo clock (debug mode only: 'view as day N')."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import current_app, has_request_context, session

from onboarding_sdk import Onboarding

DEMO_OFFSET_KEY = "demo_offset_days"


def demo_clock_enabled() -> bool:
    return bool(current_app.debug or current_app.config.get("DEMO_CLOCK"))


def demo_offset() -> int:
    """Days this browser session has jumped ahead (0 outside debug mode)."""
    if not has_request_context() or not demo_clock_enabled():
        return 0
    return int(session.get(DEMO_OFFSET_KEY, 0))


def now() -> datetime:
    """The app's clock: real time, moved ahead by the demo control in debug mode."""
    return datetime.now(UTC) + timedelta(days=demo_offset())


onboarding = Onboarding(clock=now)
