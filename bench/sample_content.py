"""Generated guide content shared by the resolution and HTTP benchmarks (the same mix)."""

from __future__ import annotations

import random
from typing import Any

EVENTS = [f"event_{i}" for i in range(20)]
STAGES = ["awareness", "use", "depth", "adaptation", "stickiness"]
KINDS = ["tooltip", "footer_help", "banner", "starter_guide"]


def guide_dicts(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Guides in content-file shape, spread over 200 endpoints and one or two stages each;
    1% for any page, half with a day window, half with an event check, a fifth auto-opening."""
    rng = random.Random(seed)
    guides = []
    for i in range(count):
        when: dict[str, Any] = {"stages": rng.sample(STAGES, rng.randint(1, 2))}
        if rng.random() > 0.01:
            when["endpoints"] = [f"page_{rng.randrange(200)}"]
        if rng.random() > 0.5:
            when["days_since_signup"] = {"max": rng.randint(5, 60)}
        if rng.random() > 0.5:
            when["not_done"] = [rng.choice(EVENTS)]
        kind = rng.choice(KINDS)
        guide: dict[str, Any] = {
            "id": f"guide-{i}",
            "kind": kind,
            "title": {"en": f"Guide {i}"},
            "body": {"en": f"Some **help** for field {i}."},
            "when": when,
            "priority": rng.randint(0, 10),
        }
        if kind == "tooltip":
            guide["anchor"] = f"anchor-{i}"
        if kind in ("tooltip", "banner") and rng.random() > 0.8:
            guide["auto_open"] = True
        guides.append(guide)
    return guides
