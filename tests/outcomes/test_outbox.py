"""Events out: the stream, its consumer group, redelivery, dead letters, and a worker killed mid-batch."""

from __future__ import annotations

import logging
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import redis
import redis.cluster
from flask import Flask

from onboarding_sdk import signals
from onboarding_sdk.outbox import (
    MemoryStream,
    Outbox,
    OutboxEvent,
    RedisStream,
    StreamBackend,
    StreamWorker,
    connect,
)
from tests import servers

AT = datetime(2026, 12, 2, 9, 30, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis", "cluster"])
def stream(request: pytest.FixtureRequest) -> Iterator[StreamBackend]:
    key = f"{{test}}outbox:{uuid.uuid4().hex}"
    if request.param == "memory":
        yield MemoryStream(clock=Clock())
        return
    if request.param == "redis":
        server: servers.Server = request.getfixturevalue("redis_server")
        client: Any = redis.Redis(port=server.port)
    else:
        nodes: list[servers.Server] = request.getfixturevalue("redis_cluster")
        client = redis.cluster.RedisCluster(host="127.0.0.1", port=nodes[0].port)
    yield RedisStream(client, key)
    client.delete(key, key + ":dead")
    client.close()


def fill(stream: StreamBackend, count: int) -> list[str]:
    outbox = Outbox(stream, lambda: AT)
    ids = [
        outbox.append("event_tracked", {"user_id": str(n), "event": "report_created", "at": AT}) for n in range(count)
    ]
    assert all(ids)
    return [i for i in ids if i]


def test_every_event_is_delivered_once_in_order_and_acknowledged(stream: StreamBackend) -> None:
    ids = fill(stream, 25)
    seen: list[OutboxEvent] = []
    worker = StreamWorker(stream, seen.append, batch=10, block_ms=10)
    while worker.run_once():
        pass
    assert [e.id for e in seen] == ids
    assert seen[0].type == "event_tracked" and seen[0].data == {
        "user_id": "0",
        "event": "report_created",
        "at": AT.isoformat(),
    }
    assert seen[0].at == AT.isoformat() and seen[0].deliveries == 1
    assert worker.run_once() == 0  # nothing pending, nothing new


def test_two_workers_in_one_group_share_the_events_without_overlap(stream: StreamBackend) -> None:
    fill(stream, 30)
    first: list[str] = []
    second: list[str] = []
    one = StreamWorker(stream, lambda e: first.append(e.id), consumer="one", batch=7, block_ms=10)
    two = StreamWorker(stream, lambda e: second.append(e.id), consumer="two", batch=7, block_ms=10)
    while one.run_once() + two.run_once():
        pass
    assert first and second
    assert not set(first) & set(second)
    assert len(first) + len(second) == 30


def test_a_failing_handler_leaves_the_event_pending_and_it_comes_back(stream: StreamBackend) -> None:
    ids = fill(stream, 3)
    calls: list[str] = []

    def flaky(event: OutboxEvent) -> None:
        calls.append(event.id)
        if len(calls) == 2:
            raise ConnectionError("webhook down")

    worker = StreamWorker(stream, flaky, batch=10, block_ms=10, claim_idle_ms=0)
    assert worker.run_once() == 1  # the first, then the failure stops the batch
    assert worker.failures == 1
    delivered = 0
    for _ in range(5):
        delivered += worker.run_once()
    assert delivered == 2
    # the failed event and the one read behind it are claimed again; the first is not repeated
    assert calls == [ids[0], ids[1], ids[1], ids[2]]


def test_an_event_that_keeps_failing_goes_to_the_dead_letter_stream(
    stream: StreamBackend, caplog: pytest.LogCaptureFixture
) -> None:
    fill(stream, 1)

    def broken(event: OutboxEvent) -> None:
        raise ValueError("cannot handle")

    worker = StreamWorker(stream, broken, batch=10, block_ms=10, claim_idle_ms=0, max_deliveries=3)
    with caplog.at_level(logging.ERROR, logger="onboarding_sdk.outbox"):
        for _ in range(6):
            worker.run_once()
    assert any("dead-letter" in r.getMessage() for r in caplog.records)
    healthy: list[str] = []
    fill(stream, 1)
    StreamWorker(stream, lambda e: healthy.append(e.type), batch=10, block_ms=10, claim_idle_ms=0).run_once()
    assert healthy == ["event_tracked"]  # the poisoned event no longer blocks the rest
    if isinstance(stream, MemoryStream):
        assert len(stream.dead) == 1
    else:
        assert isinstance(stream, RedisStream) and stream.client.xlen(stream.dead_key) == 1


def test_the_stream_is_bounded() -> None:
    stream = MemoryStream(maxlen=10)
    fill(stream, 25)
    assert stream.length() == 10


def test_a_pending_event_trimmed_away_is_reported_not_redelivered(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    stream = MemoryStream(maxlen=3, clock=clock)
    fill(stream, 3)
    stream.ensure_group("onboarding")
    stream.read_new("onboarding", "dead-worker", 10, 0)  # a worker took them and died
    fill(stream, 3)  # new events push the pending ones out
    clock.now += 120
    seen: list[str] = []
    with caplog.at_level(logging.WARNING, logger="onboarding_sdk.outbox"):
        StreamWorker(stream, lambda e: seen.append(e.id), batch=10, block_ms=0).run_once()
    assert any("3 pending events were trimmed" in r.getMessage() for r in caplog.records)


def test_an_append_that_fails_is_logged_with_the_event_and_does_not_raise(caplog: pytest.LogCaptureFixture) -> None:
    class Down(MemoryStream):
        def add(self, fields: dict[str, str]) -> str:
            raise redis.ConnectionError("connection refused")

    outbox = Outbox(Down(), lambda: AT)
    with caplog.at_level(logging.ERROR, logger="onboarding_sdk.outbox"):
        assert outbox.append("stage_changed", {"user_id": "7", "old": "awareness", "new": "use"}) is None
    assert outbox.dropped == 1
    assert '"user_id": "7"' in caplog.text and "stage_changed" in caplog.text


def test_connected_signals_of_one_app_go_out_and_other_apps_do_not() -> None:
    app, other = Flask("a"), Flask("b")
    stream = MemoryStream()
    disconnect = connect(app, Outbox(stream, lambda: AT))
    signals.stage_changed.send(app, user_id="7", old="awareness", new="use", at=AT)
    signals.guide_dismissed.send(app, user_id="7", guide_id="tip")
    signals.guide_dismissed.send(other, user_id="8", guide_id="tip")
    disconnect()
    signals.guide_dismissed.send(app, user_id="9", guide_id="tip")
    assert [(f["type"], f["data"]) for _i, f in stream.entries] == [
        ("stage_changed", '{"at": "2026-12-02T09:30:00+00:00", "new": "use", "old": "awareness", "user_id": "7"}'),
        ("guide_dismissed", '{"guide_id": "tip", "user_id": "7"}'),
    ]
    with pytest.raises(ValueError, match="unknown event types"):
        connect(app, Outbox(stream, lambda: AT), ["guide_clicked"])


@pytest.mark.parametrize("topology", ["redis", "cluster"])
def test_a_worker_killed_mid_batch_loses_nothing(topology: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    if topology == "redis":
        port = request.getfixturevalue("redis_server").port
        client: Any = redis.Redis(port=port)
    else:
        port = request.getfixturevalue("redis_cluster")[0].port
        client = redis.cluster.RedisCluster(host="127.0.0.1", port=port)
    key = f"{{kill}}outbox:{uuid.uuid4().hex}"
    stream = RedisStream(client, key)
    StreamWorker(stream, lambda e: None)  # creates the group before anything is read
    ids = fill(stream, 40)
    record = tmp_path / "handled.txt"
    dying = subprocess.run(
        [sys.executable, "-m", "tests.outbox_worker", topology, str(port), key, str(record), "15"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert dying.returncode == 3, dying.stderr
    before = record.read_text().split()
    assert len(before) == 15
    survivor: list[str] = []
    worker = StreamWorker(
        stream, lambda e: survivor.append(e.id), consumer="survivor", batch=10, block_ms=50, claim_idle_ms=0
    )
    for _ in range(20):
        worker.run_once()
    assert set(before) | set(survivor) == set(ids)  # at least once: nothing lost
    assert before[-1] in survivor  # handled by the dead worker but never acknowledged: delivered again
    assert client.xpending(key, "onboarding")["pending"] == 0
    client.delete(key)
