"""What the shared storage suite's files share: fixed times, a second store object on the same
store, threads released together, and the reference record ``layout.apply_event`` makes."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import TypeVar

from onboarding_sdk.storage import MemoryStorage, Storage, layout, storage_from_uri
from onboarding_sdk.timeutil import DAY

T = TypeVar("T")
NOW = 1_760_000_000  # 2025-10-09, an ordinary recent time
TODAY = NOW // DAY
EVENTS = {"e1": "installed_code", "e2": "report_created", "e3": "export_done"}


def twin(storage: Storage) -> Storage:
    """A second storage object on the same store (memory has no store to share: itself)."""
    if isinstance(storage, MemoryStorage):
        return storage
    return storage_from_uri(storage.uri, prefix=storage.prefix, timeout=5.0)  # type: ignore[attr-defined]


def in_threads(count: int, work: Callable[[int], T]) -> list[T]:
    """Run ``work(i)`` in ``count`` threads released together; return the results in order."""
    barrier = threading.Barrier(count)
    results: list[T | None] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except BaseException as exc:  # re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]


def reference(calls: Sequence[tuple[str | None, int, int | None]]) -> dict[str, bytes]:
    record: dict[str, bytes] = {}
    for field, at, signup in calls:
        layout.apply_event(record, field, at, signup)
    return record
