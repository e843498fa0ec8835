"""The Flask extension: init_app, the user loader, request hooks. Thin glue over Engine."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from functools import partial
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g, has_request_context, request

from . import csrf, events_out, privacy, web
from .account_outcomes import Checked
from .app_state import KEY, ConsoleAccess, OnboardingState, UserLoader, get_state
from .cli_mount import onboarding_command
from .config import Settings, load_settings
from .console_mount import register_console
from .content.errors import ContentError
from .engine import Engine
from .errors import InvalidArgument, NoCurrentUser, NoUserLoader, OnboardingError, StorageError
from .events import unknown_event
from .identity import UserProfile
from .state import UserState
from .storage import storage_from_uri
from .storage.population import DormantAccount
from .timeutil import Clock, system_clock

logger = logging.getLogger("onboarding_sdk")
F = TypeVar("F", bound=Callable[..., Any])


class Onboarding:
    """``Onboarding(app)`` or ``Onboarding()`` then ``init_app(app)``.

    Only callbacks live on this object; each app's state lives in
    ``app.extensions["onboarding"]`` (an ``OnboardingState``, reached with
    ``onboarding_sdk.get_state(app)``), so one object can serve several apps.
    """

    def __init__(self, app: Flask | None = None, *, clock: Clock | None = None) -> None:
        self._user_loader: UserLoader | None = None
        self._console_access: ConsoleAccess | None = None
        self._console_user_name: Callable[[str], str | None] | None = None
        self._console_locale: Callable[[], str | None] | None = None
        self._clock = clock
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask, *, clock: Clock | None = None) -> None:
        """Validate ``ONBOARDING_*`` config (ConfigurationError names a bad key) and wire the app."""
        settings = load_settings(app.config)
        if not settings.storage_uri_was_set:
            logger.warning(
                "ONBOARDING_STORAGE_URI is not set: using memory://, which forgets everything on restart "
                "and is not shared between processes"
            )
        storage = storage_from_uri(
            settings.storage_uri,
            prefix=settings.key_prefix,
            timeout=settings.storage_timeout,
            retries=settings.storage_retries,
        )
        engine = Engine(app, settings, storage, clock or self._clock or system_clock)
        paths = [os.path.join(app.root_path, p) for p in settings.content]
        problems = engine.content.load_files(paths)
        # A broken guide is dropped alone and logged, the others are served, and `flask onboarding
        # check` (run it in CI) fails on it. Strict (debug and testing by default), start-up stops
        # instead; not for `flask onboarding ...`, whose check and import report problems themselves.
        if problems and content_strict(app, settings) and not _loading_for_onboarding_command():
            raise ContentError(problems)
        for problem in problems:
            logger.error("onboarding content: %s", problem)
        if not app.secret_key:
            logger.warning(
                "SECRET_KEY is not set: the onboarding widget draws every guide read-only (help shows, "
                "but no dismissal, feedback or event is saved) and the API refuses POSTs with 403 "
                "no_secret_key until SECRET_KEY is set"
            )
        app.extensions[KEY] = state = OnboardingState(app, self, engine)
        state.outbox = events_out.wire(
            app, storage, settings.key_prefix, settings.outbox, settings.outbox_maxlen, engine.now
        )
        app.after_request(_after_request)
        app.before_request(_exempt_from_flask_wtf)
        # The blueprint's views are module-level functions that find this app's state with
        # get_state(); the API's request schemas use marshmallow, so api loads here, not on import.
        from . import anchor_reports, api, pages  # noqa: F401 (importing them adds their routes to the blueprint)
        from .blueprint import bp

        app.register_blueprint(bp, url_prefix=settings.url_prefix)
        register_console(app, settings.console_prefix)  # the console loads on first use
        csrf.connect_flask_login()
        pages.register_helpers(app)

        app.cli.add_command(onboarding_command)  # the CLI module loads when a subcommand runs

    # --- callbacks ----------------------------------------------------------------------

    def user_loader(self, callback: F) -> F:
        """Register the function that returns the current UserProfile, or None if anonymous."""
        self._user_loader = callback
        return callback

    def console_access(self, callback: F) -> F:
        """Register the function that returns the current person's console role.

        One of ``"viewer"``, ``"editor"``, ``"publisher"``, ``"admin"``, or None for no access.
        Without this callback the console answers 404 everywhere (deny by default).
        """
        self._console_access = callback
        return callback

    def console_user_name(self, callback: F) -> F:
        """Register the function that gives a console user's display name from their id (the
        user loader's profile id, as the audit log, history and drafts keep it), or None; the
        console shows the id when there is none."""
        self._console_user_name = callback
        return callback

    @property
    def console_user_name_callback(self) -> Callable[[str], str | None] | None:
        """The registered display-name callback (None: the console shows ids)."""
        return self._console_user_name

    def console_locale(self, callback: F) -> F:
        """Register the function that gives the current console user's preferred language
        (``"en"``, ``"zh-CN"``; anything else or None: no preference). The header's language
        link (a cookie) still wins; without either, the console follows Accept-Language."""
        self._console_locale = callback
        return callback

    @property
    def console_locale_callback(self) -> Callable[[], str | None] | None:
        """The registered console-language callback (None: cookie, then Accept-Language)."""
        return self._console_locale

    @property
    def user_loader_callback(self) -> UserLoader | None:
        """The registered user loader (None until ``@onboarding.user_loader``)."""
        return self._user_loader

    @property
    def console_access_callback(self) -> ConsoleAccess | None:
        """The registered console-access callback (None: the console answers 404)."""
        return self._console_access

    # --- per-app state --------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        """The current app's Engine (needs an app context)."""
        return get_state().engine

    def current_profile(self) -> UserProfile | None:
        """The current user's profile, loaded at most once per request; None if anonymous."""
        if not has_request_context():
            return None
        return get_state().current_profile()

    # --- the public operations -------------------------------------------------------------

    def track(
        self,
        event: str,
        *,
        user_id: str | None = None,
        at: datetime | None = None,
        profile: UserProfile | None = None,
    ) -> UserState | None:
        """Record a declared event for the current user (or ``user_id``) at ``at`` (default now).

        ``profile``: the user's profile when tracking outside their request (a backfill, a
        worker), so that their sign-up time and account are known; ``user_id`` defaults to its id.
        Returns the user's new state; None for an anonymous visitor, or when an error was logged
        instead of raised. The host's action has already succeeded when it calls this, so with
        ``ONBOARDING_SWALLOW_ERRORS`` (default on) nothing here becomes the user's 500: a
        StorageError is logged and swallowed; a mistake in the calling code (UnknownEvent for an
        undeclared event, naming the closest declared ones; NoUserLoader, NoCurrentUser,
        InvalidArgument) or an unexpected error is logged when it happens in a request in
        production, and raised when ``app.debug`` or ``app.testing`` (seen while developing)
        or outside a request (a worker or script). Without swallowing, every error is raised.
        """
        state = get_state()
        engine = state.engine
        try:
            return _track(state, event, user_id, at, profile)
        except StorageError as exc:
            if not engine.settings.swallow_errors:
                raise
            logger.error("onboarding: event %r for user %s was not recorded: %s", event, user_id, exc)
            return None
        except OnboardingError as exc:  # the calling code's mistake: loud in development only
            if _raises_in_this_app(engine):
                raise
            logger.error("onboarding: track(%r) in the host's code failed, nothing recorded: %s", event, exc)
            return None
        except Exception:
            if _raises_in_this_app(engine):
                raise
            logger.exception("onboarding: error while tracking event %r (nothing was recorded)", event)
            return None

    def state_of(self, user_id: str) -> UserState:
        """Everything known about a user, with the stage settled as of now. Raises StorageError."""
        state = get_state()
        profile = state.profile_if_loader()
        if profile is not None and profile.id != user_id:
            profile = None
        return state.engine.state_of(str(user_id), profile)

    def stage_of(self, user_id: str) -> str:
        """The user's stage name. Raises StorageError when the store cannot be read."""
        return self.state_of(user_id).stage

    def check_dormant_accounts(self) -> list[DormantAccount]:
        """Send ``account_dormant`` for every account that went dormant since the last check
        (in any process) and return them; each dormancy episode is announced once across the
        fleet. Needs an app context. Raises StorageError when the store cannot be reached."""
        return self.engine.dormancy.check()

    def check_accounts(self) -> Checked:
        """Compute and store every due account's health and milestones now, sending
        ``account_health_changed`` and ``milestone_reached`` for what changed (once across the
        fleet); what the periodic check after responses does. Needs an app context. Raises
        StorageError when the store cannot be reached."""
        return self.engine.accounts.check()

    def forget(self, user_id: str) -> None:
        """Delete everything stored about ``user_id`` (a privacy request, or an id about to be
        reused) and send ``user_forgotten``: their record, idempotency keys and every entry of
        theirs in the population index (docs/privacy.md). Needs an app context. Raises
        StorageError; forgetting an unknown or already forgotten user does nothing else."""
        privacy.forget(self.engine, str(user_id))

    def export_user(self, user_id: str) -> dict[str, Any]:
        """Everything stored about ``user_id``, as JSON-able data (events with counts and dates,
        stage history, guide states, sign-up, active days, the population index's entries; the
        keys are listed in docs/privacy.md). Reads only. Needs an app context. Raises StorageError."""
        return privacy.export_user(self.engine, str(user_id))

    def guides_for(self, profile: UserProfile, page: str | None = None, path: str | None = None) -> list[Any]:
        """The guides ``profile`` gets on ``page`` (a Flask endpoint): exactly what the API returns.

        Needs an app context; outside a request one is made for URL building. Hosts call this
        while rendering a page, so with ``ONBOARDING_SWALLOW_ERRORS`` (default on) it never
        raises: a storage error, or any other error, is logged and the page gets no guides (``[]``).
        """
        try:
            if has_request_context():
                return web.page_guides(profile, page, path)
            with current_app.test_request_context(path or "/"):
                return web.page_guides(profile, page, path)
        except Exception as exc:
            if not _swallowed(exc, "guides for the page were not loaded"):
                raise
            return []

    def hints_for(self, errors: Mapping[str, Any] | list[Any] | str, form: str) -> dict[str, str]:
        """Turn a host's marshmallow ``ValidationError.messages`` into the product team's words.

        ``errors`` is typed as marshmallow types ``messages``; only a mapping of fields gives hints.

        For each field with errors that a ``validation`` tooltip (``form`` + ``field``) covers,
        returns its text in the current user's locale; the widget also shows them at the field.
        Like ``guides_for``, it never raises with ``ONBOARDING_SWALLOW_ERRORS``: on an error
        it logs and returns ``{}`` (the host shows its own messages).
        """
        try:
            profile = get_state().profile_if_loader()
            hints = web.validation_hints(errors, form, profile)
        except Exception as exc:
            if not _swallowed(exc, f"validation hints for form {form!r} were not loaded"):
                raise
            return {}
        if has_request_context():
            g._onboarding_hints = [{"anchor": anchor, "text": text} for anchor, text in hints.values()]
        return {field: text for field, (_, text) in hints.items()}


