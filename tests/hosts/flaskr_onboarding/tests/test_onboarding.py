"""flaskr's own onboarding tests, written from docs/testing.md."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_a_new_user_is_shown_how_to_write_a_post(client: FlaskClient, auth, assert_guides) -> None:
    auth.login()
    page = client.get("/")
    assert_guides(page, shows=["write-first-post", "new-post-button"], hides=["posts-footer"])


def test_anonymous_visitors_get_no_guides(client: FlaskClient) -> None:
    assert b'id="onboarding-data"' not in client.get("/").data


def test_writing_a_post_moves_the_user_to_use(client: FlaskClient, auth, assert_guides) -> None:
    auth.login()
    client.post("/create", data={"title": "Hello", "body": "First"})
    assert_guides(client.get("/"), shows=["posts-footer"], hides=["write-first-post", "new-post-button"])


def test_a_user_put_in_use(client: FlaskClient, auth, onboarding_user, assert_guides) -> None:
    user = onboarding_user(1, stage="use")  # flaskr's first user has id 1
    assert user.stage == "use" and user.state.count("post_created") == 1
    auth.login()
    assert_guides(client.get("/"), shows=["posts-footer"], hides=["write-first-post"])


def test_the_starter_guide_is_gone_after_a_week(client: FlaskClient, auth, onboarding_clock, assert_guides) -> None:
    auth.login()
    assert_guides(client.get("/"), shows=["write-first-post"])
    onboarding_clock.advance(days=8)  # flaskr has no sign-up date: a week after the first visit
    assert_guides(client.get("/"), hides=["write-first-post"], shows=["new-post-button"])


def test_a_user_who_signed_up_ten_days_ago(client: FlaskClient, auth, onboarding_user, assert_guides) -> None:
    onboarding_user(1, stage="awareness", days_since_signup=10)
    auth.login()
    assert_guides(client.get("/"), shows=["new-post-button"], hides=["write-first-post"])


def test_the_api_answers_the_same(client: FlaskClient, auth, onboarding_user, assert_guides) -> None:
    onboarding_user(1, stage="depth", events={"post_created": 3, "post_updated": 1})
    auth.login()
    answer = client.get("/onboarding/api/guides?page=blog.create")
    assert_guides(answer, shows=["edit-tip"])
    assert_guides(answer.get_json(), hides=["write-first-post"])


def test_each_test_starts_afresh(client: FlaskClient, auth, assert_guides) -> None:
    # The tests above moved user 1 on; a new app (and key prefix) per test starts over.
    auth.login()
    assert_guides(client.get("/"), shows=["write-first-post"])
