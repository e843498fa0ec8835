"""The users capability (``store.users``) on every backend: memory, a redis-server and a Redis Cluster.

The reference for every update is the pure Python in ``layout``: a backend's raw record must
equal, byte for byte, what ``layout.apply_event`` / ``apply_stage`` / ``apply_guide_action``
produce from the same calls; idempotency keys as ``layout.key_applied`` / ``remember_key``.
"""

from __future__ import annotations

import random

import pytest

from onboarding_sdk.storage import Storage, layout
from onboarding_sdk.storage.base import RawRecord
from onboarding_sdk.timeutil import DAY
from tests.storage.support import EVENTS, NOW, TODAY, in_threads, reference, twin


def test_codes_are_stable_and_shared(storage: Storage) -> None:
    first = storage.users.assign_codes("e", ["installed_code", "report_created"])
    assert first == {"installed_code": 1, "report_created": 2}
    other = twin(storage)
    assert other.users.assign_codes("e", ["report_created", "export_done", "installed_code"]) == {
        "report_created": 2,
        "export_done": 3,
        "installed_code": 1,
    }
    assert storage.users.assign_codes("e", ["export_done"]) == {"export_done": 3}
    assert storage.users.assign_codes("g", ["installed_code", "how-to-start"]) == {
        "installed_code": 1,
        "how-to-start": 2,
    }
    assert storage.users.assign_codes("e", []) == {}
    assert storage.users.assign_codes("g", ["x", "x"]) == {"x": 3}


def test_concurrent_assign_codes_agree(storage: Storage) -> None:
    names = [f"event_{i}" for i in range(20)]
    stores = [twin(storage) for _ in range(8)]

    def assign(index: int) -> dict[str, int]:
        shuffled = random.Random(index).sample(names, len(names))
        return stores[index].users.assign_codes("e", shuffled)

    results = in_threads(8, assign)
    assert all(result == results[0] for result in results)
    assert sorted(results[0].values()) == list(range(1, 21))


# ----------------------------------------------------------------------------- track


def test_track_counts_first_last_and_signup(storage: Storage) -> None:
    record = storage.users.track("u1", "e1", NOW, NOW - 5 * DAY)
    assert layout.decode_event(record["e1"]) == (1, NOW, NOW)
    assert record["su"] == str(NOW - 5 * DAY).encode()

    storage.users.track("u1", "e1", NOW + 100, NOW - 9 * DAY)  # a later sign-up is ignored (set once)
    record = storage.users.track("u1", "e1", NOW - 3 * DAY, None)  # backfilled history
    assert layout.decode_event(record["e1"]) == (3, NOW - 3 * DAY, NOW + 100)
    assert record["su"] == str(NOW - 5 * DAY).encode()
    assert (record["fs"], record["ls"]) == (str(NOW - 3 * DAY).encode(), str(NOW + 100).encode())
    assert storage.users.load("u1") == record


def test_bare_visit_has_no_event_and_no_signup(storage: Storage) -> None:
    record = storage.users.track("u2", None, NOW, None)
    assert set(record) == {"fs", "ls", "d0", "d"}
    assert layout.decode_days(record) == {TODAY}


def test_active_days_grow_at_both_ends(storage: Storage) -> None:
    days = [TODAY, TODAY + 3, TODAY + 40, TODAY - 1, TODAY - 20, TODAY + 400, TODAY - 365]
    record: RawRecord = {}
    for day in days:
        record = storage.users.track("u3", "e2", day * DAY + 3600, None)
    assert layout.decode_days(record) == set(days)
    # Growing at the front adds whole bytes, so the first day stays on a byte boundary.
    assert (TODAY - int(record["d0"])) % 8 == 0
    assert int(record["d0"]) <= TODAY - 365
    assert len(record["d"]) == (TODAY + 400 - int(record["d0"])) // 8 + 1


