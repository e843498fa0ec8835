"""The app's own onboarding tests, written from docs/testing.md."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from projects import create_app


def test_a_new_user_gets_the_starter_guide(login, assert_guides) -> None:
    client = login("ana")
    assert_guides(client.get("/"), shows=["create-a-project", "project-name-help"], hides=["invite-your-team"])


def test_a_team_user_in_use_is_asked_to_invite(login, onboarding_user, assert_guides) -> None:
    client = login("bo", plan="team")
    onboarding_user("bo", stage="use", plan="team")
    assert_guides(client.get("/"), shows=["invite-your-team"], hides=["create-a-project", "team-reports"])


def test_depth_needs_the_team_plan(login, onboarding_user, assert_guides) -> None:
    user = onboarding_user("chen", stage="depth", plan="team", days_since_signup=20)
    assert user.state.count("member_invited") == 1 and user.state.days_since_signup(user.state.last_seen) == 20
    client = login("chen", plan="team")
    assert_guides(client.get("/"), shows=["team-reports"], hides=["project-name-help", "invite-your-team"])


def test_the_tooltip_is_for_the_first_week(login, onboarding_clock, assert_guides) -> None:
    client = login("dana")
    assert_guides(client.get("/"), shows=["project-name-help"])
    onboarding_clock.advance(days=7, hours=23)
    assert_guides(client.get("/"), shows=["project-name-help"])
    onboarding_clock.advance(hours=2)  # the user row was made a moment after the clock started
    assert_guides(client.get("/"), hides=["project-name-help"])


def test_events_with_dates(login, onboarding_user, onboarding_clock, assert_guides) -> None:
    now = onboarding_clock.now.replace(microsecond=0)  # the store keeps whole seconds
    user = onboarding_user("eli", events={"project_created": [now - timedelta(days=3), now - timedelta(days=1)]})
    assert user.stage == "use" and user.state.count("project_created") == 2
    assert user.state.events["project_created"].first == now - timedelta(days=3)


def test_two_apps_in_one_test(app: Flask, login, onboarding_user, onboarding_clock, assert_guides) -> None:
    # The app factory makes a second, separate app: its own store, its own clock.
    other = create_app({"TESTING": True, "ONBOARDING_STORAGE_URI": app.config["ONBOARDING_STORAGE_URI"],
                        "ONBOARDING_KEY_PREFIX": app.config["ONBOARDING_KEY_PREFIX"] + "-other"})  # fmt: skip
    onboarding_clock.attach(other)
    onboarding_user("fay", stage="use", app=other)
    client = login("fay")  # signs in to the `app` fixture's app, where fay is new
    assert_guides(client.get("/"), shows=["create-a-project"])
    other_client = other.test_client()
    other_client.post("/login", data={"id": "fay"})
    assert_guides(other_client.get("/"), hides=["create-a-project"], app=other)
    onboarding_clock.advance(days=9)
    assert_guides(other_client.get("/"), hides=["project-name-help"], app=other)
    other.extensions["onboarding"].storage.reset()
