"""Console analytics: figures checked against events this file generates, CSV, SVG, roles."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask, request

from onboarding_sdk import Onboarding, UserProfile, analytics
from onboarding_sdk.console import ROLES
from tests import servers
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


def test_stage_funnel_counts_each_app_s_own_users() -> None:
    app, ext = create_app(Clock(START + timedelta(days=1)))
    ext.console_access(lambda: request.headers.get("X-Role"))
    other = analytics_app(Clock(START + timedelta(days=1)))  # a second app must not count the first's
    for uid, stage in [("a", "use"), ("b", "depth"), ("c", "depth"), ("d", "awareness")]:
        grow(app, ext, uid, stage)  # "d" is never tracked: not a user of the index
    got = {row[0]: row[1:] for row in csv_rows(app, "table=funnel")[1:]}
    # users now, reached, conversion, entered, moved on, median days to move on
    assert got["awareness"] == ["0", "3", "", "3", "3", "0"]
    assert got["use"] == ["1", "3", "1.0", "3", "2", "0"]
    assert got["depth"] == ["2", "2", "0.6667", "2", "0", ""]
    assert got["adaptation"] == ["0", "0", "0.0", "0", "0", ""]
    html = app.test_client().get(f"{PREFIX}/analytics", headers={"X-Role": "viewer"}).text
    assert rows(html, "Stage funnel")["depth"] == ["2", "2", "66.7%", "2", "0", "–"]
    assert {row[0]: row[1:3] for row in csv_rows(other, "table=funnel")[1:]}["use"] == ["0", "0"]


def test_svg_charts_are_accessible_and_script_free(busy: tuple[Flask, Clock]) -> None:
    app, _ = busy
    html = app.test_client().get(f"{PREFIX}/analytics", headers={"X-Role": "viewer"}).text
    charts = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(charts) == 4  # the funnel, activity, guides shown, and per day
    for chart in charts:
        assert 'role="img"' in chart and "<title id=" in chart and "<desc id=" in chart
        ids = re.search(r'aria-labelledby="([^"]+)"', chart)
        assert ids and all(f'id="{i}"' in chart for i in ids.group(1).split())
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    shown = next(chart for chart in charts if "Times each guide was shown" in chart)
    assert ">footer-reports</text>" in shown and ">3</text>" in shown  # labels and values as text


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
        10: {"gone|shown": 2, "stage|use": 5, "kept|dismiss": 1, "stay|use|3": 2, "users|active": 4},
        11: {"gone|helpful": 1},
        12: {"gone|shown": 9},
    }
    table = analytics.guide_totals(counters, [10, 11], ["kept"])
    assert table.rows == (("gone", 2, 0, 0, 1, 0), ("kept", 0, 1, 0, 0, 0))
    funnel = analytics.stage_funnel(counters, [10], 8, {"use": 5, "depth": 2}, ["awareness", "use", "depth"])
    assert funnel.rows == (
        ("awareness", 3, 8, None, 0, 0, None),
        ("use", 3, 5, 0.625, 5, 2, 3),
        ("depth", 2, 2, 0.4, 0, None, None),
    )
    assert analytics.day_range(12, 3) == [10, 11, 12] and analytics.day_label(0) == "1970-01-01"


# --------------------------------------------------------------------- the population index

KEYED = {"installed_code": {"key": True}, "report_created": {}, "export_done": {}, "alert_set": {}, "api_used": {}}


@pytest.fixture
def population_app(store_uri: str) -> Iterator[tuple[Flask, Onboarding, Clock]]:
    """The test app on each real store (memory, redis-server, Cluster), users with accounts."""
    clock = Clock(START)
    app, ext = create_app(
        clock,
        ONBOARDING_STORAGE_URI=store_uri,
        ONBOARDING_KEY_PREFIX=f"t{uuid.uuid4().hex[:12]}",
        ONBOARDING_STORAGE_TIMEOUT=5.0,
        ONBOARDING_EVENTS=KEYED,
        ONBOARDING_DORMANT_CHECK_INTERVAL=0,
    )
    ext.console_access(lambda: request.headers.get("X-Role"))
    ext.user_loader(profile_from_headers)
    yield app, ext, clock
    app.extensions["onboarding"].storage.reset()
    app.extensions["onboarding"].storage.close()


def profile_from_headers() -> UserProfile | None:
    uid = request.headers.get("X-User")
    if uid is None:
        return None
    return UserProfile(id=uid, signed_up_at=START, account_id=request.headers.get("X-Account"))


def headers(user: str, account: str | None) -> dict[str, str]:
    return {"X-User": user, **({"X-Account": account} if account else {})}


def track_at(app: Flask, ext: Onboarding, user: str, account: str | None, day: int, *events: str) -> None:
    """``user`` (of ``account``) does ``events`` on day ``day`` after START, as the host's view would."""
    with app.test_request_context(headers=headers(user, account)):
        for event in events:
            ext.track(event, at=START + timedelta(days=day))


