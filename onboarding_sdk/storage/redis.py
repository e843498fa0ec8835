"""Redis storage: one hash per user (see ``layout``), updated by Lua scripts.

Works with a single server (``redis://``, ``rediss://``, ``redis+unix://``) and with
Redis Cluster (``redis+cluster://h:p,h:p``): every script touches one key, and all of
one user's data sits in one hash-tagged key, so every call goes to one slot.

Timeouts are short and retries bounded on purpose: the extension degrades (pages
render without guides) rather than waiting on a store that is down. The client is
built on first use, so an app starts even while Redis is unreachable.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlsplit

import redis
from redis.backoff import ExponentialBackoff
from redis.cluster import ClusterNode, RedisCluster
from redis.commands.core import Script
from redis.exceptions import (
    ClusterDownError,
    NoScriptError,
    RedisClusterException,
    RedisError,
    SlotNotCoveredError,
)
from redis.retry import Retry

from ..errors import ConfigurationError, StaleDraft, StaleRevision, StorageError
from ..state import STAGES
from ..timeutil import DAY
from . import layout
from . import population as pop
from .base import CodeKind, GuideWrite, RawRecord, Storage
from .personal import StoredUser, counted_pattern
from .population import AccountActivity, AccountRow, DormantAccount, Population

T = TypeVar("T")
Client = redis.Redis | RedisCluster
logger = logging.getLogger("onboarding_sdk")

CONFIG_KEY = "ONBOARDING_STORAGE_URI"
SCAN_BATCH = 500
COUNTED_SCAN_BATCH = 10_000  # forget's look for the days' counted-once sets (a few keys in all)
SCRIPTS = ("track", "advance_stage", "guide_action", "assign_codes", "publish_content", "count_once", "track_note")
# Scripts that take an idempotency key: once.lua (the shared check) is prepended to them.
ONCE_SCRIPTS = ("track", "guide_action")
# The population index's scripts (keys in population.py; each runs in one bucket's slot, or,
# claim_dormant, in the {accounts} slot).
INDEX_SCRIPTS = ("note_activity", "count_stages", "population", "claim_dormant", "forget_population", "user_index")
# One user's own keys, deleted for forget (in the user's slot).
PRIVACY_SCRIPTS = ("forget_user",)
# The console's drafts (keys in layout.draft_keys, in the {content} slot).
DRAFT_SCRIPTS = ("save_draft", "delete_draft")
# Query parameters a URI may carry, by scheme.
_SSL_OPTIONS = ("ssl_cert_reqs", "ssl_ca_certs", "ssl_certfile", "ssl_keyfile", "ssl_check_hostname")
_OPTIONS: Mapping[str, tuple[str, ...]] = {
    "redis": ("db",),
    "rediss": ("db", *_SSL_OPTIONS),
    "redis+unix": ("db",),
    "redis+cluster": (),
}


_CURRENT_CONTENT = "local r = redis.call('GET', KEYS[1]) or '0' return {r, redis.call('HGET', KEYS[2], r)}"
# A page view's read on a single server: the user's record and the content revision in one
# command (a two-command pipeline costs redis-py about 35 us more per call).
_LOAD_WITH_REVISION = "return {redis.call('HGETALL', KEYS[1]), redis.call('GET', KEYS[2]) or '0'}"


class _Cluster(RedisCluster):
    # redis-py also retries a cluster command after a TimeoutError. A timed-out
    # script may still have run on the server, so retrying it could count an
    # event twice: retry only errors that mean the command did not run.
    ERRORS_ALLOW_RETRY = (redis.ConnectionError, ClusterDownError, SlotNotCoveredError)  # type: ignore[assignment]


@dataclass(frozen=True)
class Target:
    """A parsed storage URI: what to connect to, without building a client."""

    cluster: bool
    options: dict[str, Any] = field(default_factory=dict)
    nodes: tuple[tuple[str, int], ...] = ()
    safe_uri: str = ""  # the URI with any password masked, for messages

    @property
    def secret(self) -> str | None:
        password = self.options.get("password")
        return password if isinstance(password, str) and password else None


# --------------------------------------------------------------------------- URIs


def _bad(uri: str, what: str, value: str | None = None) -> ConfigurationError:
    """The error for a malformed URI. ``value`` (the offending part) is quoted only when
    it is visible in the masked URI anyway: a mis-split URI must not leak its password."""
    masked = mask_uri(uri)
    if value is not None and value in masked:
        what = f"{what}: {value!r}"
    return ConfigurationError(
        f"{CONFIG_KEY}: {what} in {masked!r}; expected e.g. redis://[:password@]host:6379/0, "
        "rediss://..., redis+unix:///path/to/redis.sock?db=0 or redis+cluster://host:7000,host:7001"
    )


def mask_uri(uri: str) -> str:
    """The URI with the password part of its user info replaced by ``***``."""
    # Deliberately cruder than URL parsing: an unencoded '/' or '@' in a password
    # must not let part of it through, so everything up to the last '@' is masked.
    scheme, sep, rest = uri.partition("://")
    userinfo, at, tail = rest.rpartition("@")
    if not sep or not at or ":" not in userinfo:
        return uri
    user = userinfo.split(":", 1)[0]
    return f"{scheme}://{user}:***@{tail}"


def _credentials(uri: str, netloc: str) -> tuple[dict[str, Any], str]:
    """Split ``user:password@hosts`` into client options and the hosts part."""
    userinfo, at, hosts = netloc.rpartition("@")
    options: dict[str, Any] = {}
    if not at:
        return options, netloc
    user, colon, password = userinfo.partition(":")
    if not colon:
        raise _bad(uri, "user info without ':' (write :password@ or user:password@)")
    if user:
        options["username"] = unquote(user)
    if password:
        options["password"] = unquote(password)
    return options, hosts


def _host_port(uri: str, text: str, default_port: int | None) -> tuple[str, int]:
    """``host:port`` or ``[v6]:port``; the port may be omitted only when a default is given."""
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            raise _bad(uri, "malformed IPv6 address (write [address]:port)", text)
        port_text = rest[1:] if rest else ""
    else:
        host, _, port_text = text.rpartition(":") if ":" in text else (text, "", "")
    if not host:
        raise _bad(uri, "missing host")
    if not port_text:
        if default_port is None:
            raise _bad(uri, "missing port for a node", text)
        return host, default_port
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise _bad(uri, "invalid port", port_text)
    return host, int(port_text)


def _db(uri: str, text: str) -> int:
    if not text.isdigit():
        raise _bad(uri, "database must be a non-negative integer", text)
    return int(text)


def _query(uri: str, scheme: str, query: str) -> dict[str, str]:
    try:
        pairs = parse_qs(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise _bad(uri, "malformed query string") from None
    allowed = _OPTIONS[scheme]
    result: dict[str, str] = {}
    for name, values in pairs.items():
        if name not in allowed:
            known = ", ".join(allowed) or "none"
            raise _bad(uri, f"unsupported option (supported: {known})", name)
        if len(values) != 1:
            raise _bad(uri, "option given more than once", name)
        result[name] = values[0]
    return result


def _ssl_options(uri: str, query: Mapping[str, str]) -> dict[str, Any]:
    options: dict[str, Any] = {"ssl": True}
    for name in _SSL_OPTIONS:
        if name not in query:
            continue
        value = query[name]
        if name == "ssl_cert_reqs" and value not in ("none", "optional", "required"):
            raise _bad(uri, "ssl_cert_reqs must be none, optional or required")
        if name == "ssl_check_hostname":
            if value not in ("true", "false"):
                raise _bad(uri, "ssl_check_hostname must be true or false")
            options[name] = value == "true"
        else:
            options[name] = value
    return options


def parse_uri(uri: str) -> Target:
    """Parse a Redis storage URI; raise ConfigurationError naming what is wrong."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        raise _bad(uri, "unparsable URI") from None
    scheme = parts.scheme
    if scheme not in _OPTIONS:
        raise _bad(uri, "unknown scheme", scheme)
    if parts.fragment:
        raise _bad(uri, "unexpected '#' fragment")
    query = _query(uri, scheme, parts.query)
    options, hosts = _credentials(uri, parts.netloc)
    safe = mask_uri(uri)
    if scheme == "redis+cluster":
        return _cluster_target(uri, hosts, parts.path, options, safe)
    if scheme == "redis+unix":
        if hosts:
            raise _bad(uri, "a unix socket URI has no host (write redis+unix:///path/to.sock)")
        if not parts.path or parts.path == "/":
            raise _bad(uri, "missing socket path")
        options["unix_socket_path"] = unquote(parts.path)
        options["db"] = _db(uri, query.get("db", "0"))
        return Target(cluster=False, options=options, safe_uri=safe)
    host, port = _host_port(uri, hosts, 6379)
    path_db = parts.path.strip("/")
    if path_db and "db" in query:
        raise _bad(uri, "database given both in the path and as ?db=")
    options.update(host=host, port=port, db=_db(uri, path_db or query.get("db", "0")))
    if scheme == "rediss":
        options.update(_ssl_options(uri, query))
    return Target(cluster=False, options=options, safe_uri=safe)


