"""Troubles kept for the follow-up on Redis (``TroubleStore``): fields of the user's hash, each
change one script (``trouble_step.lua``) in the user's slot."""

from __future__ import annotations

from typing import Any

from ..base import TroubleStore
from ..troubles import NOTE_FROM, StoredTrouble, allowed, encode, trouble_field, troubles_in
from .connection import Connection


class RedisTroubles(TroubleStore):
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def _step(self, user_id: str, guide_id: str, states: str, value: bytes, stale_before: str) -> bool:
        call = (
            "trouble_step",
            [self._conn.user_key(user_id)],
            [trouble_field(guide_id), states, value.decode(), stale_before],
        )
        return bool(self._conn.run("trouble_step", lambda client: self._conn.script(client, call)))

    def note(self, user_id: str, guide_id: str, page: str, at: int, stale_before: int) -> bool:
        return self._step(user_id, guide_id, allowed(NOTE_FROM), encode("o", at, page), str(int(stale_before)))

    def change(self, user_id: str, guide_id: str, states: tuple[str, ...], new: str) -> bool:
        return self._step(user_id, guide_id, allowed(states), new.encode(), "")

    def troubles(self, user_id: str) -> dict[str, StoredTrouble]:
        key = self._conn.user_key(user_id)
        stored: Any = self._conn.run("troubles", lambda client: client.hgetall(key))
        return troubles_in({name.decode(): value for name, value in stored.items()})