def _track(
    state: OnboardingState, event: str, user_id: str | None, at: datetime | None, profile: UserProfile | None
) -> UserState | None:
    engine = state.engine
    if not isinstance(event, str) or event not in engine.settings.events:
        raise unknown_event(event, engine.settings.events)
    has_loader = has_request_context() and state.user_loader is not None
    if profile is not None:
        if user_id is not None and str(user_id) != profile.id:
            raise InvalidArgument(f"track(): user_id={user_id!r} but profile.id={profile.id!r}")
        user_id = profile.id
    elif has_loader:
        profile = state.current_profile()
    if user_id is None:
        if profile is None:
            if has_loader:
                return None  # anonymous visitors are never tracked
            if not has_request_context():
                raise NoCurrentUser("track() outside a request needs user_id=")
            raise NoUserLoader("track() without user_id needs an @onboarding.user_loader")
        user_id = profile.id
    elif profile is not None and profile.id != user_id:
        profile = None  # another user's event: their profile is not known here
    return engine.track(str(user_id), event, at, profile)


# --- request hooks ----------------------------------------------------------------------------


def _after_request(response: Response) -> Response:
    state = get_state()
    engine = state.engine
    if engine.dormancy.due():  # no I/O unless an interval has passed in this process
        response.call_on_close(partial(_dormant_check, state.app))
    if (
        not engine.settings.track_activity
        or state.user_loader is None
        or response.status_code >= 400
        or request.endpoint in (None, "static")
    ):
        return response
    try:
        profile = state.current_profile()
        if profile is not None:
            engine.record_activity(profile)
    except StorageError as exc:
        logger.warning("onboarding: activity not recorded: %s", exc)
    except Exception:  # the host's page must never break because of us
        if not engine.settings.swallow_errors:
            raise
        logger.exception("onboarding: error while recording activity")
    return response