def _cluster_target(uri: str, hosts: str, path: str, options: dict[str, Any], safe: str) -> Target:
    if path not in ("", "/", "/0"):
        raise _bad(uri, "Redis Cluster has only database 0")
    if not hosts:
        raise _bad(uri, "missing startup nodes (write redis+cluster://host:port,host:port)")
    nodes = tuple(_host_port(uri, item.strip(), None) for item in hosts.split(","))
    return Target(cluster=True, options=options, nodes=nodes, safe_uri=safe)


# ------------------------------------------------------------------------ storage


def script_source(name: str) -> str:
    """The text of one of the package's Lua scripts (``"track"``, ``"advance_stage"``, ...)."""
    text = _lua_file(name)
    if name == "track_note":  # track.lua and note_activity.lua as functions of one script
        track, note = _lua_file("track"), _lua_file("note_activity")
        return (
            f"{_lua_file('once')}local function run_track(KEYS, ARGV)\n{track}\nend\n"
            f"local function run_note(KEYS, ARGV)\n{note}\nend\n{text}"
        )
    return _lua_file("once") + text if name in ONCE_SCRIPTS else text


def _lua_file(name: str) -> str:
    return resources.files("onboarding_sdk.storage").joinpath("lua", f"{name}.lua").read_text(encoding="utf-8")


def once_args(key: str | None) -> list[str]:
    """The idempotency ARGV appended to track.lua's and guide_action.lua's (after ``now``)."""
    return [key or "", str(layout.IDEMPOTENCY_TTL), str(layout.IDEMPOTENCY_LIMIT)]


def track_args(field: str | None, at: int, signup: int | None) -> list[str]:
    """ARGV of track.lua (shared with bench/memory.py, which pipelines the script)."""
    return [field or "", str(int(at)), "" if signup is None else str(int(signup)), str(layout.EPOCH0), str(DAY)]


def note_call(
    bucket: str, user_id: str, account: str | None, day: int, events: int, key_events: int
) -> tuple[list[str], list[str]]:
    """KEYS and ARGV of note_activity.lua in ``bucket`` (population.user_bucket_prefix; shared
    with bench/memory.py)."""
    keys = [pop.seen_key(bucket), pop.user_accounts_key(bucket), pop.account_day_key(bucket, day)]
    keys.append(pop.counters_key(bucket, day))
    args = [user_id, account or "", str(int(day)), str(int(events)), str(int(key_events))]
    return keys, [*args, pop.account_users_prefix(bucket), pop.stage_field(STAGES[0]), str(pop.DAY_KEYS_TTL)]


