"""Users' records in memory: ``layout``'s reference rules applied under the store's lock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...timeutil import DAY
from .. import layout
from ..base import CodeKind, GuideWrite, RawRecord, UserStore
from .population import MemoryIndex
from .state import MemoryData


class MemoryUsers(UserStore):
    def __init__(self, data: MemoryData, index: MemoryIndex) -> None:
        self._data = data
        self._index = index

    def assign_codes(self, kind: CodeKind, names: Sequence[str]) -> dict[str, int]:
        with self._data.lock:
            table = self._data.codes[kind]
            for name in names:
                if name not in table:
                    table[name] = len(table) + 1
            return {name: table[name] for name in names}

    def track(self, user_id: str, field: str | None, at: int, signup: int | None) -> RawRecord:
        with self._data.lock:
            record = self._data.users.setdefault(user_id, {})
            layout.apply_event(record, field, at, signup)
            return dict(record)

    def track_activity(
        self,
        user_id: str,
        field: str | None,
        at: int,
        signup: int | None,
        account: str | None,
        events: int,
        key_events: int,
        key: str | None,
    ) -> tuple[RawRecord, bool]:
        data = self._data
        with data.lock:
            keys = data.applied_keys.setdefault(user_id, {})
            if key is not None and layout.key_applied(keys, key, at):
                return dict(data.users.get(user_id, {})), True
            record = data.users.setdefault(user_id, {})
            layout.apply_event(record, field, at, signup)
            if key is not None:
                layout.remember_key(keys, key, at)
            elif not keys:
                del data.applied_keys[user_id]
            copy = dict(record)
        self._index.note_activity(user_id, account, at // DAY, events, key_events)
        return copy, False

    def load(self, user_id: str) -> RawRecord:
        with self._data.lock:
            return dict(self._data.users.get(user_id, {}))

    def load_with_revision(self, user_id: str) -> tuple[RawRecord, int]:
        with self._data.lock:
            return dict(self._data.users.get(user_id, {})), len(self._data.texts)

    def advance_stage(self, user_id: str, expected: int, new: int, times: Mapping[int, int]) -> bool:
        with self._data.lock:
            record = self._data.users.setdefault(user_id, {})
            return layout.apply_stage(record, expected, new, times)

    def remember_arms(self, user_id: str, arms: Mapping[str, str]) -> dict[str, tuple[str, bool]]:
        with self._data.lock:
            return layout.remember_arms(self._data.users.setdefault(user_id, {}), arms)

    def remember_account_arms(self, account: str, arms: Mapping[str, str]) -> dict[str, tuple[str, bool]]:
        with self._data.lock:
            return layout.remember_arms(self._data.account_arms.setdefault(account, {}), arms)

    def guide_write(
        self,
        user_id: str,
        field: str,
        action: str,
        day: int,
        value: int,
        budget_limit: int,
        *,
        key: str | None = None,
        now: int = 0,
        counter: str | None = None,
    ) -> GuideWrite:
        data = self._data
        with data.lock:
            record = data.users.setdefault(user_id, {})
            keys = data.applied_keys.setdefault(user_id, {})
            if key is not None and layout.key_applied(keys, key, now):
                state, allowed, replayed = record.get(field, b"") or b"0,0,0,0", True, True
            else:
                state, allowed = layout.apply_guide_action(record, field, action, day, value, budget_limit)
                replayed = False
                if key is not None and allowed:
                    layout.remember_key(keys, key, now)
            if not keys:
                del data.applied_keys[user_id]
            # A replay is allowed (it was) and is counted at most once per user and day anyway.
            counted = counter is not None and allowed and self._index.count_once(day, counter, user_id)
            return GuideWrite(state, allowed, replayed, counted)
