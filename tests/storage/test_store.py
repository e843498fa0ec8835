"""The store as a whole on every backend: reset, ping and close, forgetting one user, and the
flat methods of earlier versions, which forward to the capabilities.
"""

from __future__ import annotations

from onboarding_sdk.storage import Storage, storage_from_uri
from tests.storage.support import NOW, TODAY, reference


def test_forget_deletes_one_user(storage: Storage) -> None:
    storage.users.track("gone", "e1", NOW, NOW)
    storage.users.track("kept", "e1", NOW, NOW)
    storage.privacy.forget("gone")
    storage.privacy.forget("never-existed")
    assert storage.users.load("gone") == {}
    assert storage.users.load("kept") != {}


def test_reset_deletes_everything_under_the_prefix_only(storage: Storage) -> None:
    neighbour = storage_from_uri(storage.uri, prefix=storage.prefix + "x", timeout=5.0)  # type: ignore[attr-defined]
    try:
        for store in (storage, neighbour):
            store.users.assign_codes("e", ["a", "b"])
            store.index.count(TODAY, {"g|shown": 1})
            for user in ("u1", "u2", "{u3}"):
                store.users.track(user, "e1", NOW, NOW)
        storage.reset()
        assert [storage.users.load(user) for user in ("u1", "u2", "{u3}")] == [{}, {}, {}]
        assert storage.users.assign_codes("e", ["b"]) == {"b": 1}
        assert storage.index.counters([TODAY]) == {TODAY: {}}
        assert neighbour.users.load("u1") != {} and neighbour.users.assign_codes("e", ["b"]) == {"b": 2}
    finally:
        neighbour.reset()
        neighbour.close()


def test_ping_and_close(storage: Storage) -> None:
    storage.ping()
    storage.users.track("u9", None, NOW, None)
    storage.close()
    assert storage.users.load("u9") != {}  # a closed Redis backend reconnects on the next call


# --- published content -----------------------------------------------------------------


def test_the_flat_methods_of_earlier_versions_forward_to_the_capabilities(storage: Storage) -> None:
    record = storage.track("u1", "e1", NOW, None)  # deprecated: storage.users.track
    assert record == storage.users.load("u1") == storage.load("u1") == reference([("e1", NOW, None)])
    assert storage.publish_content("guides: []\n", 0, "ana", "") == storage.content.revision() == 1
    assert storage.save_draft("tip", {"text": "x"}, 0) == storage.drafts.load("tip")["version"]  # type: ignore[index]
    assert storage.drafts() == storage.drafts.all() and storage.load_draft("tip") is not None
    storage.note_activity("u1", "acme", TODAY, 1, 0)
    assert storage.population(TODAY, TODAY, 10) == storage.index.population(TODAY, TODAY, 10)
    assert storage.acquire_lock("sweep", 60) and not storage.locks.acquire("sweep", 60)
    assert storage.stored_user("u1") == storage.privacy.stored_user("u1")
