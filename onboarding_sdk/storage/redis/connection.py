"""One Redis store's connection, shared by its capabilities: the client (built on first use,
so an app starts while Redis is down), the loaded scripts, the key helpers, and ``run``, which
turns every client error into a ``StorageError``.

Timeouts are short and retries bounded on purpose: the extension degrades (pages render
without guides) rather than waiting on a store that is down.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import redis
from redis.backoff import ExponentialBackoff
from redis.cluster import ClusterNode, RedisCluster
from redis.commands.core import Script
from redis.exceptions import ClusterDownError, NoScriptError, RedisClusterException, RedisError, SlotNotCoveredError
from redis.retry import Retry

from ...errors import StorageError
from .. import keys
from .scripts import SCRIPTS, Call, script_source
from .uri import Target

T = TypeVar("T")
Client = redis.Redis | RedisCluster
SCAN_BATCH = 500
#: Errors of a client that mean the store failed (not the caller).
CLIENT_ERRORS = (RedisError, RedisClusterException, OSError)


class _Cluster(RedisCluster):
    # redis-py also retries a cluster command after a TimeoutError. A timed-out
    # script may still have run on the server, so retrying it could count an
    # event twice: retry only errors that mean the command did not run.
    ERRORS_ALLOW_RETRY = (redis.ConnectionError, ClusterDownError, SlotNotCoveredError)  # type: ignore[assignment]


class Connection:
    def __init__(self, target: Target, prefix: str, timeout: float, retries: int, buckets: int) -> None:
        self.target = target
        self.uri = target.safe_uri  # never keep the password where it may be logged
        self.prefix = prefix
        self.timeout = timeout
        self.retries = retries
        keys.bucket_tags(buckets)  # refuses a bad count now, and finds the tags once
        self.buckets = buckets
        # A single node runs any keys in one script; a cluster only keys of one slot.
        self.one_node = not target.cluster
        self.scripts: dict[str, Script] = {}
        self._lock = threading.Lock()
        self._client: Client | None = None
        self._sources = {name: script_source(name) for name in SCRIPTS}

    # -- the client

    def _retry(self) -> Retry:
        # A short exponential backoff (40 ms, 80 ms, ... capped at 0.2 s). Only
        # connection errors are retried: after a timeout the command may have run.
        return Retry(ExponentialBackoff(cap=0.2, base=0.02), self.retries, supported_errors=(redis.ConnectionError,))

    def _build(self) -> Client:
        common: dict[str, Any] = {
            "socket_timeout": self.timeout,
            "socket_connect_timeout": self.timeout,
            "decode_responses": False,  # the day bitmap is binary
            # RESP2: no HELLO handshake and none of RESP3's maintenance-notification
            # machinery (which may relax timeouts); replies are the same for us.
            "protocol": 2,
        }
        if not self.target.cluster:
            return redis.Redis(retry=self._retry(), **common, **self.target.options)
        nodes = [ClusterNode(host, port) for host, port in self.target.nodes]  # type: ignore[no-untyped-call]
        # RedisCluster connects and reads the slot map here; it raises when no node answers.
        return _Cluster(startup_nodes=nodes, retry=self._retry(), **common, **self.target.options)

    def connect(self) -> Client:
        with self._lock:
            if self._client is None:
                client = self._build()
                self.scripts = {name: client.register_script(text) for name, text in self._sources.items()}
                self._client = client
            return self._client

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            # Closing connections to a store that is gone is not an error.
            with contextlib.suppress(*CLIENT_ERRORS):
                client.close()

    def run(self, what: str, action: Callable[[Client], T]) -> T:
        """Run one operation, turning every client error into a StorageError."""
        try:
            client = self._client if self._client is not None else self.connect()
            return action(client)
        except CLIENT_ERRORS as exc:
            raise StorageError(self.describe(what, exc)) from exc

    def describe(self, what: str, exc: BaseException) -> str:
        detail = str(exc) or type(exc).__name__
        secret = self.target.secret
        if secret:
            detail = detail.replace(secret, "***")
        return f"Redis {what} failed at {self.uri}: {type(exc).__name__}: {detail}"

    def script(self, client: Client, call: Call) -> Any:
        """One script, loaded on first use (redis-py's Script: EVALSHA, then EVAL on NOSCRIPT)."""
        name, script_keys, args = call
        return self.scripts[name](keys=script_keys, args=args, client=client)

    def pipelined_scripts(self, client: Client, calls: Sequence[Call]) -> list[Any]:
        """Several scripts in one pipeline (one round trip; on a cluster, one per node, in
        parallel). EVALSHA, not redis-py's pipeline script loading, which would add a SCRIPT
        EXISTS round trip to every call; a NOSCRIPT reply (the server restarted) means that
        script did not run, so it is run again on its own, which loads it. Any other error is
        returned in its place, for the caller to judge."""
        pipe = client.pipeline(transaction=False)
        for name, script_keys, args in calls:
            # EVALSHA by name: redis-py blocks its evalsha() method in cluster pipelines because
            # of script loading, which is handled below. On a cluster the node is named: else
            # redis-py's pipeline asks a node for the command's keys (COMMAND GETKEYS), one more
            # round trip per script.
            options: dict[str, Any] = {}
            if not isinstance(client, redis.Redis):
                options["target_nodes"] = client.get_node_from_key(script_keys[0])  # type: ignore[no-untyped-call]
            pipe.execute_command("EVALSHA", self.scripts[name].sha, len(script_keys), *script_keys, *args, **options)
        replies = pipe.execute(raise_on_error=False)
        results: list[Any] = []
        for call, reply in zip(calls, replies, strict=True):
            if isinstance(reply, NoScriptError):
                try:
                    reply = self.script(client, call)
                except RedisError as exc:
                    reply = exc
            results.append(reply)
        return results

    def node_of(self, client: Client, key: str) -> redis.Redis:
        """A client of the one server that holds ``key`` (the client itself on a single node)."""
        if isinstance(client, redis.Redis):
            return client
        return client.get_redis_connection(client.get_node_from_key(key))  # type: ignore[no-untyped-call]

    # -- keys

    def user_key(self, user_id: str) -> str:
        return keys.user_key(self.prefix, user_id)

    def bucket(self, name: str) -> str:
        """The prefix of the index keys of a user's bucket, or of an account's."""
        return keys.user_bucket_prefix(self.prefix, self.buckets, name)

    def all_buckets(self) -> list[str]:
        return [keys.bucket_prefix(self.prefix, self.buckets, b) for b in range(self.buckets)]


def glob_escape(text: str) -> str:
    # A prefix containing glob characters must match only itself in SCAN MATCH.
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)


def delete_matching(client: Client, pattern: str) -> None:
    # On a cluster SCAN sees one node only: scan every primary with its own client.
    # Keys are deleted one by one (pipelined) since a multi-key DEL may cross slots.
    if isinstance(client, redis.Redis):
        servers = [client]
    else:
        servers = [client.get_redis_connection(node) for node in client.get_primaries()]  # type: ignore[no-untyped-call]
    for server in servers:
        batch: list[bytes] = []
        for key in server.scan_iter(match=pattern, count=SCAN_BATCH):
            batch.append(key)
            if len(batch) >= SCAN_BATCH:
                _delete(server, batch)
                batch = []
        _delete(server, batch)


def _delete(server: redis.Redis, names: list[bytes]) -> None:
    if not names:
        return
    pipe = server.pipeline(transaction=False)
    for name in names:
        pipe.delete(name)
    pipe.execute()


def record(flat: Sequence[bytes]) -> dict[str, bytes]:
    """A flat [field, value, ...] reply (what HGETALL gives inside Lua) as a record."""
    return {flat[i].decode(): flat[i + 1] for i in range(0, len(flat), 2)}


def pairs(flat: Sequence[Any]) -> list[tuple[Any, Any]]:
    return [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]
