"""Events out (issue 15 item 6): onboarding events on a Redis Stream, read by a consumer group.

The extension appends an entry for each onboarding event after the store write it describes
succeeded (the signals' rule). Workers (``flask onboarding stream``) read the stream as one
consumer group, so several share the work; an entry is acknowledged only after the host's
handler returned, and entries a dead worker left pending are claimed by the others after
``claim_idle_ms``. Delivery is therefore at least once: handlers should be idempotent (every
event carries its stream ``id``; Segment's ``messageId`` takes it). An entry that failed
``max_deliveries`` times moves to a dead-letter stream instead of blocking the rest.

The stream is bounded (``maxlen``, trimmed approximately, as Redis does cheaply): when no worker
reads for long enough, the oldest entries go; a worker that meets trimmed entries logs how many.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

logger = logging.getLogger("onboarding_sdk.outbox")

#: Entries kept in the stream (about; trimmed with MAXLEN ~).
DEFAULT_MAXLEN = 100_000
DEFAULT_GROUP = "onboarding"
Entry = tuple[str, dict[str, str]]


@dataclass(frozen=True)
class OutboxEvent:
    #: The stream entry id: unique and increasing; use it to deduplicate deliveries.
    id: str
    type: str
    #: When it happened (ISO 8601, UTC).
    at: str
    data: Mapping[str, Any]
    #: 1 on the first delivery, more when it is delivered again after a failure or a dead worker.
    deliveries: int = 1

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "at": self.at, "data": dict(self.data)}


def encode(kind: str, at: datetime, data: Mapping[str, Any]) -> dict[str, str]:
    """The stream fields of one event: its type, time and JSON data."""
    return {"type": kind, "at": at.isoformat(), "data": json.dumps(dict(data), default=_json_default, sort_keys=True)}


def decode(entry_id: str, fields: Mapping[str, str], deliveries: int = 1) -> OutboxEvent:
    return OutboxEvent(
        entry_id, fields.get("type", ""), fields.get("at", ""), json.loads(fields.get("data", "{}")), deliveries
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return sorted(value) if isinstance(value, set | frozenset) else list(value)
    return str(value)


class StreamBackend(Protocol):
    """The few stream operations the outbox needs: Redis (any topology) or memory."""

    def add(self, fields: dict[str, str]) -> str: ...
    def ensure_group(self, group: str) -> None: ...
    def read_new(self, group: str, consumer: str, count: int, block_ms: int) -> list[Entry]: ...
    def claim_stale(self, group: str, consumer: str, idle_ms: int, count: int) -> tuple[list[Entry], int]: ...
    def deliveries(self, group: str, entry_id: str) -> int: ...
    def ack(self, group: str, entry_ids: Sequence[str]) -> None: ...
    def dead_letter(self, fields: dict[str, str]) -> None: ...
    def length(self) -> int: ...


class RedisStream:
    """A stream in Redis (single node or Cluster: one key, so one hash slot)."""

    def __init__(self, client: Any, key: str, maxlen: int = DEFAULT_MAXLEN) -> None:
        self.client, self.key, self.maxlen = client, key, maxlen
        self.dead_key = key + ":dead"

    def add(self, fields: dict[str, str]) -> str:
        return _text(self.client.xadd(self.key, fields, maxlen=self.maxlen, approximate=True))

    def ensure_group(self, group: str) -> None:
        import redis

        try:
            self.client.xgroup_create(self.key, group, id="0", mkstream=True)
        except redis.ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def read_new(self, group: str, consumer: str, count: int, block_ms: int) -> list[Entry]:
        answer = self.client.xreadgroup(group, consumer, {self.key: ">"}, count=count, block=block_ms or None)
        entries: list[Entry] = []
        for _stream, items in answer or []:
            entries.extend((_text(entry_id), _fields(raw)) for entry_id, raw in items)
        return entries

    def claim_stale(self, group: str, consumer: str, idle_ms: int, count: int) -> tuple[list[Entry], int]:
        answer = self.client.xautoclaim(self.key, group, consumer, min_idle_time=idle_ms, start_id="0-0", count=count)
        items, trimmed = answer[1], answer[2] if len(answer) > 2 else []
        # an entry trimmed away while pending comes back as None (Redis 6.2) or in the deleted list (7+)
        entries = [(_text(entry_id), _fields(raw)) for entry_id, raw in items if raw is not None]
        gone = len(trimmed) + sum(1 for _id, raw in items if raw is None)
        return entries, gone

    def deliveries(self, group: str, entry_id: str) -> int:
        rows = self.client.xpending_range(self.key, group, min=entry_id, max=entry_id, count=1)
        return int(rows[0]["times_delivered"]) if rows else 1

    def ack(self, group: str, entry_ids: Sequence[str]) -> None:
        if entry_ids:
            self.client.xack(self.key, group, *entry_ids)

    def dead_letter(self, fields: dict[str, str]) -> None:
        self.client.xadd(self.dead_key, fields, maxlen=self.maxlen, approximate=True)

    def length(self) -> int:
        return int(self.client.xlen(self.key))


@dataclass
class _Pending:
    consumer: str
    delivered_at: float
    deliveries: int


@dataclass
class MemoryStream:
    """The same stream in this process only (``memory://``: tests and development)."""

    maxlen: int = DEFAULT_MAXLEN
    clock: Callable[[], float] = time.monotonic
    entries: list[Entry] = field(default_factory=list)
    dead: list[dict[str, str]] = field(default_factory=list)
    _groups: dict[str, tuple[tuple[int, int], dict[str, _Pending]]] = field(default_factory=dict)
    _sequence: int = 0
    _last_millis: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, fields: dict[str, str]) -> str:
        with self._lock:
            self._sequence += 1
            # ids increase like Redis's even if the wall clock steps back
            self._last_millis = max(self._last_millis, int(time.time() * 1000))
            entry_id = f"{self._last_millis}-{self._sequence}"
            self.entries.append((entry_id, dict(fields)))
            del self.entries[: max(0, len(self.entries) - self.maxlen)]
            return entry_id

    def ensure_group(self, group: str) -> None:
        with self._lock:
            self._groups.setdefault(group, ((0, 0), {}))

    def read_new(self, group: str, consumer: str, count: int, block_ms: int) -> list[Entry]:
        with self._lock:
            last, pending = self._groups[group]
            fresh = [(i, f) for i, f in self.entries if _order(i) > last][:count]
            for entry_id, _fields in fresh:
                pending[entry_id] = _Pending(consumer, self.clock(), 1)
            if fresh:
                self._groups[group] = (_order(fresh[-1][0]), pending)
            return fresh  # no blocking in memory: the worker's loop sleeps instead

    def claim_stale(self, group: str, consumer: str, idle_ms: int, count: int) -> tuple[list[Entry], int]:
        with self._lock:
            _last, pending = self._groups[group]
            present = dict(self.entries)
            claimed: list[Entry] = []
            gone = 0
            for entry_id in sorted(pending, key=_order):
                state = pending[entry_id]
                if (self.clock() - state.delivered_at) * 1000 < idle_ms or len(claimed) >= count:
                    continue
                if entry_id not in present:
                    del pending[entry_id]
                    gone += 1
                    continue
                pending[entry_id] = _Pending(consumer, self.clock(), state.deliveries + 1)
                claimed.append((entry_id, present[entry_id]))
            return claimed, gone

    def deliveries(self, group: str, entry_id: str) -> int:
        with self._lock:
            state = self._groups[group][1].get(entry_id)
            return state.deliveries if state else 1

    def ack(self, group: str, entry_ids: Sequence[str]) -> None:
        with self._lock:
            pending = self._groups[group][1]
            for entry_id in entry_ids:
                pending.pop(entry_id, None)

    def dead_letter(self, fields: dict[str, str]) -> None:
        with self._lock:
            self.dead.append(dict(fields))

    def length(self) -> int:
        return len(self.entries)


