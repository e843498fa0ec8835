"""Saved segments: named targeting the console keeps, reusable by guides. Store access only.

They are kept in the store beside the drafts (``store.drafts``, under ``segment/<name>``: guide
ids never hold a ``/``), so they have the drafts' guarantees on every backend: every process
sees them, and a save is a compare-and-set on the segment's version (two people editing one
segment never overwrite each other silently). A segment is its rows as a condition
(``segments.condition_of``); a guide given one in the form gets its rows (a copy).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..engine import Engine
from ..segments import Row, rows_of
from ..timeutil import to_epoch

PREFIX = "segment/"


@dataclass(frozen=True)
class SavedSegment:
    name: str
    version: int
    condition: dict[str, Any]
    author: str
    time: int

    @property
    def rows(self) -> list[Row]:
        return rows_of(self.condition)[0]

    @classmethod
    def from_record(cls, name: str, record: Mapping[str, Any]) -> SavedSegment:
        condition = record.get("condition")
        return cls(
            name,
            int(record.get("version", 0)),
            dict(condition) if isinstance(condition, Mapping) else {},
            str(record.get("author", "")),
            int(record.get("time", 0)),
        )


def every(engine: Engine) -> list[SavedSegment]:
    records = engine.call_store(engine.storage.drafts.all)
    found = [SavedSegment.from_record(key[len(PREFIX) :], r) for key, r in records.items() if key.startswith(PREFIX)]
    return sorted(found, key=lambda s: s.name)


def load(engine: Engine, name: str) -> SavedSegment | None:
    record = engine.call_store(lambda: engine.storage.drafts.load(PREFIX + name))
    return None if record is None else SavedSegment.from_record(name, record)


def save(engine: Engine, name: str, condition: Mapping[str, Any], expected: int, author: str) -> int:
    """Save the segment; StaleDraft when ``expected`` (0: a new one) is not its version."""
    record = {"condition": dict(condition), "author": author, "time": to_epoch(engine.now())}
    return engine.call_store(lambda: engine.storage.drafts.save(PREFIX + name, record, expected))


def delete(engine: Engine, name: str, version: int) -> bool:
    return engine.call_store(lambda: engine.storage.drafts.delete(PREFIX + name, version))
