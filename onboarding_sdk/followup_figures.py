"""The follow-ups' figures per error hint (issue 16 item 3): how many troubles were noted, and
how many ended resolved, unresolved or unanswered. Pure, over the per-day counters.

Each noted trouble counts ``trouble|<guide>|noted`` on its day, each kept answer
``trouble|<guide>|resolved`` or ``|unresolved`` on the answer's day (``trouble_notes``). Over a
period, unanswered is noted minus answered (never below 0): an answer on the period's first days
may belong to a trouble noted before it, so the shares are of the troubles noted, clamped.
"""

from __future__ import annotations

from collections.abc import Sequence

from .analytics import Counters, Row, Table, ratio

PREFIX = "trouble|"
OUTCOMES = ("noted", "resolved", "unresolved")
COLUMNS = ("hint", "troubles", "resolved", "unresolved", "unanswered", "resolved_share", "unresolved_share")


def counter(guide_id: str, outcome: str) -> str:
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown follow-up outcome {outcome!r}")
    return f"{PREFIX}{guide_id}|{outcome}"


def followups_table(counters: Counters, days: Sequence[int]) -> Table:
    """Per error hint with any count in ``days``: troubles, resolved, unresolved, unanswered,
    and the shares of troubles resolved and unresolved (None with no trouble)."""
    sums: dict[str, dict[str, int]] = {}
    for day in days:
        for key, n in counters.get(day, {}).items():
            if not key.startswith(PREFIX):
                continue
            guide, _, outcome = key[len(PREFIX) :].rpartition("|")
            if guide and outcome in OUTCOMES:
                counts = sums.setdefault(guide, dict.fromkeys(OUTCOMES, 0))
                counts[outcome] += int(n)
    rows: list[Row] = []
    for guide in sorted(sums):
        noted, resolved, unresolved = (sums[guide][o] for o in OUTCOMES)
        unanswered = max(0, noted - resolved - unresolved)
        shares = [ratio(part, noted) for part in (resolved, unresolved)]
        rows.append(
            (
                guide,
                noted,
                resolved,
                unresolved,
                unanswered,
                *(None if s is None else round(min(s, 1.0), 4) for s in shares),
            )
        )
    return Table("followups", COLUMNS, tuple(rows))
