"""A worker process for the account-check race: threads check account health and milestones at once."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from flask import Flask

from onboarding_sdk import Onboarding, signals
from tests.race_worker import run_threads

EVENTS = {"installed_code": {}, "report_created": {"key": True}, "export_done": {"key": True}}
MILESTONES = {
    "first_report": {"event": "report_created"},
    "team_of_two": {"users": 2},
    "month_of_data": {"days_since_first_activity": 30},
}


def make_app(uri: str, prefix: str, now: datetime) -> tuple[Flask, Onboarding]:
    app = Flask(__name__)
    app.config.update(
        ONBOARDING_STORAGE_URI=uri,
        ONBOARDING_KEY_PREFIX=prefix,
        ONBOARDING_EVENTS=EVENTS,
        ONBOARDING_MILESTONES=MILESTONES,
        ONBOARDING_STORAGE_TIMEOUT=5.0,
        ONBOARDING_DORMANT_CHECK_INTERVAL=0,
    )
    return app, Onboarding(app, clock=lambda: now)


def run(uri: str, prefix: str, now: datetime, threads: int, start: Any) -> list[tuple[str, ...]]:
    """Check from ``threads`` threads released together; return the signals this process sent."""
    app, ext = make_app(uri, prefix, now)
    seen: list[tuple[str, ...]] = []
    lock = threading.Lock()

    def on_move(sender: Flask, **data: Any) -> None:
        with lock:
            seen.append(("health", data["account_id"], data["old"], data["new"]))

    def on_milestone(sender: Flask, **data: Any) -> None:
        with lock:
            seen.append(("milestone", data["account_id"], data["milestone"], data["day"].isoformat()))

    signals.account_health_changed.connect(on_move, sender=app)
    signals.milestone_reached.connect(on_milestone, sender=app)

    def work() -> None:
        with app.app_context():
            start.wait()
            ext.check_accounts()

    run_threads(threads, work)
    return seen