def test_decoded_user_matches_the_reference(storage: Storage) -> None:
    calls: list[tuple[str | None, int, int | None]] = [
        ("e1", NOW, NOW - DAY),
        ("e2", NOW + 50, None),
        (None, NOW - 10 * DAY, None),
        ("e1", NOW - 2 * DAY, None),
        ("e3", NOW + 90 * DAY, None),
    ]
    for field, at, signup in calls:
        storage.users.track("u4", field, at, signup)
    expected = layout.decode_user("u4", reference(calls), EVENTS, {})
    assert layout.decode_user("u4", storage.users.load("u4"), EVENTS, {}) == expected
    assert expected.count("installed_code") == 2 and len(expected.active_days) == 4


@pytest.mark.parametrize("seed", range(6))
def test_random_sequences_match_apply_event_byte_for_byte(storage: Storage, seed: int) -> None:
    rng = random.Random(seed)
    users = ["alice", "bob", "用户-{3}:x"]
    expected: dict[str, dict[str, bytes]] = {user: {} for user in users}
    for _ in range(60):
        user = rng.choice(users)
        field = rng.choice([None, "e1", "e2", "e3", "ez"])
        at = NOW + rng.randint(-400 * DAY, 400 * DAY)
        signup = rng.choice([None, None, at - rng.randint(0, 30 * DAY)])
        layout.apply_event(expected[user], field, at, signup)
        assert storage.users.track(user, field, at, signup) == expected[user]
    for user in users:
        assert storage.users.load(user) == expected[user]


def test_user_ids_with_special_characters_are_distinct(storage: Storage) -> None:
    ids = ["a", "{a}", "a}", "a:b", "ünï", "x" * 200]
    for index, user in enumerate(ids):
        for _ in range(index + 1):
            storage.users.track(user, "e1", NOW, None)
    assert [layout.decode_event(storage.users.load(user)["e1"])[0] for user in ids] == [1, 2, 3, 4, 5, 6]


# ----------------------------------------------------------------------------- stage


def test_advance_stage_is_a_compare_and_set(storage: Storage) -> None:
    storage.users.track("u5", None, NOW, None)
    stores = [twin(storage) for _ in range(8)]
    wins = in_threads(8, lambda i: stores[i].users.advance_stage("u5", 0, 1, {1: NOW + i}))
    assert wins.count(True) == 1
    record = storage.users.load("u5")
    assert record["st"] == b"1" and record["t1"] == str(NOW + wins.index(True)).encode()

    assert not storage.users.advance_stage("u5", 0, 2, {2: NOW})  # stale expectation
    assert not storage.users.advance_stage("u5", 1, 1, {1: NOW})  # not forward
    assert storage.users.advance_stage("u5", 1, 3, {2: NOW + 5, 3: NOW + 6})
    record = storage.users.load("u5")
    assert (record["st"], record["t2"], record["t3"]) == (b"3", str(NOW + 5).encode(), str(NOW + 6).encode())


def test_advance_stage_matches_apply_stage(storage: Storage) -> None:
    expected: dict[str, bytes] = {}
    for want, new, times in [(1, 2, {2: NOW}), (0, 2, {1: NOW, 2: NOW + 1}), (2, 4, {3: NOW + 2, 4: NOW + 3})]:
        assert storage.users.advance_stage("u6", want, new, times) == layout.apply_stage(expected, want, new, times)
    assert storage.users.load("u6") == expected


# ----------------------------------------------------------------------------- guides


@pytest.mark.parametrize("seed", range(3))
def test_guide_actions_match_the_reference(storage: Storage, seed: int) -> None:
    rng = random.Random(seed)
    expected: dict[str, bytes] = {}
    actions = ["shown", "shown", "dismiss", "complete", "read", "helpful", "not_helpful", "progress"]
    for _ in range(60):
        field = rng.choice(["g1", "g2", "ga"])
        action = rng.choice(actions)
        day = TODAY + rng.randint(0, 3)
        value = rng.randint(0, 9)
        limit = rng.choice([0, 1, 2, 3])
        want = layout.apply_guide_action(expected, field, action, day, value, limit)
        assert storage.users.guide_action("u7", field, action, day, value, limit) == want
    assert storage.users.load("u7") == expected