def visit(app: Flask, clock: Clock, user: str, account: str | None, day: int) -> None:
    """A page view on day ``day``: the request hook records the active day."""
    clock.now = START + timedelta(days=day)
    assert app.test_client().get("/", headers=headers(user, account)).status_code == 200


def page(app: Flask, query: str = "") -> str:
    response = app.test_client().get(f"{PREFIX}/analytics{query}", headers={"X-Role": "viewer"})
    assert response.status_code == 200, response.text
    return response.text


def table_rows(html: str, caption_start: str) -> dict[str, list[str]]:
    """Like ``rows``, for tables whose row headers are links."""
    table = re.search(rf"<caption>{re.escape(caption_start)}.*?</table>", html, re.S)
    assert table, caption_start
    found = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', table.group(0))
    return {re.sub(r"<[^>]+>", "", head): re.findall(r"<td>([^<]*)</td>", cells) for head, cells in found}


def by_first(rows_: list[list[str]]) -> dict[str, list[str]]:
    return {row[0]: row[1:] for row in rows_[1:]}


def test_funnel_users_per_stage_conversion_and_median_days(population_app: tuple[Flask, Onboarding, Clock]) -> None:
    app, ext, clock = population_app
    track_at(app, ext, "u1", None, 2, "installed_code")  # awareness 2 days
    track_at(app, ext, "u1", None, 5, "report_created", "export_done", "alert_set")  # use 3 days
    track_at(app, ext, "u2", None, 4, "installed_code")  # awareness 4 days
    track_at(app, ext, "u2", None, 6, "report_created", "export_done", "alert_set")  # use 2 days
    track_at(app, ext, "u3", None, 7, "installed_code")  # awareness 7 days
    track_at(app, ext, "u4", None, 10, "installed_code")  # awareness 10 days
    track_at(app, ext, "u5", None, 1, "report_created")  # stays in awareness
    track_at(app, ext, "u6", None, 1, "report_created", "export_done", "alert_set")
    track_at(app, ext, "u6", None, 3, "installed_code")  # awareness 3 days, then use and depth at once: use 0 days
    clock.now = START + timedelta(days=12)
    got = by_first(csv_rows(app, "table=funnel"))
    assert csv_rows(app, "table=funnel")[0] == [
        "stage",
        "users_now",
        "reached",
        "conversion_from_previous",
        "entered",
        "moved_on",
        "median_days_to_move_on",
    ]
    # awareness: stays 2, 3, 4, 7, 10 -> 4; use: 0, 2, 3 -> 2
    assert got["awareness"] == ["1", "6", "", "6", "5", "4"]
    assert got["use"] == ["2", "5", "0.8333", "5", "3", "2"]
    assert got["depth"] == ["3", "3", "0.6", "3", "0", ""]
    assert got["adaptation"] == ["0", "0", "0.0", "0", "0", ""]
    assert got["stickiness"] == ["0", "0", "", "0", "", ""]
    html = page(app)
    assert rows(html, "Stage funnel")["use"] == ["2", "5", "83.3%", "5", "3", "2"]
    assert "6 reached, 1 now</text>" in html and "5 reached, 2 now, 83.3% of previous</text>" in html
    # the last 5 days (days 8..12): only u4 arrived and moved on, after 10 days
    recent = by_first(csv_rows(app, "table=funnel&days=5"))
    assert recent["awareness"] == ["1", "6", "", "1", "1", "10"]
    assert recent["use"] == ["2", "5", "0.8333", "1", "0", ""]
    # a half-day median: u7 leaves awareness after 5 days -> 2, 3, 4, 5, 7, 10 -> 4.5
    track_at(app, ext, "u7", None, 5, "installed_code")
    assert by_first(csv_rows(app, "table=funnel"))["awareness"][5] == "4.5"
    activity = by_first(csv_rows(app, "table=activity&days=13"))
    day = [(START + timedelta(days=n)).date().isoformat() for n in range(13)]
    # active users, new users
    assert activity[day[1]] == ["2", "2"] and activity[day[3]] == ["1", "0"] and activity[day[5]] == ["2", "1"]
    assert activity[day[10]] == ["1", "1"] and activity[day[11]] == ["0", "0"]


def dormant_scenario(app: Flask, ext: Onboarding, clock: Clock) -> None:
    """acme (a1, a2) last active on day 20, gamma (g1) on day 40, beta (b1) on day 58."""
    visit(app, clock, "a1", "acme", 1)
    track_at(app, ext, "a1", "acme", 1, "installed_code")  # a key event
    track_at(app, ext, "a1", "acme", 20, "report_created")
    visit(app, clock, "a2", "acme", 20)
    visit(app, clock, "b1", "beta", 58)
    visit(app, clock, "g1", "gamma", 35)
    track_at(app, ext, "g1", None, 40, "report_created")  # no profile account: the remembered one
    visit(app, clock, "lone", None, 10)
    clock.now = START + timedelta(days=60)


