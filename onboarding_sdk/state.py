"""UserState: everything onboarding_sdk knows about one user, decoded from the store.

Pure data: no Flask, no Redis. Conditions, stages and delivery read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from .timeutil import DAY, epoch_day, to_epoch

STAGES: tuple[str, ...] = ("awareness", "use", "depth", "adaptation", "stickiness")
STAGE_INDEX: Mapping[str, int] = {name: i for i, name in enumerate(STAGES)}


@dataclass(frozen=True, slots=True)
class EventStats:
    """How often one declared event happened for a user, and when first and last."""

    count: int
    first: datetime
    last: datetime


@dataclass(frozen=True, slots=True)
class UserState:
    """One user's stored record, decoded.

    ``active_days`` holds the UTC day numbers (days since 1970-01-01) on which the
    user did anything; ``guides`` the raw per-guide state strings by guide id.
    """

    user_id: str
    signed_up_at: datetime | None = None
    stage: str = "awareness"
    stage_entered: Mapping[str, datetime] = field(default_factory=dict)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    events: Mapping[str, EventStats] = field(default_factory=dict)
    active_days: frozenset[int] = frozenset()
    guides: Mapping[str, bytes] = field(default_factory=dict)
    extra: Mapping[str, bytes] = field(default_factory=dict)
    dormant: bool = False

    @property
    def stage_index(self) -> int:
        return STAGE_INDEX[self.stage]

    @property
    def is_new(self) -> bool:
        """True when nothing at all is stored for this user."""
        return self.first_seen is None and self.signed_up_at is None

    def count(self, event: str) -> int:
        stats = self.events.get(event)
        return stats.count if stats else 0

    def active_days_count(self, now: datetime, within: int | None = None) -> int:
        """Distinct active days, optionally only the last ``within`` days up to ``now``."""
        if within is None:
            return len(self.active_days)
        today = epoch_day(to_epoch(now))
        first_day = today - within + 1
        return sum(1 for day in self.active_days if first_day <= day <= today)

    def signup_or_first_seen(self) -> datetime | None:
        """The sign-up time, else the first activity (users tracked by id only)."""
        return self.signed_up_at or self.first_seen

    def days_since_signup(self, now: datetime) -> int:
        start = self.signup_or_first_seen()
        if start is None:
            return 0
        return max(0, (to_epoch(now) - to_epoch(start)) // DAY)

    def is_dormant(self, now: datetime, after_days: int) -> bool:
        """No activity for ``after_days`` days. A user never seen is not dormant."""
        if self.last_seen is None:
            return False
        return to_epoch(now) - to_epoch(self.last_seen) >= after_days * DAY
