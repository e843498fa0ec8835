"""Console drafts in the store, run against every backend: memory, a redis-server and a Redis Cluster.

A draft is shared by every process (saved through one storage object, read through another),
and every change is a compare-and-set on its version: of many racing saves from the same
version exactly one wins, and a stale save, publish or discard changes nothing.
"""

from __future__ import annotations

import pytest

from onboarding_sdk.errors import StaleDraft
from onboarding_sdk.storage import Storage
from tests.storage.support import in_threads, twin

DRAFT = {
    "text": "id: tip\nkind: faq\ntitle: 标题\nbody: Hi\n",
    "base_revision": 3,
    "author": "ana",
    "time": 1_760_000_000,
}


def test_a_draft_is_saved_read_and_listed_by_every_process(storage: Storage) -> None:
    assert storage.drafts.load("tip") is None and storage.drafts.all() == {}
    version = storage.drafts.save("tip", DRAFT, 0)
    assert version >= 1
    other = twin(storage)
    assert other.drafts.load("tip") == {"version": version, **DRAFT}
    second = other.drafts.save("faq-x", {**DRAFT, "author": "bo"}, 0)
    assert second > version
    assert set(storage.drafts.all()) == {"tip", "faq-x"}
    assert storage.drafts.all()["faq-x"]["author"] == "bo" and storage.drafts.all()["tip"]["version"] == version


def test_saving_is_a_compare_and_set_on_the_version(storage: Storage) -> None:
    first = storage.drafts.save("tip", DRAFT, 0)
    with pytest.raises(StaleDraft) as stale:
        storage.drafts.save("tip", {**DRAFT, "text": "lost?"}, 0)  # someone else's draft exists
    assert stale.value.expected == 0 and stale.value.current == first
    second = storage.drafts.save("tip", {**DRAFT, "text": "v2"}, first)
    with pytest.raises(StaleDraft):
        storage.drafts.save("tip", {**DRAFT, "text": "based on v1"}, first)
    assert storage.drafts.load("tip") == {**DRAFT, "text": "v2", "version": second}


def test_delete_only_the_version_seen_and_versions_are_never_reused(storage: Storage) -> None:
    first = storage.drafts.save("tip", DRAFT, 0)
    second = storage.drafts.save("tip", DRAFT, first)
    assert not storage.drafts.delete("tip", first)  # a newer draft: kept
    assert not storage.drafts.delete("nope", 1)
    assert storage.drafts.delete("tip", second)
    assert storage.drafts.load("tip") is None and not storage.drafts.delete("tip", second)
    with pytest.raises(StaleDraft) as stale:
        storage.drafts.save("tip", DRAFT, second)  # the form was based on the discarded draft
    assert stale.value.current == 0
    again = storage.drafts.save("tip", DRAFT, 0)
    assert again > second  # a stale form of the old draft can never match the new one


def test_of_racing_saves_from_one_version_exactly_one_wins(storage: Storage) -> None:
    base = storage.drafts.save("tip", DRAFT, 0)
    stores = [storage, *(twin(storage) for _ in range(3))]

    def save(i: int) -> int | None:
        try:
            return stores[i % len(stores)].drafts.save("tip", {**DRAFT, "text": f"writer {i}"}, base)
        except StaleDraft:
            return None

    results = in_threads(8, save)
    winners = [(i, v) for i, v in enumerate(results) if v is not None]
    assert len(winners) == 1
    index, version = winners[0]
    assert storage.drafts.load("tip") == {**DRAFT, "text": f"writer {index}", "version": version}


def test_of_racing_deletes_exactly_one_wins(storage: Storage) -> None:
    version = storage.drafts.save("tip", DRAFT, 0)
    other = twin(storage)
    results = in_threads(6, lambda i: (storage if i % 2 else other).drafts.delete("tip", version))
    assert results.count(True) == 1 and storage.drafts.all() == {}


def test_unicode_and_large_texts_round_trip_and_reset_forgets_drafts(storage: Storage) -> None:
    text = "正文 **Markdown** ✓\n" * 3000
    version = storage.drafts.save("big", {"text": text}, 0)
    assert storage.drafts.load("big") == {"version": version, "text": text}
    assert storage.drafts.save("empty", {}, 0) > version and storage.drafts.load("empty") == {"version": version + 1}
    storage.reset()
    assert storage.drafts.all() == {}
