"""In-process storage: the default for development and tests. Not shared between processes.

Each capability (``users``, ``content``, ...) is a small class over one ``MemoryData``; the
reference rules it applies are ``layout``'s and ``population``'s, which the Lua scripts mirror.
"""

from __future__ import annotations

import time

from ..base import LockStore, Storage
from ..keys import lock_key
from ..population import PopulationData
from .content import MemoryAudit, MemoryContent
from .drafts import MemoryDrafts
from .outcomes import MemoryOutcomes
from .population import MemoryIndex
from .privacy import MemoryPrivacy
from .state import MemoryData
from .troubles import MemoryTroubles
from .users import MemoryUsers


class MemoryLocks(LockStore):
    def __init__(self, data: MemoryData, prefix: str) -> None:
        self._data = data
        self._prefix = prefix

    def acquire(self, name: str, seconds: int) -> bool:
        lock_key(self._prefix, name)  # the same names as Redis
        now = time.monotonic()
        with self._data.lock:
            if self._data.locks.get(name, 0.0) > now:
                return False
            self._data.locks[name] = now + seconds
            return True


class MemoryStorage(Storage):
    def __init__(self, uri: str = "memory://", prefix: str = "ob") -> None:
        self.uri = uri
        self.prefix = prefix
        self.data = data = MemoryData()
        self.index = index = MemoryIndex(data)
        self.users = MemoryUsers(data, index)
        self.content = MemoryContent(data)
        self.drafts = MemoryDrafts(data)
        self.audit = MemoryAudit(data)
        self.locks = MemoryLocks(data, prefix)
        self.privacy = MemoryPrivacy(data)
        self.outcomes: MemoryOutcomes = MemoryOutcomes()
        self.troubles = MemoryTroubles(data)

    def ping(self) -> None:
        return None

    def reset(self) -> None:
        with self.data.lock:
            self.data.clear()
        self.outcomes.clear()

    # The tables under their names of earlier versions (tests look inside).
    @property
    def _users(self) -> dict[str, dict[str, bytes]]:
        return self.data.users

    @property
    def _population(self) -> PopulationData:
        return self.data.population


__all__ = ["MemoryData", "MemoryStorage"]