def test_daily_budget_is_shared_across_guides(storage: Storage) -> None:
    assert storage.users.guide_action("u8", "g1", "shown", TODAY, 0, 2)[1]
    assert storage.users.guide_action("u8", "g2", "shown", TODAY, 0, 2)[1]
    state, allowed = storage.users.guide_action("u8", "g3", "shown", TODAY, 0, 2)
    assert not allowed and state == b"0,0,0,0" and "g3" not in storage.users.load("u8")
    assert storage.users.guide_action("u8", "g3", "shown", TODAY + 1, 0, 2)[1]  # a new day, a new budget


def test_load_of_an_unknown_user_is_empty(storage: Storage) -> None:
    assert storage.users.load("nobody") == {}


def test_load_with_revision_returns_the_record_and_the_revision(storage: Storage) -> None:
    storage.users.track("u1", "e1", NOW, NOW)
    storage.content.publish("x", None, "ana", "")
    record, revision = storage.users.load_with_revision("u1")
    assert record == storage.users.load("u1") and record
    assert revision == 1


def test_a_replayed_guide_action_is_applied_and_counted_once(storage: Storage) -> None:
    writes = [
        storage.users.guide_write("u9", "g1", "shown", TODAY, 0, 0, key="k" * 16, now=NOW, counter="tip|shown")
        for _ in range(5)
    ]
    assert [w.replayed for w in writes] == [False, True, True, True, True]
    # the fifth field: the day of the first sighting (a goal's window starts there)
    assert {w.state for w in writes} == {b"1,1,%d,0,%d" % (TODAY, TODAY)} and all(w.allowed for w in writes)
    assert storage.users.load("u9") == {"g1": b"1,1,%d,0,%d" % (TODAY, TODAY)}  # the keys live beside the record
    assert storage.index.counters([TODAY]) == {TODAY: {"tip|shown": 1}}


def test_concurrent_replays_of_one_key_apply_once(storage: Storage) -> None:
    stores = [twin(storage) for _ in range(12)]
    dismissals = in_threads(
        12,
        lambda i: stores[i].users.guide_write("u9", "g1", "dismiss", TODAY, 0, 0, key="d" * 20, now=NOW, counter="g|d"),
    )
    assert sorted(w.replayed for w in dismissals) == [False] + [True] * 11
    events = in_threads(
        12, lambda i: stores[i].users.track_once("u9", "e1", NOW, None, "acme", 1, 1, "event-key-000001")
    )
    assert sorted(replayed for _, replayed in events) == [False] + [True] * 11
    assert all(layout.decode_event(record["e1"])[0] == 1 for record, _ in events)
    assert storage.index.counters([TODAY])[TODAY]["g|d"] == 1
    assert storage.index.account_days(["acme"], [TODAY]) == {"acme": {TODAY: (1, 1, 1)}}  # the index, once


def test_each_user_counts_once_per_guide_and_day(storage: Storage) -> None:
    for day, user, key in ((TODAY, "u1", None), (TODAY, "u1", None), (TODAY, "u1", "x" * 16), (TODAY, "u2", None)):
        storage.users.guide_write(user, "g1", "shown", day, 0, 0, key=key, now=NOW, counter="tip|shown")
    storage.users.guide_write("u1", "g1", "shown", TODAY + 1, 0, 0, now=NOW + DAY, counter="tip|shown")
    assert storage.index.counters([TODAY, TODAY + 1]) == {TODAY: {"tip|shown": 2}, TODAY + 1: {"tip|shown": 1}}
    # the state still sees every view, and keeps the first one's day
    assert storage.users.load("u1")["g1"] == b"1,4,%d,0,%d" % (TODAY + 1, TODAY)


