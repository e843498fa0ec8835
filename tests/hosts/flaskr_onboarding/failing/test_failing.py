"""Deliberate failures: tests/test_testing_plugin.py reads their messages."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_expects_a_guide_of_a_later_stage(client: FlaskClient, auth, assert_guides) -> None:
    auth.login()
    assert_guides(client.get("/"), shows=["posts-footer"], hides=["new-post-button"])


def test_expects_a_guide_that_does_not_exist(client: FlaskClient, auth, assert_guides) -> None:
    auth.login()
    assert_guides(client.get("/"), shows=["no-such-guide"])


def test_a_stage_the_rules_cannot_reach(onboarding_user) -> None:
    onboarding_user(1, stage="stickiness", days_since_signup=3)
