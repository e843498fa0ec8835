"""An account's facts, gathered from the store: what account health, milestones and the usage
report are computed from. No Flask.

The population index gives the account's members (with their last active day) and per-day
figures; each member's own record gives their stage, active days and event counts (first and
last time), so every figure is exact. An account's members are read up to ``MAX_MEMBERS``
(the newest first): beyond that the figures are of its most recently active users.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from . import account_health, milestones
from .config import Settings
from .state import UserState
from .storage.base import RawRecord
from .storage.population import AccountActivity
from .store_access import StoreAccess
from .timeutil import epoch_day, to_epoch

#: Members read per account (newest first).
MAX_MEMBERS = 1000
#: The health window: active users and key events in the last 14 days, against the 14 before.
WINDOW_DAYS = 14
#: Milestones' "active users" are those active in the last week.
MILESTONE_WEEK = 7


class EngineView(StoreAccess, Protocol):
    """What gathering needs of the engine: the store, the clock, the settings, and the decoding
    of a user's record."""

    settings: Settings

    def decode(self, user_id: str, record: RawRecord, now: datetime) -> UserState: ...


@dataclass(frozen=True)
class AccountData:
    """One account as stored: its index entry (row, per-day figures), its members' records,
    the milestones it reached (name -> day) and its counts of milestone events."""

    activity: AccountActivity
    members: Sequence[UserState]
    reached: Mapping[str, int]
    event_counts: Mapping[str, int]
    today: int

    @property
    def account_id(self) -> str:
        return self.activity.row.account_id


def today_of(access: StoreAccess) -> int:
    return epoch_day(to_epoch(access.now()))


def gather(access: EngineView, account: str, days: Sequence[int] = ()) -> AccountData | None:
    """The account's data (``days``: the per-day figures wanted); None when the index does not
    know it. A few round trips: the index, the outcomes, one per member record."""
    today = today_of(access)
    store = access.storage
    activity = access.call_store(
        lambda: store.index.account_activity(account, list(days), today - WINDOW_DAYS + 1, MAX_MEMBERS)
    )
    if activity is None:
        return None
    now = access.now()
    members = []
    for user_id, _day in activity.newest_users:
        record = access.call_store(lambda user_id=user_id: store.users.load(user_id))  # type: ignore[misc]
        if record:
            members.append(access.decode(user_id, record, now))
    reached = access.call_store(lambda: store.outcomes.milestones([account])).get(account, {})
    counts = access.call_store(lambda: store.outcomes.event_counts(account))
    return AccountData(activity, members, reached, counts, today)


def active_between(member: UserState, first: int, last: int) -> bool:
    return any(first <= day <= last for day in member.active_days)


def stages(data: AccountData) -> dict[int, int]:
    return dict(Counter(member.stage_index for member in data.members))


def key_events(settings: Settings) -> tuple[str, ...]:
    return tuple(name for name, spec in settings.events.items() if spec.key)


def health_facts(data: AccountData, settings: Settings) -> account_health.AccountFacts:
    today, window = data.today, WINDOW_DAYS
    members = data.members
    declared = key_events(settings)
    done = {
        event
        for member in members
        for event in declared
        if (stats := member.events.get(event)) is not None and epoch_day(to_epoch(stats.last)) > today - window
    }
    return account_health.AccountFacts(
        account_id=data.account_id,
        users=max(data.activity.row.users, len(members)),
        active_users=sum(1 for m in members if active_between(m, today - window + 1, today)),
        active_users_before=sum(1 for m in members if active_between(m, today - 2 * window + 1, today - window)),
        key_events=declared,
        key_events_done=frozenset(done),
        stages=stages(data),
        days_since_active=today - data.activity.row.last_day,
        milestones_reached=sum(1 for m in settings.milestones if m.name in data.reached),
        milestones_total=len(settings.milestones),
        window_days=window,
    )


def health(data: AccountData, settings: Settings) -> account_health.Health:
    return account_health.health(health_facts(data, settings), settings.health_weights)


def progress(data: AccountData) -> milestones.AccountProgress:
    """The account's facts as milestones read them. Event counts: the members' records, or the
    account's own count when higher (a user who left the account takes their counts along)."""
    totals: Counter[str] = Counter()
    for member in data.members:
        for event, stats in member.events.items():
            totals[event] += stats.count
    for event, count in data.event_counts.items():
        totals[event] = max(totals[event], count)
    first_days = [min(m.active_days) for m in data.members if m.active_days]
    today = data.today
    return milestones.AccountProgress(
        events=dict(totals),
        active_users=sum(1 for m in data.members if active_between(m, today - MILESTONE_WEEK + 1, today)),
        days_since_first_activity=today - min(first_days) if first_days else 0,
        stages=stages(data),
    )
