"""Account health bands and milestones, recorded once per account across the fleet. No Flask.

When they are checked:

* on ``track()`` of an event some milestone names (and only then): the account's count of that
  event goes up in the store, and milestones whose only condition is that event (``{"event":
  ..., "count": n}``) are recorded when the count reaches ``n``. Other events cost nothing.
* in the periodic check (run after a response every ONBOARDING_DORMANT_CHECK_INTERVAL by the
  one process that takes the store's lock, with the dormant-account check; or
  ``Onboarding.check_accounts()`` / ``flask onboarding accounts`` from a scheduler):
  every account active in the last ``RECENT_DAYS`` days, and every account whose stored band
  is not yet ``at_risk``, gets its health computed and stored and its milestones checked.

Both record with a compare-and-set in the store (``store.outcomes``), so ``milestone_reached``
and ``account_health_changed`` are sent once, by the process that made the change.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from . import account_facts, account_health, signals
from .account_facts import EngineView
from .dormancy import day_date
from .milestones import Milestone, newly_reached
from .timeutil import epoch_day, to_epoch

logger = logging.getLogger("onboarding_sdk")

#: Accounts active in these last days are checked (after that a silent account's score no longer
#: moves: its recency and active users are at 0), plus every account not yet at risk.
RECENT_DAYS = account_health.SILENT_DAYS + 2 * account_facts.WINDOW_DAYS
#: Accounts checked per run at most (newest first).
MAX_ACCOUNTS = 5000


@dataclass(frozen=True)
class Checked:
    """What one check found: accounts checked, band moves ``(account, old, new)``, milestones
    ``(account, name)`` recorded."""

    accounts: int
    moves: list[tuple[str, str, str]]
    milestones: list[tuple[str, str]]


def snapshot(result: account_health.Health) -> str:
    """What the accounts page shows without recomputing: score, band, components, reasons."""
    return json.dumps(
        {
            "score": result.score,
            "components": {c.name: None if c.value is None else round(c.value, 3) for c in result.components},
            "reason": {locale: account_health.reason(result, locale) for locale in ("en", "zh-CN")},
        },
        sort_keys=True,
    )


def read_snapshot(text: str) -> dict[str, object]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class AccountOutcomes:
    """One app's account checks. Stateless: the store keeps what was recorded."""

    def __init__(self, access: EngineView) -> None:
        self.access = access

    # --- on track ---------------------------------------------------------------------

    def on_event(self, account: str | None, event: str, at: datetime) -> None:
        """After ``event`` was recorded at ``at`` for a user of ``account``: the milestones it
        alone decides, reached on the event's day. No store call unless a milestone names the
        event. Never raises (logged)."""
        settings = self.access.settings
        named = [m for m in settings.milestones if m.event == event]
        if account is None or not named:
            return
        store = self.access.storage
        try:
            count = self.access.call_store(lambda: store.outcomes.add_event(account, event))
            for milestone in named:
                if _event_only(milestone) and count >= milestone.count:
                    self._reach(account, milestone.name, epoch_day(to_epoch(at)))
        except Exception:
            logger.exception("onboarding: milestones of account %s not checked after %s", account, event)

    # --- the periodic check -----------------------------------------------------------

    def check(self) -> Checked:
        """Compute, store and announce health and milestones of the accounts due. Raises StorageError."""
        access = self.access
        store = access.storage
        today = account_facts.today_of(access)
        recent = access.call_store(lambda: store.index.active_accounts(today - RECENT_DAYS, MAX_ACCOUNTS))
        stored = access.call_store(lambda: store.outcomes.health())
        due = [account for account, _ in recent]
        seen = set(due)
        due += sorted(a for a, (band, _) in stored.items() if band != account_health.AT_RISK and a not in seen)
        moves: list[tuple[str, str, str]] = []
        reached: list[tuple[str, str]] = []
        for account in due:
            data = account_facts.gather(access, account)
            if data is None:
                continue
            result = account_facts.health(data, access.settings)
            before = access.call_store(lambda: store.outcomes.record_health(account, result.band, snapshot(result)))  # noqa: B023
            if before is not None and before != result.band:
                moves.append((account, before, result.band))
                self._announce_move(account, before, result)
            progress = account_facts.progress(data)
            for name in newly_reached(access.settings.milestones, progress, set(data.reached)):
                if self._reach(account, name, today):
                    reached.append((account, name))
        return Checked(len(due), moves, reached)

    def run(self) -> Checked | None:
        """The opportunistic check: only the process that takes the fleet-wide lock runs it."""
        access = self.access
        interval = max(1, access.settings.dormant_check_interval)
        if not access.call_store(lambda: access.storage.locks.acquire("account-check", interval)):
            return None
        return self.check()

    # --- recording and announcing -----------------------------------------------------

    def _reach(self, account: str, name: str, day: int) -> bool:
        store = self.access.storage
        if not self.access.call_store(lambda: store.outcomes.reach_milestone(account, name, day)):
            return False
        try:
            signals.milestone_reached.send(self.access.sender, account_id=account, milestone=name, day=day_date(day))
        except Exception:
            logger.exception("a milestone_reached receiver failed for account %s", account)
        return True

    def _announce_move(self, account: str, before: str, result: account_health.Health) -> None:
        try:
            signals.account_health_changed.send(
                self.access.sender,
                account_id=account,
                old=before,
                new=result.band,
                score=result.score,
                reason=account_health.reason(result),
            )
        except Exception:
            logger.exception("an account_health_changed receiver failed for account %s", account)


def _event_only(milestone: Milestone) -> bool:
    """A milestone decided by its event count alone (track() records it at once)."""
    return milestone.active_users == 0 and milestone.days_since_first_activity == 0 and milestone.users == 0
