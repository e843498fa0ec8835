"""Published content and the console's audit log in memory."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from ...errors import StaleRevision
from .. import layout
from ..base import AuditLog, ContentStore
from .state import MemoryData


class MemoryContent(ContentStore):
    def __init__(self, data: MemoryData) -> None:
        self._data = data

    def publish(self, text: str, expected_revision: int | None, author: str, note: str, at: int | None = None) -> int:
        data = self._data
        with data.lock:
            current = len(data.texts)
            if expected_revision is not None and expected_revision != current:
                raise StaleRevision(expected_revision, current)
            revision = current + 1
            data.texts[revision] = text
            when = int(time.time()) if at is None else int(at)
            data.history.append({"revision": revision, "author": author, "note": note, "time": when})
            del data.history[: -layout.CONTENT_HISTORY_LIMIT]
            return revision

    def revision(self) -> int:
        with self._data.lock:
            return len(self._data.texts)

    def load(self, revision: int | None = None) -> tuple[int, str] | None:
        with self._data.lock:
            wanted = len(self._data.texts) if revision is None else revision
            text = self._data.texts.get(wanted)
            return None if text is None else (wanted, text)

    def history(self, limit: int = 50) -> list[dict[str, Any]]:
        with self._data.lock:
            return [dict(entry) for entry in reversed(self._data.history[-limit:])] if limit > 0 else []


class MemoryAudit(AuditLog):
    def __init__(self, data: MemoryData) -> None:
        self._data = data

    def record(self, entry: Mapping[str, Any]) -> None:
        text = json.dumps(dict(entry), ensure_ascii=False)
        with self._data.lock:
            self._data.audit.append(text)
            del self._data.audit[: -layout.AUDIT_LIMIT]

    def entries(self, limit: int = 100) -> list[dict[str, Any]]:
        with self._data.lock:
            return [json.loads(text) for text in reversed(self._data.audit[-limit:])] if limit > 0 else []
