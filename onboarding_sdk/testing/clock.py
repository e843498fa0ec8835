"""Time travel for tests: a clock moved by hand, swapped into one or more apps and restored.

Every time onboarding_sdk reads (days since sign-up, seven-day rules, active days, dormancy,
scheduled guides) comes from the app's clock: ``Onboarding(clock=...)`` at start, or for one
test ``use_clock(app, clock)``. The CSRF tokens of the API keep real time, so moving the
clock never makes a page's token stale.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from flask import Flask

from ..app_state import KEY, OnboardingState
from ..engine import Engine
from ..errors import OnboardingError
from ..timeutil import Clock, as_utc


class ManualClock:
    """A clock that stands still until moved: ``advance(days=8)``, ``set(datetime)``.

    Starts at ``start`` (default: the real time when made). Naive datetimes are UTC.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self.now = as_utc(start) if start is not None else datetime.now(UTC)
        self._restore: list[tuple[Engine, Clock]] = []

    def __call__(self) -> datetime:
        return self.now

    def __repr__(self) -> str:
        return f"ManualClock({self.now.isoformat()})"

    def advance(self, days: float = 0, *, hours: float = 0, minutes: float = 0, seconds: float = 0) -> datetime:
        """Move forward (a negative amount moves back) and return the new time."""
        self.now += timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        return self.now

    def set(self, when: datetime) -> datetime:
        """Jump to ``when`` and return it."""
        self.now = as_utc(when)
        return self.now

    def attach(self, app: Flask) -> ManualClock:
        """Make this the clock of ``app`` (another app of the same test, say) until ``restore``."""
        engine = engine_of(app)
        self._restore.append((engine, engine.clock))
        engine.clock = self
        return self

    def restore(self) -> None:
        """Give every attached app its own clock back (the fixture does this after the test)."""
        while self._restore:
            engine, clock = self._restore.pop()
            engine.clock = clock


def engine_of(app: Flask) -> Engine:
    state = app.extensions.get(KEY)
    if not isinstance(state, OnboardingState):
        raise OnboardingError(f"Onboarding.init_app() was not called for the app {app.name!r}")
    return state.engine


@contextmanager
def use_clock(app: Flask, clock: ManualClock | None = None) -> Iterator[ManualClock]:
    """``with use_clock(app) as clock: clock.advance(days=8)``: the app's own clock comes back after."""
    clock = clock or ManualClock()
    engine = engine_of(app)
    own = engine.clock
    engine.clock = clock
    try:
        yield clock
    finally:
        engine.clock = own
