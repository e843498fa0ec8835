"""The seed's scenario (DESIGN.md section 2), from a content file alone plus track("installed_code")."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from onboarding_sdk import Onboarding
from tests.guides.app import START, Clock, create_app, grow


def page(client: FlaskClient, path: str, user: str, locale: str = "en") -> str:
    response = client.get(path, headers={"X-User": user, "X-Locale": locale})
    assert response.status_code == 200
    return response.text


def setup() -> tuple[Flask, Onboarding, Clock, FlaskClient]:
    clock = Clock()
    app, ext = create_app(clock)
    return app, ext, clock, app.test_client()


def test_awareness_week_one_is_phased_on_the_home_page() -> None:
    app, ext, clock, client = setup()
    clock.now = START + timedelta(days=2)
    home = page(client, "/", "new")
    assert "How to start" in home and "The starter guide" in home
    assert 'href="/onboarding/guide/starter-guide"' in home
    assert "Renewal price" not in home
    with app.test_request_context("/", headers={"X-User": "new"}):
        ext.track("installed_code")
    home = page(client, "/", "new")
    assert "How to start" not in home
    assert "The starter guide" in home and "Renewal price" in home
    clock.now = START + timedelta(days=7, hours=23)
    assert "The starter guide" in page(client, "/", "new")
    clock.now = START + timedelta(days=8)
    home = page(client, "/", "new")
    assert "The starter guide" not in home and "Renewal price" not in home and "How to start" not in home


def test_the_starter_guide_page_and_chinese_texts() -> None:
    _app, _ext, _clock, client = setup()
    guide = client.get("/onboarding/guide/starter-guide", headers={"X-User": "a", "X-Locale": "zh-CN"})
    assert guide.status_code == 200 and "新手宝典" in guide.text and "一页看懂所有功能" in guide.text
    home = page(client, "/", "a", "zh-Hans-CN")
    assert "如何开始" in home and "<strong>第一步：</strong>" in home


def test_footer_help_on_each_page_for_stage_use() -> None:
    app, ext, _clock, client = setup()
    grow(app, ext, "u", "use")
    assert "The dashboard sums up" in page(client, "/", "u")
    assert "Filter by year" in page(client, "/reports", "u")
    assert "Filter by year" not in page(client, "/", "u")
    assert "About reports" not in page(client, "/reports", "newcomer")  # awareness: not yet


def test_tips_page_for_depth_with_beginners_questions_first() -> None:
    app, ext, _clock, client = setup()
    grow(app, ext, "d", "depth")
    tips = page(client, "/onboarding/tips", "d")
    assert "Where do I find my tracking code?" in tips
    assert tips.index("Where do I find my tracking code?") < tips.index("Save a segment")
    assert "Automate exports" in tips
    beginner = page(client, "/onboarding/tips", "b")
    assert "Where do I find my tracking code?" in beginner and "Save a segment" not in beginner


def test_the_four_adaptation_hints() -> None:
    app, ext, clock, client = setup()
    grow(app, ext, "ad", "adaptation")
    clock.now = START + timedelta(days=31)
    with app.app_context():
        assert ext.stage_of("ad") == "adaptation"
    reports = client.get("/onboarding/api/guides?page=reports&path=/reports", headers={"X-User": "ad"}).get_json()
    purposes = {g["id"]: g["purpose"] for g in reports["guides"] if g["kind"] == "tooltip"}
    assert purposes == {
        "hint-filter-digits": "validation",
        "hint-import-failed": "error",
        "confirm-delete": "confirm",
        "term-uv": "glossary",
    }
    home = page(client, "/", "ad")
    assert 'title="Unique visitors: people, not visits."' in home  # jargon explained, without JavaScript
    with app.test_request_context("/reports", headers={"X-User": "ad"}):
        hints = ext.hints_for({"year": ["Not a valid integer."]}, form="report-filter")
    assert hints == {"year": "Type a year in digits, for example 2024."}
    # the same hints and terms respect their `when`: a user in stage use gets neither
    grow(app, ext, "u", "use")
    with app.test_request_context("/reports", headers={"X-User": "u"}):
        assert ext.hints_for({"year": ["Not a valid integer."]}, form="report-filter") == {}
    assert 'title="Unique visitors' not in page(client, "/", "u")


def test_recent_updates_in_the_user_centre_for_stickiness() -> None:
    app, ext, clock, client = setup()
    grow(app, ext, "s", "stickiness")
    clock.now = START + timedelta(days=92)
    with app.app_context():
        assert ext.stage_of("s") == "stickiness"
    account = page(client, "/account", "s")
    assert 'class="ob-badge" aria-hidden="true">2<' in account
    changelog = page(client, "/onboarding/changelog", "s")
    assert changelog.index("Smarter alerts") < changelog.index("Funnels")
    assert "ob-badge" not in page(client, "/account", "s")  # viewing the list marked it read
    grow(app, ext, "u", "use")
    assert "ob-badge" not in page(client, "/account", "u")
