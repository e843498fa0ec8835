"""One state object per app (``app.extensions["onboarding"]``, reached with ``get_state``),
module-level views serving every app with that app's own state and callbacks, and the typed
settings."""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import pytest
from flask import Flask, request

from onboarding_sdk import Onboarding, OnboardingError, OnboardingState, UserProfile, get_state
from onboarding_sdk.config import KNOWN_KEYS, SETTINGS, Settings, attribute_of, load_settings
from onboarding_sdk.engine import Engine


def make_app(name: str, **config: Any) -> Flask:
    app = Flask(name)
    app.config.update(SECRET_KEY=f"{name}-secret", ONBOARDING_STORAGE_URI="memory://", **config)
    app.config.setdefault("ONBOARDING_EVENTS", ["report_created"])

    @app.get("/")
    def home() -> str:
        return "home"

    return app


def signed_in_as(prefix: str) -> Any:
    """A user loader naming the user after the app: ``<prefix>-<X-User>``."""

    def load() -> UserProfile | None:
        user = request.headers.get("X-User")
        return UserProfile(f"{prefix}-{user}", None) if user else None

    return load


def test_get_state_is_the_apps_one_state_object() -> None:
    app = make_app("one")
    ext = Onboarding(app)
    state = get_state(app)
    assert isinstance(state, OnboardingState) and app.extensions["onboarding"] is state
    assert isinstance(state.engine, Engine) and state.extension is ext and state.app is app
    assert state.settings is state.engine.settings
    with app.app_context():
        assert get_state() is state and ext.engine is state.engine


def test_get_state_without_init_app_names_the_mistake() -> None:
    app = Flask("bare")
    with pytest.raises(OnboardingError, match=r"Onboarding.init_app\(app\) was not called for this app"):
        get_state(app)
    with app.app_context(), pytest.raises(OnboardingError, match="init_app"):
        get_state()


def test_callbacks_registered_after_init_app_are_the_ones_in_effect() -> None:
    app = make_app("late")
    ext = Onboarding(app)
    state = get_state(app)
    assert state.user_loader is None and state.console_access is None
    loader = ext.user_loader(signed_in_as("late"))
    access = ext.console_access(lambda: "viewer")
    assert state.user_loader is loader and state.console_access is access
    assert ext.user_loader_callback is loader and ext.console_access_callback is access


def test_one_object_serves_two_apps_through_the_same_module_level_views() -> None:
    first, second = make_app("first"), make_app("second", ONBOARDING_URL_PREFIX="/help")
    ext = Onboarding()
    ext.init_app(first)
    ext.init_app(second)
    ext.user_loader(signed_in_as("same"))
    assert get_state(first) is not get_state(second)
    assert get_state(first).engine.storage is not get_state(second).engine.storage
    one, two = first.test_client(), second.test_client()
    page_one = one.get("/onboarding/api/guides?page=home", headers={"X-User": "a"}).get_json()
    page_two = two.get("/help/api/guides?page=home", headers={"X-User": "a"}).get_json()
    assert page_one["api"] == "/onboarding/api" and page_two["api"] == "/help/api"
    assert page_one["user"] != page_two["user"]  # each app's own secret keys the tag
    # a POST passes the checks in the blueprint's before_request with each app's own token
    token = page_two["csrf"]["token"]
    sent = two.post(
        "/help/api/events", json={"name": "report_created"}, headers={"X-User": "a", "X-Onboarding-CSRF": token}
    )
    assert sent.status_code == 200 and sent.get_json()["count"] == 1
    crossed = one.post(
        "/onboarding/api/events", json={"name": "report_created"}, headers={"X-User": "a", "X-Onboarding-CSRF": token}
    )
    assert crossed.status_code == 403 and crossed.get_json()["error"]["code"] == "csrf"
    with second.app_context():
        assert ext.state_of("same-a").count("report_created") == 1
    with first.app_context():
        assert ext.state_of("same-a").count("report_created") == 0
    assert get_state(first).csrf_tokens.keys().isdisjoint(get_state(second).csrf_tokens.keys())


