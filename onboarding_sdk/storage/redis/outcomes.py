"""Account health bands, milestones and milestone event counts on Redis (``AccountOutcomes``).

Health bands live in one hash under ``{accounts}`` (written by the periodic check only); an
account's milestones and event counts in its bucket of the index, so track()'s writes for
milestone events spread over a cluster's nodes like the rest of the index.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import keys
from ..base import AccountOutcomes
from .connection import Client, Connection


class RedisOutcomes(AccountOutcomes):
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def _milestones_key(self, account: str) -> str:
        return keys.account_milestones_key(self._conn.bucket(account), account)

    def _events_key(self, account: str) -> str:
        return keys.account_events_key(self._conn.bucket(account), account)

    def record_health(self, account: str, band: str, snapshot: str) -> str | None:
        call = ("record_health", [keys.health_key(self._conn.prefix)], [account, band, snapshot])
        before = self._conn.run("record_health", lambda client: self._conn.script(client, call))
        return None if before is None else before.decode()

    def health(self) -> dict[str, tuple[str, str]]:
        key = keys.health_key(self._conn.prefix)
        stored: Any = self._conn.run("health", lambda client: client.hgetall(key))
        result: dict[str, tuple[str, str]] = {}
        for account, value in stored.items():
            band, _, snapshot = value.decode().partition("|")
            result[account.decode()] = (band, snapshot)
        return result

    def reach_milestone(self, account: str, name: str, day: int) -> bool:
        key = self._milestones_key(account)
        return bool(self._conn.run("reach_milestone", lambda client: client.hsetnx(key, name, int(day))))

    def milestones(self, accounts: Sequence[str]) -> dict[str, dict[str, int]]:
        if not accounts:
            return {}

        def action(client: Client) -> list[dict[bytes, bytes]]:
            pipe = client.pipeline(transaction=False)
            for account in accounts:
                pipe.hgetall(self._milestones_key(account))
            replies: list[dict[bytes, bytes]] = pipe.execute()
            return replies

        replies = self._conn.run("milestones", action)
        return {
            account: {name.decode(): int(day) for name, day in reply.items()}
            for account, reply in zip(accounts, replies, strict=True)
        }

    def add_event(self, account: str, event: str) -> int:
        key = self._events_key(account)
        return int(self._conn.run("add_event", lambda client: client.hincrby(key, event, 1)))

    def event_counts(self, account: str) -> dict[str, int]:
        key = self._events_key(account)
        counts: Any = self._conn.run("event_counts", lambda client: client.hgetall(key))
        return {event.decode(): int(n) for event, n in counts.items()}
