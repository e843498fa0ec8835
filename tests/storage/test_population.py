"""The population index, run against every backend: memory, a redis-server and a Redis Cluster.

The reference is the pure Python in ``storage/population.py``: every backend must answer the
same reads as ``PopulationData`` after the same writes.
"""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest
import redis

from onboarding_sdk.storage import Storage, layout
from onboarding_sdk.storage import population as pop
from onboarding_sdk.storage.population import AccountRow, DormantAccount, PopulationData
from onboarding_sdk.storage.redis import RedisStorage
from onboarding_sdk.timeutil import DAY
from tests.storage.support import NOW, TODAY, in_threads, reference, twin


def test_active_users_count_once_per_user_and_day(storage: Storage) -> None:
    for _ in range(3):  # the same user-day, again and again (other processes, other events)
        storage.index.note_activity("u1", "acme", TODAY, 1, 0)
    storage.index.note_activity("u2", "acme", TODAY, 0, 0)
    storage.index.note_activity("u1", "acme", TODAY + 1, 2, 1)
    storage.index.note_activity("u3", None, TODAY + 1, 1, 0)  # no account known for u3
    counters = storage.index.counters([TODAY, TODAY + 1])
    assert counters[TODAY] == {"users|active": 2, "stage|awareness": 2}
    assert counters[TODAY + 1] == {"users|active": 2, "stage|awareness": 1}
    days = storage.index.account_days(["acme", "nobody"], [TODAY, TODAY + 1])
    assert days["acme"] == {TODAY: (2, 3, 0), TODAY + 1: (1, 2, 1)}
    assert days["nobody"] == {TODAY: (0, 0, 0), TODAY + 1: (0, 0, 0)}


def test_the_account_is_remembered_and_followed(storage: Storage) -> None:
    storage.index.note_activity("u1", "acme", TODAY, 0, 0)
    storage.index.note_activity("u1", None, TODAY + 1, 1, 1)  # track(user_id=...) without a profile
    assert storage.index.account_days(["acme"], [TODAY + 1])["acme"][TODAY + 1] == (1, 1, 1)
    storage.index.note_activity("u1", "globex", TODAY + 2, 0, 0)  # moved to another account
    found = storage.index.account_activity("acme", [TODAY + 2], TODAY, 10)
    assert found is not None and found.row == AccountRow("acme", TODAY + 1, 0, 0)
    moved = storage.index.account_activity("globex", [TODAY + 2], TODAY, 10)
    assert moved is not None and moved.row == AccountRow("globex", TODAY + 2, 1, 1)
    assert moved.newest_users == [("u1", TODAY + 2)] and moved.days == {TODAY + 2: (1, 0, 0)}
    assert storage.index.account_activity("nobody", [TODAY], TODAY, 10) is None


def test_backfilled_days_before_the_last_add_events_but_no_active_user(storage: Storage) -> None:
    storage.index.note_activity("u1", "acme", TODAY, 0, 0)
    storage.index.note_activity("u1", "acme", TODAY - 5, 1, 0)
    assert storage.index.account_days(["acme"], [TODAY - 5])["acme"][TODAY - 5] == (0, 1, 0)
    assert storage.index.counters([TODAY - 5])[TODAY - 5] == {}
    assert storage.index.population(TODAY - 1, TODAY, 10).dormant_users == 0  # still last active TODAY


def test_track_and_note_is_track_plus_note(storage: Storage) -> None:
    record = storage.users.track_and_note("u1", "e1", NOW, NOW - DAY, "acme", 1, 1)
    assert record == reference([("e1", NOW, NOW - DAY)])
    again = storage.users.track_and_note("u1", None, NOW + 60, None, None, 0, 0)
    assert again == reference([("e1", NOW, NOW - DAY), (None, NOW + 60, None)])
    assert storage.users.load("u1") == again
    assert storage.index.account_days(["acme"], [TODAY])["acme"][TODAY] == (1, 1, 1)
    assert storage.index.population(TODAY, TODAY, 10).newest_dormant_users == [("u1", TODAY, "acme")]


