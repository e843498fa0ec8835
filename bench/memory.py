"""Bytes of Redis memory per typical user: our compact layout next to a naive one.

A typical user: 10 event types, 5 dismissed guides, 60 active days spread over 90 days,
signed up ~90 days ago, now in stage 2. Each layout is written for N users (default
100,000) into one redis-server, and measured as the growth of INFO memory used_memory.

- ours: the real track.lua (one call per active day, pipelined) and advance_stage.lua,
  plus the 5 dismissed guides as fields g<code>; measured twice, with the guide value
  b"d" and with the state guide_action.lua really writes (shown, then dismissed).
- ours + index: the same, plus the population index the real track() keeps (the calls
  RedisIndex.note_calls builds for every activity: note_user.lua in the user's bucket and
  note_account.lua in the account's; the account's last day in the global accounts key;
  count_stages.lua for the two stage moves), users in accounts of ACCOUNT_SIZE; the index's
  own share is printed too, and where its bytes go (MEMORY USAGE per kind of key). Per-day
  keys are shared by every user active that day, so their share shrinks with more users; they
  expire after 373 days.
- naive: one hash per user with readable fields (signed_up_at, stage, first_seen,
  last_seen, <event>:count / :first / :last in epoch seconds) plus one set per user
  holding the active days as "YYYY-MM-DD" and the dismissed guide ids.

Usage: python bench/memory.py [--users 100000] [--real-guides] [--no-index]   (about 2.5 minutes per 100,000 users)
Uses REDIS_URL when set (its database is FLUSHed first), else starts a throwaway redis-server.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import redis

# Replace the script's own directory on sys.path with the repo root: bench/http.py
# would otherwise shadow the standard library's http package.
sys.path[0] = str(Path(__file__).resolve().parent.parent)
from bench.redis_process import throwaway_redis
from onboarding_sdk.storage import keys, layout
from onboarding_sdk.storage.redis import (
    RedisStorage,
    guide_action_args,
    script_source,
    stage_args,
    stages_call,
    track_args,
)
from onboarding_sdk.timeutil import DAY

NOW = 1_760_000_000
EVENTS = ["installed_code", "report_created", "funnel_created", "export_done", "alert_set",
          "dashboard_shared", "team_invited", "segment_saved", "goal_set", "api_key_created"]  # fmt: skip
GUIDES = ["how-to-start", "reports-filter-help", "install-code-tooltip", "funnels-intro", "whats-new-2025-09"]
BATCH = 2000  # commands per pipeline flush
SCRIPTS = ("track", "advance_stage", "guide_action")
ACCOUNT_SIZE = 10  # users per account (a B2B product's small teams)


@dataclass(frozen=True)
class User:
    id: str
    signup: int
    times: list[int]  # one activity per active day, sorted
    events: list[str]  # the event of each activity
    dismissed_day: int


def users(count: int, seed: int = 7) -> Iterator[User]:
    rng = random.Random(seed)
    today = NOW // DAY
    for number in range(count):
        days = sorted(rng.sample(range(today - 89, today + 1), 60))
        times = [day * DAY + rng.randint(8 * 3600, 20 * 3600) for day in days]
        events = [EVENTS[i % len(EVENTS)] for i in range(len(times))]  # each event 6 times
        yield User(str(100_000 + number), days[0] * DAY - rng.randint(60, 3600), times, events, days[-1])


def used_memory(client: redis.Redis) -> int:
    return int(client.info("memory")["used_memory"])


def pipelined(client: redis.Redis, writes: Iterator[Callable[[redis.client.Pipeline], object]]) -> None:
    pipe = client.pipeline(transaction=False)
    pending = 0
    for write in writes:
        write(pipe)
        pending += 1
        if pending >= BATCH:
            pipe.execute()
            pending = 0
    pipe.execute()


def ours(client: redis.Redis, people: list[User], guide_state: str, with_index: bool = False) -> None:
    # The package's scripts, loaded once and called by SHA: redis-py's Script objects
    # would add a SCRIPT EXISTS to every pipeline flush and cost Python time per call.
    track, stage, guide = (str(client.script_load(script_source(name))) for name in SCRIPTS)
    fields = {name: layout.event_field(code) for code, name in enumerate(EVENTS, start=1)}
    guide_fields = [layout.guide_field(code) for code in range(1, len(GUIDES) + 1)]

    index_scripts = ("note_user", "note_account", "count_stages")
    shas = {name: str(client.script_load(script_source(name))) for name in index_scripts}
    accounts_key = keys.accounts_key("ob")
    index = RedisStorage("redis://127.0.0.1:1/0", prefix="ob").index  # builds the calls only: never connects

    def script(call: tuple[str, list[str], list[str]]) -> Callable[[redis.client.Pipeline], object]:
        name, script_keys, args = call
        return lambda p: p.evalsha(shas[name], len(script_keys), *script_keys, *args)

    def writes() -> Iterator[Callable[[redis.client.Pipeline], object]]:
        for number, user in enumerate(people):
            key = [layout.user_key("ob", user.id)]
            account = f"acct-{number // ACCOUNT_SIZE}"
            bucket = keys.user_bucket_prefix("ob", keys.DEFAULT_BUCKETS, user.id)
            for at, event in zip(user.times, user.events, strict=True):
                args = track_args(fields[event], at, user.signup)
                yield lambda p, key=key, args=args: p.evalsha(track, 1, *key, *args)
                if with_index:
                    day = at // DAY
                    user_call, account_call = index.note_calls(user.id, account, day, 1, 0)
                    yield script(user_call)
                    if account_call is not None:
                        yield script(account_call)
                    yield lambda p, a=account, d=day: p.zadd(accounts_key, {a: d}, gt=True)
            args = stage_args(0, 2, {1: user.times[5], 2: user.times[30]})
            yield lambda p, key=key, args=args: p.evalsha(stage, 1, *key, *args)
            if with_index:
                for at, entered, left in ((user.times[5], "use", "awareness"), (user.times[30], "depth", "use")):
                    yield script(stages_call(bucket, at // DAY, [entered], [(left, 3)]))
            for field in guide_fields:
                if guide_state == "d":
                    yield lambda p, key=key, field=field: p.hset(key[0], field, b"d")
                else:
                    for action in ("shown", "dismiss"):
                        args = guide_action_args(field, action, user.dismissed_day, 0, 0)
                        yield lambda p, key=key, args=args: p.evalsha(guide, 1, *key, *args)

    pipelined(client, writes())


def naive(client: redis.Redis, people: list[User]) -> None:
    def writes() -> Iterator[Callable[[redis.client.Pipeline], object]]:
        for user in people:
            fields: dict[str, str | int] = {
                "signed_up_at": user.signup,
                "stage": "depth",
                "first_seen": user.times[0],
                "last_seen": user.times[-1],
            }
            for event in EVENTS:
                times = [at for at, name in zip(user.times, user.events, strict=True) if name == event]
                fields.update({f"{event}:count": len(times), f"{event}:first": times[0], f"{event}:last": times[-1]})
            members = [datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d") for at in user.times] + GUIDES
            yield lambda p, user=user, fields=fields: p.hset(f"user:{user.id}", mapping=fields)
            yield lambda p, user=user, members=members: p.sadd(f"user:{user.id}:seen", *members)

    pipelined(client, writes())


def measure(client: redis.Redis, label: str, write: Callable[[], None], count: int, sample_key: str) -> float:
    client.flushdb()
    before = used_memory(client)
    started = time.perf_counter()
    write()
    elapsed = time.perf_counter() - started
    per_user = (used_memory(client) - before) / count
    sample = client.memory_usage(sample_key, samples=0)
    encoding = client.object("encoding", sample_key)
    print(f"{label:<44} {per_user:8.1f} B/user   one key: MEMORY USAGE {sample} B ({encoding!r})   [{elapsed:.0f} s]")
    return per_user


def index_breakdown(client: redis.Redis, count: int) -> None:
    """MEMORY USAGE summed per kind of index key (the part after the bucket tag)."""
    kinds: dict[str, list[int]] = {}
    for key in client.scan_iter(match="ob:{*", count=1000):
        tail = key.decode().split("}:", 1)[1]
        kind = tail.split(":", 1)[0] + (":<x>" if ":" in tail else "")
        if "{accounts}" in key.decode():
            kind = "{accounts}:" + kind
        elif tail.isdigit():
            kind = "<day> (counters)"
        found = kinds.setdefault(kind, [0, 0])
        found[0] += 1
        found[1] += int(client.memory_usage(key, samples=0) or 0)
    for kind, (keys_found, used) in sorted(kinds.items(), key=lambda item: -item[1][1]):
        print(f"    {kind:<28} {keys_found:6} keys  {used / count:8.1f} B/user")


def run(url: str, count: int, real_guides: bool, index: bool = True) -> None:
    client = redis.Redis.from_url(url)
    people = list(users(count))
    print(f"redis {client.info('server')['redis_version']}, {count} users, {client.config_get('hash-max-*')}")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    first = layout.user_key("ob", people[0].id)
    mine = measure(client, "ours (guide value b'd')", lambda: ours(client, people, "d"), count, first)
    if index:
        with_index = measure(
            client, "ours + population index", lambda: ours(client, people, "d", with_index=True), count, first
        )
        print(f"{'  of which the population index:':<44} {with_index - mine:8.1f} B/user")
        index_breakdown(client, count)
    real = measure(
        client, "ours (guide state from guide_action.lua)", lambda: ours(client, people, "real"), count, first
    )
    theirs = measure(client, "naive (hash + set)", lambda: naive(client, people), count, f"user:{people[0].id}")
    set_usage = client.memory_usage(f"user:{people[0].id}:seen", samples=0)
    set_encoding = client.object("encoding", f"user:{people[0].id}:seen")
    print(f"{'  of which the naive set, one key:':<44} MEMORY USAGE {set_usage} B ({set_encoding!r})")
    print(f"ratio ours/naive: {mine / theirs:.3f} (goal <= 0.50)")
    if real is not None:
        print(f"ratio ours/naive with the real guide state: {real / theirs:.3f}")
    client.flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--real-guides", action="store_true", help="also measure guides written by guide_action.lua")
    parser.add_argument("--no-index", action="store_true", help="leave out the population index's measurement")
    args = parser.parse_args()
    url = os.environ.get("REDIS_URL")
    if url:
        run(url, args.users, args.real_guides, not args.no_index)
    else:
        with throwaway_redis() as uri:
            run(uri, args.users, args.real_guides, not args.no_index)


if __name__ == "__main__":
    main()
