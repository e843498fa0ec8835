"""One person's data in memory (``personal``): export and forget, and the retention sweep."""

from __future__ import annotations

from ...timeutil import DAY
from .. import population as reference
from ..base import PrivacyStore
from ..personal import StoredUser, counted_user
from .state import MemoryData


class MemoryPrivacy(PrivacyStore):
    def __init__(self, data: MemoryData) -> None:
        self._data = data

    def _counted_members(self, user_id: str) -> dict[int, list[str]]:
        """Per day, the counted-once members of ``user_id`` (call with the lock held)."""
        found: dict[int, list[str]] = {}
        for day, done in self._data.counted.items():
            for member in done:
                split = counted_user(member)
                if split is not None and split[1] == user_id:
                    found.setdefault(day, []).append(member)
        return found

    def stored_user(self, user_id: str) -> StoredUser:
        with self._data.lock:
            index = self._data.population
            account = index.account_of.get(user_id)
            return StoredUser(
                record=dict(self._data.users.get(user_id, {})),
                applied_keys=dict(self._data.applied_keys.get(user_id, {})),
                last_day=index.seen.get(user_id),
                account=account,
                account_day=None if account is None else index.members.get(account, {}).get(user_id),
                counted={
                    day: sorted(member[: -len(user_id) - 1] for member in members)
                    for day, members in sorted(self._counted_members(user_id).items())
                },
            )

    def forget(self, user_id: str) -> None:
        data = self._data
        with data.lock:
            record = data.users.pop(user_id, {})
            data.applied_keys.pop(user_id, None)
            reference.forget(data.population, user_id, int(record.get("st", b"0")))
            for day, members in self._counted_members(user_id).items():
                data.counted[day].difference_update(members)

    def forget_inactive(self, cutoff: int, limit: int) -> list[str]:
        with self._data.lock:
            due = sorted((day, user) for user, day in self._data.population.seen.items() if day <= cutoff)
            users = [user for _, user in due[: max(0, limit)]]
        return [user for user in users if self._forget_unless_seen(user, (cutoff + 1) * DAY)]

    def _forget_unless_seen(self, user_id: str, seen_before: int) -> bool:
        with self._data.lock:  # as forget_user.lua: a user active since the listing is kept
            if int(self._data.users.get(user_id, {}).get("ls", b"0")) >= seen_before:
                return False
        self.forget(user_id)
        return True
