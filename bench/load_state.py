"""Round trips and time to load one user's state from Redis (RedisStorage.load, then decode).

Seeds 1,000 typical users (see bench/memory.py) with the real Lua scripts, then loads random
users through RedisStorage and counts, per load:
- socket writes and replies read, by wrapping redis-py's Connection.send_packed_command and
  read_response (a round trip is one write answered by its replies);
- commands the server executed, from INFO commandstats deltas.
Times every load with perf_counter_ns and prints p50 / p99 / mean, with redis-py's hiredis
parser and with its pure-Python one (each in a fresh process: the parser is chosen at import).

Usage: python bench/load_state.py [--loads 5000]
Uses REDIS_URL when set (keys under the prefix "ob" are overwritten), else a throwaway server.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The repo root instead of bench/ on sys.path: bench/http.py would shadow the stdlib's http.
sys.path[0] = str(ROOT)
if "--parser=python" in sys.argv:
    sys.modules["hiredis"] = None  # type: ignore[assignment]  # makes redis-py fall back to its Python parser

import redis
import redis.connection
from redis.utils import HIREDIS_AVAILABLE

from bench.memory import EVENTS, ours, users
from bench.redis_process import throwaway_redis
from onboarding_sdk.storage import layout, storage_from_uri

SEEDED_USERS = 1000
counts = {"writes": 0, "reads": 0}


def counting(method: Callable[..., Any], name: str) -> Callable[..., Any]:
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        counts[name] += 1
        return method(self, *args, **kwargs)

    return wrapper


# Every redis-py socket connection (TCP, TLS, unix) inherits these two from AbstractConnection.
redis.connection.AbstractConnection.send_packed_command = counting(  # type: ignore[method-assign]
    redis.connection.AbstractConnection.send_packed_command, "writes"
)
redis.connection.AbstractConnection.read_response = counting(  # type: ignore[method-assign]
    redis.connection.AbstractConnection.read_response, "reads"
)


def commands_executed(client: redis.Redis) -> int:
    stats = client.info("commandstats")
    return sum(int(value["calls"]) for name, value in stats.items() if name != "cmdstat_info")


def measure(url: str, loads: int) -> None:
    store = storage_from_uri(url, prefix="ob", timeout=2.0)
    admin = redis.Redis.from_url(url)
    ids = [str(100_000 + n) for n in range(SEEDED_USERS)]
    names = {layout.event_field(code): name for code, name in enumerate(EVENTS, start=1)}
    rng = random.Random(1)
    for user in ids[:50]:  # warm up: connect, handshake
        store.load(user)

    before = {**counts}
    executed = commands_executed(admin)
    load_ns: list[int] = []
    for _ in range(loads):
        user = rng.choice(ids)
        started = time.perf_counter_ns()
        record = store.load(user)
        load_ns.append(time.perf_counter_ns() - started)
        assert record, user
    executed = commands_executed(admin) - executed
    writes = (counts["writes"] - before["writes"]) / loads
    reads = (counts["reads"] - before["reads"]) / loads

    # The page view's read: the record and the content revision (one script on one server).
    before = {**counts}
    executed_rev = commands_executed(admin)
    revision_ns: list[int] = []
    for _ in range(loads):
        user = rng.choice(ids)
        started = time.perf_counter_ns()
        record, _revision = store.load_with_revision(user)
        revision_ns.append(time.perf_counter_ns() - started)
        assert record, user
    executed_rev = commands_executed(admin) - executed_rev
    writes_rev = (counts["writes"] - before["writes"]) / loads

    decode_ns: list[int] = []
    for _ in range(loads):
        user = rng.choice(ids)
        started = time.perf_counter_ns()
        layout.decode_user(user, store.load(user), names, {})
        decode_ns.append(time.perf_counter_ns() - started)

    parser = "hiredis" if HIREDIS_AVAILABLE else "python"
    print(f"parser {parser}: per load {writes:.2f} socket writes, {reads:.2f} replies, "
          f"{executed / loads:.2f} server commands (INFO commandstats)")  # fmt: skip
    print(f"  load()                 {summary(load_ns)}")
    print(f"  load_with_revision()   {summary(revision_ns)}   ({writes_rev:.2f} writes, "
          f"{executed_rev / loads:.2f} server commands per call: EVALSHA and the HGETALL and GET it runs)")  # fmt: skip
    print(f"  load() + decode_user() {summary(decode_ns)}")
    store.close()
    admin.close()


def summary(samples_ns: list[int]) -> str:
    ordered = sorted(samples_ns)
    p50 = ordered[len(ordered) // 2] / 1000
    p99 = ordered[int(len(ordered) * 0.99)] / 1000
    return f"p50 {p50:6.1f} us   p99 {p99:6.1f} us   mean {statistics.fmean(ordered) / 1000:6.1f} us"


def seed(url: str) -> None:
    client = redis.Redis.from_url(url)
    ours(client, list(users(SEEDED_USERS)), "d")
    client.close()


def run_all(url: str, loads: int) -> None:
    seed(url)
    for parser in ("hiredis", "python"):
        command = [sys.executable, __file__, f"--parser={parser}", "--measure", url, "--loads", str(loads)]
        subprocess.run(command, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loads", type=int, default=5000)
    parser.add_argument("--measure", metavar="URL", help="internal: measure against this seeded server")
    parser.add_argument("--parser", choices=["hiredis", "python"], default="hiredis", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.measure, args.loads)
        return
    url = os.environ.get("REDIS_URL")
    if url:
        run_all(url, args.loads)
    else:
        with throwaway_redis() as uri:
            run_all(uri, args.loads)


if __name__ == "__main__":
    main()
