"""Small builders for pure tests: states and facts without a store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from onboarding_sdk.conditions import Facts
from onboarding_sdk.identity import UserProfile
from onboarding_sdk.state import EventStats, UserState
from onboarding_sdk.timeutil import epoch_day, to_epoch

SIGNUP = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def state(
    *,
    events: dict[str, int] | None = None,
    active_offsets: list[int] | None = None,
    signup: datetime | None = SIGNUP,
    last_seen: datetime | None = None,
) -> UserState:
    """A user who signed up at SIGNUP, did ``events`` and was active on those day offsets."""
    base = epoch_day(to_epoch(SIGNUP))
    stats = {name: EventStats(count, SIGNUP, SIGNUP) for name, count in (events or {}).items()}
    days = frozenset(base + offset for offset in (active_offsets or []))
    return UserState(
        user_id="u1",
        signed_up_at=signup,
        first_seen=SIGNUP,
        last_seen=last_seen or SIGNUP,
        events=stats,
        active_days=days,
    )


def profile(**changes: object) -> UserProfile:
    values: dict[str, object] = {"id": "u1", "signed_up_at": SIGNUP, "role": "manager", "plan": "free", "locale": "en"}
    values.update(changes)
    return UserProfile(**values)  # type: ignore[arg-type]


def facts(user: UserState, day: int = 0, who: UserProfile | None = None) -> Facts:
    return Facts(user, who, SIGNUP + timedelta(days=day))
