"""Published content and the audit log (``store.content``, ``store.audit``) on every backend."""

from __future__ import annotations

import pytest

from onboarding_sdk.errors import StaleRevision
from onboarding_sdk.storage import Storage
from tests.storage.support import NOW, in_threads, twin


def test_content_starts_empty(storage: Storage) -> None:
    assert storage.content.revision() == 0
    assert storage.content.load() is None
    assert storage.content.history() == []
    assert storage.users.load_with_revision("nobody") == ({}, 0)


def test_publish_content_counts_revisions_and_keeps_history(storage: Storage) -> None:
    assert storage.content.publish("guides: []\n", None, "ana", "first", at=NOW) == 1
    assert storage.content.publish("guides: [] # 二\n", 1, "bo", 'second, with "quotes"', at=NOW + 5) == 2
    other = twin(storage)
    assert other.content.revision() == 2
    assert other.content.load() == (2, "guides: [] # 二\n")
    assert other.content.load(1) == (1, "guides: []\n")
    assert other.content.load(3) is None
    assert other.content.history() == [
        {"revision": 2, "author": "bo", "note": 'second, with "quotes"', "time": NOW + 5},
        {"revision": 1, "author": "ana", "note": "first", "time": NOW},
    ]
    assert other.content.history(1)[0]["revision"] == 2


def test_publish_content_is_a_compare_and_set(storage: Storage) -> None:
    storage.content.publish("a", None, "ana", "")
    with pytest.raises(StaleRevision) as info:
        storage.content.publish("b", 0, "bo", "stale")
    assert (info.value.expected, info.value.current) == (0, 1)
    assert storage.content.load() == (1, "a")
    assert len(storage.content.history()) == 1


def test_concurrent_publishes_from_one_revision_let_exactly_one_win(storage: Storage) -> None:
    storage.content.publish("base", None, "ana", "")
    stores = [twin(storage) for _ in range(6)]

    def publish(index: int) -> int:
        try:
            return stores[index].content.publish(f"text {index}", 1, f"u{index}", "")
        except StaleRevision:
            return 0

    results = in_threads(6, publish)
    assert sorted(results) == [0, 0, 0, 0, 0, 2]
    assert storage.content.load() == (2, f"text {results.index(2)}")


def test_audit_log_is_append_only_newest_first(storage: Storage) -> None:
    assert storage.audit.entries() == []
    storage.audit.record({"who": "ana", "what": "publish", "revision": 1, "at": NOW})
    storage.audit.record({"who": "bo", "what": "rollback", "note": "回滚", "at": NOW + 1})
    entries = twin(storage).audit.entries()
    assert [e["who"] for e in entries] == ["bo", "ana"]
    assert entries[0]["note"] == "回滚" and entries[1]["revision"] == 1
    assert storage.audit.entries(1) == entries[:1]


# ----------------------------------------------------------------------------- exactly once
