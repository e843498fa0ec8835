"""The example app's own flows, with Flask's test client: sign-up to user centre."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pulse_support import app, client, guide_ids, login, payload, post, signup

from example_app import onboarding
from example_app.demo import USERS

__all__ = ["app", "client"]  # fixtures


def stage(app: Flask, email: str) -> str:
    with app.app_context():
        from example_app import db

        row = db.one("select id from users where email = ?", email)
        assert row is not None
        return onboarding.stage_of(str(row["id"]))


def test_landing_page_lists_the_demo_logins(client: FlaskClient) -> None:
    page = client.get("/").text
    assert "Pulse Analytics" in page
    for email in ("ana@lantern.demo", "bo@harbor.demo", "chen@acme.demo", "dana@acme.demo", "eli@acme.demo"):
        assert email in page


def test_demo_users_start_at_every_stage(app: Flask) -> None:
    expected = {"ana": "awareness", "bo": "use", "chen": "depth", "dana": "adaptation", "eli": "stickiness"}
    for name, wanted in expected.items():
        email = next(u.email for u in USERS if u.email.startswith(name))
        assert stage(app, email) == wanted, name


def test_anonymous_visitors_are_sent_to_login(client: FlaskClient) -> None:
    response = client.get("/app/reports/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_forms_need_the_csrf_token(client: FlaskClient) -> None:
    response = client.post("/login", data={"email": "ana@lantern.demo", "password": "demo-pass"})
    assert response.status_code == 400
    assert "form expired" in response.text


def test_wrong_password_is_refused_kindly(client: FlaskClient) -> None:
    response = post(client, "/login", {"email": "ana@lantern.demo", "password": "nope"})
    assert response.status_code == 401
    assert "do not match" in response.text


def test_signup_validates_and_creates_a_decision_maker(app: Flask, client: FlaskClient) -> None:
    response = post(client, "/signup", {"name": "", "email": "bad", "company": "", "password": "x"})
    assert response.status_code == 422
    assert "at least 8 characters" in response.text
    signup(client)
    page = client.get("/app/").text
    assert "Decision maker" in page
    assert {"how-to-start", "starter-guide", "get-started", "footer-dashboard"} <= guide_ids(page)
    assert "renewal-price-free" not in guide_ids(page)
    assert "0 of 5 done" in page  # the checklist, drawn on the server too
    assert stage(app, "new@shop.test") == "awareness"
    response = post(client, "/signup", {"name": "X", "email": "new@shop.test", "company": "Y", "password": "12345678"})
    assert response.status_code == 302  # signed in: sign-up sends them to the dashboard


def test_installing_the_code_is_the_key_step(app: Flask, client: FlaskClient) -> None:
    signup(client)
    response = post(client, "/app/install", {"site_url": "tea house"})
    assert response.status_code == 422
    assert "https://" in response.text
    response = post(client, "/app/install", {"site_url": "https://tea.example"})
    assert response.status_code == 302
    assert stage(app, "new@shop.test") == "use"
    page = client.get("/app/").text
    ids = guide_ids(page)
    assert "how-to-start" not in ids
    assert {"starter-guide", "starter-link", "renewal-price-free", "tour-basics"} <= ids  # the guide: all week
    assert "1 of 5 done" in page


def test_report_filter_takes_digits_only(client: FlaskClient) -> None:
    login(client, "dana@acme.demo")
    page = client.get("/app/reports/?year=20x6").text
    assert "Type a year in four digits, for example 2026." in page  # onboarding.hints_for: the team's words
    assert payload(page)["hints"] == [
        {"anchor": "filter-year", "text": "Type a year in four digits, for example 2026."}
    ]
    page = client.get("/app/reports/?year=2026").text
    assert "Traffic by month, 2026" in page and "November" in page
    assert "hint-filter-year" in guide_ids(page)  # the widget also explains it as soon as they type


def test_failed_import_explains_what_happened(client: FlaskClient) -> None:
    login(client, "dana@acme.demo")
    bad = {"file": (io.BytesIO(b"day;views\n1;2\n"), "old.csv")}
    response = post(client, "/app/reports/import", bad, content_type="multipart/form-data")
    assert response.status_code == 422
    assert 'data-onboarding="import-result"' in response.text
    assert "The file needs the columns date, pageviews, visitors." in response.text
    guide = next(g for g in payload(response.text)["guides"] if g["id"] == "hint-import-failed")
    assert guide["purpose"] == "error" and guide["auto_open"] is True
    good = {"file": (io.BytesIO(b"date,pageviews,visitors\n2025-01-01,10,4\n"), "old.csv")}
    response = post(client, "/app/reports/import", good, content_type="multipart/form-data", follow_redirects=True)
    assert "Imported 1 days of history." in response.text


def test_saved_reports_and_delete_with_confirmation(app: Flask, client: FlaskClient) -> None:
    login(client, "dana@acme.demo")
    response = post(client, "/app/reports/", {"name": "Launch", "metric": "uv", "year": "2026"}, follow_redirects=True)
    assert "Saved “Launch”." in response.text
    page = client.get("/app/reports/").text
    assert 'data-onboarding-confirm="confirm-delete-report"' in page
    assert "confirm-delete-report" in guide_ids(page)
    with app.app_context():
        from example_app import db

        report_id = db.one("select id from reports where name = 'Launch'")["id"]  # type: ignore[index]
    response = post(client, f"/app/reports/{report_id}/delete", follow_redirects=True)
    assert "Deleted “Launch”." in response.text
    assert post(client, f"/app/reports/{report_id}/delete").status_code == 404


def test_alerts_export_and_depth(app: Flask, client: FlaskClient) -> None:
    signup(client)
    post(client, "/app/install", {"site_url": "https://tea.example"})
    assert post(client, "/app/alerts/", {"metric": "uv", "direction": "below", "threshold": "2O0"}).status_code == 422
    response = post(client, "/app/alerts/", {"metric": "uv", "direction": "below", "threshold": "200"})
    assert response.status_code == 302
    assert "Visitors (UV) below 200" in client.get("/app/alerts/").text
    response = post(client, "/app/exports/", {"days": "7"})
    assert response.mimetype == "text/csv"
    lines = response.text.strip().splitlines()
    assert lines[0].startswith("date,pageviews,visitors") and len(lines) == 8
    client.get("/app/reports/")  # report_viewed: the fourth different event
    assert stage(app, "new@shop.test") == "depth"
    page = client.get("/app/").text
    assert "banner-power-user" in guide_ids(page)
    tips = client.get("/onboarding/tips").text
    assert tips.index("Why is my dashboard empty?") < tips.index("Alert on bounce rate, not only traffic")


def test_roles_decide_who_invites(app: Flask, client: FlaskClient) -> None:
    login(client, "dana@acme.demo")  # an employee
    assert "Ask a manager" in client.get("/app/team/").text
    assert (
        post(client, "/app/team/invite", {"name": "Z", "email": "z@acme.demo", "role": "employee"}).status_code == 403
    )
    client.post("/logout", data={"csrf_token": "x"})
    other = app.test_client()
    login(other, "chen@acme.demo")  # a manager
    response = post(other, "/app/team/invite", {"name": "Zoe", "email": "zoe@acme.demo", "role": "employee"})
    assert response.status_code == 302
    assert "临时密码" in other.get("/app/team/").text  # chen reads Chinese
    assert stage(app, "zoe@acme.demo") == "use"  # Acme installed the code long ago: the key step is done


def test_user_centre_lists_product_updates_for_loyal_users(client: FlaskClient, app: Flask) -> None:
    login(client, "eli@acme.demo")
    page = client.get("/app/account/").text
    assert "Real-time visitors" in page and "Smarter alerts" in page
    assert 'class="ob-badge"' in page
    newcomer = app.test_client()
    login(newcomer, "ana@lantern.demo")
    page = newcomer.get("/app/account/").text
    assert "New features will be listed here" in page and "Real-time visitors" not in page


def test_paid_organisations_get_their_brand(client: FlaskClient, app: Flask) -> None:
    login(client, "eli@acme.demo")
    assert payload(client.get("/app/").text)["theme"]["vars"]["--ob-accent"] == "#c2410c"
    assert "/theme/c2410c.css" in client.get("/app/").text
    free = app.test_client()
    signup(free)
    assert payload(free.get("/app/").text)["theme"]["vars"]["--ob-accent"] == "#4f46e5"
    post(free, "/app/account/plan", {"plan": "paid"})
    assert payload(free.get("/app/").text)["theme"]["vars"]["--ob-accent"] == "#0f766e"


def test_chinese_users_get_chinese_product_and_guides(client: FlaskClient) -> None:
    login(client, "bo@harbor.demo")
    page = client.get("/app/").text
    assert '<html lang="zh-CN">' in page and "仪表盘" in page
    assert payload(page)["locale"] == "zh-CN"
    assert "关于仪表盘" in page  # footer help, server-rendered in the user's language
    assert "跳出率" in page


def test_tip_topics_are_in_the_readers_language(client: FlaskClient, app: Flask) -> None:
    login(client, "chen@acme.demo")  # reads Chinese, depth stage, a manager
    topics = re.findall(r'class="ob-topic">([^<]*)<', client.get("/onboarding/tips").text)
    assert sorted(topics) == sorted(["提醒", "导出", "报表", "团队", "报表"])
    english = app.test_client()
    login(english, "eli@acme.demo")
    topics = re.findall(r'class="ob-topic">([^<]*)<', english.get("/onboarding/tips").text)
    assert sorted(topics) == ["Alerts", "Exports", "Reports", "Reports", "Team"]


def test_jargon_is_explained_in_place(client: FlaskClient) -> None:
    login(client, "eli@acme.demo")
    page = client.get("/app/").text
    assert '<abbr class="ob-term" title="Unique visitors: people, not visits, counted once a day."' in page
    assert "term-uv" in guide_ids(page)


def test_every_page_has_footer_help(client: FlaskClient) -> None:
    login(client, "chen@acme.demo")
    for path in (
        "/app/",
        "/app/install",
        "/app/reports/",
        "/app/alerts/",
        "/app/exports/",
        "/app/team/",
        "/app/account/",
    ):
        page = client.get(path).text
        assert "ob-footer-help" in page, path
        assert any(g["kind"] == "footer_help" for g in payload(page)["guides"]), path


def test_content_check_passes(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["onboarding", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: ")


EVIL_NEXT = [
    "/%09/evil.example/",  # a tab: browsers drop it and read //evil.example/
    "//evil.example/",
    "/%5Cevil.example",  # a backslash reads as a slash
    "https://evil.example/",
    "/%0D%0ASet-Cookie:x=1",  # CR/LF: a 500 once, from werkzeug's header check
    "/%0aevil",
    "evil.example",
    "",
]


def test_language_switch_never_redirects_off_site(client: FlaskClient) -> None:
    for target in EVIL_NEXT:
        response = client.get(f"/language/en?next={target}")
        assert response.status_code == 302, target
        assert response.headers["Location"] == "/", target
    assert client.get("/language/en?next=/pricing?a=1").headers["Location"] == "/pricing?a=1"


def test_login_never_redirects_off_site(app: Flask) -> None:
    for target in [*EVIL_NEXT, "/app/reports/"]:
        client = app.test_client()
        response = post(client, f"/login?next={target}", {"email": "ana@lantern.demo", "password": "demo-pass"})
        assert response.status_code == 302, target
        wanted = "/app/reports/" if target == "/app/reports/" else "/app/"
        assert response.headers["Location"] == wanted, target


def test_the_demo_clock_never_redirects_off_site(client: FlaskClient) -> None:
    login(client, "ana@lantern.demo")
    for target in EVIL_NEXT:
        response = post(client, "/demo/day", {"day": "0", "next": unquote(target)})  # a form: decoded
        assert response.status_code == 302 and response.headers["Location"] == "/app/", target


def test_no_default_secret_key_outside_debug(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from example_app import MissingSecretKey, create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    config = {"DATABASE": str(tmp_path / "a.sqlite3"), "SEED_DEMO": False}
    with pytest.raises(MissingSecretKey, match="SECRET_KEY is not set"):
        create_app(config)
    assert create_app({**config, "DEBUG": True}).secret_key  # development: a known key is fine
    assert create_app({**config, "TESTING": True}).secret_key
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    assert create_app(config).secret_key == "from-the-environment"


def test_the_demo_script_still_starts_without_a_secret_key(tmp_path: Path) -> None:
    # scripts/demo runs `python -m example_app`, in debug mode unless FLASK_DEBUG=0.
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "FLASK_DEBUG")}
    code = "import example_app.__main__"  # imports only: __main__'s guard keeps the server off
    assert subprocess.run([sys.executable, "-c", code], env=env, check=False).returncode == 0
    env["FLASK_DEBUG"] = "0"
    refused = subprocess.run(
        [sys.executable, "-m", "example_app"], env={**env, "PORT": "1"}, capture_output=True, text=True, check=False
    )
    assert refused.returncode != 0 and "SECRET_KEY is not set" in refused.stderr
    assert "Traceback" not in refused.stderr
