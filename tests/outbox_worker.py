"""A stream worker in its own process for tests/outcomes/test_outbox.py: it records every event
it is handed in a file and dies (without acknowledging) on the ``die_at``-th one."""

from __future__ import annotations

import os
import sys

import redis
import redis.cluster

from onboarding_sdk.outbox import RedisStream, StreamWorker


def main(kind: str, port: int, key: str, record: str, die_at: int) -> None:
    client = redis.cluster.RedisCluster(host="127.0.0.1", port=port) if kind == "cluster" else redis.Redis(port=port)
    handled = 0

    def handler(event: object) -> None:
        nonlocal handled
        handled += 1
        with open(record, "a") as out:
            out.write(f"{event.id}\n")  # type: ignore[attr-defined]
        if handled == die_at:
            os._exit(3)  # handled, never acknowledged: a worker killed mid-batch

    worker = StreamWorker(RedisStream(client, key), handler, consumer=f"dying-{os.getpid()}", batch=10, block_ms=200)
    while True:
        worker.run_once()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5]))
