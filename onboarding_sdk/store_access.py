"""What the engine's helpers (content runtime, dormancy) need of it: the store behind its
health gate, the clock and the signals' sender. A Protocol, so that they never import the
engine and the engine can own them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol, TypeVar

from .storage import Storage

T = TypeVar("T")


class StoreAccess(Protocol):
    """An engine, as its helpers see it."""

    sender: Any  # the app: the sender of every signal
    storage: Storage

    def call_store(self, operation: Callable[[], T]) -> T:
        """Run one storage call through the health gate; raise StorageError when skipped or failed."""
        ...

    def now(self) -> datetime: ...
