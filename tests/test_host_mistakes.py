"""Mistakes in the host's code, and a store that is down, never become the end user's 500.

A small host app, driven from the outside through Flask's test client: a view that calls
``track()`` with a typo after its action succeeded, a template that calls ``guides_for`` and
a form view that calls ``hints_for`` while a real redis-server is stopped, list-valued traits.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, render_template_string, request

from onboarding_sdk import Onboarding, OnboardingError, StorageError, UnknownEvent, UserProfile, signals
from onboarding_sdk import errors as error_module
from onboarding_sdk.conditions import ConditionError
from onboarding_sdk.errors import InvalidArgument, InvalidProfile
from tests import servers

START = datetime(2026, 6, 1, 9, tzinfo=UTC)
EVENTS = ["installed_code", "report_created", "export_done"]
CONTENT = """\
version: 1
guides:
  - id: team-a-welcome
    kind: starter_guide
    title: {en: "Welcome, team A"}
    body: {en: "Your team's dashboards are ready."}
    when: {endpoints: [home], traits: {teams: a}}
  - id: not-for-admins
    kind: starter_guide
    title: {en: "Ask an admin"}
    body: {en: "An admin can invite your colleagues."}
    when: {endpoints: [home], traits: {admin: false}}
  - id: hint-email
    kind: tooltip
    purpose: validation
    form: signup
    field: email
    anchor: email
    title: {en: "Email"}
    body: {en: "Use your work address, like ana@example.com."}
