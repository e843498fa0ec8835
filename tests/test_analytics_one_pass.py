"""The guide tables are built in one pass over the stored counters; they must equal the plain
per-guide, per-day sums they replaced, over random counters with stray and foreign keys."""

from __future__ import annotations

import random

from onboarding_sdk import analytics

ACTIONS = [action for _, action in analytics.GUIDE_COLUMNS]


def reference_totals(counters: dict[int, dict[str, int]], days: list[int], ids: list[str]) -> list[tuple[object, ...]]:
    every = set(ids) | {
        key.rpartition("|")[0]
        for day in days
        for key in counters.get(day, {})
        if key.rpartition("|")[2] in ACTIONS and not key.startswith(("stage|", "stay|", "users|"))
    }
    return [
        (gid, *[sum(counters.get(d, {}).get(f"{gid}|{a}", 0) for d in days) for a in ACTIONS]) for gid in sorted(every)
    ]


def random_counters(rng: random.Random, guides: list[str], days: list[int]) -> dict[int, dict[str, int]]:
    counters: dict[int, dict[str, int]] = {}
    for day in [days[0] - 1, *days]:  # a day outside the window must not count
        table = {"users|active": 4, "stage|use": 1, "stay|use|3": 2}
        for _ in range(rng.randint(0, 15)):
            guide = rng.choice([*guides, "removed-guide", "odd|id"])
            table[f"{guide}|{rng.choice([*ACTIONS, 'read', 'unknown'])}"] = rng.randint(1, 9)
        counters[day] = table
    return counters


def test_guide_tables_equal_the_plain_sums() -> None:
    rng = random.Random(2026)
    for _ in range(300):
        guides = [f"g{n}" for n in range(rng.randint(0, 8))]
        days = list(range(500, 500 + rng.randint(1, 6)))
        counters = random_counters(rng, guides, days)
        ids = rng.sample(guides, len(guides) // 2)
        assert list(analytics.guide_totals(counters, days, ids).rows) == reference_totals(counters, days, ids)
        daily = analytics.guide_daily(counters, days, ids).rows
        for (_label, *sums), day in zip(daily, days, strict=True):
            assert sums == [sum(counters[day].get(f"{g}|{a}", 0) for g in ids) for a in ACTIONS]
        for gid, shown, read, rate in analytics.changelog_reads(counters, days, ids).rows:
            assert shown == sum(counters[d].get(f"{gid}|shown", 0) for d in days)
            assert read == sum(counters[d].get(f"{gid}|read", 0) for d in days)
            assert rate == (round(read / shown, 4) if shown else None)
