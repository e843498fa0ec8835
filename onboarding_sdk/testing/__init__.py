"""Test a host app's own onboarding: a pytest plugin (docs/testing.md).

Installed with the package, pytest loads it through the ``pytest11`` entry point
``onboarding_sdk``. Its fixtures take the app from the host's own ``app`` fixture, as
pytest-flask does:

- ``onboarding_clock``: a ``ManualClock`` swapped into the app for the test (time travel);
- ``onboarding_user(user_id, stage=..., days_since_signup=..., events=..., ...)``: a user put
  in that state through the tracking path, by the app's own stage rules;
- ``assert_guides(response, shows=[...], hides=[...])``: which guides a page or API answer
  carries, with preview-as's reasons on failure.

The same tools work without the fixtures: ``use_clock``, ``make_user``, ``assert_guides``;
``clear_store(app)`` empties an app's store (under its key prefix) after a test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask

from .clock import ManualClock, use_clock
from .guides import assert_guides, payload_of, shown_ids
from .plan import StageUnreachable
from .users import PreparedUser, clear_store, make_user

__all__ = [
    "ManualClock",
    "PreparedUser",
    "StageUnreachable",
    "assert_guides",
    "clear_store",
    "make_user",
    "payload_of",
    "shown_ids",
    "use_clock",
]

_NO_APP = (
    "{fixture} needs your Flask app: define a fixture named `app` that returns (or yields) it, "
    "as pytest-flask does, e.g.\n\n"
    "    @pytest.fixture\n"
    "    def app():\n"
    "        return create_app({{'TESTING': True}})\n\n"
    "or pass app= to the function the fixture returns. See docs/testing.md."
)


def _host_app(request: pytest.FixtureRequest, fixture: str) -> Flask:
    try:
        app = request.getfixturevalue("app")
    except pytest.FixtureLookupError:
        raise pytest.UsageError(_NO_APP.format(fixture=fixture)) from None
    if not isinstance(app, Flask):
        raise pytest.UsageError(f"{fixture}: the `app` fixture returned {type(app).__name__}, not a Flask app")
    return app


@pytest.fixture
def onboarding_clock(request: pytest.FixtureRequest) -> Iterator[ManualClock]:
    """The app's onboarding clock for this test, standing still at the real time it started.

    ``onboarding_clock.advance(days=8)``, ``.set(datetime)``; ``.attach(other_app)`` moves
    another app of the test too. Every app gets its own clock back after the test.
    """
    clock = ManualClock()
    clock.attach(_host_app(request, "onboarding_clock"))
    yield clock
    clock.restore()


@pytest.fixture
def onboarding_user(request: pytest.FixtureRequest) -> Callable[..., PreparedUser]:
    """``onboarding_user(user_id, stage="use", days_since_signup=3, events={...}, plan=...)``.

    Returns a ``PreparedUser`` (``.profile``, ``.state``, ``.stage``). "Now" is the app's
    clock (``onboarding_clock`` when the test uses it). ``app=`` picks another app than the
    ``app`` fixture's.
    """

    def prepare(user_id: str | int, *, app: Flask | None = None, **wanted: Any) -> PreparedUser:
        __tracebackhide__ = True
        try:
            return make_user(app or _host_app(request, "onboarding_user"), user_id, **wanted)
        except StageUnreachable as exc:
            pytest.fail(str(exc), pytrace=False)

    return prepare


@pytest.fixture(name="assert_guides")
def assert_guides_fixture(request: pytest.FixtureRequest) -> Callable[..., list[str]]:
    """``assert_guides(response, shows=[...], hides=[...])`` for the ``app`` fixture's app."""

    def check(page: Any, shows: Any = (), hides: Any = (), *, app: Flask | None = None, **more: Any) -> list[str]:
        __tracebackhide__ = True
        return assert_guides(page, shows, hides, app=app or _host_app(request, "assert_guides"), **more)

    return check
