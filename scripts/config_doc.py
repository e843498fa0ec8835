"""Rewrites the table of ONBOARDING_* keys in docs/configuration.md from onboarding_sdk.config.SETTINGS.

Usage: python scripts/config_doc.py   (tests/test_docs.py fails when the table is stale)
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from onboarding_sdk.config import SETTINGS  # noqa: E402

START, END = "<!-- config-table:start -->", "<!-- config-table:end -->"


def table() -> str:
    rows = ["| key | default | meaning |", "|---|---|---|"]
    for setting in SETTINGS:
        default = setting.default if isinstance(setting.default, str) else repr(setting.default)
        rows.append(f"| `{setting.key}` | `{default}` | {setting.doc} |")
    return "\n".join(rows)


def main() -> None:
    path = ROOT / "docs" / "configuration.md"
    text = path.read_text()
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{table()}\n{END}{tail}")


if __name__ == "__main__":
    main()
