"""The accounts pages and the account usage report: every figure the pages and the CSV show,
against a history this file generates (memory, Redis, Cluster), in English and Chinese, and
the bad paths (unknown account, bad arguments, roles)."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask, request

from onboarding_sdk import Onboarding, UserProfile, get_state
from tests import health_worker

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
PREFIX = "/onboarding/console"
HISTORY = {  # user -> [(day after START, event or None)]
    "u1": [(0, None), (8, "report_created"), (34, "report_created"), (75, "export_done")],
    "u2": [(30, "installed_code"), (31, None)],
    "u3": [(60, None)],
}


def day(n: int) -> datetime:
    return START + timedelta(days=n)


class Now:
    def __init__(self) -> None:
        self.at = day(0)

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def report_app(store_uri: str) -> Iterator[Flask]:
    now = Now()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="test",
        ONBOARDING_STORAGE_URI=store_uri,
        ONBOARDING_KEY_PREFIX=f"t{uuid.uuid4().hex[:12]}",
        ONBOARDING_EVENTS={
            "installed_code": {},
            "report_created": {"key": True, "label": {"en": "Report created", "zh-CN": "创建报表"}},
            "export_done": {"key": True},
        },
        ONBOARDING_MILESTONES=health_worker.MILESTONES,
        ONBOARDING_STORAGE_TIMEOUT=5.0,
        ONBOARDING_DORMANT_CHECK_INTERVAL=0,
    )
    ext = Onboarding(app, clock=now)
    ext.console_access(lambda: request.headers.get("X-Role"))
    engine = get_state(app).engine
    with app.app_context():
        for user, steps in HISTORY.items():
            for n, event in steps:
                engine.track(user, event, day(n), UserProfile(user, START, account_id="acme"))
        engine.track("x1", None, day(74), UserProfile("x1", START, account_id="quiet"))
        now.at = day(75)
        ext.check_accounts()
    yield app
    engine.storage.reset()


def get(app: Flask, path: str, role: str | None = "viewer") -> tuple[int, str]:
    response = app.test_client().get(PREFIX + path, headers={"X-Role": role} if role else {})
    return response.status_code, response.get_data(as_text=True)


def csv_of(app: Flask, path: str) -> list[list[str]]:
    status, body = get(app, path)
    assert status == 200, body
    return list(csv.reader(io.StringIO(body)))


def test_the_report_csv_holds_the_known_truth(report_app: Flask) -> None:
    base = "/accounts/acme/report?months=3&format=csv&table="
    assert csv_of(report_app, base + "monthly") == [
        ["month", "active_users", "logins", "events", "key_actions"],
        ["2026-03", "1", "2", "1", "1"],
        ["2026-04", "2", "3", "2", "1"],
        ["2026-05", "2", "2", "1", "1"],
    ]
    assert csv_of(report_app, base + "key_actions") == [
        ["event", "times", "users", "last_done"],
        ["Report created", "2", "1", "2026-04-05"],
        ["export_done", "1", "1", "2026-05-16"],
    ]
    assert csv_of(report_app, base + "milestones") == [
        ["milestone", "reached_on"],
        ["first_report", "2026-03-10"],
        ["team_of_two", "2026-05-16"],
        ["month_of_data", "2026-05-16"],
    ]
    engine = get_state(report_app).engine
    with report_app.app_context():
        stages = {user: engine.state_of(user).stage for user in HISTORY}
    assert csv_of(report_app, base + "users") == [
        ["user", "stage", "last_active", "active_days"],
        ["u1", stages["u1"], "2026-05-16", "4"],
        ["u3", stages["u3"], "2026-05-01", "1"],
        ["u2", stages["u2"], "2026-04-02", "2"],
    ]


def test_the_report_page_shows_the_same_figures_and_the_trend(report_app: Flask) -> None:
    status, page = get(report_app, "/accounts/acme/report?months=3&lang=en")
    assert status == 200
    assert '<html lang="en">' in page and "Account usage report" in page
    assert "onboarding_console.css" not in page and '<header>\n  <a class="back"' not in page  # no console chrome
    assert 'href="/onboarding/console/report.css"' in page
    assert (
        '<th scope="row">2026-04</th><td class="n">2</td><td class="n">3</td><td class="n">2</td><td class="n">1</td>'
        in page
    )
    # this period 3 active users, 7 logins, 3 key actions; nothing in the 3 months before
    assert 'data-trend="active_users"><dt>Active users (this period)</dt>\n  <dd>3 ' in page
    assert 'data-trend="logins"><dt>Logins (this period)</dt>\n  <dd>7 ' in page
    assert 'data-trend="key_actions"><dt>Key actions (this period)</dt>\n  <dd>3 ' in page
    assert "1 of 3 users active in the last 14 days" in page  # u1 only: u3 was 15 days ago
    assert "3 of 3 milestones reached" in page
    status, css = get(report_app, "/report.css")
    assert status == 200 and "@page { size: A4" in css and "@media print" in css


def test_the_report_in_chinese(report_app: Flask) -> None:
    status, page = get(report_app, "/accounts/acme/report?months=3&lang=zh-CN")
    assert status == 200
    assert '<html lang="zh-CN">' in page and "客户使用报告" in page and "每月使用情况" in page
    assert "创建报表" in page and "里程碑" in page
    rows = csv_of(report_app, "/accounts/acme/report?months=3&lang=zh-CN&format=csv&table=key_actions")
    assert rows[1][0] == "创建报表"
    status, page = get(report_app, "/accounts/acme/report?months=3&lang=zh")
    assert status == 200 and '<html lang="zh-CN">' in page


def test_the_accounts_page_sorts_by_risk_with_reasons(report_app: Flask) -> None:
    rows = csv_of(report_app, "/accounts?format=csv")
    assert rows[0][:4] == ["account", "band", "score", "reason"]
    assert rows[0][4:] == ["active_users", "trend", "key_events", "stage_mix", "recency", "milestones"]
    by_account = {row[0]: row for row in rows[1:]}
    assert set(by_account) == {"acme", "quiet"}
    scores = [float(row[2]) for row in rows[1:]]
    bands = [row[1] for row in rows[1:]]
    order = {"at_risk": 0, "watch": 1, "healthy": 2}
    assert [order[b] for b in bands] == sorted(order[b] for b in bands)
    assert scores == sorted(scores) or len(set(bands)) > 1
    assert "no key events in 14 days" in by_account["quiet"][3]
    status, page = get(report_app, "/accounts")
    assert status == 200 and 'href="/onboarding/console/accounts/acme"' in page


def test_the_account_page_shows_components_and_milestones(report_app: Flask) -> None:
    status, page = get(report_app, "/accounts/acme")
    assert status == 200
    for name in ("active_users", "trend", "key_events", "stage_mix", "recency", "milestones"):
        assert f'data-component="{name}"' in page
    assert '<th scope="row">first_report</th><td>2026-03-10</td>' in page
    assert "/onboarding/console/accounts/acme/report" in page


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/accounts/nobody/report", 404),
        ("/accounts/nobody", 404),
        ("/accounts/acme/report?months=0", 400),
        ("/accounts/acme/report?months=13", 400),
        ("/accounts/acme/report?months=x", 400),
        ("/accounts/acme/report?lang=fr", 400),
        ("/accounts/acme/report?format=pdf", 400),
        ("/accounts/acme/report?format=csv&table=secrets", 400),
        ("/accounts?format=xml", 400),
    ],
)
def test_bad_requests(report_app: Flask, path: str, status: int) -> None:
    assert get(report_app, path)[0] == status


@pytest.mark.parametrize("path", ["/accounts", "/accounts/acme", "/accounts/acme/report", "/report.css"])
def test_no_role_no_page(report_app: Flask, path: str) -> None:
    assert get(report_app, path, role=None)[0] == 404
