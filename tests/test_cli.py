"""`flask onboarding state`, `rules` and `rebuild-index`, through Flask's CLI runner."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from flask import Flask

from onboarding_sdk import Onboarding
from onboarding_sdk.storage import population as pop
from tests.test_extension import START, FakeClock, make_app


def setup() -> tuple[Flask, Onboarding]:
    app = make_app()
    ext = Onboarding(app, clock=FakeClock(START + timedelta(days=2)))
    with app.app_context():
        ext.track("installed_code", user_id="42", at=START)
        ext.track("report_created", user_id="42", at=START + timedelta(days=1))
        ext.track("report_created", user_id="42", at=START + timedelta(days=1, hours=2))
    return app, ext


def test_state_prints_stage_history_and_counts() -> None:
    app, _ = setup()
    result = app.test_cli_runner().invoke(args=["onboarding", "state", "42"])
    assert result.exit_code == 0, result.output
    assert "stage       use" in result.output
    assert f"use         entered {START.isoformat()}" in result.output
    assert "report_created" in result.output and "     2  first" in result.output
    assert "active days 2" in result.output


def test_state_as_json() -> None:
    app, _ = setup()
    result = app.test_cli_runner().invoke(args=["onboarding", "state", "42", "--json"])
    data = json.loads(result.output)
    assert data["stage"] == "use"
    assert data["events"]["report_created"]["count"] == 2
    assert data["stage_entered"]["use"] == START.isoformat()


def test_state_of_unknown_user_is_a_readable_error() -> None:
    app, _ = setup()
    result = app.test_cli_runner().invoke(args=["onboarding", "state", "nobody"])
    assert result.exit_code == 1
    assert "Error: no data stored for user 'nobody'" in result.output
    assert "Traceback" not in result.output


def test_rules_prints_configured_rules_and_events() -> None:
    app, _ = setup()
    result = app.test_cli_runner().invoke(args=["onboarding", "rules"])
    assert result.exit_code == 0
    assert "stage rules (ONBOARDING_STAGE_RULES)" in result.output
    assert 'depth       {"distinct_events": {"min": 4}}' in result.output
    assert "events: installed_code, report_created" in result.output


def test_rules_shows_defaults_when_not_configured() -> None:
    app = make_app(ONBOARDING_STAGE_RULES=None, ONBOARDING_EVENTS={"installed_code": {"key": True}, "b": {}})
    Onboarding(app)
    result = app.test_cli_runner().invoke(args=["onboarding", "rules"])
    assert "stage rules (defaults)" in result.output
    assert 'use         {"done": ["installed_code"]}' in result.output
    assert "installed_code (key)" in result.output


def test_rebuild_index_runs_once_on_redis_and_is_a_no_op_on_memory(redis_uri: str) -> None:
    app, _ = setup()
    result = app.test_cli_runner().invoke(args=["onboarding", "rebuild-index"])
    assert result.exit_code == 0 and "nothing to rebuild" in result.output

    prefix = f"t{uuid.uuid4().hex[:12]}"
    app = make_app(ONBOARDING_STORAGE_URI=redis_uri, ONBOARDING_KEY_PREFIX=prefix)
    ext = Onboarding(app)
    with app.app_context():
        client = ext.engine.storage._connect()  # type: ignore[attr-defined]
        client.zadd(f"{pop.legacy_tag(prefix)}:seen", {"old-user": 20_000})  # written before the buckets
    try:
        first = app.test_cli_runner().invoke(args=["onboarding", "rebuild-index"])
        assert first.exit_code == 0 and "copied 1 user, 0 accounts, 0 days" in first.output, first.output
        again = app.test_cli_runner().invoke(args=["onboarding", "rebuild-index"])
        assert again.exit_code == 0 and "already rebuilt" in again.output
    finally:
        with app.app_context():
            ext.engine.storage.reset()