def test_stage_counts_and_reach(storage: Storage) -> None:
    storage.index.count_stages(TODAY, ["use"], [("awareness", 3)])
    storage.index.count_stages(TODAY, ["use", "depth"], [("awareness", 0), ("use", 0)])
    storage.index.count_stages(TODAY + 1, ["depth"], [("use", 12)])
    storage.index.count_stages(TODAY + 1, [], [])
    assert storage.index.counters([TODAY])[TODAY] == {
        "stage|use": 2,
        "stage|depth": 1,
        "stay|awareness|3": 1,
        "stay|awareness|0": 1,
        "stay|use|0": 1,
    }
    assert storage.index.counters([TODAY + 1])[TODAY + 1] == {"stage|depth": 1, "stay|use|12": 1}
    assert storage.index.population(TODAY, TODAY, 10).reached == {"use": 2, "depth": 2}


def test_population_lists_the_newest_dormant_users_and_accounts(storage: Storage) -> None:
    for user, account, day in [
        ("a1", "acme", TODAY - 40),
        ("a2", "acme", TODAY - 20),
        ("b1", "beta", TODAY - 30),
        ("c1", "core", TODAY - 1),
        ("c2", "core", TODAY - 25),
        ("solo", None, TODAY - 50),
        ("fresh", None, TODAY),
    ]:
        storage.index.note_activity(user, account, day, 1, 0)
    found = storage.index.population(TODAY - 14, TODAY - 29, 3)
    assert found.users == 7 and found.accounts == 3
    assert found.dormant_users == 5 and found.dormant_accounts == 2
    assert found.newest_dormant_users == [
        ("a2", TODAY - 20, "acme"),
        ("c2", TODAY - 25, "core"),
        ("b1", TODAY - 30, "beta"),
    ]
    # last active day, users, users active since the ``since`` day
    assert found.newest_dormant_accounts == [
        AccountRow("acme", TODAY - 20, 2, 1),
        AccountRow("beta", TODAY - 30, 0 + 1, 0),
    ]
    empty = storage.index.population(TODAY - 100, TODAY, 0)
    assert empty.newest_dormant_users == [] and empty.newest_dormant_accounts == [] and empty.dormant_users == 0


def test_each_account_is_claimed_once_per_dormancy_episode(storage: Storage) -> None:
    storage.index.note_activity("a1", "acme", TODAY, 0, 0)
    storage.index.note_activity("b1", "beta", TODAY + 2, 0, 0)
    assert storage.index.claim_dormant_accounts(TODAY - 1, 10) == []
    assert storage.index.claim_dormant_accounts(TODAY, 10) == [DormantAccount("acme", TODAY, 1)]
    assert storage.index.claim_dormant_accounts(TODAY, 10) == []
    assert storage.index.claim_dormant_accounts(TODAY + 1, 10) == []
    assert storage.index.claim_dormant_accounts(TODAY - 3, 10) == []  # a process with a slow clock
    storage.index.note_activity("a2", "acme", TODAY + 5, 0, 0)  # active again: a new episode can start
    assert storage.index.claim_dormant_accounts(TODAY + 4, 10) == [DormantAccount("beta", TODAY + 2, 1)]
    assert storage.index.claim_dormant_accounts(TODAY + 5, 10) == [DormantAccount("acme", TODAY + 5, 2)]
    assert storage.index.claim_dormant_accounts(TODAY + 30, 10) == []


def test_a_claim_stops_after_a_whole_day_past_its_limit(storage: Storage) -> None:
    for account, day in [("a", 1), ("b", 2), ("c", 2), ("d", 2), ("e", 3), ("f", 4)]:
        storage.index.note_activity(f"user-{account}", account, TODAY + day, 0, 0)
    first = storage.index.claim_dormant_accounts(TODAY + 10, 2)
    assert [(d.account_id, d.last_day - TODAY) for d in first] == [("a", 1), ("b", 2), ("c", 2), ("d", 2)]
    second = storage.index.claim_dormant_accounts(TODAY + 10, 2)
    assert [(d.account_id, d.last_day - TODAY) for d in second] == [("e", 3), ("f", 4)]
    assert storage.index.claim_dormant_accounts(TODAY + 10, 2) == []


