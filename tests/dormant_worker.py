"""A worker process for the dormant-account race: threads check for dormant accounts at once."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from flask import Flask

from onboarding_sdk import Onboarding, signals
from tests.race_worker import run_threads


def make_app(uri: str, prefix: str, now: datetime) -> tuple[Flask, Onboarding]:
    app = Flask(__name__)
    app.config.update(
        ONBOARDING_STORAGE_URI=uri,
        ONBOARDING_KEY_PREFIX=prefix,
        ONBOARDING_EVENTS=["installed_code"],
        ONBOARDING_STORAGE_TIMEOUT=5.0,
        ONBOARDING_DORMANT_CHECK_INTERVAL=0,
    )
    return app, Onboarding(app, clock=lambda: now)


def run(uri: str, prefix: str, now: datetime, threads: int, start: Any) -> list[tuple[str, str, int]]:
    """Check from ``threads`` threads released together; return the signals this process sent."""
    app, ext = make_app(uri, prefix, now)
    seen: list[tuple[str, str, int]] = []
    lock = threading.Lock()

    def on_dormant(sender: Flask, **data: Any) -> None:
        with lock:
            seen.append((data["account_id"], data["last_active"].isoformat(), data["users"]))

    signals.account_dormant.connect(on_dormant, sender=app)

    def work() -> None:
        with app.app_context():
            start.wait()
            ext.check_dormant_accounts()

    run_threads(threads, work)
    return seen
