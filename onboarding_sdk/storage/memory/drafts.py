"""The console's drafts in memory (stored as JSON, like Redis)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ...errors import StaleDraft
from ..base import DraftStore
from .state import MemoryData


class MemoryDrafts(DraftStore):
    def __init__(self, data: MemoryData) -> None:
        self._data = data

    def save(self, guide_id: str, draft: Mapping[str, Any], expected_version: int) -> int:
        text = json.dumps(dict(draft), ensure_ascii=False)
        data = self._data
        with data.lock:
            current = int(data.drafts.get(guide_id, {}).get("version", 0))
            if current != expected_version:
                raise StaleDraft(guide_id, expected_version, current)
            data.draft_seq += 1
            data.drafts[guide_id] = {"version": data.draft_seq, **json.loads(text)}
            return data.draft_seq

    def load(self, guide_id: str) -> dict[str, Any] | None:
        with self._data.lock:
            found = self._data.drafts.get(guide_id)
            return None if found is None else dict(found)

    def all(self) -> dict[str, dict[str, Any]]:
        with self._data.lock:
            return {guide_id: dict(draft) for guide_id, draft in self._data.drafts.items()}

    def delete(self, guide_id: str, expected_version: int) -> bool:
        with self._data.lock:
            found = self._data.drafts.get(guide_id)
            if found is None or found["version"] != expected_version:
                return False
            del self._data.drafts[guide_id]
            return True
