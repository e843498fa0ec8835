"""A small host app for the guides tests: pages that use every Jinja helper."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask, render_template, request

from onboarding_sdk import Onboarding, UserProfile

HERE = Path(__file__).resolve().parent
START = datetime(2026, 6, 1, 9, tzinfo=UTC)
EVENTS = ["installed_code", "report_created", "export_done", "alert_set", "api_used"]
RULES = {
    "use": {"done": ["installed_code"]},
    "depth": {"distinct_events": {"min": 4}},
    "adaptation": {"all": [{"days_since_signup": {"min": 30}}, {"active_days": {"min": 10}}]},
    "stickiness": {"all": [{"days_since_signup": {"min": 90}}, {"active_days": {"min": 20, "within": 56}}]},
}

# reader's locale -> the topic of each guide of tests/guides/topics.yaml, by the fallback chain
TOPICS: dict[str, dict[str, str | None]] = {
    locale: {
        "faq-export": export,
        "faq-no-topic": None,
        "tip-segments": reports,
        "tip-api": "api",
        "tip-chinese-only": "团队",
    }
    for locale, export, reports in (
        ("en", "Exports", "Reports"),
        ("zh-CN", "导出", "报表"),
        ("zh-Hant-TW", "匯出", "報表"),  # zh-Hant-TW, then zh-Hant
        ("zh-HK", "匯出", "報表"),  # the same script (Traditional), never zh-CN
        ("fr", "Exports", "Reports"),  # the default locale
    )
}


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def create_app(clock: Clock, content: list[str] | None = None, **config: Any) -> tuple[Flask, Onboarding]:
    app = Flask(__name__, root_path=str(HERE), template_folder="templates")
    app.config.update(
        SECRET_KEY="test-secret",
        ONBOARDING_STORAGE_URI="memory://",
        ONBOARDING_EVENTS=EVENTS,
        ONBOARDING_STAGE_RULES=RULES,
        ONBOARDING_CONTENT=content if content is not None else ["seed.yaml"],
    )
    app.config.update(config)
    ext = Onboarding(app, clock=clock)

    @ext.user_loader
    def load() -> UserProfile | None:
        uid = request.headers.get("X-User")
        if uid is None:
            return None
        return UserProfile(id=uid, signed_up_at=START, locale=request.headers.get("X-Locale"), plan="free")

    @app.get("/", endpoint="home")
    def home() -> str:
        return render_template("home.html")

    @app.get("/reports", endpoint="reports")
    def reports() -> str:
        return render_template("reports.html")

    @app.get("/account", endpoint="account")
    def account() -> str:
        return render_template("account.html")

    return app, ext


def grow(app: Flask, ext: Onboarding, uid: str, stage: str) -> None:
    """Backfill a history that takes ``uid`` (signed up at START) to ``stage``."""
    with app.app_context():
        if stage == "awareness":
            return
        ext.track("installed_code", user_id=uid, at=START)
        if stage == "use":
            return
        for event in EVENTS[1:4]:
            ext.track(event, user_id=uid, at=START + timedelta(hours=1))
        if stage == "depth":
            return
        days = range(1, 31) if stage == "adaptation" else range(1, 92)
        for day in days:
            ext.track("report_created", user_id=uid, at=START + timedelta(days=day))
