"""Redis storage: one hash per user (see ``layout``), updated by Lua scripts.

Works with a single server (``redis://``, ``rediss://``, ``redis+unix://``) and with Redis
Cluster (``redis+cluster://h:p,h:p``): every script touches the keys of one slot (a user's,
an index bucket's, or {content}), and the key names (``keys``) put them there. One module per
capability, over one ``Connection``; ``scripts`` builds each script's KEYS and ARGV.
"""

from __future__ import annotations

from ...errors import StorageError
from .. import keys
from ..base import LockStore, Storage
from .connection import Client, Connection, delete_matching, glob_escape
from .content import RedisAudit, RedisContent
from .drafts import RedisDrafts
from .migrate import Done, Migration
from .outcomes import RedisOutcomes
from .population import RedisIndex
from .privacy import RedisPrivacy
from .scripts import guide_action_args, script_source, stage_args, stages_call, track_args
from .troubles import RedisTroubles
from .uri import Target, mask_uri, parse_uri
from .users import RedisUsers


class RedisLocks(LockStore):
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def acquire(self, name: str, seconds: int) -> bool:
        key = keys.lock_key(self._conn.prefix, name)
        taken = self._conn.run("acquire_lock", lambda client: client.set(key, b"1", nx=True, ex=max(1, int(seconds))))
        return bool(taken)


class RedisStorage(Storage):
    def __init__(
        self,
        uri: str,
        *,
        prefix: str = "ob",
        timeout: float = 0.5,
        retries: int = 1,
        index_buckets: int = keys.DEFAULT_BUCKETS,
    ) -> None:
        target = parse_uri(uri)
        self.conn = conn = Connection(target, prefix, timeout, retries, index_buckets)
        self.uri = conn.uri
        self.prefix = prefix
        self.index_buckets = index_buckets
        self.timeout = timeout
        self.retries = retries
        self.index: RedisIndex = RedisIndex(conn)
        index = self.index
        self.users = RedisUsers(conn, index)
        self.content = RedisContent(conn)
        self.drafts = RedisDrafts(conn)
        self.audit = RedisAudit(conn)
        self.locks = RedisLocks(conn)
        self.privacy = RedisPrivacy(conn, index)
        self.outcomes = RedisOutcomes(conn)
        self.troubles = RedisTroubles(conn)
        if not target.cluster:
            conn.connect()  # no I/O: a single-server client connects on first command

    def ping(self) -> None:
        self.conn.run("ping", lambda client: client.ping())

    def reset(self) -> None:
        pattern = glob_escape(self.prefix) + ":*"
        self.conn.run("reset", lambda client: delete_matching(client, pattern))

    def close(self) -> None:
        self.conn.close()

    def rebuild_index(self) -> Done | None:
        """``flask onboarding rebuild-index`` (``migrate``): the index of earlier layouts into
        the current one, once per store. Returns what was moved, or None when already done."""
        return Migration(self.conn, self.index).run()

    # The connection's helpers under their names of earlier versions (tests and benches).
    def _connect(self) -> Client:
        return self.conn.connect()

    def _user(self, user_id: str) -> str:
        return self.conn.user_key(user_id)

    def _bucket(self, name: str) -> str:
        return self.conn.bucket(name)

    def _buckets(self) -> list[str]:
        return self.conn.all_buckets()


__all__ = [
    "RedisStorage",
    "StorageError",
    "Target",
    "guide_action_args",
    "mask_uri",
    "parse_uri",
    "script_source",
    "stage_args",
    "stages_call",
    "track_args",
]
