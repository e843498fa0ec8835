"""The demo clock: 'view as day N' moves one session forward, in debug mode only."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from pulse_support import app, client, guide_ids, payload, post, signup

from example_app import create_app, onboarding

__all__ = ["app", "client"]  # fixtures


def demo_stage(client: FlaskClient) -> str:
    page = client.get("/app/").text
    marker = 'data-stage="'
    return page[page.index(marker) + len(marker) :].split('"', 1)[0]


def test_the_control_exists_only_in_debug_mode(tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "DATABASE": str(tmp_path / "a.sqlite3"), "SEED_DEMO": False})
    client = app.test_client()
    signup(client)
    assert "demo-bar" not in client.get("/app/").text
    assert post(client, "/demo/day", {"day": "40"}).status_code == 404


def test_a_new_user_grows_to_stickiness(client: FlaskClient) -> None:
    signup(client)
    post(client, "/app/install", {"site_url": "https://tea.example"})
    for path, data in (("/app/alerts/", {"metric": "pv", "direction": "above", "threshold": "900"}),
                       ("/app/exports/", {"days": "30"})):  # fmt: skip
        post(client, path, data)
    client.get("/app/reports/")
    assert demo_stage(client) == "depth"
    assert "starter-link" in guide_ids(client.get("/app/").text)

    post(client, "/demo/day", {"day": "8", "next": "/app/"})
    page = client.get("/app/").text
    assert "day 8 since sign-up" in page
    assert not {"starter-link", "renewal-price-free", "how-to-start"} & guide_ids(page)  # the first week is over

    post(client, "/demo/day", {"day": "35"})
    assert demo_stage(client) == "adaptation"
    reports = client.get("/app/reports/").text
    ids = guide_ids(reports)
    assert "term-pv" in ids and "tip-alert-threshold" not in guide_ids(client.get("/app/alerts/").text)
    assert "Real-time visitors" not in client.get("/app/account/").text

    post(client, "/demo/day", {"day": "95"})
    assert demo_stage(client) == "stickiness"
    account = client.get("/app/account/").text
    assert "Real-time visitors" in account
    assert payload(account)["changelog"]["unread"] >= 2


def test_time_only_moves_forward(client: FlaskClient) -> None:
    signup(client)
    post(client, "/demo/day", {"day": "10"})
    post(client, "/demo/day", {"day": "3"})  # ignored
    post(client, "/demo/day", {"day": "abc"})  # ignored
    assert "day 10 since sign-up" in client.get("/app/").text


def test_a_user_who_never_installs_gets_no_backfilled_visits(app: Flask, client: FlaskClient) -> None:
    signup(client)  # never installs the code: nothing to read, so no daily visits are made up
    post(client, "/demo/day", {"day": "100"})
    assert demo_stage(client) == "awareness"
    with app.app_context():
        from example_app import db

        row = db.one("select id from users where email = ?", "new@shop.test")
        assert row is not None
        assert len(onboarding.state_of(str(row["id"])).active_days) <= 3  # sign-up day and today
