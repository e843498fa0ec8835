"""HealthGate: after a storage failure, skip the store and re-probe it with backoff."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class HealthGate:
    """Tracks whether the store is usable. Thread-safe.

    While degraded, ``allow()`` says yes only once the backoff has passed (one probe at a
    time); each failure doubles the backoff up to ``maximum``.
    """

    def __init__(self, initial: float, maximum: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._initial = initial
        self._maximum = max(initial, maximum)
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._degraded_since: float | None = None
        self._retry_at = 0.0
        self._backoff = initial

    @property
    def degraded(self) -> bool:
        return self._degraded_since is not None

    def allow(self) -> bool:
        if self._degraded_since is None:
            return True
        with self._lock:
            now = self._monotonic()
            if now < self._retry_at:
                return False
            # Let this caller probe; others wait for the next backoff window.
            self._retry_at = now + self._backoff
            return True

    def failed(self) -> bool:
        """Record a failure; True when this failure turned a healthy store degraded."""
        with self._lock:
            now = self._monotonic()
            first = self._degraded_since is None
            if first:
                self._degraded_since = now
                self._backoff = self._initial
            else:
                self._backoff = min(self._maximum, self._backoff * 2)
            self._retry_at = now + self._backoff
            return first

    def succeeded(self) -> float | None:
        """Record a success; returns seconds spent degraded when this ends a degradation."""
        if self._degraded_since is None:
            return None
        with self._lock:
            if self._degraded_since is None:
                return None
            down_for = self._monotonic() - self._degraded_since
            self._degraded_since = None
            self._backoff = self._initial
            return down_for
