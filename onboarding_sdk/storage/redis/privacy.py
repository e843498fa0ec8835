"""One person's data on Redis (``personal``): export, forget, and the retention sweep.

A user's data sits in the user's slot (record, idempotency keys), the user's bucket of the
index (last day, account, reach, the days' counted-once sets) and the account's bucket (the
account's members), so each operation is a few round trips, one slot at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ...state import STAGES
from ...timeutil import DAY
from .. import keys
from ..base import PrivacyStore
from ..personal import StoredUser, counted_pattern
from .connection import Client, Connection, glob_escape, pairs
from .population import RedisIndex

#: forget's look for the days' counted-once sets (a few keys in all)
COUNTED_SCAN_BATCH = 10_000


class RedisPrivacy(PrivacyStore):
    def __init__(self, conn: Connection, index: RedisIndex) -> None:
        self._conn = conn
        self._index = index

    def _counted_keys(self, client: Client, user_id: str) -> list[str]:
        """The days' counted-once sets of the user's bucket that exist now (they expire after
        layout.COUNTED_TTL). On a cluster they sit in the bucket's slot: SCAN its node."""
        bucket = self._conn.bucket(user_id)
        pattern = glob_escape(keys.counted_key(bucket, 0).removesuffix("0")) + "*"
        server = self._conn.node_of(client, keys.seen_key(bucket))
        # The MATCH filters on the server; a large COUNT walks a big keyspace in few round trips.
        return sorted(key.decode() for key in server.scan_iter(match=pattern, count=COUNTED_SCAN_BATCH))

    def stored_user(self, user_id: str) -> StoredUser:
        conn = self._conn

        def own(client: Client) -> list[Any]:
            pipe = client.pipeline(transaction=False)  # both keys in the user's slot
            pipe.hgetall(conn.user_key(user_id))
            pipe.zrange(keys.idempotency_key(conn.prefix, user_id), 0, -1, withscores=True)
            replies: list[Any] = pipe.execute()
            return replies

        record, applied = conn.run("stored_user", own)
        b = conn.bucket(user_id)

        def index(client: Client) -> tuple[list[str], Any, Any]:
            counted_keys = self._counted_keys(client, user_id)
            index_keys = [keys.seen_key(b), keys.user_accounts_key(b), *counted_keys]
            call = ("user_index", index_keys, [user_id, counted_pattern(user_id)])
            day, account, flat = conn.script(client, call)
            account_day = None if account is None else client.zscore(self._index.members_key(account.decode()), user_id)
            return counted_keys, (day, account, account_day), flat

        counted_keys, (day, account, account_day), flat = conn.run("stored_user", index)
        counted: dict[int, list[str]] = {}
        for k, member in pairs(flat):
            found_day = int(counted_keys[int(k) - 3].rsplit(":", 1)[1])
            counted.setdefault(found_day, []).append(member.decode()[: -len(user_id) - 1])
        return StoredUser(
            record={name.decode(): value for name, value in record.items()},
            applied_keys={key.decode(): int(expiry) for key, expiry in applied},
            last_day=None if day is None else int(day),
            account=None if account is None else account.decode(),
            account_day=None if account_day is None else int(account_day),
            counted={d: sorted(names) for d, names in sorted(counted.items())},
        )

    def forget(self, user_id: str) -> None:
        self._conn.run("forget", lambda client: self._forget(client, user_id, self._counted_keys(client, user_id)))

    def _forget(
        self, client: Client, user_id: str, counted_keys: Sequence[str], seen_before: int | None = None
    ) -> bool:
        """Forget one user: their own slot first (one script), then the user's bucket (another),
        then the account's members, unless ``seen_before`` (epoch seconds) is given and the
        record was active since."""
        conn = self._conn
        own = [conn.user_key(user_id), keys.idempotency_key(conn.prefix, user_id)]
        guard = "" if seen_before is None else str(int(seen_before))
        stage = int(conn.script(client, ("forget_user", own, [guard])))
        if stage < 0:
            return False
        b = conn.bucket(user_id)
        index_keys = [keys.seen_key(b), keys.user_accounts_key(b), keys.reach_key(b), *counted_keys]
        args = [user_id, counted_pattern(user_id), *STAGES[1 : stage + 1]]
        _, account = conn.script(client, ("forget_population", index_keys, args))
        if account is not None:
            members = self._index.members_key(account.decode())
            pipe = client.pipeline(transaction=False)  # one key: one node
            pipe.zrem(members, user_id)
            pipe.zcard(members)
            if not pipe.execute()[1]:
                # The account has no user left: it leaves the index too. (A user noted
                # meanwhile would bring it back with their next active day.)
                client.zrem(keys.accounts_key(conn.prefix), account)
        return True

    def forget_inactive(self, cutoff: int, limit: int) -> list[str]:
        if limit <= 0:
            return []

        def action(client: Client) -> list[str]:
            pipe = client.pipeline(transaction=False)
            for bucket in self._conn.all_buckets():
                pipe.zrangebyscore(keys.seen_key(bucket), "-inf", int(cutoff), start=0, num=int(limit))
            found = [user.decode() for batch in pipe.execute() for user in batch][: int(limit)]
            counted: dict[str, list[str]] = {}  # one SCAN per bucket for the whole batch
            seen_before = (int(cutoff) + 1) * DAY
            forgotten = []
            for user in found:
                bucket = self._conn.bucket(user)
                if bucket not in counted:
                    counted[bucket] = self._counted_keys(client, user)
                if self._forget(client, user, counted[bucket], seen_before):
                    forgotten.append(user)
            return forgotten

        return self._conn.run("forget_inactive", action)
