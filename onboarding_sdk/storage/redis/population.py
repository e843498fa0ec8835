"""The population index and the per-day counters on Redis (``population`` documents the keys
and holds the reference rules; the scripts mirror them per bucket).

A user's entries live in the user's bucket, an account's members and per-day figures in the
account's bucket, so a track() writes two buckets (two slots on a cluster, written in parallel
in one pipeline) and readers of an account read one bucket.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .. import keys
from .. import population as pop
from ..base import PopulationIndex
from ..population import AccountActivity, AccountRow, DormantAccount, Population
from .connection import CLIENT_ERRORS, Client, Connection, pairs
from .scripts import Call, note_account_call, note_user_call, stages_call

logger = logging.getLogger("onboarding_sdk")


class RedisIndex(PopulationIndex):
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- writing: the calls a track() pipelines, and what follows their answers

    def note_calls(
        self, user_id: str, account: str | None, day: int, events: int, key_events: int, key: str | None = None
    ) -> tuple[Call, Call | None]:
        """note_user.lua in the user's bucket and, when the account is named, note_account.lua
        in the account's (``key``: a keyed event whose user write runs beside them)."""
        conn = self._conn
        user_call = note_user_call(conn.bucket(user_id), user_id, account, day)
        if account is None:
            return user_call, None
        return user_call, note_account_call(conn.bucket(account), user_id, account, day, events, key_events, key)

    def after_notes(
        self,
        client: Client,
        noted: Sequence[Any],
        raised: Any,
        user_id: str,
        day: int,
        events: int,
        key_events: int,
        key: str | None = None,
    ) -> None:
        """What the notes' answers ask for, each rare: the account's global last day when the
        account counted its first active user of the day (once per account and day), the
        remembered account's half when the profile named none, and the user out of the
        members of an account they left."""
        remembered, left = noted[0], noted[1]
        if isinstance(remembered, bytes):
            call = note_account_call(
                self._conn.bucket(remembered.decode()), user_id, remembered.decode(), day, events, key_events, key
            )
            raised = self._conn.script(client, call)
        if isinstance(raised, bytes):
            client.zadd(keys.accounts_key(self._conn.prefix), {raised: int(day)}, gt=True)
        if isinstance(left, bytes):
            client.zrem(keys.account_members_prefix(self._conn.bucket(left.decode())).encode() + left, user_id)

    def note_activity(self, user_id: str, account: str | None, day: int, events: int, key_events: int) -> None:
        user_call, account_call = self.note_calls(user_id, account, day, events, key_events)
        calls = [user_call] if account_call is None else [user_call, account_call]

        def action(client: Client) -> None:
            replies = self._conn.pipelined_scripts(client, calls)
            for reply in replies:
                if isinstance(reply, BaseException):
                    raise reply
            self.after_notes(client, replies[0], replies[1] if account_call else 0, user_id, day, events, key_events)

        self._conn.run("note_activity", action)

    def count_stages(
        self, day: int, entered: Sequence[str], stays: Sequence[tuple[str, int]], user_id: str = ""
    ) -> None:
        if not entered and not stays:
            return
        # The user's bucket: forget takes the reach counts back there.
        call = stages_call(self._conn.bucket(user_id), day, entered, stays)
        self._conn.run("count_stages", lambda client: self._conn.script(client, call))

    def count(self, day: int, counters: Mapping[str, int]) -> None:
        if not counters:
            return
        key = keys.legacy_counters_key(self._conn.prefix, day)

        def action(client: Client) -> None:
            pipe = client.pipeline(transaction=False)  # one key, so one node and one round trip
            for name, amount in counters.items():
                pipe.hincrby(key, name, amount)
            pipe.execute()

        self._conn.run("count", action)

    def counters(self, days: Sequence[int]) -> dict[int, dict[str, int]]:
        if not days:
            return {}
        # Storage.count's hash and every bucket's, summed (one pipeline; on a cluster the
        # nodes answer in parallel).
        sources: list[Callable[[int], str]] = [
            functools.partial(keys.legacy_counters_key, self._conn.prefix),
            *(functools.partial(keys.counters_key, b) for b in self._conn.all_buckets()),
        ]

        def action(client: Client) -> list[dict[bytes, bytes]]:
            pipe = client.pipeline(transaction=False)
            for day in days:
                for key_of in sources:
                    pipe.hgetall(key_of(day))
            replies: list[dict[bytes, bytes]] = pipe.execute()
            return replies

        replies = iter(self._conn.run("counters", action))
        result: dict[int, dict[str, int]] = {}
        for day in days:
            table = result[day] = {}
            for _ in sources:
                for name, value in next(replies).items():
                    text = name.decode()
                    table[text] = table.get(text, 0) + int(value)
        return result

    # -- reading

    def members_key(self, account: str) -> str:
        return keys.account_members_prefix(self._conn.bucket(account)) + account

    def account_users(self, client: Client, accounts: Sequence[str], since: int | None = None) -> list[tuple[int, int]]:
        """Per account, its users and those active on or after ``since`` (one pipeline)."""
        pipe = client.pipeline(transaction=False)
        for account in accounts:
            pipe.zcard(self.members_key(account))
            pipe.zcount(self.members_key(account), "-inf" if since is None else int(since), "+inf")
        replies = pipe.execute()
        return [(int(replies[2 * i]), int(replies[2 * i + 1])) for i in range(len(accounts))]

    def population(self, cutoff: int, since: int, limit: int) -> Population:
        args = [str(int(cutoff)), str(int(limit))]
        calls: list[Call] = [
            ("population", [keys.seen_key(b), keys.user_accounts_key(b), keys.reach_key(b)], args)
            for b in self._conn.all_buckets()
        ]
        accounts_key = keys.accounts_key(self._conn.prefix)

        def action(client: Client) -> tuple[list[Any], list[Any], list[tuple[int, int]]]:
            parts = self._conn.pipelined_scripts(client, calls)
            for part in parts:
                if isinstance(part, BaseException):
                    raise part
            pipe = client.pipeline(transaction=False)  # one key: one node
            pipe.zcard(accounts_key)
            pipe.zcount(accounts_key, "-inf", int(cutoff))
            pipe.zrevrangebyscore(accounts_key, int(cutoff), "-inf", start=0, num=int(limit), withscores=True)
            accounts = pipe.execute()
            return parts, accounts, self.account_users(client, [a.decode() for a, _ in accounts[2]], since)

        parts, (accounts, dormant_accounts, found), counts = self._conn.run("population", action)
        reached: dict[str, int] = {}
        newest: list[tuple[str, int, str | None]] = []
        for _, reach, _, users, their_accounts in parts:
            for stage, n in pairs(reach):
                reached[stage.decode()] = reached.get(stage.decode(), 0) + int(n)
            newest += [
                (user.decode(), int(day), None if account is None else account.decode())
                for (user, day), account in zip(pairs(users), their_accounts, strict=True)
            ]
        newest.sort(key=lambda item: (item[1], item[0]), reverse=True)  # as one sorted set orders them
        return Population(
            users=sum(int(part[0]) for part in parts),
            reached={stage: n for stage, n in reached.items() if n},
            dormant_users=sum(int(part[2]) for part in parts),
            newest_dormant_users=newest[: max(0, int(limit))],
            accounts=int(accounts),
            dormant_accounts=int(dormant_accounts),
            newest_dormant_accounts=[
                AccountRow(account.decode(), int(day), users, active)
                for (account, day), (users, active) in zip(found, counts, strict=True)
            ],
        )

    def account_activity(self, account: str, days: Sequence[int], since: int, limit: int) -> AccountActivity | None:
        def action(client: Client) -> tuple[Any, list[tuple[int, int]], list[Any]]:
            last = client.zscore(keys.accounts_key(self._conn.prefix), account)
            if last is None:
                return None, [], []
            counts = self.account_users(client, [account], since)
            newest = client.zrevrange(self.members_key(account), 0, max(0, limit - 1), withscores=True)
            return last, counts, newest

        last, counts, found = self._conn.run("account_activity", action)
        if last is None:
            return None
        users, active = counts[0]
        newest = [(user.decode(), int(day)) for user, day in found] if limit > 0 else []
        row = AccountRow(account, int(last), users, active)
        return AccountActivity(row, newest, self.account_days([account], days)[account])

    def account_days(self, accounts: Sequence[str], days: Sequence[int]) -> dict[str, dict[int, tuple[int, int, int]]]:
        if not accounts or not days:
            return {account: {day: (0, 0, 0) for day in days} for account in accounts}
        by_bucket: dict[str, list[str]] = {}
        for account in accounts:
            by_bucket.setdefault(self._conn.bucket(account), []).append(account)

        def action(client: Client) -> list[list[bytes | None]]:
            pipe = client.pipeline(transaction=False)
            for day in days:
                for bucket, names in by_bucket.items():
                    pipe.hmget(keys.account_figures_key(bucket, day), names)
            replies: list[list[bytes | None]] = pipe.execute()
            return replies

        replies = iter(self._conn.run("account_days", action))
        result: dict[str, dict[int, tuple[int, int, int]]] = {account: {} for account in accounts}
        for day in days:
            for names in by_bucket.values():
                for account, value in zip(names, next(replies), strict=True):
                    result[account][day] = pop.decode_figures(value)
        return result

    def claim_dormant_accounts(self, cutoff: int, limit: int) -> list[DormantAccount]:
        claim: Call = (
            "claim_dormant",
            [keys.accounts_key(self._conn.prefix), keys.dormant_key(self._conn.prefix)],
            [str(int(cutoff)), str(max(1, int(limit)))],
        )

        def action(client: Client) -> list[DormantAccount]:
            claimed = [(account.decode(), int(day)) for account, day in pairs(self._conn.script(client, claim))]
            # Counted after the claim: a figure for the signal, so a failure here must not lose
            # the claim.
            try:
                counts = self.account_users(client, [account for account, _ in claimed]) if claimed else []
            except CLIENT_ERRORS as exc:
                logger.warning("dormant accounts' users not counted: %s", exc)
                counts = [(0, 0)] * len(claimed)
            return [DormantAccount(a, day, n) for (a, day), (n, _) in zip(claimed, counts, strict=True)]

        return self._conn.run("claim_dormant_accounts", action)

    def active_accounts(self, since: int, limit: int) -> list[tuple[str, int]]:
        accounts_key = keys.accounts_key(self._conn.prefix)

        def action(client: Client) -> Any:
            found: Any = client.zrevrangebyscore(
                accounts_key, "+inf", int(since), start=0, num=max(0, int(limit)), withscores=True
            )
            return found

        found = self._conn.run("active_accounts", action)
        return [(account.decode(), int(day)) for account, day in found] if limit > 0 else []
