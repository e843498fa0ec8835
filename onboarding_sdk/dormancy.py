"""Dormant accounts: when an account's last activity is ONBOARDING_DORMANT_AFTER_DAYS old,
``account_dormant`` is sent once per dormancy episode across the fleet.

The claim is atomic in the store (``claim_dormant.lua``); this module decides when to ask
(an interval clock per process, a lock per fleet) and announces what was claimed. No Flask.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

from . import signals
from .config import Settings
from .storage.population import DormantAccount
from .store_access import StoreAccess
from .timeutil import as_utc, epoch_day, to_epoch

logger = logging.getLogger("onboarding_sdk")
_CLAIM_BATCH = 500
_CLAIM_ROUNDS = 100
_EPOCH_DATE = date(1970, 1, 1)


def day_date(day: int) -> date:
    """A UTC day number (days since 1970-01-01) as a date."""
    return _EPOCH_DATE + timedelta(days=day)


class Dormancy:
    """One app's dormant-account check. Thread-safe."""

    def __init__(self, settings: Settings, access: StoreAccess) -> None:
        self.settings = settings
        self.access = access
        self.monotonic: Callable[[], float] = time.monotonic  # the interval clock (tests swap it)
        self._next_check = 0.0
        self._lock = threading.Lock()

    def cutoff(self, now: datetime | None = None) -> int:
        """The last UTC day number that counts as dormant today: a user or account whose last
        active day is at most this one had no activity for ONBOARDING_DORMANT_AFTER_DAYS days."""
        today = epoch_day(to_epoch(self.access.now() if now is None else as_utc(now)))
        return today - self.settings.dormant_after_days

    def check(self) -> list[DormantAccount]:
        """Claim the accounts that went dormant since the last check (by any process) and send
        ``account_dormant`` for each; return them. Raises StorageError.

        The claim is atomic in the store, so each dormancy episode is announced once across
        the fleet, however many processes check at once. A receiver that raises is logged and
        the other accounts are still announced.
        """
        access = self.access
        cutoff = self.cutoff()
        found: list[DormantAccount] = []
        for _ in range(_CLAIM_ROUNDS):
            batch = access.call_store(lambda: access.storage.claim_dormant_accounts(cutoff, _CLAIM_BATCH))
            found += batch
            for account in batch:
                try:
                    signals.account_dormant.send(
                        access.sender,
                        account_id=account.account_id,
                        last_active=day_date(account.last_day),
                        users=account.users,
                    )
                except Exception:
                    logger.exception("an account_dormant receiver failed for account %s", account.account_id)
            if len(batch) < _CLAIM_BATCH:
                break
        return found

    def due(self) -> bool:
        """True at most once per ONBOARDING_DORMANT_CHECK_INTERVAL seconds in this process
        (never when it is 0). Costs no I/O."""
        interval = float(self.settings.dormant_check_interval)
        if interval <= 0 or self.monotonic() < self._next_check:
            return False
        with self._lock:
            now = self.monotonic()
            if now < self._next_check:
                return False
            self._next_check = now + interval
            return True

    def run(self) -> list[DormantAccount] | None:
        """The opportunistic check: only the process that takes the fleet-wide lock (held for
        one interval) checks; None when another one has it."""
        access = self.access
        interval = self.settings.dormant_check_interval
        if not access.call_store(lambda: access.storage.acquire_lock("dormant-check", max(1, interval))):
            return None
        return self.check()
