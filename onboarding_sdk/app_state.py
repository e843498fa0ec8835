"""One app's onboarding state, ``app.extensions["onboarding"]``, and ``get_state``, the one
accessor every view, helper and command uses to reach it.

As in Flask-Login and Flask-SQLAlchemy, the ``Onboarding`` object keeps only what the host
registered on it (its callbacks), so one object serves several apps; everything that belongs
to one app lives here: the engine and the settings, which callbacks are in effect, the API's
CSRF caches and the web layer's caches. The callbacks are read from the ``Onboarding`` object
on each use (through its public properties), so a callback registered after ``init_app``
counts, as hosts usually write it.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g, has_request_context

from .errors import InvalidProfile, NoUserLoader, OnboardingError
from .identity import UserProfile

if TYPE_CHECKING:
    from .config import Settings
    from .engine import Engine
    from .extension import Onboarding
    from .outbox import Outbox

UserLoader = Callable[[], UserProfile | None]
ConsoleAccess = Callable[[], str | None]
KEY = "onboarding"
_PROFILE_ATTR = "_onboarding_profile"
_UNSET = object()


class OnboardingState:
    """What one app's onboarding needs: ``engine`` (the domain: tracking, content, store),
    ``settings``, the callbacks in effect, and the web layer's per-app caches."""

    __slots__ = (
        "analytics_cache",
        "anchors",
        "app",
        "csrf_tokens",
        "engine",
        "extension",
        "inventory_cache",
        "locale_cache",
        "outbox",
        "settings",
        "theme_cache",
        "url_cache",
        "user_loader_override",
        "user_tags",
    )

    def __init__(self, app: Flask, extension: Onboarding, engine: Engine) -> None:
        own = object.__setattr__  # the attribute forwarding below is for the engine's names only
        own(self, "app", app)
        own(self, "extension", extension)  # the Onboarding object whose callbacks serve this app
        own(self, "engine", engine)
        own(self, "settings", engine.settings)
        #: A loader that answers instead of the registered one (render_check's sample users).
        own(self, "user_loader_override", None)
        # The API's CSRF tokens, (user id, day, session nonce) -> token, and the users' tags,
        # (user id, secret) -> tag: each computed once per process, bounded (csrf.py).
        own(self, "csrf_tokens", {})
        own(self, "user_tags", {})
        own(self, "url_cache", {})  # script root -> the blueprint's fixed URLs
        own(self, "locale_cache", {})  # locale -> the payload's per-locale parts
        own(self, "theme_cache", {})  # (account, plan) -> theme
        own(self, "anchors", {})  # endpoint -> anchor keys seen in rendered templates
        own(self, "inventory_cache", None)  # inventory.scan's reading of the app's templates, with its key
        own(self, "outbox", None)  # events out (ONBOARDING_OUTBOX; events_out.wire), None when off
        own(self, "analytics_cache", {})  # the analytics page's scans of the days before today

    if TYPE_CHECKING:
        app: Flask
        extension: Onboarding
        engine: Engine
        settings: Settings
        user_loader_override: UserLoader | None
        csrf_tokens: dict[tuple[str, int, str], str]
        user_tags: dict[tuple[str, bytes], str]
        url_cache: dict[str, dict[str, str]]
        locale_cache: dict[str, dict[str, Any]]
        theme_cache: dict[tuple[str | None, str | None], dict[str, Any]]
        anchors: dict[str, set[str]]
        inventory_cache: tuple[Any, Any] | None
        outbox: Outbox | None
        analytics_cache: dict[Any, tuple[float, Any]]

    # --- the callbacks in effect ----------------------------------------------------------

    @property
    def user_loader(self) -> UserLoader | None:
        return self.user_loader_override or self.extension.user_loader_callback

    @property
    def console_access(self) -> ConsoleAccess | None:
        return self.extension.console_access_callback

    def current_profile(self) -> UserProfile | None:
        """The current user's profile, loaded at most once per request; None if anonymous."""
        if not has_request_context():
            return None
        cached = g.get(_PROFILE_ATTR, _UNSET)
        if cached is not _UNSET:
            return cached  # type: ignore[no-any-return]
        loader = self.user_loader
        if loader is None:
            raise NoUserLoader("register a user loader: @onboarding.user_loader def load(): return UserProfile(...)")
        profile = loader()
        if profile is not None and not isinstance(profile, UserProfile):
            raise InvalidProfile(f"the user loader must return a UserProfile or None, not {type(profile).__name__}")
        setattr(g, _PROFILE_ATTR, profile)
        return profile

    def profile_if_loader(self) -> UserProfile | None:
        """The current profile when there is a request and a user loader; else None."""
        if not has_request_context() or self.user_loader is None:
            return None
        return self.current_profile()

    # --- app.extensions["onboarding"] was the Engine: its names still work, deprecated -----

    def __getattr__(self, name: str) -> Any:
        engine = object.__getattribute__(self, "engine")
        if name.startswith("__") or not hasattr(engine, name):
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        _deprecated(name)
        return getattr(engine, name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in OnboardingState.__slots__:
            object.__setattr__(self, name, value)
            return
        _deprecated(name)
        setattr(self.engine, name, value)


def _deprecated(name: str) -> None:
    warnings.warn(
        f'app.extensions["onboarding"] is the app\'s OnboardingState, no longer its Engine: use '
        f"onboarding_sdk.get_state(app).engine.{name}",
        DeprecationWarning,
        stacklevel=3,
    )


def get_state(app: Flask | None = None) -> OnboardingState:
    """The onboarding state of ``app`` (default: the current app)."""
    extensions = (app if app is not None else current_app).extensions
    state = extensions.get(KEY)
    if not isinstance(state, OnboardingState):
        raise OnboardingError("Onboarding.init_app(app) was not called for this app")
    return state
