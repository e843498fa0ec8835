"""HealthGate: after a storage failure, skip the store and probe it on a short fixed interval.

Why a fixed interval and not an exponential backoff: with a backoff capped at 30 s, the time
to notice that Redis is back grew with the length of the outage (2 s after a 5 s outage, 20 s
and more after 35 s). A fixed interval bounds it for every outage, and still costs a dead store
at most one timeout per interval per process, because only one caller probes at a time.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import Settings

logger = logging.getLogger("onboarding_sdk")

#: Seconds between probes of a degraded store, unless ONBOARDING_DEGRADED_PROBE_INTERVAL says.
DEFAULT_PROBE_INTERVAL = 0.5
#: A probe that has not reported after this long is taken as lost (its caller died with an
#: error that was not a storage error), so that another one may start.
LOST_PROBE_AFTER = 10.0


class HealthGate:
    """Tracks whether the store is usable. Thread-safe.

    Healthy: ``allow()`` always says yes. Degraded (after a failure): it says yes to one
    caller at a time, at most once per ``interval`` seconds: the probe. Every other caller is
    told to skip the store. The probe's ``failed()`` or ``succeeded()`` ends it: a success
    makes the store healthy; a failure keeps it degraded and the next probe may start
    ``interval`` seconds later. So a dead store costs each process at most one timeout per
    interval, and a store that is back is used again within one interval (plus the probe).
    """

    def __init__(self, interval: float = DEFAULT_PROBE_INTERVAL, monotonic: Callable[[], float] = time.monotonic):
        self.interval = max(0.0, float(interval))
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._degraded_since: float | None = None
        self._next_probe = 0.0
        self._probe_started: float | None = None  # a probe is in flight since then

    @classmethod
    def from_settings(cls, settings: Settings | Mapping[str, Any]) -> HealthGate:
        """The gate an app's settings (or their ``ONBOARDING_*`` keys) ask for; the deprecated
        backoff keys are honoured only where they probe more often (``ONBOARDING_DEGRADED_BACKOFF:
        0`` probes on every call)."""
        if isinstance(settings, Mapping):
            interval = float(settings["ONBOARDING_DEGRADED_PROBE_INTERVAL"])
            backoff, backoff_max = settings["ONBOARDING_DEGRADED_BACKOFF"], settings["ONBOARDING_DEGRADED_BACKOFF_MAX"]
        else:
            interval, backoff = settings.degraded_probe_interval, settings.degraded_backoff
            backoff_max = settings.degraded_backoff_max
        if backoff is not None:
            logger.warning(
                "ONBOARDING_DEGRADED_BACKOFF is deprecated: a degraded store is now probed every "
                "ONBOARDING_DEGRADED_PROBE_INTERVAL seconds (%.2f s here); remove the key",
                min(interval, float(backoff)),
            )
            interval = min(interval, float(backoff))
        if backoff_max is not None:
            logger.warning("ONBOARDING_DEGRADED_BACKOFF_MAX is deprecated and ignored: there is no backoff to cap")
        return cls(interval)

    @property
    def degraded(self) -> bool:
        return self._degraded_since is not None

    def allow(self) -> bool:
        if self._degraded_since is None:
            return True
        with self._lock:
            now = self._monotonic()
            if self._degraded_since is None:
                return True  # recovered while this caller waited for the lock
            if now < self._next_probe:
                return False
            if self._probe_started is not None and now - self._probe_started < LOST_PROBE_AFTER:
                return False  # one probe at a time: a slow (timing out) probe is not joined by others
            # This caller probes; the others skip the store until it reports.
            self._probe_started = now
            self._next_probe = now + self.interval
            return True

    def failed(self) -> bool:
        """Record a failure; True when this failure turned a healthy store degraded."""
        with self._lock:
            now = self._monotonic()
            first = self._degraded_since is None
            if first:
                self._degraded_since = now
            self._probe_started = None
            self._next_probe = now + self.interval
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
            self._probe_started = None
            return down_for