def test_racing_claims_share_out_the_accounts(storage: Storage) -> None:
    for n in range(30):
        storage.index.note_activity(f"u{n}", f"acct{n}", TODAY + n % 5, 0, 0)
    stores = [twin(storage) for _ in range(8)]
    claimed = in_threads(8, lambda i: [a.account_id for a in stores[i].index.claim_dormant_accounts(TODAY + 10, 4)])
    rest = storage.index.claim_dormant_accounts(TODAY + 10, 1000)
    every = [name for batch in claimed for name in batch] + [a.account_id for a in rest]
    assert sorted(every) == sorted(f"acct{n}" for n in range(30))  # each exactly once


def test_only_one_caller_takes_a_lock(storage: Storage) -> None:
    stores = [twin(storage) for _ in range(8)]
    taken = in_threads(8, lambda i: stores[i].locks.acquire("dormant-check", 60))
    assert taken.count(True) == 1
    assert storage.locks.acquire("other", 60) is True
    with pytest.raises(ValueError):
        storage.locks.acquire("no spaces", 60)


def test_forget_takes_the_user_out_of_the_index(storage: Storage) -> None:
    storage.users.track_and_note("gone", "e1", NOW, NOW, "acme", 1, 0)
    storage.users.track_and_note("kept", "e1", NOW, NOW, "acme", 1, 0)
    assert storage.users.advance_stage("gone", 0, 2, {1: NOW, 2: NOW})
    storage.index.count_stages(TODAY, ["use", "depth"], [("awareness", 0), ("use", 0)], "gone")
    storage.privacy.forget("gone")
    found = storage.index.population(TODAY, TODAY, 10)
    assert found.users == 1 and found.reached == {}
    assert [user for user, _, _ in found.newest_dormant_users] == ["kept"]
    activity = storage.index.account_activity("acme", [TODAY], TODAY, 10)
    assert activity is not None and activity.newest_users == [("kept", TODAY)] and activity.row.users == 1
    assert storage.users.load("gone") == {}


def test_every_backend_matches_the_reference(storage: Storage) -> None:
    rng = random.Random(7)
    data = PopulationData()
    counters: dict[int, dict[str, int]] = {}
    users = [f"u{n}" for n in range(12)]
    accounts = [None, "acme", "beta", "core"]
    for _ in range(200):
        user, account = rng.choice(users), rng.choice(accounts)
        day, events, key = TODAY + rng.randint(-20, 20), rng.randint(0, 2), rng.randint(0, 1)
        if rng.random() < 0.1:
            entered, stays = ["use"], [("awareness", rng.randint(0, 9))]
            storage.index.count_stages(day, entered, stays)
            pop.count_stages(data, counters, day, entered, stays)
        else:
            storage.index.note_activity(user, account, day, events, key)
            pop.note_activity(data, counters, user, account, day, events, key)
    days = list(range(TODAY - 20, TODAY + 21))
    assert storage.index.counters(days) == {day: counters.get(day, {}) for day in days}
    for cutoff, since, limit in [(TODAY, TODAY - 5, 5), (TODAY + 20, TODAY, 100), (TODAY - 10, TODAY - 30, 2)]:
        assert storage.index.population(cutoff, since, limit) == pop.population(data, cutoff, since, limit)
    assert storage.index.account_days(["acme", "beta", "core"], days) == pop.account_days(
        data, ["acme", "beta", "core"], days
    )
    for account in ["acme", "beta", "core", "none"]:
        assert storage.index.account_activity(account, days, TODAY, 3) == pop.account_activity(
            data, account, days, TODAY, 3
        )
    for cutoff in [TODAY - 15, TODAY - 15, TODAY, TODAY + 19, TODAY + 40]:
        assert storage.index.claim_dormant_accounts(cutoff, 2) == pop.claim_dormant(data, cutoff, 2)


