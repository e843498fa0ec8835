"""Microseconds per guide resolution at 1,000, 10,000 and 50,000 guides (pure, no I/O).

Usage: python bench/resolve.py [--rounds 7] [--calls 2000] [--baseline 96340d2]

The catalog spreads guides over 200 endpoints and one or two of the five stages each, 1% of
them for any page (footer help, banners), half with a day window and half with an event
check; each resolution is one page view of a user in stage ``use``.

The baseline is ``Catalog.resolve`` as it was at ``--baseline`` (a git revision: the index by
(endpoint, stage) with the "any page" guides read apart and the chosen guides sorted), loaded
from git into this process. Each round times both on the same pages, the order alternating,
so a busy machine slows both alike: compare the ratio, and the figures only within one run.
Times are the process's CPU time (``--clock process``, the default: time spent waiting for a
core on a busy machine is left out) or wall time (``--clock wall``).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/NAME.py`: import from the repo root, and keep bench/http.py from
# shadowing the standard library's http package.
ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

import argparse
import importlib.util
import os
import random
import statistics
import subprocess
import time
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

from bench.sample_content import EVENTS, guide_dicts
from onboarding_sdk.content.model import GuideSpec
from onboarding_sdk.delivery import Catalog, Page, Situation
from onboarding_sdk.guide_state import GuideState
from onboarding_sdk.identity import UserProfile
from onboarding_sdk.state import EventStats, UserState

NOW = datetime(2026, 6, 1, tzinfo=UTC)
CLOCK = time.process_time
COUNTS = (1_000, 10_000, 50_000)


def make_guides(count: int) -> list[GuideSpec]:
    return [
        GuideSpec(
            id=g["id"],
            kind=g["kind"],
            title=g["title"],
            body={"en": "<p>Body</p>"},
            when=g["when"],
            priority=g["priority"],
            anchor=g.get("anchor"),
            auto_open=g.get("auto_open", False),
        )
        for g in guide_dicts(count)
    ]


def baseline_module(revision: str) -> ModuleType:
    """``onboarding_sdk/delivery.py`` at ``revision``, imported beside today's package."""
    source = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{revision}:onboarding_sdk/delivery.py"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    spec = importlib.util.spec_from_loader("onboarding_sdk._baseline_delivery", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "onboarding_sdk"
    sys.modules[spec.name] = module  # dataclasses look their module up while the code runs
    exec(compile(source, f"{revision}:onboarding_sdk/delivery.py", "exec"), module.__dict__)
    return module


def per_call_us(catalog: Any, situation: Situation, pages: list[Page], calls: int) -> float:
    resolve = catalog.resolve
    began = CLOCK()
    for i in range(calls):
        resolve(situation, pages[i & 255])
    return (CLOCK() - began) / calls * 1e6


def summary(catalog: Any, situation: Situation, page: Page) -> list[tuple[str, bool, GuideState]]:
    return [(d.guide.id, d.auto_open, d.state) for d in catalog.resolve(situation, page)]


def spread(values: list[float]) -> str:
    return f"{statistics.median(values):7.1f} ({min(values):.1f} to {max(values):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--calls", type=int, default=2000, help="resolutions per round and implementation")
    parser.add_argument("--baseline", default="96340d2", help="git revision of the baseline delivery.py")
    parser.add_argument("--clock", choices=("process", "wall"), default="process")
    args = parser.parse_args()
    global CLOCK
    CLOCK = time.process_time if args.clock == "process" else time.perf_counter
    old = baseline_module(args.baseline)
    rng = random.Random(7)
    signup = NOW - timedelta(days=12)
    user = UserState(
        user_id="u",
        signed_up_at=signup,
        stage="use",
        first_seen=signup,
        last_seen=NOW,
        events={e: EventStats(3, signup, NOW) for e in EVENTS[:6]},
        active_days=frozenset(range(20500, 20512)),
    )
    profile = UserProfile(id="u", signed_up_at=signup, role="manager", plan="free")
    states = {f"guide-{i}": GuideState(1, 1, 20500) for i in range(0, 50, 5)}
    situation = Situation(profile, user, states, NOW)
    pages = [Page(f"page_{rng.randrange(200)}", "/x") for _ in range(256)]
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    print(
        f"{args.rounds} alternating rounds of {args.calls} resolutions each; us per resolution "
        f"({args.clock} time), median (range)"
    )
    for count in COUNTS:
        specs = make_guides(count)
        new = Catalog(specs, events=EVENTS)
        before = old.Catalog(specs, events=EVENTS)
        for page in pages[:32]:  # the same guides, in the same order, as the baseline
            assert summary(new, situation, page) == summary(before, situation, page)
        chosen = statistics.mean(len(new.resolve(situation, page)) for page in pages)
        ours: list[float] = []
        theirs: list[float] = []
        for round_ in range(args.rounds):
            pair = [(new, ours), (before, theirs)]
            for catalog, into in pair if round_ % 2 == 0 else reversed(pair):
                into.append(per_call_us(catalog, situation, pages, args.calls))
        ratios = [a / b for a, b in zip(ours, theirs, strict=True)]
        print(
            f"{count:>6} guides ({chosen:5.1f} chosen per page): indexed {spread(ours)}   "
            f"baseline {spread(theirs)}   ratio {statistics.median(ratios):.2f} "
            f"({min(ratios):.2f} to {max(ratios):.2f})"
        )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
