"""Microseconds per guide resolution at 100, 1,000 and 10,000 guides (pure, no I/O).

Usage: python bench/resolve.py [--rounds 20000]
The catalog spreads guides over 200 endpoints and one or two of the five stages each, 1% of
them for any page (footer help, banners), half with a day window and half with an event
check; each resolution is one page view of a user in stage ``use``.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/NAME.py`: import from the repo root, and keep bench/http.py from
# shadowing the standard library's http package.
ROOT = Path(__file__).resolve().parent.parent
sys.path[0] = str(ROOT)

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.sample_content import EVENTS, guide_dicts
from onboarding_sdk.content.model import GuideSpec
from onboarding_sdk.delivery import Catalog, Page, Situation
from onboarding_sdk.guide_state import GuideState
from onboarding_sdk.identity import UserProfile
from onboarding_sdk.state import EventStats, UserState

NOW = datetime(2026, 6, 1, tzinfo=UTC)


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20000)
    args = parser.parse_args()
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
    states = {f"g{i}": GuideState(1, 1, 20500) for i in range(0, 50, 5)}
    situation = Situation(profile, user, states, NOW)
    for count in (100, 1_000, 10_000):
        catalog = Catalog(make_guides(count), events=EVENTS)
        pages = [Page(f"page_{rng.randrange(200)}", "/x") for _ in range(256)]
        shown = 0
        began = time.perf_counter()
        for i in range(args.rounds):
            shown += len(catalog.resolve(situation, pages[i & 255]))
        elapsed = time.perf_counter() - began
        print(f"{count:>6} guides: {elapsed / args.rounds * 1e6:6.1f} us per resolution "
              f"({shown / args.rounds:.1f} guides chosen on average)")  # fmt: skip


if __name__ == "__main__":
    main()
