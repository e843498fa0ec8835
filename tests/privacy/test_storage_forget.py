"""forget and stored_user on every backend (memory, redis-server, Redis Cluster): after
``forget`` no key of the user is left (counted with SCAN on every node) and the population
figures count one user fewer; ``stored_user`` finds every entry first."""

from __future__ import annotations

import pytest
import redis

from onboarding_sdk.storage import MemoryStorage, Storage, layout
from onboarding_sdk.storage.personal import StoredUser, counted_pattern, counted_user
from onboarding_sdk.storage.redis import RedisStorage
from onboarding_sdk.timeutil import DAY

NOW = 1_760_000_000
TODAY = NOW // DAY
# Ids that stress the exact matching: glob characters, the separator, a prefix of another id.
GONE = "u|1*[x]"
KEPT = ("1*[x]", "u|1*[x]y", "u")


def _servers(storage: RedisStorage) -> list[redis.Redis]:
    client = storage._connect()
    if isinstance(client, redis.Redis):
        return [client]
    return [client.get_redis_connection(node) for node in client.get_primaries()]  # type: ignore[no-untyped-call]


def keys_naming(storage: Storage, user_id: str) -> list[str]:
    """Every key, and every member of a set, hash or sorted set under the prefix, that holds
    ``user_id`` (SCAN on every node); for memory, the same look through its tables."""
    if isinstance(storage, MemoryStorage):
        data = storage.data.population
        found = [f"user:{u}" for u in storage.data.users if u == user_id]
        found += [f"keys:{u}" for u in storage.data.applied_keys if u == user_id]
        found += [f"seen:{u}" for u in data.seen if u == user_id]
        found += [f"ua:{u}" for u in data.account_of if u == user_id]
        found += [f"au:{a}" for a, members in data.members.items() if user_id in members]
        found += [
            f"once:{day}:{m}"
            for day, done in storage.data.counted.items()
            for m in done
            if (split := counted_user(m)) is not None and split[1] == user_id
        ]
        return sorted(found)
    assert isinstance(storage, RedisStorage)
    found = []
    for server in _servers(storage):
        for raw in server.scan_iter(match=storage.prefix + ":*", count=500):
            key = raw.decode()
            if "{" + user_id + "}" in key:
                found.append(key)
                continue
            kind = server.type(raw).decode()
            if kind == "zset":
                members = [m.decode() for m in server.zrange(raw, 0, -1)]
            elif kind == "hash":
                members = [m.decode() for m in server.hkeys(raw)]
            elif kind == "set":
                members = [m.decode() for m in server.smembers(raw)]
            else:
                members = []
            for member in members:
                split = counted_user(member) if kind == "set" else None
                if member == user_id or (split is not None and split[1] == user_id):
                    found.append(f"{key} {member}")
    return sorted(found)


def all_keys(storage: Storage) -> set[str] | None:
    if isinstance(storage, MemoryStorage):
        return None
    assert isinstance(storage, RedisStorage)
    return {
        k.decode() for server in _servers(storage) for k in server.scan_iter(match=storage.prefix + ":*", count=500)
    }


def populate(storage: Storage) -> None:
    for user in (GONE, *KEPT):
        storage.users.track_and_note(user, "e1", NOW, NOW - 3 * DAY, "acme", 1, 1)
        storage.users.track_and_note(user, None, NOW + DAY, None, "acme", 0, 0)
        storage.users.guide_write(
            user, "g1", "shown", TODAY + 1, 0, 0, key=f"k-{user}", now=NOW + DAY, counter="tips|shown"
        )
        storage.users.guide_write(user, "g1", "dismiss", TODAY + 1, 0, 0, now=NOW + DAY, counter="tips|dismiss")
    storage.users.track_and_note(GONE, "e2", NOW, None, "solo", 1, 0)  # moves GONE to its own account
    assert storage.users.advance_stage(GONE, 0, 2, {1: NOW, 2: NOW})
    storage.index.count_stages(TODAY, ["use", "depth"], [("awareness", 0), ("use", 0)], GONE)
    assert storage.users.advance_stage("u", 0, 1, {1: NOW})
    storage.index.count_stages(TODAY, ["use"], [("awareness", 0)], "u")