Handler = Callable[[OutboxEvent], object]


class StreamWorker:
    """Reads the stream as one consumer of ``group`` and hands each event to ``handler``.

    Stale entries (pending longer than ``claim_idle_ms`` with a worker that stopped) are claimed
    first, then new ones are read. The handler's exception leaves the entry pending (it comes
    back after ``claim_idle_ms``) and stops the batch, so one outage does not burn through every
    entry's delivery count; the next batch waits with an exponential backoff.
    """

    def __init__(
        self,
        stream: StreamBackend,
        handler: Handler,
        *,
        group: str = DEFAULT_GROUP,
        consumer: str | None = None,
        batch: int = 100,
        block_ms: int = 5000,
        claim_idle_ms: int = 60_000,
        max_deliveries: int = 10,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.stream, self.handler, self.group = stream, handler, group
        self.consumer = consumer or f"{socket.gethostname()}-{os.getpid()}"
        self.batch, self.block_ms, self.claim_idle_ms = batch, block_ms, claim_idle_ms
        self.max_deliveries = max_deliveries
        self.sleep = sleep
        self.failures = 0
        stream.ensure_group(group)

    def run_once(self) -> int:
        """One batch: returns how many events were delivered (acknowledged)."""
        stale, gone = self.stream.claim_stale(self.group, self.consumer, self.claim_idle_ms, self.batch)
        if gone:
            logger.warning("outbox: %d pending events were trimmed from the stream before delivery", gone)
        entries = [(i, f, self.stream.deliveries(self.group, i)) for i, f in stale]
        if not entries:
            entries = [(i, f, 1) for i, f in self.stream.read_new(self.group, self.consumer, self.batch, self.block_ms)]
        delivered = 0
        for entry_id, fields, deliveries in entries:
            if deliveries > self.max_deliveries:
                logger.error(
                    "outbox: event %s failed %d times; moved to the dead-letter stream", entry_id, deliveries - 1
                )
                self.stream.dead_letter({**fields, "id": entry_id})
                self.stream.ack(self.group, [entry_id])
                continue
            try:
                self.handler(decode(entry_id, fields, deliveries))
            except Exception:
                self.failures += 1
                logger.exception(
                    "outbox: the handler failed on event %s (delivery %d); it stays pending", entry_id, deliveries
                )
                return delivered
            self.stream.ack(self.group, [entry_id])
            delivered += 1
        self.failures = 0
        return delivered

    def run(self, stop: threading.Event | None = None) -> None:
        """Deliver until ``stop`` is set (or forever)."""
        stop = stop or threading.Event()
        while not stop.is_set():
            delivered = self.run_once()
            if self.failures:
                self.sleep(min(30.0, 0.5 * 2 ** min(self.failures, 6)))
            elif not delivered and isinstance(self.stream, MemoryStream):
                self.sleep(self.block_ms / 1000)


def _order(entry_id: str) -> tuple[int, int]:
    millis, _, sequence = entry_id.partition("-")
    return int(millis), int(sequence or 0)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _fields(raw: Mapping[Any, Any]) -> dict[str, str]:
    return {_text(k): _text(v) for k, v in raw.items()}


#: The signals whose events go out, by event type (each signal's keyword data becomes ``data``).
def _signal_table() -> dict[str, Any]:
    from . import signals

    table = {
        "event_tracked": signals.event_tracked,
        "stage_changed": signals.stage_changed,
        "guide_shown": signals.guide_shown,
        "guide_dismissed": signals.guide_dismissed,
        "guide_completed": signals.guide_completed,
        "guide_feedback": signals.guide_feedback,
        "account_dormant": signals.account_dormant,
        "user_forgotten": signals.user_forgotten,
    }
    # signals that later features add (goals, milestones, health, surveys) join when present
    for name in ("goal_reached", "milestone_reached", "account_health_changed", "promoter_identified"):
        signal = getattr(signals, name, None)
        if signal is not None:
            table[name] = signal
    return table


def known_types() -> list[str]:
    """The event types the outbox can carry (``ONBOARDING_OUTBOX`` may list some of them)."""
    return sorted(_signal_table())


class Outbox:
    """Appends onboarding events to the stream; a failed append is logged with the event, never raised.

    The write the event describes has already succeeded, so the host's request must not fail
    because the outbox could not be written; the log line keeps the event for replay.
    """

    def __init__(self, stream: StreamBackend, clock: Callable[[], datetime]) -> None:
        self.stream, self.clock = stream, clock
        self.dropped = 0

    def append(self, kind: str, data: Mapping[str, Any], at: datetime | None = None) -> str | None:
        fields = encode(kind, at or self.clock(), data)
        try:
            return self.stream.add(fields)
        except Exception as exc:  # the store is down or refused: keep the event in the log
            self.dropped += 1
            logger.error("outbox: could not append %s event %s: %s", kind, fields["data"], exc)
            return None


def connect(sender: object, outbox: Outbox, kinds: Sequence[str] | None = None) -> Callable[[], None]:
    """Send ``kinds`` (every known type by default) of ``sender``'s signals to ``outbox``.

    Returns a function that disconnects them again.
    """
    table = _signal_table()
    unknown = sorted(set(kinds or ()) - set(table))
    if unknown:
        raise ValueError(f"ONBOARDING_OUTBOX: unknown event types {unknown}; known: {sorted(table)}")
    receivers: list[tuple[Any, Callable[..., None]]] = []
    for kind in kinds or sorted(table):
        receiver = _receiver(outbox, kind)
        table[kind].connect(receiver, sender=sender, weak=False)
        receivers.append((table[kind], receiver))

    def disconnect() -> None:
        for signal, receiver in receivers:
            signal.disconnect(receiver, sender=sender)

    return disconnect


def _receiver(outbox: Outbox, kind: str) -> Callable[..., None]:
    def receive(_sender: object, **data: Any) -> None:
        at = data.get("at")
        outbox.append(kind, data, at if isinstance(at, datetime) else None)

    return receive