def test_a_refused_auto_open_keeps_no_key_and_counts_nothing(storage: Storage) -> None:
    assert storage.users.guide_write(
        "u3", "g1", "shown", TODAY, 0, 1, key="a" * 16, now=NOW, counter="g1|shown"
    ).allowed
    refused = storage.users.guide_write("u3", "g2", "shown", TODAY, 0, 1, key="b" * 16, now=NOW, counter="g2|shown")
    assert not refused.allowed and not refused.replayed and not refused.counted
    again = storage.users.guide_write(
        "u3", "g2", "shown", TODAY + 1, 0, 1, key="b" * 16, now=NOW + DAY, counter="g2|shown"
    )
    assert again.allowed and not again.replayed  # tomorrow the same key is a first try
    assert storage.index.counters([TODAY, TODAY + 1]) == {TODAY: {"g1|shown": 1}, TODAY + 1: {"g2|shown": 1}}


def test_keys_are_per_user_expire_and_go_with_forget(storage: Storage) -> None:
    key = "same-key-for-both"
    assert not storage.users.guide_write("u1", "g1", "dismiss", TODAY, 0, 0, key=key, now=NOW).replayed
    assert not storage.users.guide_write("u2", "g1", "dismiss", TODAY, 0, 0, key=key, now=NOW).replayed
    later = NOW + layout.IDEMPOTENCY_TTL - 1
    assert storage.users.guide_write("u1", "g1", "dismiss", TODAY, 0, 0, key=key, now=later).replayed
    assert not storage.users.guide_write(
        "u1", "g1", "dismiss", TODAY, 0, 0, key=key, now=NOW + layout.IDEMPOTENCY_TTL
    ).replayed
    storage.privacy.forget("u2")
    assert not storage.users.guide_write("u2", "g1", "dismiss", TODAY, 0, 0, key=key, now=NOW).replayed
    record, replayed = storage.users.track_once("u4", "e1", NOW, NOW, None, 1, 0, key)
    assert not replayed and record == reference([("e1", NOW, NOW)])
    again, replayed = storage.users.track_once("u4", "e1", NOW + 60, NOW, None, 1, 0, key)
    assert replayed and again == record  # nothing written: not even the last-seen time


def test_a_users_keys_are_capped_oldest_first(storage: Storage, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(layout, "IDEMPOTENCY_LIMIT", 3)
    for i in range(5):
        storage.users.guide_write("u5", "g1", "shown", TODAY, 0, 0, key=f"key-number-{i:06d}", now=NOW + i)
    replays = [
        storage.users.guide_write("u5", "g1", "read", TODAY, 0, 0, key=f"key-number-{i:06d}", now=NOW + 10).replayed
        for i in reversed(range(5))  # newest first: applying a dropped key drops the next oldest
    ]
    assert replays == [True, True, True, False, False]  # the two oldest were dropped


def test_writes_with_keys_match_the_reference(storage: Storage) -> None:
    rng = random.Random(7)
    expected: dict[str, bytes] = {}
    keys: dict[str, int] = {}
    for n in range(80):
        key = f"random-key-{rng.randint(0, 15):06d}"
        field, action, limit = rng.choice(["g1", "g2"]), rng.choice(["shown", "dismiss", "helpful"]), rng.choice([0, 2])
        now = NOW + n * 600
        day = now // DAY
        if layout.key_applied(keys, key, now):
            want = (expected.get(field, b"0,0,0,0"), True)
        else:
            want = layout.apply_guide_action(expected, field, action, day, 0, limit)
            if want[1]:
                layout.remember_key(keys, key, now)
        got = storage.users.guide_write("u6", field, action, day, 0, limit, key=key, now=now)
        assert (got.state, got.allowed) == want
    assert storage.users.load("u6") == expected
