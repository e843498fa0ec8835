"""The population index: who is active, in which account, how far users got. Pure.

Maintained at write time, so the console's funnel and dormancy figures never scan users. The
index is split into ``n`` buckets (``RedisStorage(index_buckets=...)``, default
``DEFAULT_BUCKETS``), each under its own hash tag ``{ixB-K}`` (``keys.bucket_tags``) so the
writes spread over a cluster's nodes. A user's entries live in the user's bucket
(``keys.bucket_of(user)``), an account's members and per-day figures in the account's bucket
(``keys.bucket_of(account)``): one field per account and day, wherever its users are. ``{p}``
is the prefix, ``U`` the user's bucket tag, ``A`` the account's (key names: ``keys``):

=============================  ===============================================================
``{p}:{U}:seen``               sorted set: user id -> last active day (UTC day number)
``{p}:{U}:ua``                 hash: user id -> account id (the last one a profile named)
``{p}:{U}:reach``              hash: stage -> the bucket's users who ever reached it
``{p}:{U}:<day>``              the bucket's per-day counters: ``users|active``,
                               ``stage|<stage>`` (entries; ``awareness``: users new to the
                               index), ``stay|<stage>|<days>`` (whole days spent in a stage
                               when leaving it) and the counted-once guide counters
``{p}:{U}:once:<day>``         the day's ``guide|action|user`` already counted (two days)
``{p}:{A}:m:<acct>``           sorted set: the account's users -> last active day
``{p}:{A}:ad:<day>``           hash: account id -> ``users,events,key events`` of that day
                               (distinct active users, events, key events)
``{p}:{A}:nk:<day>``           set: hashes of (user, idempotency key) whose events the day's
                               figures hold (a cluster's keyed events; two days; no id)
``{p}:{accounts}:last``        sorted set: account id -> last active day of any of its users
                               (written once per account and day: its first active user's)
``{p}:{accounts}:dormant``     hash: ``mark`` -> the cutoff day of the last dormancy claim
``{p}:{counters}:<day>``       ``Storage.count``'s counters (and the counters of versions
                               before the buckets, still read and summed)
``{p}:{counters}:lock:<name>`` a fleet-wide lock (``SET NX EX``)
=============================  ===============================================================

Per-day keys (``ad:<day>``, ``<day>``) expire ``DAYS_KEPT`` days after their last write (their
day): longer than the console's longest analytics window. Readers sum the buckets. The
functions below are the reference update rules, written over one logical index;
``MemoryStorage`` calls them, the Lua scripts in ``lua/`` mirror them per bucket, and the
shared storage suite (tests/storage/test_population.py) checks every backend against them.
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..state import STAGES
from ..timeutil import DAY

# Key names live in ``keys``; these names stay importable from here (earlier versions).
from .keys import CLUSTER_SLOTS as CLUSTER_SLOTS
from .keys import DEFAULT_BUCKETS as DEFAULT_BUCKETS
from .keys import accounts_key as accounts_key
from .keys import bucket_of as bucket_of
from .keys import bucket_prefix as bucket_prefix
from .keys import bucket_tags as bucket_tags
from .keys import counted_key as counted_key
from .keys import counters_key as counters_key
from .keys import key_slot as key_slot
from .keys import legacy_tag as legacy_tag
from .keys import lock_key as lock_key
from .keys import seen_key as seen_key
from .keys import user_bucket_prefix as user_bucket_prefix

ACTIVE_USERS = "users|active"
STAGE_PREFIX = "stage|"
STAY_PREFIX = "stay|"
#: The figures of an account's day, in this order: distinct active users, events, key events.
ACCOUNT_FIELDS = ("u", "e", "k")
#: Per-day index keys live this many days after their day: the console's longest analytics
#: window (``console/analytics_views.MAX_DAYS``, 366) and a week's margin.
DAYS_KEPT = 373
#: So a per-day key lives DAYS_KEPT days after its last write (a day's writes come on that day,
#: bar late requests): relative, not EXPIREAT, so the server's clock alone decides.
DAY_KEYS_TTL = DAYS_KEPT * DAY


def stage_field(stage: str) -> str:
    return f"{STAGE_PREFIX}{stage}"


def stay_field(stage: str, days: int) -> str:
    return f"{STAY_PREFIX}{stage}|{int(days)}"


def encode_figures(users: int, events: int, key_events: int) -> bytes:
    """An account's day in ``{A}:ad:<day>`` (mirrored in note_account.lua)."""
    return f"{users},{events},{key_events}".encode()


