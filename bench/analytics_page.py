"""The console's analytics page at scale: 100,000 users, 5,000 guides, a 366-day window.

    python bench/analytics_page.py [--users 100000] [--guides 5000] [--days 366] [--rounds 15]

The store is memory:// (the page's own cost: building its tables and rendering; a Redis store
adds the transfer of the counters, the same for every layout of the page). The index holds
``--users`` users in accounts of 10, each active on a few days of the window; every day, 300
guides have shown / dismissed / completed counters. Each round requests, in rotating order,
the analytics page (``?days=366``) as a process that scanned the days before today less than
``CLOSED_DAYS_SECONDS`` ago sees it ("page"), the same page with that scan dropped first ("page,
cold": every counter of the window read and scanned), and the baseline (the console's accounts
page with no account checked: the same layout, role check and template machinery, almost no
content); it prints the medians and ranges of their times and bytes, and the ratios to the
baseline.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the repository, not bench/ (its http.py)

from flask import Flask

from bench.sample_content import guide_dicts
from onboarding_sdk import Onboarding, get_state
from onboarding_sdk.timeutil import epoch_day, to_epoch

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)
GUIDES_PER_DAY = 300


def build(users: int, guides: int, days: int, directory: str) -> Flask:
    content = Path(directory) / "content.json"
    content.write_text(json.dumps({"guides": guide_dicts(guides)}))
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY="bench",
        ONBOARDING_STORAGE_URI="memory://",
        ONBOARDING_EVENTS=[f"event_{i}" for i in range(20)],
        ONBOARDING_CONTENT=[str(content)],
        ONBOARDING_CONTENT_STRICT=False,
        ONBOARDING_DORMANT_CHECK_INTERVAL=0,
        ONBOARDING_CONTENT_MAX_GUIDES=max(5000, guides),
    )
    ext = Onboarding(app, clock=lambda: NOW)
    ext.console_access(lambda: "viewer")
    store = get_state(app).engine.storage
    rng = random.Random(3)
    today = epoch_day(to_epoch(NOW))
    for n in range(users):
        for day in sorted(rng.sample(range(today - days + 1, today + 1), 3)):
            store.index.note_activity(f"user-{n}", f"acct-{n // 10}", day, 1, 0)
    ids = [f"guide-{i}" for i in range(guides)]
    for day in range(today - days + 1, today + 1):
        counters: dict[str, int] = {}
        for gid in rng.sample(ids, min(GUIDES_PER_DAY, guides)):
            shown = rng.randint(1, 50)
            counters[f"{gid}|shown"] = shown
            counters[f"{gid}|dismiss"] = rng.randint(0, shown)
            counters[f"{gid}|complete"] = rng.randint(0, shown // 2)
        store.index.count(day, counters)
    return app


def measure(client: object, path: str) -> tuple[float, int]:
    start = time.perf_counter()
    response = client.get(path)  # type: ignore[attr-defined]
    elapsed = time.perf_counter() - start
    assert response.status_code == 200, (path, response.status_code)
    return elapsed, len(response.data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--guides", type=int, default=5000)
    parser.add_argument("--days", type=int, default=366)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    with tempfile.TemporaryDirectory() as directory:
        started = time.perf_counter()
        app = build(args.users, args.guides, args.days, directory)
        print(
            f"{args.users:,} users, {args.guides:,} guides, {args.days} days: "
            f"built in {time.perf_counter() - started:.1f} s"
        )
        client = app.test_client()
        page, baseline = f"/onboarding/console/analytics?days={args.days}", "/onboarding/console/accounts"
        measure(client, page), measure(client, baseline)  # warm: templates compiled, codes assigned
        names = ("page", "page, cold", "baseline")
        times: dict[str, list[float]] = {name: [] for name in names}
        sizes: dict[str, int] = {}
        cache = get_state(app).analytics_cache
        for n in range(args.rounds):
            for name in names[n % 3 :] + names[: n % 3]:
                if name == "page, cold":
                    cache.clear()
                elapsed, size = measure(client, baseline if name == "baseline" else page)
                times[name].append(elapsed)
                sizes[name] = size
    for name in names:
        values = times[name]
        print(
            f"{name:>10}: median {statistics.median(values) * 1000:7.1f} ms "
            f"(range {min(values) * 1000:.1f}-{max(values) * 1000:.1f}), {sizes[name]:,} bytes"
        )
    for name in ("page", "page, cold"):
        ratio = statistics.median(times[name]) / statistics.median(times["baseline"])
        print(f"{name} / baseline: time x{ratio:.1f}, bytes x{sizes[name] / sizes['baseline']:.1f}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
