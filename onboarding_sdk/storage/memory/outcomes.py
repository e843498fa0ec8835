"""Account health bands, milestones and milestone event counts in memory (``AccountOutcomes``)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from ..base import AccountOutcomes


class MemoryOutcomes(AccountOutcomes):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        self._health: dict[str, tuple[str, str]] = {}
        self._milestones: dict[str, dict[str, int]] = {}
        self._events: dict[str, dict[str, int]] = {}

    def record_health(self, account: str, band: str, snapshot: str) -> str | None:
        with self._lock:
            before = self._health.get(account)
            self._health[account] = (band, snapshot)
            return None if before is None else before[0]

    def health(self) -> dict[str, tuple[str, str]]:
        with self._lock:
            return dict(self._health)

    def reach_milestone(self, account: str, name: str, day: int) -> bool:
        with self._lock:
            reached = self._milestones.setdefault(account, {})
            if name in reached:
                return False
            reached[name] = int(day)
            return True

    def milestones(self, accounts: Sequence[str]) -> dict[str, dict[str, int]]:
        with self._lock:
            return {account: dict(self._milestones.get(account, {})) for account in accounts}

    def add_event(self, account: str, event: str) -> int:
        with self._lock:
            counts = self._events.setdefault(account, {})
            counts[event] = counts.get(event, 0) + 1
            return counts[event]

    def event_counts(self, account: str) -> dict[str, int]:
        with self._lock:
            return dict(self._events.get(account, {}))