def decode_figures(value: bytes | None) -> tuple[int, int, int]:
    if not value:
        return 0, 0, 0
    users, events, key_events = value.split(b",")
    return int(users), int(events), int(key_events)


# --------------------------------------------------------------------------- read results


@dataclass(frozen=True)
class AccountRow:
    """One account as the index knows it. ``active_users``: its users active on or after the
    ``since`` day of the query."""

    account_id: str
    last_day: int
    users: int
    active_users: int


@dataclass(frozen=True)
class Population:
    """What ``Storage.population`` returns in one round trip."""

    users: int
    reached: Mapping[str, int]
    dormant_users: int
    newest_dormant_users: Sequence[tuple[str, int, str | None]]  # user, last day, account
    accounts: int
    dormant_accounts: int
    newest_dormant_accounts: Sequence[AccountRow]


@dataclass(frozen=True)
class AccountActivity:
    """One account: its row, its newest users ``(user, last day)`` and per-day ``(u, e, k)``."""

    row: AccountRow
    newest_users: Sequence[tuple[str, int]]
    days: Mapping[int, tuple[int, int, int]]


@dataclass(frozen=True)
class DormantAccount:
    """An account claimed by ``Storage.claim_dormant_accounts``: it went dormant since the last claim."""

    account_id: str
    last_day: int
    users: int


# --------------------------------------------------------------------------- reference data


@dataclass
class PopulationData:
    """The index as plain Python data (the memory backend's store, the Lua scripts' reference)."""

    seen: dict[str, int] = field(default_factory=dict)
    account_of: dict[str, str] = field(default_factory=dict)
    accounts: dict[str, int] = field(default_factory=dict)
    members: dict[str, dict[str, int]] = field(default_factory=dict)
    account_days: dict[int, dict[str, int]] = field(default_factory=dict)
    reach: dict[str, int] = field(default_factory=dict)
    mark: int | None = None


def _add(table: dict[str, int], name: str, amount: int) -> None:
    table[name] = table.get(name, 0) + amount


def note_activity(
    data: PopulationData,
    counters: dict[int, dict[str, int]],
    user_id: str,
    account: str | None,
    day: int,
    events: int,
    key_events: int,
) -> None:
    """Reference of ``note_activity.lua``: one user active on ``day``.

    Days only count forward: a user's day counts as a new active day (``users|active`` and the
    account's ``u``) only when it is later than the user's last active day in the index, so
    activity backfilled before a user's last active day adds events but no active user.
    """
    previous = data.seen.get(user_id)
    if previous is None or previous < day:
        data.seen[user_id] = day
        _add(counters.setdefault(day, {}), ACTIVE_USERS, 1)
    if previous is None:
        _add(counters.setdefault(day, {}), stage_field(STAGES[0]), 1)
    known = data.account_of.get(user_id)
    if account is None:
        account = known
    elif account != known:
        data.account_of[user_id] = account
        if known is not None:
            data.members.get(known, {}).pop(user_id, None)
    if account is None:
        return
    members = data.members.setdefault(account, {})
    before = members.get(user_id)
    table = data.account_days.setdefault(day, {})
    if before is None or before < day:
        members[user_id] = day
        _add(table, f"{account}|u", 1)
    if data.accounts.get(account, day - 1) < day:
        data.accounts[account] = day
    if events:
        _add(table, f"{account}|e", events)
    if key_events:
        _add(table, f"{account}|k", key_events)


def count_stages(
    data: PopulationData,
    counters: dict[int, dict[str, int]],
    day: int,
    entered: Sequence[str],
    stays: Sequence[tuple[str, int]],
) -> None:
    """Reference of ``count_stages.lua``: stages entered on ``day`` and days spent in those left."""
    table = counters.setdefault(day, {})
    for stage in entered:
        _add(data.reach, stage, 1)
        _add(table, stage_field(stage), 1)
    for stage, days in stays:
        _add(table, stay_field(stage, days), 1)


