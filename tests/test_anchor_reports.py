"""POST /api/anchors/missing (onboarding_sdk/anchor_reports.py): the widget reports an anchor it
waited for in vain; the report is kept per path for preview-as, bounded, behind the API's checks."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from onboarding_sdk import anchor_reports
from onboarding_sdk.anchor_reports import MissingAnchors, missing_on
from tests.guides.app import START, Clock, create_app
from tests.test_api import post


@pytest.fixture
def env() -> tuple[Flask, FlaskClient]:
    app, _ = create_app(Clock(START + timedelta(days=1)))
    return app, app.test_client()


def test_a_reported_anchor_is_kept_for_its_page(env: tuple[Flask, FlaskClient]) -> None:
    app, client = env
    answer = post(client, "/anchors/missing", "a", {"anchor": "kpi", "path": "/reports"})
    assert answer.status_code == 200, answer.text
    post(client, "/anchors/missing", "a", {"anchor": "kpi", "path": "/reports"})  # a repeat changes nothing
    assert list(missing_on(app, "/reports")) == ["kpi"]
    assert missing_on(app, "/other") == {}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"anchor": "", "path": "/x"}, "anchor"),
        ({"anchor": "a b", "path": "/x"}, "anchor"),
        ({"anchor": "k" * 101, "path": "/x"}, "anchor"),
        ({"anchor": "kpi", "path": "reports"}, "path"),
        ({"anchor": "kpi"}, "path"),
        ({"anchor": 3, "path": "/x"}, "anchor"),
    ],
)
def test_a_bad_report_is_refused_and_not_kept(env: tuple[Flask, FlaskClient], body: Any, field: str) -> None:
    app, client = env
    answer = post(client, "/anchors/missing", "a", body)
    assert answer.status_code == 422 and field in answer.get_json()["error"]["fields"]
    assert missing_on(app, "/x") == {} and missing_on(app, "reports") == {}


def test_without_the_csrf_token_or_a_user_nothing_is_kept(env: tuple[Flask, FlaskClient]) -> None:
    app, client = env
    assert post(client, "/anchors/missing", "a", {"anchor": "kpi", "path": "/r"}, token=None).status_code == 403
    no_user = client.post("/onboarding/api/anchors/missing", json={"anchor": "kpi", "path": "/r"})
    assert no_user.status_code in (401, 403)
    assert missing_on(app, "/r") == {}


def test_reports_are_bounded_oldest_first(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(anchor_reports, "MAX_PATHS", 3)
    monkeypatch.setattr(anchor_reports, "MAX_PER_PATH", 2)
    kept = MissingAnchors()
    for i in range(5):
        kept.note(f"/p{i}", "a", i)
    kept.note("/p4", "b", 5)
    kept.note("/p4", "c", 6)
    assert [kept.on(f"/p{i}") != {} for i in range(5)] == [False, False, True, True, True]
    assert list(kept.on("/p4")) == ["b", "c"]  # the oldest anchor of a path goes first
