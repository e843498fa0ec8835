"""``flask onboarding rebuild-index``: bring the population index of earlier versions into
the current layout, once per store and layout (a marker key each), while the app runs.

Layout 1 (before the buckets): every index key under ``{counters}``. Layout 2: the buckets,
with an account's members and per-day figures (``<acct>|u|e|k``) in each of its users'
buckets. Now (3): those in the account's own bucket, one field per account and day. Newer
entries win (``ZADD GT``, ``HSETNX``); figures are added; reach is recounted from the users'
records; layout 2's keys are deleted once moved.
"""

from __future__ import annotations

from collections.abc import Iterable

from ...state import STAGES
from .. import keys
from .. import population as pop
from .connection import SCAN_BATCH, Client, Connection, glob_escape
from .population import RedisIndex

COUNTED_SCAN_BATCH = 10_000
Done = dict[str, int]


class Migration:
    def __init__(self, conn: Connection, index: RedisIndex) -> None:
        self._conn = conn
        self._index = index

    def run(self) -> Done | None:
        """What was moved (users, accounts, days of account figures), or None when both
        layouts were already rebuilt in this store."""

        def action(client: Client) -> Done | None:
            done: Done = {"users": 0, "accounts": 0, "days": 0}
            ran = False
            for version, step in ((1, self._from_counters), (2, self._from_user_buckets)):
                if client.set(keys.rebuilt_key(self._conn.prefix, version), b"1", nx=True):
                    ran = True
                    for name, n in step(client).items():
                        done[name] += n
            return done if ran else None

        return self._conn.run("rebuild_index", action)

    def _add_figures(self, client: Client, day: int, figures: dict[str, list[int]]) -> None:
        for account, (u, e, k) in figures.items():
            key = keys.account_figures_key(self._conn.bucket(account), day)
            args = [account, str(u), str(e), str(k), str(pop.DAY_KEYS_TTL)]
            self._conn.script(client, ("merge_figures", [key], args))

    def _copy_members(self, client: Client, account: bytes, members: Iterable[tuple[bytes, float]]) -> None:
        pipe = client.pipeline(transaction=False)  # one key: one node
        for user, day in members:
            pipe.zadd(self._index.members_key(account.decode()), {user: int(day)}, gt=True)
            if len(pipe) >= SCAN_BATCH:
                pipe.execute()
        pipe.execute()

    def _from_counters(self, client: Client) -> Done:
        conn, legacy = self._conn, keys.legacy_tag(self._conn.prefix)
        old = conn.node_of(client, f"{legacy}:seen")  # every old key sits in the {counters} slot
        done: Done = {"users": 0, "accounts": 0, "days": 0}
        users: list[tuple[bytes, float]] = []

        def copy_users() -> None:  # a batch at a time: a big store never sits in memory
            read = client.pipeline(transaction=False)
            for user, _ in users:
                read.hget(conn.user_key(user.decode()), "st")
                read.hget(f"{legacy}:ua", user)
            found = read.execute()
            pipe = client.pipeline(transaction=False)
            for (user, day), stage, account in zip(users, found[::2], found[1::2], strict=True):
                b = conn.bucket(user.decode())
                pipe.zadd(keys.seen_key(b), {user: int(day)}, gt=True)
                if account is not None:
                    pipe.hsetnx(keys.user_accounts_key(b), user, account)
                for reached in STAGES[1 : int(stage or 0) + 1]:
                    pipe.hincrby(keys.reach_key(b), reached, 1)
            pipe.execute()
            done["users"] += len(users)
            users.clear()

        for entry in old.zscan_iter(f"{legacy}:seen", count=SCAN_BATCH):
            users.append(entry)
            if len(users) >= SCAN_BATCH:
                copy_users()
        copy_users()
        for account, day in old.zscan_iter(f"{legacy}:accts"):
            client.zadd(keys.accounts_key(conn.prefix), {account: int(day)}, gt=True)
            self._copy_members(client, account, old.zscan_iter(f"{legacy}:au:".encode() + account))
            done["accounts"] += 1
        mark = old.hget(f"{legacy}:dormant", "mark")
        if mark is not None:
            client.hsetnx(keys.dormant_key(conn.prefix), "mark", mark)
        for key in old.scan_iter(match=glob_escape(f"{legacy}:a:") + "*", count=COUNTED_SCAN_BATCH):
            self._add_figures(client, int(key.decode().rsplit(":", 1)[1]), _figures(old.hscan_iter(key)))
            done["days"] += 1
        return done

    def _from_user_buckets(self, client: Client) -> Done:
        accounts: set[bytes] = set()
        days: set[int] = set()
        for bucket in self._conn.all_buckets():
            server = self._conn.node_of(client, keys.seen_key(bucket))
            members_prefix = keys.old_account_users_prefix(bucket)
            for key in server.scan_iter(match=glob_escape(members_prefix) + "*", count=COUNTED_SCAN_BATCH):
                account = key[len(members_prefix.encode()) :]
                self._copy_members(client, account, server.zscan_iter(key))
                server.delete(key)
                accounts.add(account)
            day_prefix = keys.old_account_day_key(bucket, 0).removesuffix("0")
            for key in server.scan_iter(match=glob_escape(day_prefix) + "*", count=COUNTED_SCAN_BATCH):
                day = int(key.decode().rsplit(":", 1)[1])
                self._add_figures(client, day, _figures(server.hscan_iter(key)))
                server.delete(key)
                days.add(day)
        return {"users": 0, "accounts": len(accounts), "days": len(days)}


def _figures(fields: Iterable[tuple[bytes, bytes]]) -> dict[str, list[int]]:
    """``<acct>|u``, ``<acct>|e``, ``<acct>|k`` fields as account -> [users, events, key events]."""
    found: dict[str, list[int]] = {}
    for name, value in fields:
        account, _, which = name.decode().rpartition("|")
        if which in pop.ACCOUNT_FIELDS:
            found.setdefault(account, [0, 0, 0])[pop.ACCOUNT_FIELDS.index(which)] += int(value)
    return found
