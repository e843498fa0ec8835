"""Published content and the console's audit log on Redis, under the {content} hash tag."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from ...errors import StaleRevision
from .. import keys, layout
from ..base import AuditLog, ContentStore
from .connection import Client, Connection


class RedisContent(ContentStore):
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def publish(self, text: str, expected_revision: int | None, author: str, note: str, at: int | None = None) -> int:
        when = int(time.time()) if at is None else int(at)
        entry = json.dumps({"author": author, "note": note, "time": when}, ensure_ascii=False)[1:]
        args = ["" if expected_revision is None else str(int(expected_revision)), text, entry]
        args.append(str(layout.CONTENT_HISTORY_LIMIT))
        call = ("publish_content", list(keys.content_keys(self._conn.prefix)), args)

        def action(client: Client) -> tuple[int, int]:
            ok, revision = self._conn.script(client, call)
            return int(ok), int(revision)

        ok, revision = self._conn.run("publish_content", action)
        if not ok:
            raise StaleRevision(int(expected_revision or 0), revision)
        return revision

    def revision(self) -> int:
        key = keys.content_keys(self._conn.prefix)[0]
        return int(self._conn.run("content_revision", lambda client: client.get(key)) or 0)

    def load(self, revision: int | None = None) -> tuple[int, str] | None:
        rev_key, texts_key, _ = keys.content_keys(self._conn.prefix)

        def action(client: Client) -> tuple[int, bytes | None]:
            if revision is not None:
                text: bytes | None = client.hget(texts_key, str(revision))  # type: ignore[assignment]
                return revision, text
            # Both keys share one slot: one script reads a consistent (revision, text) pair.
            current, text = self._conn.script(client, ("current_content", [rev_key, texts_key], []))
            return int(current), text

        found, text = self._conn.run("load_content", action)
        return None if text is None else (found, text.decode("utf-8"))

    def history(self, limit: int = 50) -> list[dict[str, Any]]:
        if limit <= 0:
            return []
        key = keys.content_keys(self._conn.prefix)[2]
        entries: list[bytes] = self._conn.run("content_history", lambda client: client.lrange(key, 0, limit - 1))  # type: ignore[arg-type,return-value]
        return [json.loads(entry) for entry in entries]


class RedisAudit(AuditLog):
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def record(self, entry: Mapping[str, Any]) -> None:
        text = json.dumps(dict(entry), ensure_ascii=False)
        key = keys.audit_key(self._conn.prefix)

        def action(client: Client) -> None:
            pipe = client.pipeline(transaction=True)  # one key: push and cap together
            pipe.lpush(key, text)
            pipe.ltrim(key, 0, layout.AUDIT_LIMIT - 1)
            pipe.execute()

        self._conn.run("record_audit", action)

    def entries(self, limit: int = 100) -> list[dict[str, Any]]:
        if limit <= 0:
            return []
        key = keys.audit_key(self._conn.prefix)
        found: list[bytes] = self._conn.run("audit_log", lambda client: client.lrange(key, 0, limit - 1))  # type: ignore[arg-type,return-value]
        return [json.loads(entry) for entry in found]
