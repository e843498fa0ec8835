"""The analytics page: its one-pass tables (analytics.scan + tables_of, and a kept scan merged
with today's) equal the tables the plain functions compute, over random counters with every
kind of key; pictures come first, tables are folded and paged, the CSV keeps every row."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest

from onboarding_sdk import analytics
from onboarding_sdk.state import STAGES
from tests.test_console_analytics import NOW, PREFIX, analytics_app, csv_rows

GUIDES = [f"g{i}" for i in range(40)]
CHANGELOG = ["g1", "g2", "cl-gone"]


def random_counters(seed: int, days: list[int]) -> dict[int, dict[str, int]]:
    rng = random.Random(seed)
    counters: dict[int, dict[str, int]] = {}
    actions = [action for _, action in analytics.GUIDE_COLUMNS] + ["read", "progress"]
    for day in days:
        table: dict[str, int] = {}
        for _ in range(rng.randint(0, 60)):
            gid = rng.choice([*GUIDES, "removed-guide", "cl-gone"])
            table[f"{gid}|{rng.choice(actions)}"] = rng.randint(1, 30)
        table["users|active"] = rng.randint(0, 99)
        for stage in STAGES:
            if rng.random() < 0.6:
                table[f"stage|{stage}"] = rng.randint(1, 9)
            if rng.random() < 0.5:
                table[f"stay|{stage}|{rng.randint(0, 40)}"] = rng.randint(1, 5)
        table["stay|use|x"] = 3  # not a number of days: ignored by both
        counters[day] = table
    return counters


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("guide", ["", "g3"])
def test_one_pass_tables_equal_the_plain_ones(seed: int, guide: str) -> None:
    days = list(range(20000, 20000 + 1 + seed * 3))
    counters = random_counters(seed, days)
    reached = {stage: 50 - 7 * i for i, stage in enumerate(STAGES[1:])}
    found = analytics.scan(counters, days, GUIDES, guide)
    tables = analytics.tables_of(found, days, GUIDES, guide, CHANGELOG, 77, reached, STAGES)
    assert tables["funnel"] == analytics.stage_funnel(counters, days, 77, reached, STAGES)
    assert tables["activity"] == analytics.activity(counters, days)
    assert tables["guides"] == analytics.guide_totals(counters, days, GUIDES)
    assert tables["daily"] == analytics.guide_daily(counters, days, [guide] if guide else GUIDES)
    assert tables["changelog"] == analytics.changelog_reads(counters, days, CHANGELOG)


@pytest.mark.parametrize("seed", range(6))
def test_a_scan_of_earlier_days_merged_with_today_equals_one_scan(seed: int) -> None:
    days = list(range(20000, 20010 + seed))
    counters = random_counters(100 + seed, days)
    whole = analytics.scan(counters, days, GUIDES, "g3")
    closed = analytics.scan(counters, days[:-1], GUIDES, "g3")
    kept = repr(closed)
    merged = analytics.merge(closed, analytics.scan(counters, days[-1:], GUIDES, "g3"))
    assert merged == whole
    assert repr(closed) == kept  # the kept scan is not changed by merging


# --------------------------------------------------------------------------- the page


def test_pictures_first_tables_folded_and_paged() -> None:
    app = analytics_app()
    client = app.test_client()
    html = client.get(f"{PREFIX}/analytics?days=120", headers={"X-Role": "viewer"}).text
    first_table = html.index("<details")
    assert html.index('role="img"') < first_table  # a picture before any table
    assert html.count('<details class="table"') == 7 and " open>" not in html  # every table folded
    daily = re.search(r'<details class="table" id="table-daily".*?</details>', html, re.S)
    assert daily is not None
    assert "120 rows" in daily.group(0) and "page 1 of 3" in daily.group(0)
    days = re.findall(r'<tr><th scope="row">(\d{4}-\d\d-\d\d)</th>', daily.group(0))
    today = NOW.date()
    assert days == [(today - timedelta(days=n)).isoformat() for n in range(50)]  # newest first
    assert 'rel="next"' in daily.group(0) and 'rel="prev"' not in daily.group(0)
    last = client.get(f"{PREFIX}/analytics?days=120&page_daily=3", headers={"X-Role": "viewer"}).text
    daily = re.search(r'<details class="table" id="table-daily" open>.*?</details>', last, re.S)
    assert daily is not None  # the table asked for a page of is open
    days = re.findall(r'<tr><th scope="row">(\d{4}-\d\d-\d\d)</th>', daily.group(0))
    assert len(days) == 20 and days[-1] == (today - timedelta(days=119)).isoformat()
    assert 'rel="prev"' in daily.group(0) and 'rel="next"' not in daily.group(0)
    beyond = client.get(f"{PREFIX}/analytics?days=120&page_daily=99", headers={"X-Role": "viewer"}).text
    assert "page 3 of 3" in beyond
    for bad in ("0", "x", "-1"):
        assert client.get(f"{PREFIX}/analytics?page_daily={bad}", headers={"X-Role": "viewer"}).status_code == 400
    assert len(csv_rows(app, "table=daily&days=120")) == 121  # the CSV holds every row
