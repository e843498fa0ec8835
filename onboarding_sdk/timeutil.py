"""Small time helpers: every time inside onboarding_sdk is an aware UTC datetime."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]

DAY = 86400
# Times before this are refused: they are almost always a unit mistake (ms vs s).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


def system_clock() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC; aware ones are converted."""
    if value.tzinfo is UTC:  # nearly every call: skip astimezone's copy
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def to_epoch(value: datetime) -> int:
    # An aware datetime's timestamp() is the same in every zone; a naive one is taken as UTC.
    return int((value if value.tzinfo is not None else value.replace(tzinfo=UTC)).timestamp())


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


def epoch_day(seconds: int) -> int:
    """Days since 1970-01-01 (UTC) for an epoch time."""
    return seconds // DAY


def days_between(earlier: datetime, later: datetime) -> int:
    """Whole days elapsed, never negative."""
    return max(0, (later - earlier) // timedelta(days=1))
