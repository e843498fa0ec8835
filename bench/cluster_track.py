"""track() on a three-master local Redis Cluster against a single node, and how the writes spread.

Starts its own servers (tests/servers.py: a single redis-server and a 3-master cluster with
equal slot ranges), then, for each store, runs ``--workers`` processes that call the real
``RedisStorage.track_and_note`` (the user's track.lua and the population index's
note_user.lua, in the user's bucket, and note_account.lua, in the account's, in one pipeline)
for distinct users (TRACKS_PER_DAY calls each a day, in
accounts of 10) during ``--seconds``, and reports:

- track() calls per second (all workers together);
- per master, the script calls (EVALSHA) and the population index's share of them (counted as
  the ZSCORE calls note_user.lua and note_account.lua make, one each: track.lua makes none), and the spread: the busiest
  master's share over the mean (goal: within 20%).

The cluster runs twice: with the index's 24 buckets, and with ``index_buckets=1`` (every index
key in one slot, the layout before the buckets) to show the hot node the buckets remove.

The load generator is Python, on the same machine: on a small or loaded machine the clients,
not Redis, bound the throughput, so compare the runs with each other (same run, same load) and
read the spread as the result. The load average is printed.

Usage: python bench/cluster_track.py [--workers 4] [--seconds 10] [--users 20000]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import redis

sys.path[0] = str(Path(__file__).resolve().parent.parent)
from onboarding_sdk.storage.redis import RedisStorage
from tests import servers

NOW = 1_760_000_000
TRACKS_PER_DAY = 10


def worker(uri: str, buckets: int, number: int, users: int, seconds: float, result: multiprocessing.Queue[int]) -> None:
    storage = RedisStorage(uri, prefix="bench", timeout=5.0, index_buckets=buckets)
    calls = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for _ in range(50):
            user = f"w{number}-{calls % users}"
            # Each user comes TRACKS_PER_DAY times a day, then a new day starts: new active days
            # keep coming, as in real traffic (the index does most work on a user's first track
            # of a day, and the account's global day at most once per bucket and day).
            at = NOW + (calls // (users * TRACKS_PER_DAY)) * 86400 + calls % 3600
            storage.track_and_note(user, "e1", at, None, f"acct-{calls % users // 10}", 1, 0)
            calls += 1
    storage.close()
    result.put(calls)


def stats(nodes: Sequence[redis.Redis]) -> list[tuple[int, int, float]]:
    """Per node: EVALSHA calls, ZSCORE calls and the server's CPU seconds so far."""
    found = []
    for node in nodes:
        info = node.info("commandstats")
        cpu = node.info("cpu")
        evalsha = int(info.get("cmdstat_evalsha", {}).get("calls", 0))
        zscore = int(info.get("cmdstat_zscore", {}).get("calls", 0))
        found.append((evalsha, zscore, float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"])))
    return found


def run(label: str, uri: str, nodes: Sequence[redis.Redis], buckets: int, args: argparse.Namespace) -> None:
    for node in nodes:
        node.flushall()
        node.config_resetstat()
    before = stats(nodes)
    queue: multiprocessing.Queue[int] = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=worker, args=(uri, buckets, n, args.users, args.seconds, queue))
        for n in range(args.workers)
    ]
    started = time.perf_counter()
    for proc in procs:
        proc.start()
    total = sum(queue.get() for _ in procs)
    for proc in procs:
        proc.join()
    elapsed = time.perf_counter() - started
    after = stats(nodes)
    cpu = [a[2] - b[2] for a, b in zip(after, before, strict=True)]
    print(f"{label}: {total / elapsed:,.0f} track()/s ({total:,} calls, {args.workers} workers, {elapsed:.1f} s)")
    # What the busiest server could take at one full core (Redis runs commands on one thread).
    print(f"  Redis CPU: {1e6 * sum(cpu) / total:.0f} us per track() in all; ceiling {total / max(cpu):,.0f} track()/s")
    if len(nodes) > 1:
        scripts = [a[0] for a in after]
        index = [a[1] for a in after]
        for i, (s, z, _) in enumerate(after):
            share, index_share = s / max(1, sum(scripts)), z / max(1, sum(index))
            print(f"  master {i + 1}: {s:>9,} script calls ({share:.1%}), index {index_share:.1%}, CPU {cpu[i]:.2f} s")
        over_s = max(scripts) / (sum(scripts) / len(scripts)) - 1
        over_i = max(index) / (sum(index) / len(index)) - 1
        print(f"  busiest master over the mean: scripts {over_s:+.1%}, index {over_i:+.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=20_000, help="users per worker")
    args = parser.parse_args()
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} CPUs")
    with tempfile.TemporaryDirectory() as work:
        for name in ("single", "cluster"):
            (Path(work) / name).mkdir()
        with servers.running_server(Path(work) / "single") as single:
            run("single node", f"redis://{single.address}/0", [single.client()], 24, args)
        with servers.running_cluster(Path(work) / "cluster") as cluster:
            uri = servers.cluster_uri(cluster)
            clients = [server.client() for server in cluster]
            run("cluster, 3 masters, 24 buckets", uri, clients, 24, args)
            run("cluster, 3 masters, 1 bucket (the layout before)", uri, clients, 1, args)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
