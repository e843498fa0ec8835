"""The troubles capability (``store.troubles``) on every backend: memory, a redis-server and a
Redis Cluster. The reference is the pure ``storage.troubles.step``: each backend's field must
equal, byte for byte, what it produces from the same calls."""

from __future__ import annotations

from datetime import UTC, datetime

from onboarding_sdk.storage import Storage
from onboarding_sdk.storage.troubles import (
    ANSWER_FROM,
    ASK_FROM,
    NOTE_FROM,
    PAGE_LIMIT,
    StoredTrouble,
    allowed,
    encode,
    step,
    trouble_field,
    troubles_in,
)
from onboarding_sdk.timeutil import DAY
from tests.storage.support import NOW, in_threads, twin

GUIDE = "import-failed"


def test_a_trouble_is_noted_once_asked_once_and_answered_once(storage: Storage) -> None:
    troubles = storage.troubles
    assert troubles.troubles("u1") == {}
    assert troubles.note("u1", GUIDE, "imports.index", NOW, NOW - 14 * DAY)
    assert not troubles.note("u1", GUIDE, "elsewhere", NOW + 60, NOW - 14 * DAY)  # one pending per guide
    at = datetime.fromtimestamp(NOW, UTC)
    assert troubles.troubles("u1") == {GUIDE: StoredTrouble(GUIDE, "open", at, "imports.index")}
    assert not troubles.change("u1", GUIDE, ("a",), "r")  # not asked yet: an answer needs the card
    assert troubles.change("u1", GUIDE, ASK_FROM, "a")
    assert not troubles.change("u1", GUIDE, ASK_FROM, "a")  # the card is shown once
    assert troubles.troubles("u1")[GUIDE] == StoredTrouble(GUIDE, "asked", at, "imports.index")
    assert troubles.change("u1", GUIDE, ANSWER_FROM, "u")
    assert not troubles.change("u1", GUIDE, ANSWER_FROM, "r")  # answered once: the first answer stays
    assert troubles.troubles("u1")[GUIDE].state == "unresolved"
    # After the answer, a new failure is a new trouble.
    assert troubles.note("u1", GUIDE, "imports.retry", NOW + DAY, NOW - 13 * DAY)
    assert troubles.troubles("u1")[GUIDE].state == "open"
    assert troubles.troubles("u1")[GUIDE].page == "imports.retry"


def test_a_stale_pending_trouble_is_replaced_and_others_users_and_guides_are_apart(storage: Storage) -> None:
    troubles = storage.troubles
    assert troubles.note("u1", GUIDE, "old", NOW - 20 * DAY, NOW - 34 * DAY)
    assert troubles.note("u1", GUIDE, "new", NOW, NOW - 14 * DAY)  # the pending one is too old to ask about
    assert troubles.troubles("u1")[GUIDE].page == "new"
    assert troubles.note("u1", "export-failed", "exports", NOW, NOW - 14 * DAY)
    assert sorted(troubles.troubles("u1")) == ["export-failed", GUIDE]
    assert troubles.troubles("u2") == {}
    assert not troubles.change("nobody", GUIDE, ASK_FROM, "a")
    assert troubles.troubles("nobody") == {}


def test_fields_match_the_pure_reference_and_pages_are_cut(storage: Storage) -> None:
    page = "p/é/" + "x" * (PAGE_LIMIT + 40)
    reference: dict[str, bytes] = {}
    field = trouble_field(GUIDE)
    step(reference, field, allowed(NOTE_FROM), encode("o", NOW, page), NOW - 14 * DAY)
    step(reference, field, allowed(ASK_FROM), b"a")
    storage.troubles.note("u1", GUIDE, page, NOW, NOW - 14 * DAY)
    storage.troubles.change("u1", GUIDE, ASK_FROM, "a")
    record = storage.users.load("u1")
    assert record[field] == reference[field]
    assert len(troubles_in(record)[GUIDE].page) == PAGE_LIMIT


def test_concurrent_askers_and_answerers_one_wins(storage: Storage) -> None:
    storage.troubles.note("u1", GUIDE, "imports.index", NOW, NOW - 14 * DAY)
    stores = [twin(storage) for _ in range(6)]
    asked = in_threads(6, lambda i: stores[i].troubles.change("u1", GUIDE, ASK_FROM, "a"))
    assert asked.count(True) == 1
    answered = in_threads(6, lambda i: stores[i].troubles.change("u1", GUIDE, ANSWER_FROM, "ru"[i % 2]))
    assert answered.count(True) == 1


def test_troubles_are_exported_and_forgotten_with_the_record(storage: Storage) -> None:
    storage.users.track("u1", None, NOW, None)
    storage.troubles.note("u1", GUIDE, "imports.index", NOW, NOW - 14 * DAY)
    assert trouble_field(GUIDE) in storage.privacy.stored_user("u1").record
    storage.privacy.forget("u1")
    assert storage.troubles.troubles("u1") == {}
    assert storage.privacy.stored_user("u1").empty