def test_dormant_accounts_and_users(population_app: tuple[Flask, Onboarding, Clock]) -> None:
    app, ext, clock = population_app
    dormant_scenario(app, ext, clock)
    html = page(app)
    text = " ".join(html.split())
    assert "2 of 3 accounts had no active user for 14 days" in text
    assert "4 of 5 users had no activity for 14 days" in text
    day = {n: (START + timedelta(days=n)).date().isoformat() for n in (1, 10, 20, 40)}
    # last active, days inactive, users, active users, user-days, events, key events (last 30 days)
    accounts = table_rows(html, "Dormant accounts")
    assert list(accounts) == ["gamma", "acme"]
    assert accounts["gamma"] == [day[40], "20", "1", "1", "2", "1", "0"]
    assert accounts["acme"] == [day[20], "40", "2", "0", "0", "0", "0"]
    assert by_first(csv_rows(app, "table=dormant_accounts&days=60"))["acme"] == [day[20], "40", "2", "2", "3", "2", "1"]
    users = csv_rows(app, "table=dormant_users")
    assert users[0] == ["user", "last_active", "days_inactive", "account"]
    assert users[1:] == [
        ["g1", day[40], "20", "gamma"],
        ["a2", day[20], "40", "acme"],
        ["a1", day[20], "40", "acme"],
        ["lone", day[10], "50", ""],
    ]
    assert f'href="{PREFIX}/preview-as?user_id=g1"' in html
    assert f'href="{PREFIX}/analytics?account=gamma&amp;days=30"' in html


def test_account_view_per_day_and_users(population_app: tuple[Flask, Onboarding, Clock]) -> None:
    app, ext, clock = population_app
    dormant_scenario(app, ext, clock)
    html = page(app, "?account=acme&days=60")
    assert "<h1>Account acme</h1>" in html and "<strong>dormant</strong>" in html
    day = {n: (START + timedelta(days=n)).date().isoformat() for n in (1, 2, 20)}
    per_day = rows(html, "Active users, events and key events per day")
    assert len(per_day) == 60
    assert (
        per_day[day[1]] == ["1", "1", "1"]
        and per_day[day[20]] == ["2", "1", "0"]
        and per_day[day[2]] == ["0", "0", "0"]
    )
    assert table_rows(html, "Users of acme") == {"a2": [day[20], "40", "yes"], "a1": [day[20], "40", "yes"]}
    assert len(re.findall(r"<svg .*?</svg>", html, re.S)) == 1
    daily = by_first(csv_rows(app, "account=acme&days=60&table=account_daily"))
    assert daily[day[1]] == ["1", "1", "1"] and daily[day[20]] == ["2", "1", "0"]
    assert by_first(csv_rows(app, "account=acme&table=account_users"))["a1"] == [day[20], "40", "yes"]
    beta = page(app, "?account=beta")
    assert "<strong>dormant</strong>" not in beta and table_rows(beta, "Users of beta")["b1"][2] == "no"


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("format=xml", 400),
        ("format=csv&table=account_daily", 400),
        ("account=" + "x" * 300, 400),
        ("account=a%01b", 400),
        ("account=nobody", 404),
        ("account=acme&format=csv&table=funnel", 400),
        ("account=acme&days=-1", 400),
    ],
)
def test_bad_population_parameters(query: str, status: int) -> None:
    app = analytics_app()
    with app.app_context():
        app.extensions["onboarding"].track("u1", None, NOW, UserProfile("u1", START, account_id="acme"))
    assert app.test_client().get(f"{PREFIX}/analytics?{query}", headers={"X-Role": "viewer"}).status_code == status


def test_csv_cells_never_start_a_formula() -> None:
    app = analytics_app()
    with app.app_context():
        app.extensions["onboarding"].track("=cmd|' /C calc'!A0", None, NOW - timedelta(days=20), None)
    got = csv_rows(app, "table=dormant_users")
    assert got[1][0] == "'=cmd|' /C calc'!A0"


def test_storage_down_gives_the_console_503_page() -> None:
    app, ext = create_app(Clock(NOW), ONBOARDING_STORAGE_URI=f"redis://127.0.0.1:{servers.free_port()}/0")
    ext.console_access(lambda: "viewer")
    for query in ("", "?format=csv&table=funnel", "?account=acme"):
        response = app.test_client().get(f"{PREFIX}/analytics{query}")
        assert response.status_code == 503 and "Store unavailable" in response.text