"""
PAGE = "<h1>Home</h1>{% for guide in onboarding.guides_for(profile, page='home') %}<p>{{ guide.id }}</p>{% endfor %}"


def host_app(tmp_path: Path, uri: str = "memory://", **config: Any) -> tuple[Flask, Onboarding, list[str]]:
    """A host app: ``/save`` does its own work, then tracks an event named in the query string."""
    (tmp_path / "guides.yaml").write_text(CONTENT)
    app = Flask(__name__, root_path=str(tmp_path))
    app.config.update(
        SECRET_KEY="host-secret",
        ONBOARDING_STORAGE_URI=uri,
        ONBOARDING_EVENTS=EVENTS,
        ONBOARDING_CONTENT=["guides.yaml"],
        ONBOARDING_STORAGE_TIMEOUT=0.2,
        ONBOARDING_STORAGE_RETRIES=0,
    )
    app.config.update(config)
    onboarding = Onboarding(app)
    saved: list[str] = []

    @onboarding.user_loader
    def load() -> UserProfile | None:
        uid = request.headers.get("X-User")
        teams = [team for team in request.headers.get("X-Teams", "").split(",") if team]
        traits = {"teams": teams, "admin": request.headers.get("X-Admin") == "yes"}
        return None if uid is None else UserProfile(id=uid, signed_up_at=START, traits=traits)

    @app.post("/save")
    def save() -> str:
        saved.append(request.args["what"])  # the host's action succeeded...
        onboarding.track(request.args["event"])  # ...then it reports it, perhaps with a typo
        return "saved"

    @app.get("/", endpoint="home")
    def home() -> str:
        return render_template_string(PAGE, onboarding=onboarding, profile=onboarding.current_profile())

    @app.post("/signup")
    def signup() -> dict[str, Any]:
        hints = onboarding.hints_for({"email": ["Not a valid email address."]}, form="signup")
        return {"hints": hints}

    return app, onboarding, saved


# ---------------------------------------------------------------- track() with a typo


def test_a_typo_in_production_logs_the_closest_names_and_the_page_works(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app, onboarding, saved = host_app(tmp_path)
    client = app.test_client()
    with caplog.at_level(logging.ERROR, "onboarding_sdk"):
        response = client.post("/save?what=report&event=instaled_code", headers={"X-User": "u1"})
    assert response.status_code == 200 and response.text == "saved"
    assert saved == ["report"]
    assert "'instaled_code' is not declared in ONBOARDING_EVENTS; did you mean 'installed_code'?" in caplog.text
    with app.app_context():
        assert onboarding.state_of("u1").count("installed_code") == 0  # nothing recorded under a guess
    assert client.post("/save?what=again&event=installed_code", headers={"X-User": "u1"}).status_code == 200
    with app.app_context():
        assert onboarding.state_of("u1").count("installed_code") == 1


@pytest.mark.parametrize("mode", ["DEBUG", "TESTING"])
def test_a_typo_while_developing_raises_with_suggestions(tmp_path: Path, mode: str) -> None:
    app, _, _ = host_app(tmp_path, **{mode: True})
    with pytest.raises(UnknownEvent, match=r"did you mean 'installed_code'\?") as caught:
        app.test_client().post("/save?what=report&event=installed_cod", headers={"X-User": "u1"})
    assert caught.value.event == "installed_cod" and caught.value.suggestions == ("installed_code",)


def test_a_typo_outside_a_request_raises_even_in_production(tmp_path: Path) -> None:
    """A worker or a backfill script has no user to protect and must not lose events quietly."""
    app, onboarding, _ = host_app(tmp_path)
    with app.app_context(), pytest.raises(UnknownEvent, match="report_created"):
        onboarding.track("report_creatd", user_id="u1")


def test_a_failing_signal_receiver_does_not_break_the_view_in_production(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app, _, saved = host_app(tmp_path)

    def broken_receiver(sender: Any, **data: Any) -> None:
        raise KeyError("the host's receiver has a bug")

    signals.event_tracked.connect(broken_receiver, sender=app)
    try:
        with caplog.at_level(logging.ERROR, "onboarding_sdk"):
            response = app.test_client().post("/save?what=x&event=export_done", headers={"X-User": "u1"})
        assert response.status_code == 200 and saved == ["x"]
        assert "error while tracking event 'export_done'" in caplog.text and "KeyError" in caplog.text
        app.testing = True
        with pytest.raises(KeyError):
            app.test_client().post("/save?what=y&event=export_done", headers={"X-User": "u1"})
    finally:
        signals.event_tracked.disconnect(broken_receiver, sender=app)


# ---------------------------------------------------------------- list-valued traits


def test_list_valued_traits_target_by_membership_through_the_page_and_the_api(tmp_path: Path) -> None:
    app, _, _ = host_app(tmp_path, TESTING=True)  # testing: any error of ours would be raised
    client = app.test_client()
    user = {"X-User": "u1", "X-Teams": "a,b"}
    page = client.get("/", headers=user)
    assert page.status_code == 200 and "team-a-welcome" in page.text and "not-for-admins" in page.text
    assert "team-a-welcome" not in client.get("/", headers={**user, "X-Teams": "b"}).text
    assert "not-for-admins" not in client.get("/", headers={**user, "X-Admin": "yes"}).text
    api = client.get("/onboarding/api/guides?page=home&path=/", headers=user)
    assert api.status_code == 200
    assert "team-a-welcome" in [guide["id"] for guide in api.get_json()["guides"]]
    assert client.post("/save?what=x&event=report_created", headers=user).status_code == 200


# ---------------------------------------------------------------- the store is down


@pytest.mark.parametrize("mode", [{}, {"TESTING": True}])
def test_pages_render_while_redis_is_stopped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, mode: dict[str, Any]
) -> None:
    server = servers.start_server(tmp_path / "redis")
    app, onboarding, saved = host_app(tmp_path, f"redis://{server.address}/0", **mode)
    client = app.test_client()
    user = {"X-User": "u1", "X-Teams": "a"}
    try:
        assert "team-a-welcome" in client.get("/", headers=user).text
        assert client.post("/signup", headers=user).get_json() == {
            "hints": {"email": "Use your work address, like ana@example.com."}
        }
        server.stop()
        with caplog.at_level(logging.WARNING, "onboarding_sdk"):
            page = client.get("/", headers=user)
            form = client.post("/signup", headers=user)
            action = client.post("/save?what=report&event=report_created", headers=user)
        assert page.status_code == 200 and page.text == "<h1>Home</h1>"  # no help, not a broken page
        assert form.status_code == 200 and form.get_json() == {"hints": {}}
        assert action.status_code == 200 and saved == ["report"]
        assert "guides for the page were not loaded" in caplog.text
        with app.app_context(), pytest.raises(StorageError):
            onboarding.stage_of("u1")  # an explicit read still says the store is down
    finally:
        server.stop()


def test_without_swallowing_reads_raise(tmp_path: Path) -> None:
    app, onboarding, _ = host_app(
        tmp_path, f"redis://127.0.0.1:{servers.free_port()}/0", ONBOARDING_SWALLOW_ERRORS=False
    )
    profile = UserProfile(id="u1", signed_up_at=START)
    with app.test_request_context("/"):
        with pytest.raises(StorageError):
            onboarding.guides_for(profile, page="home")
        with pytest.raises(StorageError):
            onboarding.track("export_done", user_id="u1")


def test_a_broken_user_loader_gives_no_hints_not_a_500(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app, onboarding, _ = host_app(tmp_path)

    @onboarding.user_loader
    def broken() -> UserProfile:
        raise LookupError("the host's session store is down")

    with caplog.at_level(logging.ERROR, "onboarding_sdk"):
        response = app.test_client().post("/signup", headers={"X-User": "u1"})
    assert response.status_code == 200 and response.get_json() == {"hints": {}}
    assert "validation hints for form 'signup' were not loaded" in caplog.text and "LookupError" in caplog.text


# ---------------------------------------------------------------- one family of errors


def test_every_error_we_raise_is_an_onboarding_error() -> None:
    classes = [value for value in vars(error_module).values() if isinstance(value, type)]
    assert all(issubclass(cls, OnboardingError) for cls in classes if issubclass(cls, Exception))
    assert issubclass(ConditionError, OnboardingError) and issubclass(ConditionError, ValueError)
    assert issubclass(InvalidArgument, ValueError) and issubclass(InvalidProfile, TypeError)  # as before
    with pytest.raises(InvalidProfile):
        UserProfile(id="", signed_up_at=START)