@pytest.mark.parametrize("backend", ["redis_uri", "cluster_uri"])
def test_a_restarted_server_gets_the_scripts_again(backend: str, request: pytest.FixtureRequest) -> None:
    storage = RedisStorage(request.getfixturevalue(backend), prefix=f"t{uuid.uuid4().hex[:12]}", timeout=5.0)
    try:
        storage.users.track_and_note("u1", "e1", NOW, None, "acme", 1, 0)
        storage._connect().script_flush()  # what a restart does to the script cache (every node of a cluster)
        record = storage.users.track_and_note("u1", "e1", NOW + 1, None, "acme", 1, 0)
        assert layout.decode_event(record["e1"])[0] == 2  # counted once, not lost and not twice
        assert storage.index.account_days(["acme"], [TODAY])["acme"][TODAY] == (1, 2, 0)
    finally:
        storage.reset()
        storage.close()


@pytest.mark.parametrize("backend", ["redis_uri", "cluster_uri"])
def test_a_failing_index_never_fails_the_user_s_event(
    backend: str, request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    storage = RedisStorage(request.getfixturevalue(backend), prefix=f"t{uuid.uuid4().hex[:12]}", timeout=5.0)
    try:
        storage._connect().set(pop.seen_key(storage._bucket("u1")), b"not a sorted set")  # note_activity.lua fails
        record = storage.users.track_and_note("u1", "e1", NOW, None, "acme", 1, 0)
        assert record == reference([("e1", NOW, None)]) == storage.users.load("u1")  # stored once, and returned
        assert "not added to the population index" in caplog.text
    finally:
        storage.reset()
        storage.close()


# --------------------------------------------------------------------------- the index's buckets


def test_racing_tracks_give_figures_equal_to_the_events(storage: Storage) -> None:
    """Many users over many buckets, the same user-days sent by racing processes: every figure
    equals what was generated (users counted once per day, events every time)."""
    users = [(f"user-{n}", f"acct{n % 7}") for n in range(60)]
    stores = [twin(storage) for _ in range(6)]

    def work(i: int) -> None:
        for user, account in users:
            stores[i].users.track_and_note(user, "e1", NOW + i, None, account, 1, i % 2)

    in_threads(6, work)
    assert storage.index.counters([TODAY])[TODAY] == {"users|active": 60, "stage|awareness": 60}
    found = storage.index.population(TODAY, TODAY, 100)
    assert (found.users, found.accounts, found.dormant_users, found.dormant_accounts) == (60, 7, 60, 7)
    per_account = storage.index.account_days([f"acct{a}" for a in range(7)], [TODAY])
    for a in range(7):
        members = sum(1 for _, account in users if account == f"acct{a}")
        assert per_account[f"acct{a}"][TODAY] == (members, 6 * members, 3 * members)
    assert sorted(d.account_id for d in storage.index.claim_dormant_accounts(TODAY, 100)) == [
        f"acct{a}" for a in range(7)
    ]
    assert storage.index.claim_dormant_accounts(TODAY, 100) == []  # claimed once


def test_bucket_tags_are_fixed_and_spread_over_the_slot_ranges() -> None:
    tags = pop.bucket_tags(pop.DEFAULT_BUCKETS)
    assert len(set(tags)) == pop.DEFAULT_BUCKETS and tags == pop.bucket_tags(pop.DEFAULT_BUCKETS)
    width = pop.CLUSTER_SLOTS / pop.DEFAULT_BUCKETS
    assert [int(pop.key_slot(t) // width) for t in tags] == list(range(pop.DEFAULT_BUCKETS))
    assert tags[:2] == ("ix0-262", "ix1-8")  # key names are data: the search must never change
    with pytest.raises(ValueError):
        pop.bucket_tags(0)
    assert {pop.bucket_of(f"u{n}", 24) for n in range(500)} == set(range(24))


@pytest.mark.parametrize("backend", ["redis_uri", "cluster_uri"])
def test_the_per_day_index_keys_expire_after_the_longest_window(backend: str, request: pytest.FixtureRequest) -> None:
    from onboarding_sdk.console.analytics_views import MAX_DAYS

    assert pop.DAY_KEYS_TTL > (MAX_DAYS + 1) * DAY  # the console never asks for an expired day
    storage = RedisStorage(request.getfixturevalue(backend), prefix=f"t{uuid.uuid4().hex[:12]}", timeout=5.0)
    try:
        for n in range(10):
            storage.users.track_and_note(f"u{n}", "e1", NOW, None, "acme", 1, 1)
            storage.index.count_stages(TODAY, ["use"], [("awareness", 0)], f"u{n}")
            storage.users.guide_write(f"u{n}", "g1", "dismiss", TODAY, 0, 0, now=NOW, counter="tips|dismiss")
        client = storage._connect()
        day_keys = [f"{b}:{TODAY}" for b in storage._buckets()] + [f"{b}:ad:{TODAY}" for b in storage._buckets()]
        ttls = {key: client.ttl(key) for key in day_keys if client.exists(key)}
        # the users' buckets' counters, and the account's figures in the account's bucket
        assert len(ttls) == len({storage._bucket(f"u{n}") for n in range(10)}) + 1
        assert f"{storage._bucket('acme')}:ad:{TODAY}" in ttls
        assert all(0 < ttl <= pop.DAY_KEYS_TTL for ttl in ttls.values()), ttls
        assert client.ttl(pop.seen_key(storage._bucket("u0"))) == -1  # who is known: kept
    finally:
        storage.reset()
        storage.close()


def test_on_a_cluster_the_index_spreads_over_the_masters(cluster_uri: str) -> None:
    storage = RedisStorage(cluster_uri, prefix=f"t{uuid.uuid4().hex[:12]}", timeout=5.0)
    try:
        client = storage._connect()
        users = [f"user-{n}" for n in range(50)]
        for user in users:
            storage.users.track_and_note(user, "e1", NOW, None, "acme", 1, 0)
        slots = {client.keyslot(pop.seen_key(storage._bucket(user))) for user in users}
        assert len(slots) > 1
        nodes: dict[str, int] = {}
        for bucket in storage._buckets():
            node = client.get_node_from_key(pop.seen_key(bucket)).name  # type: ignore[no-untyped-call]
            nodes[node] = nodes.get(node, 0) + 1
        assert sorted(nodes.values()) == [8, 8, 8]  # 24 buckets, three equal masters
        assert storage.index.population(TODAY, TODAY, 100).users == 50
    finally:
        storage.reset()
        storage.close()


def test_on_a_single_node_a_track_is_one_script(redis_uri: str) -> None:
    """track() and a keyed event each cost one script (one round trip) on a single node: the
    user's write, the key's check and the index together; a replay writes nothing anywhere."""
    storage = RedisStorage(redis_uri, prefix=f"t{uuid.uuid4().hex[:12]}", timeout=5.0)
    try:
        client = storage._connect()
        storage.users.track_and_note("u0", "e1", NOW, None, "acme", 1, 0)  # loads the script

        def scripts_run() -> int:
            stats = client.info("commandstats")
            return sum(int(stats.get(f"cmdstat_{name}", {}).get("calls", 0)) for name in ("evalsha", "eval"))

        before = scripts_run()
        storage.users.track_and_note("u1", "e1", NOW, None, "acme", 1, 0)
        first, replayed = storage.users.track_once("u1", "e2", NOW + 1, None, "acme", 1, 1, "key-1")
        again, replayed_again = storage.users.track_once("u1", "e2", NOW + 2, None, "acme", 1, 1, "key-1")
        assert scripts_run() - before == 3
        assert (replayed, replayed_again) == (False, True) and again == first
        assert storage.index.account_days(["acme"], [TODAY])["acme"][TODAY] == (2, 3, 1)  # the replay: nothing
        assert storage.index.population(TODAY, TODAY, 10).accounts == 1
    finally:
        storage.reset()
        storage.close()


def test_on_a_cluster_a_keyed_event_is_one_round_trip(cluster_uri: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A keyed event on a cluster: the user's write with its key's check (the user's slot) and
    the index's two halves (the user's bucket, the account's) go out in one pipeline, every
    request written before any reply is read; a replay counts the account's events once."""
    storage = RedisStorage(cluster_uri, prefix=f"t{uuid.uuid4().hex[:12]}", timeout=5.0)
    try:
        client = storage._connect()
        storage.users.track_once("u0", "e1", NOW, None, "acme", 1, 0, "warm-up")  # scripts, slot map, acme's day
        servers = [client.get_redis_connection(node) for node in client.get_primaries()]

        def scripts_run() -> int:
            stats = [server.info("commandstats") for server in servers]
            return sum(int(s.get(f"cmdstat_{name}", {}).get("calls", 0)) for s in stats for name in ("evalsha", "eval"))

        wire: list[str] = []
        connection = redis.connection.AbstractConnection
        send, read = connection.send_packed_command, connection.read_response

        def sending(self: Any, *args: Any, **kwargs: Any) -> Any:
            wire.append("write")
            return send(self, *args, **kwargs)

        def reading(self: Any, *args: Any, **kwargs: Any) -> Any:
            wire.append("read")
            return read(self, *args, **kwargs)

        before = scripts_run()
        monkeypatch.setattr(connection, "send_packed_command", sending)
        monkeypatch.setattr(connection, "read_response", reading)
        first, replayed = storage.users.track_once("u1", "e2", NOW + 1, None, "acme", 1, 1, "key-1")
        first_trip = list(wire)
        wire.clear()
        again, replayed_again = storage.users.track_once("u1", "e2", NOW + 2, None, "acme", 1, 1, "key-1")
        monkeypatch.undo()
        assert scripts_run() - before == 6  # three scripts each time, no other command
        for trip in (first_trip, wire):
            writes = trip.count("write")
            assert 2 <= writes <= 3 and trip == ["write"] * writes + ["read"] * 3, trip  # one round trip
        assert (replayed, replayed_again) == (False, True) and again == first
        assert storage.index.account_days(["acme"], [TODAY])["acme"][TODAY] == (2, 2, 1)  # the replay: nothing
        assert storage.index.counters([TODAY])[TODAY]["users|active"] == 2
    finally:
        storage.reset()
        storage.close()


def test_rebuild_index_moves_the_account_figures_into_the_accounts_buckets(redis_uri: str, cluster_uri: str) -> None:
    """Layout 2 kept an account's members and per-day figures in each of its users' buckets;
    rebuild-index adds them into the account's bucket (one field per day) and deletes them."""
    for uri in (redis_uri, cluster_uri):
        storage = RedisStorage(uri, prefix=f"t{uuid.uuid4().hex[:12]}", timeout=5.0)
        try:
            client = storage._connect()
            storage.index.note_activity("a1", "acme", TODAY, 1, 0)  # written by this version
            for user, day, events in (("a1", TODAY - 1, 3), ("a2", TODAY - 1, 2), ("a3", TODAY, 4)):
                bucket = storage._bucket(user)  # what layout 2 wrote, per user bucket
                client.zadd(f"{bucket}:au:acme", {user: day}, gt=True)
                client.hincrby(f"{bucket}:a:{day}", "acme|u", 1)
                client.hincrby(f"{bucket}:a:{day}", "acme|e", events)
                client.hincrby(f"{bucket}:a:{day}", "acme|k", 1)
            client.zadd(pop.accounts_key(storage.prefix), {"acme": TODAY}, gt=True)
            days = len({(storage._bucket(u), d) for u, d in (("a1", TODAY - 1), ("a2", TODAY - 1), ("a3", TODAY))})
            assert days >= 2

            assert storage.rebuild_index() == {"users": 0, "accounts": 1, "days": 2}
            assert storage.rebuild_index() is None
            figures = storage.index.account_days(["acme"], [TODAY - 1, TODAY])["acme"]
            assert figures == {TODAY - 1: (2, 5, 2), TODAY: (2, 5, 1)}
            activity = storage.index.account_activity("acme", [], TODAY, 10)
            assert activity is not None and activity.row == AccountRow("acme", TODAY, 3, 2)
            old = [f"{b}:{kind}:*" for b in storage._buckets() for kind in ("a", "au")]
            assert [key for pattern in old for key in client.keys(pattern)] == []  # moved, then deleted
        finally:
            storage.reset()
            storage.close()


@pytest.mark.parametrize("backend", ["redis_uri", "cluster_uri"])
def test_rebuild_index_brings_the_index_of_before_the_buckets(backend: str, request: pytest.FixtureRequest) -> None:
    storage = RedisStorage(request.getfixturevalue(backend), prefix=f"t{uuid.uuid4().hex[:12]}", timeout=5.0)
    try:
        client = storage._connect()
        old = pop.legacy_tag(storage.prefix)  # what a version before the buckets wrote
        client.zadd(f"{old}:seen", {"a1": TODAY - 30, "a2": TODAY - 2, "solo": TODAY - 40})
        client.hset(f"{old}:ua", mapping={"a1": "acme", "a2": "acme"})
        client.zadd(f"{old}:accts", {"acme": TODAY - 2})
        client.zadd(f"{old}:au:acme", {"a1": TODAY - 30, "a2": TODAY - 2})
        client.hset(f"{old}:a:{TODAY - 2}", mapping={"acme|u": 1, "acme|e": 4})
        client.hset(f"{old}:dormant", "mark", TODAY - 50)
        client.hset(storage._user("a2"), "st", 2)
        storage.index.note_activity("a2", "acme", TODAY, 1, 0)  # active since the upgrade: newer wins

        assert storage.rebuild_index() == {"users": 3, "accounts": 1, "days": 1}
        assert storage.rebuild_index() is None  # once per store
        found = storage.index.population(TODAY - 10, TODAY - 5, 10)
        assert (found.users, found.dormant_users, found.accounts, found.dormant_accounts) == (3, 2, 1, 0)
        assert found.reached == {"use": 1, "depth": 1}
        assert found.newest_dormant_users == [("a1", TODAY - 30, "acme"), ("solo", TODAY - 40, None)]
        assert storage.index.account_days(["acme"], [TODAY - 2, TODAY])["acme"] == {
            TODAY - 2: (1, 4, 0),
            TODAY: (1, 1, 0),
        }
        activity = storage.index.account_activity("acme", [TODAY], TODAY - 5, 10)
        assert activity is not None and activity.row == AccountRow("acme", TODAY, 2, 1)
        assert storage.index.claim_dormant_accounts(TODAY + 10, 10) == [DormantAccount("acme", TODAY, 2)]
    finally:
        storage.reset()
        storage.close()


def test_counters_add_up_per_day(storage: Storage) -> None:
    storage.index.count(TODAY, {"how-to-start|shown": 2, "how-to-start|dismiss": 1})
    twin(storage).index.count(TODAY, {"how-to-start|shown": 3})
    storage.index.count(TODAY - 1, {"tip|shown": 1})
    storage.index.count(TODAY, {})
    assert storage.index.counters([TODAY - 1, TODAY, TODAY + 1]) == {
        TODAY - 1: {"tip|shown": 1},
        TODAY: {"how-to-start|shown": 5, "how-to-start|dismiss": 1},
        TODAY + 1: {},
    }
    assert storage.index.counters([]) == {}


# ----------------------------------------------------------------------------- lifecycle


def test_a_replayed_keyed_event_counts_the_remembered_account_once(storage: Storage) -> None:
    """A keyed event whose profile names no account counts for the remembered one (a further
    call on Redis), and its replay counts nothing there, on every backend."""
    storage.index.note_activity("u1", "acme", TODAY, 0, 0)
    first, replayed = storage.users.track_once("u1", "e1", NOW, None, None, 1, 1, "key-remembered")
    again, replayed_again = storage.users.track_once("u1", "e1", NOW + 5, None, None, 1, 1, "key-remembered")
    assert (replayed, replayed_again) == (False, True) and again == first
    assert storage.index.account_days(["acme"], [TODAY])["acme"][TODAY] == (1, 1, 1)
    storage.users.track_once("u1", "e1", NOW + 9, None, "globex", 2, 0, "key-moved")  # moved: out of acme
    acme = storage.index.account_activity("acme", [TODAY], TODAY, 10)
    globex = storage.index.account_activity("globex", [TODAY], TODAY, 10)
    assert acme is not None and acme.row.users == 0 and globex is not None and globex.days[TODAY] == (1, 2, 0)