def forget(data: PopulationData, user_id: str, stage_index: int) -> None:
    """Reference of ``forget_population.lua``: drop a user's id from the index and take them
    out of the stages they reached (per-day counts stay: they hold no id). An account left
    without a user leaves the index too (Redis drops an empty member set by itself)."""
    data.seen.pop(user_id, None)
    account = data.account_of.pop(user_id, None)
    if account is not None:
        members = data.members.get(account, {})
        members.pop(user_id, None)
        if not members:
            data.members.pop(account, None)
            data.accounts.pop(account, None)
    for stage in STAGES[1 : stage_index + 1]:
        if data.reach.get(stage, 0) > 0:
            data.reach[stage] -= 1


def _newest(scores: Mapping[str, int], cutoff: int, limit: int) -> list[tuple[str, int]]:
    # Redis orders equal scores by member; newest first reverses both. The largest ``limit``
    # only: no sort of every user.
    found = heapq.nlargest(limit, ((day, member) for member, day in scores.items() if day <= cutoff))
    return [(member, day) for day, member in found]


def account_row(data: PopulationData, account: str, since: int) -> AccountRow | None:
    if account not in data.accounts:
        return None
    members = data.members.get(account, {})
    active = sum(1 for day in members.values() if day >= since)
    return AccountRow(account, data.accounts[account], len(members), active)


def population(data: PopulationData, cutoff: int, since: int, limit: int) -> Population:
    """Reference of ``population.lua``: totals, reach, and the newest dormant users and accounts
    (dormant: last active day <= ``cutoff``)."""
    users = _newest(data.seen, cutoff, limit)
    accounts = _newest(data.accounts, cutoff, limit)
    return Population(
        users=len(data.seen),
        reached={stage: n for stage, n in data.reach.items() if n},
        dormant_users=sum(1 for day in data.seen.values() if day <= cutoff),
        newest_dormant_users=[(user, day, data.account_of.get(user)) for user, day in users],
        accounts=len(data.accounts),
        dormant_accounts=sum(1 for day in data.accounts.values() if day <= cutoff),
        newest_dormant_accounts=[row for a, _ in accounts if (row := account_row(data, a, since)) is not None],
    )


def account_activity(
    data: PopulationData, account: str, days: Sequence[int], since: int, limit: int
) -> AccountActivity | None:
    row = account_row(data, account, since)
    if row is None:
        return None
    members = data.members.get(account, {})
    newest = sorted(members.items(), key=lambda item: (item[1], item[0]), reverse=True)[:limit]
    return AccountActivity(row, newest, account_days(data, [account], days)[account])


def account_days(
    data: PopulationData, accounts: Sequence[str], days: Sequence[int]
) -> dict[str, dict[int, tuple[int, int, int]]]:
    result: dict[str, dict[int, tuple[int, int, int]]] = {account: {} for account in accounts}
    fields = {account: tuple(f"{account}|{f}" for f in ACCOUNT_FIELDS) for account in accounts}
    for day in days:
        table = data.account_days.get(day, {})
        for account, (users, events, key_events) in fields.items():
            result[account][day] = (table.get(users, 0), table.get(events, 0), table.get(key_events, 0))
    return result


def active_accounts(data: PopulationData, since: int, limit: int) -> list[tuple[str, int]]:
    """Reference of ``PopulationIndex.active_accounts``: newest first, as Redis orders them."""
    found = [(account, day) for account, day in data.accounts.items() if day >= since]
    found.sort(key=lambda item: (item[1], item[0]), reverse=True)
    return found[:limit]


def claim_dormant(data: PopulationData, cutoff: int, limit: int) -> list[DormantAccount]:
    """Reference of ``claim_dormant.lua``: the accounts whose last active day is after the last
    claim's mark and at most ``cutoff``, oldest first; the mark moves on, so each account is
    claimed once per dormancy episode (a later active day starts a new one). When more than
    ``limit`` are due, the claim stops after a whole day's accounts and the next one goes on."""
    low = data.mark
    if low is not None and low >= cutoff:
        return []
    due = sorted(
        ((day, account) for account, day in data.accounts.items() if (low is None or day > low) and day <= cutoff),
    )
    mark = cutoff
    if len(due) > limit:
        last = due[limit - 1][0]
        due = [item for item in due if item[0] <= last]
        mark = last
    data.mark = mark
    return [DormantAccount(account, day, len(data.members.get(account, {}))) for day, account in due]
