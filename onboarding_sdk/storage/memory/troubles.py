"""Troubles kept for the follow-up in memory (``TroubleStore``): fields of the user's record."""

from __future__ import annotations

from ..base import TroubleStore
from ..troubles import NOTE_FROM, StoredTrouble, allowed, encode, step, trouble_field, troubles_in
from .state import MemoryData


class MemoryTroubles(TroubleStore):
    def __init__(self, data: MemoryData) -> None:
        self._data = data

    def note(self, user_id: str, guide_id: str, page: str, at: int, stale_before: int) -> bool:
        with self._data.lock:
            record = self._data.users.setdefault(user_id, {})
            return step(record, trouble_field(guide_id), allowed(NOTE_FROM), encode("o", at, page), stale_before)

    def change(self, user_id: str, guide_id: str, states: tuple[str, ...], new: str) -> bool:
        with self._data.lock:
            record = self._data.users.get(user_id)
            if record is None:
                return False
            return step(record, trouble_field(guide_id), allowed(states), new.encode())

    def troubles(self, user_id: str) -> dict[str, StoredTrouble]:
        with self._data.lock:
            return troubles_in(self._data.users.get(user_id, {}))
