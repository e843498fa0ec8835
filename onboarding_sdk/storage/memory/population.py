"""The population index and the per-day counters in memory: ``population``'s reference rules
over one logical index (no buckets: they exist to spread a cluster's writes)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .. import layout
from .. import population as reference
from ..base import PopulationIndex
from ..population import AccountActivity, DormantAccount, Population
from .state import MemoryData


class MemoryIndex(PopulationIndex):
    def __init__(self, data: MemoryData) -> None:
        self._data = data

    def note_activity(self, user_id: str, account: str | None, day: int, events: int, key_events: int) -> None:
        data = self._data
        with data.lock:
            reference.note_activity(data.population, data.counters, user_id, account, day, events, key_events)

    def count_stages(
        self, day: int, entered: Sequence[str], stays: Sequence[tuple[str, int]], user_id: str = ""
    ) -> None:
        with self._data.lock:
            reference.count_stages(self._data.population, self._data.counters, day, entered, stays)

    def count(self, day: int, counters: Mapping[str, int]) -> None:
        with self._data.lock:
            table = self._data.counters.setdefault(day, {})
            for name, amount in counters.items():
                table[name] = table.get(name, 0) + amount

    def count_once(self, day: int, counter: str, user_id: str) -> bool:
        """Add 1 to ``counter`` on ``day`` unless ``user_id`` was counted there already (as
        count_once.lua). Call with the lock held."""
        counted = self._data.counted
        for old in [d for d in counted if d < day - 1]:  # Redis expires them (COUNTED_TTL)
            del counted[old]
        done = counted.setdefault(day, set())
        member = layout.counted_member(counter, user_id)
        if member in done:
            return False
        done.add(member)
        table = self._data.counters.setdefault(day, {})
        table[counter] = table.get(counter, 0) + 1
        return True

    def counters(self, days: Sequence[int]) -> dict[int, dict[str, int]]:
        with self._data.lock:
            return {day: dict(self._data.counters.get(day, {})) for day in days}

    def population(self, cutoff: int, since: int, limit: int) -> Population:
        with self._data.lock:
            return reference.population(self._data.population, cutoff, since, limit)

    def account_activity(self, account: str, days: Sequence[int], since: int, limit: int) -> AccountActivity | None:
        with self._data.lock:
            return reference.account_activity(self._data.population, account, days, since, limit)

    def account_days(self, accounts: Sequence[str], days: Sequence[int]) -> dict[str, dict[int, tuple[int, int, int]]]:
        with self._data.lock:
            return reference.account_days(self._data.population, accounts, days)

    def claim_dormant_accounts(self, cutoff: int, limit: int) -> list[DormantAccount]:
        with self._data.lock:
            return reference.claim_dormant(self._data.population, cutoff, limit)

    def active_accounts(self, since: int, limit: int) -> list[tuple[str, int]]:
        with self._data.lock:
            return reference.active_accounts(self._data.population, since, limit)
