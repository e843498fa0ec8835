"""The console's drafts on Redis (``keys.draft_keys``, in the {content} slot)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ...errors import StaleDraft
from .. import keys
from ..base import DraftStore
from .connection import Client, Connection


class RedisDrafts(DraftStore):
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def save(self, guide_id: str, draft: Mapping[str, Any], expected_version: int) -> int:
        body = json.dumps(dict(draft), ensure_ascii=False)[1:]  # the script prepends {"version":N,
        call = ("save_draft", list(keys.draft_keys(self._conn.prefix)), [guide_id, str(int(expected_version)), body])

        def action(client: Client) -> tuple[int, int]:
            ok, version = self._conn.script(client, call)
            return int(ok), int(version)

        ok, version = self._conn.run("save_draft", action)
        if not ok:
            raise StaleDraft(guide_id, expected_version, version)
        return version

    def load(self, guide_id: str) -> dict[str, Any] | None:
        key = keys.draft_keys(self._conn.prefix)[0]
        found = self._conn.run("load_draft", lambda client: client.hget(key, guide_id))
        return None if found is None else dict(json.loads(found))

    def all(self) -> dict[str, dict[str, Any]]:
        key = keys.draft_keys(self._conn.prefix)[0]
        found: Mapping[bytes, bytes] = self._conn.run("drafts", lambda client: client.hgetall(key))  # type: ignore[arg-type,return-value]
        return {name.decode(): dict(json.loads(text)) for name, text in found.items()}

    def delete(self, guide_id: str, expected_version: int) -> bool:
        call = ("delete_draft", list(keys.draft_keys(self._conn.prefix)[:2]), [guide_id, str(int(expected_version))])
        return bool(self._conn.run("delete_draft", lambda client: self._conn.script(client, call)))