def stages_call(
    bucket: str, day: int, entered: Sequence[str], stays: Sequence[tuple[str, int]]
) -> tuple[list[str], list[str]]:
    """KEYS and ARGV of count_stages.lua in ``bucket``."""
    args = [str(len(entered)), *entered]
    for stage, days in stays:
        args += [stage, str(int(days))]
    return [pop.reach_key(bucket), pop.counters_key(bucket, day)], [*args, str(pop.DAY_KEYS_TTL)]


def stage_args(expected: int, new: int, times: Mapping[int, int]) -> list[str]:
    """ARGV of advance_stage.lua."""
    args = [str(int(expected)), str(int(new))]
    for index, at in times.items():
        args += [str(int(index)), str(int(at))]
    return args


def guide_action_args(field: str, action: str, day: int, value: int, budget_limit: int) -> list[str]:
    """ARGV of guide_action.lua."""
    return [field, action, str(int(day)), str(int(value)), str(int(budget_limit))]


def _record(flat: Sequence[bytes]) -> RawRecord:
    """A flat [field, value, ...] reply (what HGETALL gives inside Lua) as a record."""
    return {flat[i].decode(): flat[i + 1] for i in range(0, len(flat), 2)}


def _glob_escape(text: str) -> str:
    # A prefix containing glob characters must match only itself in SCAN MATCH.
    return "".join("\\" + char if char in "*?[]\\" else char for char in text)


