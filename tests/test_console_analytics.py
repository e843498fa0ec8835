"""Console analytics: figures checked against events this file generates, CSV, SVG, roles."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from flask import Flask, request

from onboarding_sdk import UserProfile, analytics
from onboarding_sdk.console import ROLES
from tests.guides.app import START, Clock, create_app, grow

PREFIX = "/onboarding/console"
NOW = START + timedelta(days=60)


def analytics_app(clock: Clock | None = None) -> Flask:
    app, ext = create_app(clock or Clock(NOW))

    @ext.console_access
    def role() -> str | None:
        return request.headers.get("X-Role")

    return app


def act(app: Flask, clock: Clock, days_ago: int, user: str, guide_id: str, *actions: str) -> None:
    """Record ``actions`` by ``user`` on ``guide_id`` at NOW - days_ago."""
    clock.now = NOW - timedelta(days=days_ago)
    with app.app_context():
        engine = app.extensions["onboarding"]
        profile = UserProfile(id=user, signed_up_at=START)
        for action in actions:
            engine.guide_action(profile, guide_id, action)
    clock.now = NOW


def rows(html: str, caption_start: str) -> dict[str, list[str]]:
    """The body rows of the table whose caption starts with ``caption_start``."""
    table = re.search(rf"<caption>{re.escape(caption_start)}.*?</table>", html, re.S)
    assert table, caption_start
    found = re.findall(r'<tr><th scope="row">([^<]*)</th>(.*?)</tr>', table.group(0))
    return {head: re.findall(r"<td>([^<]*)</td>", cells) for head, cells in found}


def csv_rows(app: Flask, query: str, role: str = "viewer") -> list[list[str]]:
    response = app.test_client().get(f"{PREFIX}/analytics?format=csv&{query}", headers={"X-Role": role})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(io.StringIO(response.text)))


@pytest.fixture()
def busy() -> tuple[Flask, Clock]:
    clock = Clock(NOW)
    app = analytics_app(clock)
    act(app, clock, 0, "a", "footer-reports", "shown", "helpful")
    act(app, clock, 0, "b", "footer-reports", "shown", "dismiss")
    act(app, clock, 2, "c", "footer-reports", "shown", "complete", "not_helpful")
    act(app, clock, 45, "d", "footer-reports", "shown", "dismiss")  # outside the default 30 days
    act(app, clock, 1, "a", "footer-home", "shown")
    for user in "wxyz":
        act(app, clock, 3, user, "v2-alerts", "shown")
    act(app, clock, 3, "w", "v2-alerts", "read")
    return app, clock


def test_guide_performance_totals_default_to_the_last_30_days(busy: tuple[Flask, Clock]) -> None:
    app, _ = busy
    html = app.test_client().get(f"{PREFIX}/analytics", headers={"X-Role": "viewer"}).text
    table = rows(html, "Per guide")
    # shown, dismissed, completed, helpful yes, helpful no
    assert table["footer-reports"] == ["3", "1", "1", "1", "1"]
    assert table["footer-home"] == ["1", "0", "0", "0", "0"]
    wider = rows(app.test_client().get(f"{PREFIX}/analytics?days=60", headers={"X-Role": "viewer"}).text, "Per guide")
    assert wider["footer-reports"] == ["4", "2", "1", "1", "1"]
    got = {row[0]: row[1:] for row in csv_rows(app, "table=guides")[1:]}
    assert got["footer-reports"] == ["3", "1", "1", "1", "1"]
    assert csv_rows(app, "table=guides")[0] == ["guide", "shown", "dismissed", "completed", "helpful_yes", "helpful_no"]


def test_per_day_table_and_guide_filter(busy: tuple[Flask, Clock]) -> None:
    app, _ = busy
    today, two_ago = (NOW.date().isoformat(), (NOW - timedelta(days=2)).date().isoformat())
    every = {row[0]: row[1:] for row in csv_rows(app, "table=daily&days=7")[1:]}
    assert len(every) == 7
    assert every[today] == ["2", "1", "0", "1", "0"]
    assert every[(NOW - timedelta(days=1)).date().isoformat()] == ["1", "0", "0", "0", "0"]
    assert every[(NOW - timedelta(days=3)).date().isoformat()] == ["4", "0", "0", "0", "0"]
    one = {row[0]: row[1:] for row in csv_rows(app, "table=daily&days=7&guide=footer-reports")[1:]}
    assert one[two_ago] == ["1", "0", "1", "0", "1"]
    assert one[(NOW - timedelta(days=3)).date().isoformat()] == ["0", "0", "0", "0", "0"]
    html = app.test_client().get(f"{PREFIX}/analytics?days=7&guide=footer-reports", headers={"X-Role": "viewer"}).text
    assert rows(html, "Per day, footer-reports")[today] == ["2", "1", "0", "1", "0"]


def test_changelog_read_rate(busy: tuple[Flask, Clock]) -> None:
    app, _ = busy
    html = app.test_client().get(f"{PREFIX}/analytics", headers={"X-Role": "viewer"}).text
    table = rows(html, "Read / shown")
    assert table["v2-alerts"] == ["4", "1", "25.0%"]
    assert table["v2-funnels"] == ["0", "0", "–"]  # never shown: no rate rather than 0 %
    assert "footer-reports" not in table
    got = {row[0]: row[1:] for row in csv_rows(app, "table=changelog")[1:]}
    assert got == {"v2-alerts": ["4", "1", "0.25"], "v2-funnels": ["0", "0", ""]}


def test_stage_funnel_counts_entries_from_stage_changed() -> None:
    app, ext = create_app(Clock(START + timedelta(days=1)))
    ext.console_access(lambda: request.headers.get("X-Role"))
    other = analytics_app(Clock(START + timedelta(days=1)))  # a second app must not count the first's
    for uid, stage in [("a", "use"), ("b", "depth"), ("c", "depth"), ("d", "awareness")]:
        grow(app, ext, uid, stage)
    got = {row[0]: row[1:] for row in csv_rows(app, "table=funnel")[1:]}
    assert got["use"] == ["3", ""]
    assert got["depth"] == ["2", "0.6667"]
    assert got["adaptation"] == ["0", "0.0"]
    html = app.test_client().get(f"{PREFIX}/analytics", headers={"X-Role": "viewer"}).text
    assert rows(html, "Stage entries")["depth"] == ["2", "66.7%"]
    assert {row[0]: row[1] for row in csv_rows(other, "table=funnel")[1:]}["use"] == "0"


def test_svg_charts_are_accessible_and_script_free(busy: tuple[Flask, Clock]) -> None:
    app, _ = busy
    html = app.test_client().get(f"{PREFIX}/analytics", headers={"X-Role": "viewer"}).text
    charts = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(charts) == 2
    for chart in charts:
        assert 'role="img"' in chart and "<title id=" in chart and "<desc id=" in chart
        ids = re.search(r'aria-labelledby="([^"]+)"', chart)
        assert ids and all(f'id="{i}"' in chart for i in ids.group(1).split())
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert ">footer-reports</text>" in charts[0] and ">3</text>" in charts[0]  # labels and values as text


@pytest.mark.parametrize(("role", "status"), [(None, 404), ("nonsense", 404), *((r, 200) for r in ROLES)])
def test_roles(role: str | None, status: int) -> None:
    app = analytics_app()
    headers = {"X-Role": role} if role else {}
    for query in ("", "?format=csv&table=guides"):
        assert app.test_client().get(f"{PREFIX}/analytics{query}", headers=headers).status_code == status


def test_without_a_callback_analytics_is_404() -> None:
    app, _ = create_app(Clock(NOW))
    assert app.test_client().get(f"{PREFIX}/analytics", headers={"X-Role": "admin"}).status_code == 404


@pytest.mark.parametrize(
    ("query", "status"),
    [("days=0", 400), ("days=abc", 400), ("days=9999", 400), ("format=csv&table=nope", 400), ("guide=nope", 404)],
)
def test_bad_parameters(query: str, status: int) -> None:
    app = analytics_app()
    assert app.test_client().get(f"{PREFIX}/analytics?{query}", headers={"X-Role": "viewer"}).status_code == status


def test_pure_tables_keep_removed_guides_and_ignore_stage_keys() -> None:
    counters = {
        10: {"gone|shown": 2, "stage|use": 5, "kept|dismiss": 1},
        11: {"gone|helpful": 1},
        12: {"gone|shown": 9},
    }
    table = analytics.guide_totals(counters, [10, 11], ["kept"])
    assert table.rows == (("gone", 2, 0, 0, 1, 0), ("kept", 0, 1, 0, 0, 0))
    assert analytics.stage_funnel(counters, [10], ["use", "depth"]).rows == (("use", 5, None), ("depth", 0, 0.0))
    assert analytics.day_range(12, 3) == [10, 11, 12] and analytics.day_label(0) == "1970-01-01"