def _raises_in_this_app(engine: Engine) -> bool:
    """Errors that are not storage errors are logged only where they would become an end
    user's 500: in a request, in production. They are raised while developing (``app.debug``
    or ``app.testing``), outside a request (a worker or a script has no user to protect, and
    must not lose events quietly) and without ONBOARDING_SWALLOW_ERRORS."""
    app = engine.sender
    return (
        not has_request_context()
        or bool(getattr(app, "debug", False) or getattr(app, "testing", False))
        or not engine.settings.swallow_errors
    )


def _swallowed(exc: Exception, what: str) -> bool:
    """For reads made while the host renders a page: like the request hook, log and let the
    caller serve "no help"; False (the caller re-raises) when ONBOARDING_SWALLOW_ERRORS is off."""
    state = current_app.extensions.get(KEY)
    if not isinstance(state, OnboardingState) or not state.settings.swallow_errors:
        return False
    if isinstance(exc, StorageError):
        logger.warning("onboarding: %s: %s", what, exc)
    else:
        logger.error("onboarding: %s", what, exc_info=exc)
    return True


def _dormant_check(app: Flask) -> None:
    """After the response was sent: the opportunistic dormant-account check and retention sweep
    (for each, one process in the fleet takes the store's lock); failures never reach the host."""
    engine = get_state(app).engine
    try:
        with app.app_context():  # receivers may need the app (mail, database)
            engine.dormancy.run()
            privacy.run_retention_sweep(engine)  # ONBOARDING_RETENTION_DAYS (off by default)
            engine.accounts.run()  # account health bands and milestones (account_outcomes)
    except StorageError as exc:
        logger.warning("onboarding: dormant accounts not checked: %s", exc)
    except Exception:
        logger.exception("onboarding: error while checking dormant accounts")


def _exempt_from_flask_wtf() -> None:
    """Our API checks its own CSRF token (and accepts Flask-WTF's), so Flask-WTF's app-wide
    check must not refuse the widget's requests; exempt the blueprint whenever it is there."""
    protect = current_app.extensions.get("csrf")
    exempt = getattr(protect, "exempt", None)
    if exempt is None:
        return
    # The console checks its own session token on every form (console/csrf.py).
    for name in ("onboarding", "onboarding_console"):
        blueprint = current_app.blueprints.get(name)
        if blueprint is not None and blueprint not in getattr(protect, "_exempt_blueprints", ()):
            exempt(blueprint)


def _loading_for_onboarding_command() -> bool:
    from .cli import loading_for_onboarding_command  # the CLI module: only when content has problems

    return loading_for_onboarding_command()


def content_strict(app: Flask, settings: Settings) -> bool:
    """ONBOARDING_CONTENT_STRICT, or (None) whether the app runs in debug or testing mode."""
    strict: bool | None = settings.content_strict
    return bool(app.debug or app.testing) if strict is None else strict
