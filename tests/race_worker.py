"""A worker process for the stage race test: 8 threads track the same users at once."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask

from onboarding_sdk import Onboarding, signals

EVENTS = ["installed_code", "report_created", "export_done", "alert_set", "api_used"]
RULES = {"use": {"done": ["installed_code"]}, "depth": {"distinct_events": {"min": 4}}}


def run(uri: str, prefix: str, users: list[str], threads: int, rounds: int, start: Any) -> list[tuple[str, str, str]]:
    """Track every event for every user from ``threads`` threads; return the transitions seen here."""
    app = Flask(__name__)
    app.config.update(
        ONBOARDING_STORAGE_URI=uri,
        ONBOARDING_KEY_PREFIX=prefix,
        ONBOARDING_EVENTS=EVENTS,
        ONBOARDING_STAGE_RULES=RULES,
        ONBOARDING_SWALLOW_ERRORS=False,
        ONBOARDING_STORAGE_TIMEOUT=5.0,
    )
    ext = Onboarding(app)
    seen: list[tuple[str, str, str]] = []
    lock = threading.Lock()

    def on_change(sender: Flask, **data: Any) -> None:
        with lock:
            seen.append((data["user_id"], data["old"], data["new"]))

    signals.stage_changed.connect(on_change, sender=app)

    def work() -> None:
        with app.app_context():
            start.wait()
            for _ in range(rounds):
                for user in users:
                    for event in EVENTS:
                        ext.track(event, user_id=user)

    run_threads(threads, work)
    return seen


def run_threads(count: int, work: Callable[[], None]) -> None:
    """Run ``work`` in ``count`` threads at once; re-raise the first error one of them hit
    (a worker process reports it to the parent test that way)."""
    errors: list[BaseException] = []

    def guarded() -> None:
        try:
            work()
        except BaseException as exc:
            errors.append(exc)

    pool = [threading.Thread(target=guarded) for _ in range(count)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    if errors:
        raise errors[0]
