"""The memory store's tables: one process's data behind one lock, shared by its capabilities."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from ..base import CodeKind, RawRecord
from ..population import PopulationData


@dataclass
class MemoryData:
    """Everything a ``MemoryStorage`` holds. Capabilities take ``lock`` for each operation, so
    every operation is atomic, as one Lua script is on Redis."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    users: dict[str, RawRecord] = field(default_factory=dict)
    codes: dict[CodeKind, dict[str, int]] = field(default_factory=lambda: {"e": {}, "g": {}})
    counters: dict[int, dict[str, int]] = field(default_factory=dict)
    texts: dict[int, str] = field(default_factory=dict)
    history: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    audit: list[str] = field(default_factory=list)  # JSON, oldest first (stored as text, like Redis)
    population: PopulationData = field(default_factory=PopulationData)
    locks: dict[str, float] = field(default_factory=dict)  # name -> time.monotonic() when it expires
    drafts: dict[str, dict[str, Any]] = field(default_factory=dict)  # guide id -> draft, with its version
    draft_seq: int = 0
    applied_keys: dict[str, dict[str, int]] = field(default_factory=dict)  # user -> idempotency key -> expiry
    counted: dict[int, set[str]] = field(default_factory=dict)  # day -> "guide|action|user" counted that day
    account_arms: dict[str, dict[str, bytes]] = field(default_factory=dict)  # account -> experiment -> arm

    def clear(self) -> None:
        """Empty every table (call with the lock held)."""
        fresh = MemoryData()
        for name in self.__dataclass_fields__:
            if name != "lock":
                setattr(self, name, getattr(fresh, name))