class RedisStorage(Storage):
    def __init__(
        self,
        uri: str,
        *,
        prefix: str = "ob",
        timeout: float = 0.5,
        retries: int = 1,
        index_buckets: int = pop.DEFAULT_BUCKETS,
    ) -> None:
        self._target = parse_uri(uri)
        self.uri = self._target.safe_uri  # never keep the password where it may be logged
        self.prefix = prefix
        pop.bucket_tags(index_buckets)  # refuses a bad count now, and finds the tags once
        self.index_buckets = index_buckets
        # A single node runs any keys in one script; a cluster only keys of one slot.
        self._one_node = not self._target.cluster
        self.timeout = timeout
        self.retries = retries
        self._lock = threading.Lock()
        self._client: Client | None = None
        self._scripts: dict[str, Script] = {}
        self._load_script: Script | None = None
        self._sources = {
            name: script_source(name) for name in (*SCRIPTS, *INDEX_SCRIPTS, *DRAFT_SCRIPTS, *PRIVACY_SCRIPTS)
        }
        if not self._target.cluster:
            self._connect()  # no I/O: a single-server client connects on first command

    # -- client

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
        if not self._target.cluster:
            return redis.Redis(retry=self._retry(), **common, **self._target.options)
        nodes = [ClusterNode(host, port) for host, port in self._target.nodes]  # type: ignore[no-untyped-call]
        # RedisCluster connects and reads the slot map here; it raises when no node answers.
        return _Cluster(startup_nodes=nodes, retry=self._retry(), **common, **self._target.options)

    def _connect(self) -> Client:
        with self._lock:
            if self._client is None:
                client = self._build()
                self._scripts = {name: client.register_script(text) for name, text in self._sources.items()}
                if not self._target.cluster:
                    self._load_script = client.register_script(_LOAD_WITH_REVISION)
                self._client = client
            return self._client

    def _run(self, what: str, action: Callable[[Client], T]) -> T:
        """Run one operation, turning every client error into a StorageError."""
        try:
            client = self._client if self._client is not None else self._connect()
            return action(client)
        except (RedisError, RedisClusterException, OSError) as exc:
            raise StorageError(self._describe(what, exc)) from exc

    def _describe(self, what: str, exc: BaseException) -> str:
        detail = str(exc) or type(exc).__name__
        secret = self._target.secret
        if secret:
            detail = detail.replace(secret, "***")
        return f"Redis {what} failed at {self.uri}: {type(exc).__name__}: {detail}"

    # -- keys

    def _user(self, user_id: str) -> str:
        return layout.user_key(self.prefix, user_id)

    def _counters_key(self, day: int) -> str:
        # Storage.count's hash per day (and the counters of versions before the index buckets).
        return pop.legacy_counters_key(self.prefix, day)

    def _bucket(self, user_id: str) -> str:
        """The prefix of the keys of ``user_id``'s bucket of the population index."""
        return pop.user_bucket_prefix(self.prefix, self.index_buckets, user_id)

    def _buckets(self) -> list[str]:
        return [pop.bucket_prefix(self.prefix, self.index_buckets, b) for b in range(self.index_buckets)]

    # -- Storage

    def assign_codes(self, kind: CodeKind, names: Sequence[str]) -> dict[str, int]:
        if not names:
            return {}

        def action(client: Client) -> list[int]:
            codes: list[int] = self._scripts["assign_codes"](
                keys=[layout.codes_key(self.prefix)], args=[kind, *names], client=client
            )
            return codes

        codes = self._run("assign_codes", action)
        return {name: int(code) for name, code in zip(names, codes, strict=True)}

    def track(self, user_id: str, field: str | None, at: int, signup: int | None) -> RawRecord:
        args = track_args(field, at, signup)

        def action(client: Client) -> RawRecord:
            return _record(self._scripts["track"](keys=[self._user(user_id)], args=args, client=client))

        return self._run("track", action)

    def load(self, user_id: str) -> RawRecord:
        def action(client: Client) -> RawRecord:
            reply: Mapping[bytes, bytes] = client.hgetall(self._user(user_id))  # type: ignore[assignment]
            return {name.decode(): value for name, value in reply.items()}

        return self._run("load", action)

    def load_with_revision(self, user_id: str) -> tuple[RawRecord, int]:
        rev_key = layout.content_keys(self.prefix)[0]

        # On a single server one script reads both. On a cluster the user's slot and the
        # {content} slot may sit on two nodes, so a script cannot: one pipeline, and redis-py
        # writes to every node before reading any reply, so the two requests overlap (see
        # docs/architecture.md).
        def action(client: Client) -> tuple[RawRecord, int]:
            if self._load_script is not None:
                flat, revision = self._load_script(keys=[self._user(user_id), rev_key], client=client)
                return _record(flat), int(revision)
            pipe = client.pipeline(transaction=False)
            pipe.hgetall(self._user(user_id))
            pipe.get(rev_key)
            reply, revision = pipe.execute()
            return {name.decode(): value for name, value in reply.items()}, int(revision or 0)

        return self._run("load", action)

    def advance_stage(self, user_id: str, expected: int, new: int, times: Mapping[int, int]) -> bool:
        args = stage_args(expected, new, times)

        def action(client: Client) -> bool:
            return bool(self._scripts["advance_stage"](keys=[self._user(user_id)], args=args, client=client))

        return self._run("advance_stage", action)

    def guide_write(
        self,
        user_id: str,
        field: str,
        action: str,
        day: int,
        value: int,
        budget_limit: int,
        *,
        key: str | None = None,
        now: int = 0,
        counter: str | None = None,
    ) -> GuideWrite:
        args = guide_action_args(field, action, day, value, budget_limit)
        keys = [self._user(user_id)]
        if key is not None:
            keys.append(layout.idempotency_key(self.prefix, user_id))
            args += [key, str(int(now)), *once_args(key)[1:]]
        write = ("guide_action", keys, args)
        count = None
        if counter is not None:
            bucket = self._bucket(user_id)
            count_keys = [pop.counted_key(bucket, day), pop.counters_key(bucket, day)]
            count_args = [
                layout.counted_member(counter, user_id),
                counter,
                str(layout.COUNTED_TTL),
                str(pop.DAY_KEYS_TTL),
            ]
            count = ("count_once", count_keys, count_args)

        def action_(client: Client) -> GuideWrite:
            if count is None or budget_limit > 0:
                # A budgeted shown may be refused: count only once it is known to be allowed.
                state, allowed, replayed = self._scripts["guide_action"](keys=keys, args=args, client=client)
                counted = 0
                if count is not None and allowed:
                    counted = self._scripts["count_once"](keys=count[1], args=count[2], client=client)
                return GuideWrite(bytes(state), bool(allowed), bool(replayed), bool(counted))
            # Never refused: the write and the count in one pipeline (one round trip; on a
            # cluster the two slots in parallel). The count is once per user and day, so a
            # replay adds nothing.
            written, counted = self._pipelined_scripts(client, [write, count])
            if isinstance(written, BaseException):
                raise written
            if isinstance(counted, BaseException):
                logger.warning("guide action of user %s not counted for analytics: %s", user_id, counted)
                counted = 0
            state, allowed, replayed = written
            return GuideWrite(bytes(state), bool(allowed), bool(replayed), bool(counted))

        return self._run("guide_action", action_)

    def track_once(
        self,
        user_id: str,
        field: str | None,
        at: int,
        signup: int | None,
        account: str | None,
        events: int,
        key_events: int,
        key: str,
    ) -> tuple[RawRecord, bool]:
        keys = [self._user(user_id), layout.idempotency_key(self.prefix, user_id)]
        args = [*track_args(field, at, signup), *once_args(key)]
        if self._one_node:
            # One script: the key's check, the user's write and the index (one round trip).
            (applied, flat), _ = self._track_note(keys, args, user_id, account, at, events, key_events)
            return _record(flat), not applied

        def action(client: Client) -> tuple[RawRecord, bool]:
            applied, flat = self._scripts["track"](keys=keys, args=args, client=client)
            return _record(flat), not applied

        # A cluster: the index's bucket is another slot, and a replay must not count it again,
        # so the note follows the user's write (a second round trip, for keyed events only).
        record, replayed = self._run("track", action)
        if not replayed:
            # After the user's write only, so that a replay never counts the index twice; a
            # failure here loses the index's note, never the event (and invites no retry).
            try:
                self.note_activity(user_id, account, at // DAY, events, key_events)
            except StorageError as exc:
                logger.warning("activity of user %s not added to the population index: %s", user_id, exc)
        return record, replayed

    def count(self, day: int, counters: Mapping[str, int]) -> None:
        if not counters:
            return

        def action(client: Client) -> None:
            pipe = client.pipeline(transaction=False)  # one key, so one node and one round trip
            for name, amount in counters.items():
                pipe.hincrby(self._counters_key(day), name, amount)
            pipe.execute()

        self._run("count", action)

    def counters(self, days: Sequence[int]) -> dict[int, dict[str, int]]:
        if not days:
            return {}

        # Storage.count's hash and every bucket's, summed (one pipeline; on a cluster the
        # nodes answer in parallel).
        sources: list[Callable[[int], str]] = [
            self._counters_key,
            *(functools.partial(pop.counters_key, b) for b in self._buckets()),
        ]

        def action(client: Client) -> list[dict[bytes, bytes]]:
            pipe = client.pipeline(transaction=False)
            for day in days:
                for key_of in sources:
                    pipe.hgetall(key_of(day))
            replies: list[dict[bytes, bytes]] = pipe.execute()
            return replies

        replies = iter(self._run("counters", action))
        result: dict[int, dict[str, int]] = {}
        for day in days:
            table = result[day] = {}
            for _ in sources:
                for name, value in next(replies).items():
                    text = name.decode()
                    table[text] = table.get(text, 0) + int(value)
        return result

    def publish_content(
        self, text: str, expected_revision: int | None, author: str, note: str, at: int | None = None
    ) -> int:
        when = int(time.time()) if at is None else int(at)
        entry = json.dumps({"author": author, "note": note, "time": when}, ensure_ascii=False)[1:]
        args = ["" if expected_revision is None else str(int(expected_revision)), text, entry]
        args.append(str(layout.CONTENT_HISTORY_LIMIT))

        def action(client: Client) -> tuple[int, int]:
            ok, revision = self._scripts["publish_content"](
                keys=list(layout.content_keys(self.prefix)), args=args, client=client
            )
            return int(ok), int(revision)

        ok, revision = self._run("publish_content", action)
        if not ok:
            raise StaleRevision(int(expected_revision or 0), revision)
        return revision

    def content_revision(self) -> int:
        key = layout.content_keys(self.prefix)[0]
        return int(self._run("content_revision", lambda client: client.get(key)) or 0)

    def load_content(self, revision: int | None = None) -> tuple[int, str] | None:
        rev_key, texts_key, _ = layout.content_keys(self.prefix)

        def action(client: Client) -> tuple[int, bytes | None]:
            if revision is not None:
                text: bytes | None = client.hget(texts_key, str(revision))  # type: ignore[assignment]
                return revision, text
            # Both keys share one slot: one script reads a consistent (revision, text) pair.
            current, text = client.eval(_CURRENT_CONTENT, 2, rev_key, texts_key)
            return int(current), text

        found, text = self._run("load_content", action)
        return None if text is None else (found, text.decode("utf-8"))

    def content_history(self, limit: int = 50) -> list[dict[str, Any]]:
        if limit <= 0:
            return []
        key = layout.content_keys(self.prefix)[2]
        entries: list[bytes] = self._run("content_history", lambda client: client.lrange(key, 0, limit - 1))  # type: ignore[arg-type,return-value]
        return [json.loads(entry) for entry in entries]

    def record_audit(self, entry: Mapping[str, Any]) -> None:
        text = json.dumps(dict(entry), ensure_ascii=False)
        key = layout.audit_key(self.prefix)

        def action(client: Client) -> None:
            pipe = client.pipeline(transaction=True)  # one key: push and cap together
            pipe.lpush(key, text)
            pipe.ltrim(key, 0, layout.AUDIT_LIMIT - 1)
            pipe.execute()

        self._run("record_audit", action)

    def audit_log(self, limit: int = 100) -> list[dict[str, Any]]:
        if limit <= 0:
            return []
        key = layout.audit_key(self.prefix)
        entries: list[bytes] = self._run("audit_log", lambda client: client.lrange(key, 0, limit - 1))  # type: ignore[arg-type,return-value]
        return [json.loads(entry) for entry in entries]

    def forget(self, user_id: str) -> None:
        self._run("forget", lambda client: self._forget(client, user_id, self._counted_keys(client, user_id)))

    def _forget(
        self, client: Client, user_id: str, counted_keys: Sequence[str], seen_before: int | None = None
    ) -> bool:
        """Forget one user: their own slot first (one script), then the index's slot (another),
        unless ``seen_before`` (epoch seconds) is given and the record was active since."""
        own = [self._user(user_id), layout.idempotency_key(self.prefix, user_id)]
        guard = "" if seen_before is None else str(int(seen_before))
        stage = int(self._scripts["forget_user"](keys=own, args=[guard], client=client))
        if stage < 0:
            return False
        b = self._bucket(user_id)
        keys = [pop.seen_key(b), pop.user_accounts_key(b), pop.reach_key(b), *counted_keys]
        args = [user_id, pop.account_users_prefix(b), counted_pattern(user_id), *STAGES[1 : stage + 1]]
        _, account = self._scripts["forget_population"](keys=keys, args=args, client=client)
        if account is not None and not self._account_users(client, [account.decode()])[0][0]:
            # No bucket holds a user of the account any more: it leaves the index too. (A user
            # noted meanwhile would bring it back with their next active day.)
            client.zrem(pop.accounts_key(self.prefix), account)
        return True

    # -- one person's data (personal.py)

    def _counted_keys(self, client: Client, user_id: str) -> list[str]:
        """The days' counted-once sets of the user's bucket that exist now (they expire after
        layout.COUNTED_TTL). On a cluster they sit in the bucket's slot: SCAN its node."""
        bucket = self._bucket(user_id)
        pattern = _glob_escape(pop.counted_key(bucket, 0).removesuffix("0")) + "*"
        if isinstance(client, redis.Redis):
            server = client
        else:
            server = client.get_redis_connection(client.get_node_from_key(pop.seen_key(bucket)))  # type: ignore[no-untyped-call]
        # The MATCH filters on the server; a large COUNT walks a big keyspace in few round trips.
        return sorted(key.decode() for key in server.scan_iter(match=pattern, count=COUNTED_SCAN_BATCH))

    def stored_user(self, user_id: str) -> StoredUser:
        def own(client: Client) -> list[Any]:
            pipe = client.pipeline(transaction=False)  # both keys in the user's slot
            pipe.hgetall(self._user(user_id))
            pipe.zrange(layout.idempotency_key(self.prefix, user_id), 0, -1, withscores=True)
            replies: list[Any] = pipe.execute()
            return replies

        record, applied = self._run("stored_user", own)
        b = self._bucket(user_id)

        def index(client: Client) -> tuple[list[str], Any]:
            counted_keys = self._counted_keys(client, user_id)
            keys = [pop.seen_key(b), pop.user_accounts_key(b), *counted_keys]
            args = [user_id, pop.account_users_prefix(b), counted_pattern(user_id)]
            return counted_keys, self._scripts["user_index"](keys=keys, args=args, client=client)

        counted_keys, (day, account, account_day, flat) = self._run("stored_user", index)
        counted: dict[int, list[str]] = {}
        for k, member in _pairs(flat):
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

    def forget_inactive(self, cutoff: int, limit: int) -> list[str]:
        if limit <= 0:
            return []

        def action(client: Client) -> list[str]:
            pipe = client.pipeline(transaction=False)
            for bucket in self._buckets():
                pipe.zrangebyscore(pop.seen_key(bucket), "-inf", int(cutoff), start=0, num=int(limit))
            found = [user.decode() for batch in pipe.execute() for user in batch][: int(limit)]
            counted: dict[str, list[str]] = {}  # one SCAN per bucket for the whole batch
            seen_before = (int(cutoff) + 1) * DAY
            forgotten = []
            for user in found:
                bucket = self._bucket(user)
                if bucket not in counted:
                    counted[bucket] = self._counted_keys(client, user)
                if self._forget(client, user, counted[bucket], seen_before):
                    forgotten.append(user)
            return forgotten

        return self._run("forget_inactive", action)

    def ping(self) -> None:
        self._run("ping", lambda client: client.ping())

    def reset(self) -> None:
        pattern = _glob_escape(self.prefix) + ":*"
        self._run("reset", lambda client: _delete_matching(client, pattern))

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            # Closing connections to a store that is gone is not an error.
            with contextlib.suppress(RedisError, RedisClusterException, OSError):
                client.close()

    # -- the population index (population.py)

    def _note_call(
        self, user_id: str, account: str | None, day: int, events: int, key_events: int
    ) -> tuple[list[str], list[str]]:
        return note_call(self._bucket(user_id), user_id, account, day, events, key_events)

    def _raise_account(self, client: Client, noted: Any, day: int) -> None:
        """note_activity.lua's answer: an account to raise to ``day`` in the global accounts key
        (another slot), or 0. Asked at most once per account, bucket and day, so the global key
        takes a few writes a day per account, not one per track()."""
        if isinstance(noted, bytes):
            client.zadd(pop.accounts_key(self.prefix), {noted: int(day)}, gt=True)

    def _pipelined_scripts(self, client: Client, calls: Sequence[tuple[str, list[str], list[str]]]) -> list[Any]:
        """Several scripts in one pipeline (one round trip; on a cluster, one per node, in
        parallel). EVALSHA, not redis-py's pipeline script loading, which would add a SCRIPT
        EXISTS round trip to every call; a NOSCRIPT reply (the server restarted) means that
        script did not run, so it is run again on its own, which loads it. Any other error is
        returned in its place, for the caller to judge."""
        pipe = client.pipeline(transaction=False)
        for name, keys, args in calls:
            # EVALSHA by name: redis-py blocks its evalsha() method in cluster pipelines because
            # of script loading, which is handled below. On a cluster the node is named: else
            # redis-py's pipeline asks a node for the command's keys (COMMAND GETKEYS), one more
            # round trip per script.
            options: dict[str, Any] = {}
            if not isinstance(client, redis.Redis):
                options["target_nodes"] = client.get_node_from_key(keys[0])  # type: ignore[no-untyped-call]
            pipe.execute_command("EVALSHA", self._scripts[name].sha, len(keys), *keys, *args, **options)
        replies = pipe.execute(raise_on_error=False)
        results: list[Any] = []
        for (name, keys, args), reply in zip(calls, replies, strict=True):
            if isinstance(reply, NoScriptError):
                try:
                    reply = self._scripts[name](keys=keys, args=args, client=client)
                except RedisError as exc:
                    reply = exc
            results.append(reply)
        return results

    def track_and_note(
        self,
        user_id: str,
        field: str | None,
        at: int,
        signup: int | None,
        account: str | None,
        events: int,
        key_events: int,
    ) -> RawRecord:
        if self._one_node:
            flat, _ = self._track_note(
                [self._user(user_id)], track_args(field, at, signup), user_id, account, at, events, key_events
            )
            return _record(flat)
        # A cluster: the user's slot and the index bucket's differ, so two scripts in one
        # pipeline (one round-trip time: redis-py writes to both nodes before reading).
        track_call = ("track", [self._user(user_id)], track_args(field, at, signup))
        note_call = ("note_activity", *self._note_call(user_id, account, at // DAY, events, key_events))

        def action(client: Client) -> RawRecord:
            flat, noted = self._pipelined_scripts(client, [track_call, note_call])
            if isinstance(flat, BaseException):
                raise flat
            try:
                if isinstance(noted, BaseException):
                    raise noted
                self._raise_account(client, noted, at // DAY)
            except (RedisError, RedisClusterException, OSError) as exc:
                # The user's event is stored: failing the call would invite a retry that counts
                # it twice. Only the analytics index misses this activity.
                logger.warning("activity of user %s not added to the population index: %s", user_id, exc)
            return _record(flat)

        return self._run("track", action)

    def _track_note(
        self,
        keys: list[str],
        args: list[str],
        user_id: str,
        account: str | None,
        at: int,
        events: int,
        key_events: int,
    ) -> tuple[Any, Any]:
        """track_note.lua on a single node: the user's write (with its key, if any), the index
        and the account's global day in one script. Returns track.lua's reply and the note's."""
        note_keys, note_args = self._note_call(user_id, account, at // DAY, events, key_events)
        all_keys = [*keys, *note_keys, pop.accounts_key(self.prefix)]
        all_args = [*args, *note_args, str(len(keys)), str(len(args))]

        def action(client: Client) -> list[Any]:
            reply: list[Any] = self._scripts["track_note"](keys=all_keys, args=all_args, client=client)
            return reply

        written, noted, *failed = self._run("track", action)
        if failed:
            # The user's event is stored: failing the call would invite a retry that counts it
            # twice. Only the analytics index misses this activity.
            logger.warning("activity of user %s not added to the population index: %s", user_id, failed[0])
        return written, noted

    def note_activity(self, user_id: str, account: str | None, day: int, events: int, key_events: int) -> None:
        keys, args = self._note_call(user_id, account, day, events, key_events)

        def action(client: Client) -> None:
            self._raise_account(client, self._scripts["note_activity"](keys=keys, args=args, client=client), day)

        self._run("note_activity", action)

    def count_stages(
        self, day: int, entered: Sequence[str], stays: Sequence[tuple[str, int]], user_id: str = ""
    ) -> None:
        if not entered and not stays:
            return
        # The user's bucket: forget takes the reach counts back there.
        keys, args = stages_call(self._bucket(user_id), day, entered, stays)
        self._run("count_stages", lambda client: self._scripts["count_stages"](keys=keys, args=args, client=client))

    def _account_users(
        self, client: Client, accounts: Sequence[str], since: int | None = None
    ) -> list[tuple[int, int]]:
        """Per account, its users and those active on or after ``since``, over every bucket."""
        buckets = self._buckets()
        pipe = client.pipeline(transaction=False)
        for account in accounts:
            for b in buckets:
                pipe.zcard(pop.account_users_prefix(b) + account)
                pipe.zcount(pop.account_users_prefix(b) + account, "-inf" if since is None else int(since), "+inf")
        replies = pipe.execute()
        width = 2 * len(buckets)
        return [
            (sum(replies[i * width : (i + 1) * width : 2]), sum(replies[i * width + 1 : (i + 1) * width : 2]))
            for i in range(len(accounts))
        ]

    def population(self, cutoff: int, since: int, limit: int) -> Population:
        calls = [
            (
                "population",
                [pop.seen_key(b), pop.user_accounts_key(b), pop.reach_key(b)],
                [str(int(cutoff)), str(int(limit))],
            )
            for b in self._buckets()
        ]
        accounts_key = pop.accounts_key(self.prefix)

        def action(client: Client) -> tuple[list[Any], list[Any], list[tuple[int, int]]]:
            parts = self._pipelined_scripts(client, calls)
            for part in parts:
                if isinstance(part, BaseException):
                    raise part
            pipe = client.pipeline(transaction=False)  # one key: one node
            pipe.zcard(accounts_key)
            pipe.zcount(accounts_key, "-inf", int(cutoff))
            pipe.zrevrangebyscore(accounts_key, int(cutoff), "-inf", start=0, num=int(limit), withscores=True)
            accounts = pipe.execute()
            return parts, accounts, self._account_users(client, [a.decode() for a, _ in accounts[2]], since)

        parts, (accounts, dormant_accounts, found), counts = self._run("population", action)
        reached: dict[str, int] = {}
        newest: list[tuple[str, int, str | None]] = []
        for _, reach, _, users, their_accounts in parts:
            for stage, n in _pairs(reach):
                reached[stage.decode()] = reached.get(stage.decode(), 0) + int(n)
            newest += [
                (user.decode(), int(day), None if account is None else account.decode())
                for (user, day), account in zip(_pairs(users), their_accounts, strict=True)
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
        buckets = self._buckets()

        def action(client: Client) -> tuple[Any, list[tuple[int, int]], list[Any]]:
            last = client.zscore(pop.accounts_key(self.prefix), account)
            if last is None:
                return None, [], []
            counts = self._account_users(client, [account], since)
            pipe = client.pipeline(transaction=False)
            for b in buckets:
                pipe.zrevrange(pop.account_users_prefix(b) + account, 0, max(0, limit - 1), withscores=True)
            return last, counts, pipe.execute()

        last, counts, per_bucket = self._run("account_activity", action)
        if last is None:
            return None
        users, active = counts[0]
        row = AccountRow(account, int(last), users, active)
        newest = sorted(
            ((user.decode(), int(day)) for found in per_bucket for user, day in found),
            key=lambda item: (item[1], item[0]),
            reverse=True,
        )
        return AccountActivity(row, newest[:limit] if limit > 0 else [], self.account_days([account], days)[account])

    def account_days(self, accounts: Sequence[str], days: Sequence[int]) -> dict[str, dict[int, tuple[int, int, int]]]:
        if not accounts or not days:
            return {account: {day: (0, 0, 0) for day in days} for account in accounts}
        fields = [f"{account}|{name}" for account in accounts for name in pop.ACCOUNT_FIELDS]
        buckets = self._buckets()

        def action(client: Client) -> list[list[bytes | None]]:
            pipe = client.pipeline(transaction=False)
            for day in days:
                for b in buckets:
                    pipe.hmget(pop.account_day_key(b, day), fields)
            replies: list[list[bytes | None]] = pipe.execute()
            return replies

        replies = iter(self._run("account_days", action))
        width = len(pop.ACCOUNT_FIELDS)
        totals: dict[int, list[int]] = {}
        for day in days:
            total = totals[day] = [0] * len(fields)
            for _ in buckets:
                for i, value in enumerate(next(replies)):
                    total[i] += int(value or 0)
        return {
            account: {day: _triple(totals[day][i * width : (i + 1) * width]) for day in days}
            for i, account in enumerate(accounts)
        }

    def claim_dormant_accounts(self, cutoff: int, limit: int) -> list[DormantAccount]:
        keys = [pop.accounts_key(self.prefix), pop.dormant_key(self.prefix)]
        args = [str(int(cutoff)), str(max(1, int(limit)))]

        def action(client: Client) -> list[DormantAccount]:
            flat = self._scripts["claim_dormant"](keys=keys, args=args, client=client)
            claimed = [(flat[i].decode(), int(flat[i + 1])) for i in range(0, len(flat), 2)]
            # Counted after the claim (the users sit in every bucket): a figure for the signal,
            # so a failure here must not lose the claim.
            try:
                counts = self._account_users(client, [account for account, _ in claimed]) if claimed else []
            except (RedisError, RedisClusterException, OSError) as exc:
                logger.warning("dormant accounts' users not counted: %s", exc)
                counts = [(0, 0)] * len(claimed)
            return [DormantAccount(a, day, n) for (a, day), (n, _) in zip(claimed, counts, strict=True)]

        return self._run("claim_dormant_accounts", action)

    def rebuild_index(self) -> dict[str, int] | None:
        """Copy the population index of versions before the buckets (every key under
        ``{counters}``) into the buckets, once per store (``flask onboarding rebuild-index``).
        Newer entries win (``ZADD GT``, ``HSETNX``); the reach counts are recounted from the
        users' records, in their buckets; the per-day account figures are added to bucket 0's
        (readers sum the buckets). Returns what was copied, or None when it already ran."""
        p, legacy = self.prefix, pop.legacy_tag(self.prefix)
        marker = f"{p}:{{accounts}}:rebuilt"

        def action(client: Client) -> dict[str, int] | None:
            if not client.set(marker, b"1", nx=True):
                return None
            # Every old key sits in the {counters} slot: one node holds them all.
            if isinstance(client, redis.Redis):
                old = client
            else:
                old = client.get_redis_connection(client.get_node_from_key(f"{legacy}:seen"))  # type: ignore[no-untyped-call]
            done = {"users": 0, "accounts": 0, "days": 0}
            pipe = client.pipeline(transaction=False)
            users: list[tuple[bytes, float]] = []

            def copy_users() -> None:  # a batch at a time: a big store never sits in memory
                read = client.pipeline(transaction=False)
                for user, _ in users:
                    read.hget(self._user(user.decode()), "st")
                    read.hget(f"{legacy}:ua", user)
                found = read.execute()
                for (user, day), stage, account in zip(users, found[::2], found[1::2], strict=True):
                    b = self._bucket(user.decode())
                    pipe.zadd(pop.seen_key(b), {user: int(day)}, gt=True)
                    if account is not None:
                        pipe.hsetnx(pop.user_accounts_key(b), user, account)
                    for reached in STAGES[1 : int(stage or 0) + 1]:
                        pipe.hincrby(pop.reach_key(b), reached, 1)
                pipe.execute()
                done["users"] += len(users)
                users.clear()

            for entry in old.zscan_iter(f"{legacy}:seen", count=SCAN_BATCH):
                users.append(entry)
                if len(users) >= SCAN_BATCH:
                    copy_users()
            copy_users()
            for account, day in old.zscan_iter(f"{legacy}:accts"):
                pipe.zadd(pop.accounts_key(p), {account: int(day)}, gt=True)
                for user, user_day in old.zscan_iter(f"{legacy}:au:".encode() + account):
                    b = self._bucket(user.decode())
                    pipe.zadd(pop.account_users_prefix(b).encode() + account, {user: int(user_day)}, gt=True)
                done["accounts"] += 1
                if len(pipe) >= SCAN_BATCH:
                    pipe.execute()
            mark = old.hget(f"{legacy}:dormant", "mark")
            if mark is not None:
                pipe.hsetnx(pop.dormant_key(p), "mark", mark)
            first = pop.bucket_prefix(p, self.index_buckets, 0)
            for key in old.scan_iter(match=_glob_escape(f"{legacy}:a:") + "*", count=COUNTED_SCAN_BATCH):
                day_text = key.decode().rsplit(":", 1)[1]
                for name, value in old.hscan_iter(key):
                    pipe.hincrby(pop.account_day_key(first, int(day_text)), name, int(value))
                pipe.expire(pop.account_day_key(first, int(day_text)), pop.DAY_KEYS_TTL)
                done["days"] += 1
            pipe.execute()
            return done

        return self._run("rebuild_index", action)

    def acquire_lock(self, name: str, seconds: int) -> bool:
        key = pop.lock_key(self.prefix, name)
        taken = self._run("acquire_lock", lambda client: client.set(key, b"1", nx=True, ex=max(1, int(seconds))))
        return bool(taken)

    # -- console drafts (layout.draft_keys)

    def save_draft(self, guide_id: str, draft: Mapping[str, Any], expected_version: int) -> int:
        body = json.dumps(dict(draft), ensure_ascii=False)[1:]  # the script prepends {"version":N,
        keys = list(layout.draft_keys(self.prefix))
        args = [guide_id, str(int(expected_version)), body]

        def action(client: Client) -> tuple[int, int]:
            ok, version = self._scripts["save_draft"](keys=keys, args=args, client=client)
            return int(ok), int(version)

        ok, version = self._run("save_draft", action)
        if not ok:
            raise StaleDraft(guide_id, expected_version, version)
        return version

    def load_draft(self, guide_id: str) -> dict[str, Any] | None:
        key = layout.draft_keys(self.prefix)[0]
        found = self._run("load_draft", lambda client: client.hget(key, guide_id))
        return None if found is None else dict(json.loads(found))

    def drafts(self) -> dict[str, dict[str, Any]]:
        key = layout.draft_keys(self.prefix)[0]
        found: Mapping[bytes, bytes] = self._run("drafts", lambda client: client.hgetall(key))  # type: ignore[arg-type,return-value]
        return {name.decode(): dict(json.loads(text)) for name, text in found.items()}

    def delete_draft(self, guide_id: str, expected_version: int) -> bool:
        keys = list(layout.draft_keys(self.prefix)[:2])
        args = [guide_id, str(int(expected_version))]
        removed = self._run(
            "delete_draft", lambda client: self._scripts["delete_draft"](keys=keys, args=args, client=client)
        )
        return bool(removed)


def _delete_matching(client: Client, pattern: str) -> None:
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


def _delete(server: redis.Redis, keys: list[bytes]) -> None:
    if not keys:
        return
    pipe = server.pipeline(transaction=False)
    for key in keys:
        pipe.delete(key)
    pipe.execute()


def _pairs(flat: Sequence[Any]) -> list[tuple[Any, Any]]:
    return [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2)]


def _triple(values: Sequence[bytes | int | None]) -> tuple[int, int, int]:
    u, e, k = (int(v or 0) for v in values)
    return u, e, k