def test_two_objects_on_two_apps_keep_their_own_callbacks() -> None:
    first, second = make_app("alpha"), make_app("beta")
    alpha, beta = Onboarding(first), Onboarding(second)
    alpha.user_loader(signed_in_as("alpha"))
    beta.user_loader(signed_in_as("beta"))
    alpha.console_access(lambda: "admin")  # beta registers none: its console stays 404
    for app, prefix in ((first, "alpha"), (second, "beta")):
        client = app.test_client()
        token = client.get("/onboarding/api/guides?page=home", headers={"X-User": "u"}).get_json()["csrf"]["token"]
        client.post(
            "/onboarding/api/events",
            json={"name": "report_created"},
            headers={"X-User": "u", "X-Onboarding-CSRF": token},
        )
        with app.app_context():
            assert get_state().engine.state_of(f"{prefix}-u").count("report_created") == 1
    assert first.test_client().get("/onboarding/console/guides", headers={"X-User": "u"}).status_code == 200
    assert second.test_client().get("/onboarding/console/guides", headers={"X-User": "u"}).status_code == 404


def test_refusals_come_from_the_blueprints_error_handler_and_pages_stay_html() -> None:
    app = make_app("refusals")
    Onboarding(app).user_loader(signed_in_as("r"))
    client = app.test_client()
    anonymous = client.post("/onboarding/api/events", json={"name": "report_created"})
    assert anonymous.status_code == 401 and anonymous.get_json()["error"]["code"] == "not_signed_in"
    no_token = client.post("/onboarding/api/events", json={"name": "report_created"}, headers={"X-User": "u"})
    assert no_token.status_code == 403 and no_token.get_json()["error"]["code"] == "csrf"
    tips = client.get("/onboarding/tips")
    assert tips.status_code == 401 and tips.mimetype == "text/html"


def test_the_web_caches_live_on_the_state_not_on_the_engine() -> None:
    app = make_app("caches")
    Onboarding(app).user_loader(signed_in_as("c"))
    app.test_client().get("/onboarding/api/guides?page=home", headers={"X-User": "u"})
    state = get_state(app)
    assert state.url_cache and state.locale_cache and state.theme_cache and state.csrf_tokens and state.user_tags
    for name in ("url_cache", "locale_cache", "theme_cache", "anchors"):
        assert name not in vars(state.engine)


def test_the_engine_read_through_app_extensions_still_works_with_a_warning() -> None:
    app = make_app("old")
    Onboarding(app)
    with pytest.warns(DeprecationWarning, match=r"get_state\(app\)\.engine\.storage"):
        storage = app.extensions["onboarding"].storage
    assert storage is get_state(app).engine.storage
    with pytest.warns(DeprecationWarning):
        app.extensions["onboarding"].clock = get_state(app).engine.clock  # written through, too
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert app.extensions["onboarding"].settings is get_state(app).settings  # its own names: no warning
    with pytest.raises(AttributeError):
        app.extensions["onboarding"].no_such_name  # noqa: B018


def test_settings_have_one_typed_attribute_per_key() -> None:
    attributes = {f.name for f in dataclasses.fields(Settings)}
    assert {attribute_of(key) for key in KNOWN_KEYS} <= attributes
    assert attributes - {attribute_of(key) for key in KNOWN_KEYS} == {"events", "stage_model", "storage_uri_was_set"}
    settings = load_settings({"ONBOARDING_STORAGE_TIMEOUT": 1, "ONBOARDING_ATTENTION_BUDGET": {"use": 2}})
    assert settings.storage_timeout == 1.0 and isinstance(settings.storage_timeout, float)
    assert settings.attention_budget == {"use": 2} and settings.dormant_after_days == 14
    assert settings.content == () and settings.theme == {"mode": "auto", "vars": {}}
    for setting in SETTINGS:  # the deprecated mapping access answers what the attribute holds
        assert settings[setting.key] == getattr(settings, attribute_of(setting.key))
    with pytest.raises(KeyError):
        settings["ONBOARDING_NO_SUCH_KEY"]
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.swallow_errors = False  # type: ignore[misc]
