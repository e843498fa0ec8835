"""In-process storage: the default for development and tests. Not shared between processes."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

from . import layout
from .base import CodeKind, RawRecord, Storage


class MemoryStorage(Storage):
    def __init__(self, uri: str = "memory://", prefix: str = "ob") -> None:
        self.uri = uri
        self.prefix = prefix
        self._lock = threading.Lock()
        self._users: dict[str, RawRecord] = {}
        self._codes: dict[CodeKind, dict[str, int]] = {"e": {}, "g": {}}
        self._counters: dict[int, dict[str, int]] = {}

    def assign_codes(self, kind: CodeKind, names: Sequence[str]) -> dict[str, int]:
        with self._lock:
            table = self._codes[kind]
            for name in names:
                if name not in table:
                    table[name] = len(table) + 1
            return {name: table[name] for name in names}

    def track(self, user_id: str, field: str | None, at: int, signup: int | None) -> RawRecord:
        with self._lock:
            record = self._users.setdefault(user_id, {})
            layout.apply_event(record, field, at, signup)
            return dict(record)

    def load(self, user_id: str) -> RawRecord:
        with self._lock:
            return dict(self._users.get(user_id, {}))

    def advance_stage(self, user_id: str, expected: int, new: int, times: Mapping[int, int]) -> bool:
        with self._lock:
            record = self._users.setdefault(user_id, {})
            return layout.apply_stage(record, expected, new, times)

    def guide_action(
        self, user_id: str, field: str, action: str, day: int, value: int, budget_limit: int
    ) -> tuple[bytes, bool]:
        with self._lock:
            record = self._users.setdefault(user_id, {})
            return layout.apply_guide_action(record, field, action, day, value, budget_limit)

    def count(self, day: int, counters: Mapping[str, int]) -> None:
        with self._lock:
            table = self._counters.setdefault(day, {})
            for name, amount in counters.items():
                table[name] = table.get(name, 0) + amount

    def counters(self, days: Sequence[int]) -> dict[int, dict[str, int]]:
        with self._lock:
            return {day: dict(self._counters.get(day, {})) for day in days}

    def forget(self, user_id: str) -> None:
        with self._lock:
            self._users.pop(user_id, None)

    def ping(self) -> None:
        return None

    def reset(self) -> None:
        with self._lock:
            self._users.clear()
            self._counters.clear()
            self._codes = {"e": {}, "g": {}}