def test_stored_user_finds_every_entry(storage: Storage) -> None:
    populate(storage)
    found = storage.privacy.stored_user(GONE)
    assert found.record["st"] == b"2" and "g1" in found.record and "e1" in found.record
    assert list(found.applied_keys) == [f"k-{GONE}"]
    assert found.applied_keys[f"k-{GONE}"] == NOW + DAY + layout.IDEMPOTENCY_TTL
    assert found.last_day == TODAY + 1 and found.account == "solo" and found.account_day == TODAY
    assert found.counted == {TODAY + 1: ["tips|dismiss", "tips|shown"]}
    assert storage.privacy.stored_user("nobody") == StoredUser() and StoredUser().empty


def test_forget_leaves_no_key_and_the_figures_drop_by_one(storage: Storage) -> None:
    populate(storage)
    before = storage.index.population(TODAY + 10, TODAY, 10)
    others = {user: keys_naming(storage, user) for user in KEPT}
    assert keys_naming(storage, GONE)
    total = all_keys(storage)

    storage.privacy.forget(GONE)

    assert keys_naming(storage, GONE) == []
    assert {user: keys_naming(storage, user) for user in KEPT} == others  # exact: no look-alike touched
    assert storage.privacy.stored_user(GONE).empty and storage.users.load(GONE) == {}
    after = storage.index.population(TODAY + 10, TODAY, 10)
    assert after.users == before.users - 1
    assert after.reached == {"use": before.reached["use"] - 1}  # "depth" was GONE's alone
    assert after.accounts == before.accounts - 1  # "solo" had no other user
    assert [a.account_id for a in after.newest_dormant_accounts] == ["acme"]
    # Anonymous per-day totals stay: they hold no id.
    assert storage.index.counters([TODAY + 1])[TODAY + 1]["tips|shown"] == 4
    if total is not None and isinstance(storage, RedisStorage):
        # Gone: the user's hash and key set, keys of the user's bucket of the index that only
        # the user filled, and the lone account's member set (in the account's bucket); the
        # rest stays.
        gone = total - (all_keys(storage) or set())
        members = f"{storage._bucket('solo')}:m:solo"
        assert {storage._user(GONE), storage._user(GONE) + ":k", members} < gone
        assert all(key.startswith((storage._user(GONE), storage._bucket(GONE))) for key in gone - {members}), gone
    storage.privacy.forget(GONE)  # twice: nothing left to do, nothing else touched
    assert storage.index.population(TODAY + 10, TODAY, 10) == after


def test_a_forgotten_id_starts_afresh(storage: Storage) -> None:
    populate(storage)
    storage.privacy.forget(GONE)
    assert not storage.users.guide_write(GONE, "g1", "shown", TODAY + 1, 0, 0, key=f"k-{GONE}", now=NOW + DAY).replayed
    again = storage.users.guide_write(GONE, "g1", "dismiss", TODAY + 1, 0, 0, now=NOW + DAY, counter="tips|dismiss")
    assert again.counted  # counted again today: the earlier count held the id, so it went


def test_forget_inactive_oldest_first_and_keeps_who_came_back(storage: Storage) -> None:
    storage.users.track_and_note("old", None, NOW - 5 * DAY, None, "acme", 0, 0)
    storage.users.track_and_note("older", "e1", NOW - 9 * DAY, None, "acme", 1, 0)
    storage.users.track_and_note("new", None, NOW, None, "acme", 0, 0)
    assert storage.privacy.forget_inactive(TODAY - 10, 10) == [] and storage.privacy.forget_inactive(TODAY, 0) == []
    assert storage.privacy.forget_inactive(TODAY - 5, 1) == ["older"]
    assert keys_naming(storage, "older") == [] and storage.index.population(TODAY, TODAY, 10).users == 2
    # "old" comes back after the index was read: the record's last-seen time keeps them.
    storage.users.track("old", None, NOW, None)
    assert storage.privacy.forget_inactive(TODAY - 5, 10) == []
    assert storage.users.load("old") != {} and storage.index.population(TODAY, TODAY, 10).users == 2


@pytest.mark.parametrize("member", ["a|shown|x", "a|shown|x|y", "a|shown|"])
def test_counted_members_split_after_the_second_bar(member: str) -> None:
    split = counted_user(member)
    assert split is not None and split[0] == "a|shown" and "a|shown|" + split[1] == member
    assert counted_user("nobar") is None and counted_user("a|b") is None
    assert counted_pattern("a*b") == "*|a\\*b"
