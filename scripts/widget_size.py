"""Print the gzipped size (gzip -9) of each shipped widget file and check it against its budget.

    python scripts/widget_size.py          # table; exit 1 if a file is over budget

The files are the build output in static/ (``node widget/build.mjs``; source maps are not
counted: browsers fetch them only with developer tools open). Budgets (issue 11): the core at
most 7 KB (below Driver.js 1.8's 7.2 KB, which draws tours only), the CSS at most 2 KB; each lazy
chunk has its own budget and is loaded only on pages that need it.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

STATIC = Path(__file__).resolve().parents[1] / "static"
BUDGETS = {
    "onboarding.js": 7 * 1024,  # the core, on every page
    "onboarding.css": 2 * 1024,
    "onboarding-tour.js": 4 * 1024,  # lazy: pages with a tour
}
CHUNK_BUDGET = 4 * 1024  # any other lazy chunk (onboarding-*.js) until it gets its own line above


def sizes(static: Path = STATIC) -> dict[str, tuple[int, int, int]]:
    """{file name: (raw bytes, gzip -9 bytes, budget)} for every .js and .css in static/."""
    out = {}
    for f in sorted(static.glob("*.js")) + sorted(static.glob("*.css")):
        raw = f.read_bytes()
        out[f.name] = (len(raw), len(gzip.compress(raw, 9, mtime=0)), BUDGETS.get(f.name, CHUNK_BUDGET))
    return out


def main() -> int:
    over = 0
    print(f"{'file':24} {'raw':>7} {'gzip -9':>8} {'budget':>7}")
    for name, (raw, gz, budget) in sizes().items():
        flag = "" if gz <= budget else "  OVER BUDGET"
        over += bool(flag)
        print(f"{name:24} {raw:7d} {gz:8d} {budget:7d}{flag}")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
