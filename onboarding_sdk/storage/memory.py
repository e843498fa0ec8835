"""In-process storage: the default for development and tests. Not shared between processes."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import StaleDraft, StaleRevision
from ..timeutil import DAY
from . import layout
from . import population as index
from .base import CodeKind, GuideWrite, RawRecord, Storage
from .personal import StoredUser, counted_user
from .population import AccountActivity, DormantAccount, Population, PopulationData


class MemoryStorage(Storage):
    def __init__(self, uri: str = "memory://", prefix: str = "ob") -> None:
        self.uri = uri
        self.prefix = prefix
        self._lock = threading.Lock()
        self._users: dict[str, RawRecord] = {}
        self._codes: dict[CodeKind, dict[str, int]] = {"e": {}, "g": {}}
        self._counters: dict[int, dict[str, int]] = {}
        self._texts: dict[int, str] = {}
        self._history: list[dict[str, Any]] = []  # oldest first
        self._audit: list[str] = []  # JSON, oldest first (stored as text, like Redis)
        self._population = PopulationData()
        self._locks: dict[str, float] = {}  # name -> time.monotonic() when it expires
        self._drafts: dict[str, dict[str, Any]] = {}  # guide id -> console draft, with its version
        self._draft_seq = 0
        self._applied_keys: dict[str, dict[str, int]] = {}  # user id -> idempotency key -> expiry
        self._counted: dict[int, set[str]] = {}  # day -> "guide|action|user" counted that day

    def assign_codes(self, kind: CodeKind, names: Sequence[str]) -> dict[str, int]:
        with self._lock:
            table = self._codes[kind]
            for name in names:
                if name not in table:
                    table[name] = len(table) + 1
            return {name: table[name] for name in names}

    def track(self, user_id: str, field: str | None, at: int, signup: int | None) -> RawRecord:
        with self._lock:
            record = self._users.setdefault(user_id, {})
            layout.apply_event(record, field, at, signup)
            return dict(record)

    def load(self, user_id: str) -> RawRecord:
        with self._lock:
            return dict(self._users.get(user_id, {}))

    def load_with_revision(self, user_id: str) -> tuple[RawRecord, int]:
        with self._lock:
            return dict(self._users.get(user_id, {})), len(self._texts)

    def advance_stage(self, user_id: str, expected: int, new: int, times: Mapping[int, int]) -> bool:
        with self._lock:
            record = self._users.setdefault(user_id, {})
            return layout.apply_stage(record, expected, new, times)

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
        with self._lock:
            record = self._users.setdefault(user_id, {})
            keys = self._applied_keys.setdefault(user_id, {})
            if key is not None and layout.key_applied(keys, key, now):
                state, allowed, replayed = record.get(field, b"") or b"0,0,0,0", True, True
            else:
                state, allowed = layout.apply_guide_action(record, field, action, day, value, budget_limit)
                replayed = False
                if key is not None and allowed:
                    layout.remember_key(keys, key, now)
            if not keys:
                del self._applied_keys[user_id]
            # A replay is allowed (it was) and is counted at most once per user and day anyway.
            counted = counter is not None and allowed and self._count_once(day, counter, user_id)
            return GuideWrite(state, allowed, replayed, counted)

    def _count_once(self, day: int, counter: str, user_id: str) -> bool:
        for old in [d for d in self._counted if d < day - 1]:  # Redis expires them (COUNTED_TTL)
            del self._counted[old]
        done = self._counted.setdefault(day, set())
        member = layout.counted_member(counter, user_id)
        if member in done:
            return False
        done.add(member)
        table = self._counters.setdefault(day, {})
        table[counter] = table.get(counter, 0) + 1
        return True

    def count(self, day: int, counters: Mapping[str, int]) -> None:
        with self._lock:
            table = self._counters.setdefault(day, {})
            for name, amount in counters.items():
                table[name] = table.get(name, 0) + amount

    def counters(self, days: Sequence[int]) -> dict[int, dict[str, int]]:
        with self._lock:
            return {day: dict(self._counters.get(day, {})) for day in days}

    def forget(self, user_id: str) -> None:
        with self._lock:
            record = self._users.pop(user_id, {})
            self._applied_keys.pop(user_id, None)
            index.forget(self._population, user_id, int(record.get("st", b"0")))
            for day, members in self._counted_members(user_id).items():
                self._counted[day].difference_update(members)

    # -- one person's data (personal.py)

    def _counted_members(self, user_id: str) -> dict[int, list[str]]:
        """Per day, the counted-once members of ``user_id`` (call with the lock held)."""
        found: dict[int, list[str]] = {}
        for day, done in self._counted.items():
            for member in done:
                split = counted_user(member)
                if split is not None and split[1] == user_id:
                    found.setdefault(day, []).append(member)
        return found

    def stored_user(self, user_id: str) -> StoredUser:
        with self._lock:
            data = self._population
            account = data.account_of.get(user_id)
            return StoredUser(
                record=dict(self._users.get(user_id, {})),
                applied_keys=dict(self._applied_keys.get(user_id, {})),
                last_day=data.seen.get(user_id),
                account=account,
                account_day=None if account is None else data.members.get(account, {}).get(user_id),
                counted={
                    day: sorted(member[: -len(user_id) - 1] for member in members)
                    for day, members in sorted(self._counted_members(user_id).items())
                },
            )

    def forget_inactive(self, cutoff: int, limit: int) -> list[str]:
        with self._lock:
            due = sorted((day, user) for user, day in self._population.seen.items() if day <= cutoff)
            users = [user for _, user in due[: max(0, limit)]]
        return [user for user in users if self._forget_unless_seen(user, (cutoff + 1) * DAY)]

    def _forget_unless_seen(self, user_id: str, seen_before: int) -> bool:
        with self._lock:  # as forget_user.lua: a user active since the listing is kept
            if int(self._users.get(user_id, {}).get("ls", b"0")) >= seen_before:
                return False
        self.forget(user_id)
        return True

    def ping(self) -> None:
        return None

    def reset(self) -> None:
        with self._lock:
            self._users.clear()
            self._counters.clear()
            self._codes = {"e": {}, "g": {}}
            self._texts.clear()
            self._history.clear()
            self._audit.clear()
            self._population = PopulationData()
            self._locks.clear()
            self._drafts.clear()
            self._draft_seq = 0
            self._applied_keys.clear()
            self._counted.clear()

    def publish_content(
        self, text: str, expected_revision: int | None, author: str, note: str, at: int | None = None
    ) -> int:
        with self._lock:
            current = len(self._texts)
            if expected_revision is not None and expected_revision != current:
                raise StaleRevision(expected_revision, current)
            revision = current + 1
            self._texts[revision] = text
            when = int(time.time()) if at is None else int(at)
            self._history.append({"revision": revision, "author": author, "note": note, "time": when})
            del self._history[: -layout.CONTENT_HISTORY_LIMIT]
            return revision

    def content_revision(self) -> int:
        with self._lock:
            return len(self._texts)

    def load_content(self, revision: int | None = None) -> tuple[int, str] | None:
        with self._lock:
            wanted = len(self._texts) if revision is None else revision
            text = self._texts.get(wanted)
            return None if text is None else (wanted, text)

    def content_history(self, limit: int = 50) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(entry) for entry in reversed(self._history[-limit:])] if limit > 0 else []

    def record_audit(self, entry: Mapping[str, Any]) -> None:
        text = json.dumps(dict(entry), ensure_ascii=False)
        with self._lock:
            self._audit.append(text)
            del self._audit[: -layout.AUDIT_LIMIT]

    def audit_log(self, limit: int = 100) -> list[dict[str, Any]]:
        with self._lock:
            return [json.loads(text) for text in reversed(self._audit[-limit:])] if limit > 0 else []

    # --- the population index -------------------------------------------------------------

    def track_and_note(
        self,
        user_id: str,
        field: str | None,
        at: int,
        signup: int | None,
        account: str | None,
        events: int,
        key_events: int,
    ) -> RawRecord:
        record = self.track(user_id, field, at, signup)
        self.note_activity(user_id, account, at // DAY, events, key_events)
        return record

    def track_once(
        self,
        user_id: str,
        field: str | None,
        at: int,
        signup: int | None,
        account: str | None,
        events: int,
        key_events: int,
        key: str,
    ) -> tuple[RawRecord, bool]:
        with self._lock:
            keys = self._applied_keys.setdefault(user_id, {})
            if layout.key_applied(keys, key, at):
                return dict(self._users.get(user_id, {})), True
            record = self._users.setdefault(user_id, {})
            layout.apply_event(record, field, at, signup)
            layout.remember_key(keys, key, at)
            copy = dict(record)
        self.note_activity(user_id, account, at // DAY, events, key_events)
        return copy, False

    def note_activity(self, user_id: str, account: str | None, day: int, events: int, key_events: int) -> None:
        with self._lock:
            index.note_activity(self._population, self._counters, user_id, account, day, events, key_events)

    def count_stages(
        self, day: int, entered: Sequence[str], stays: Sequence[tuple[str, int]], user_id: str = ""
    ) -> None:
        with self._lock:
            index.count_stages(self._population, self._counters, day, entered, stays)

    def population(self, cutoff: int, since: int, limit: int) -> Population:
        with self._lock:
            return index.population(self._population, cutoff, since, limit)

    def account_activity(self, account: str, days: Sequence[int], since: int, limit: int) -> AccountActivity | None:
        with self._lock:
            return index.account_activity(self._population, account, days, since, limit)

    def account_days(self, accounts: Sequence[str], days: Sequence[int]) -> dict[str, dict[int, tuple[int, int, int]]]:
        with self._lock:
            return index.account_days(self._population, accounts, days)

    def claim_dormant_accounts(self, cutoff: int, limit: int) -> list[DormantAccount]:
        with self._lock:
            return index.claim_dormant(self._population, cutoff, limit)

    def acquire_lock(self, name: str, seconds: int) -> bool:
        index.lock_key(self.prefix, name)  # the same names as Redis
        now = time.monotonic()
        with self._lock:
            if self._locks.get(name, 0.0) > now:
                return False
            self._locks[name] = now + seconds
            return True

    # -- console drafts

    def save_draft(self, guide_id: str, draft: Mapping[str, Any], expected_version: int) -> int:
        text = json.dumps(dict(draft), ensure_ascii=False)  # stored as JSON, like Redis
        with self._lock:
            current = int(self._drafts.get(guide_id, {}).get("version", 0))
            if current != expected_version:
                raise StaleDraft(guide_id, expected_version, current)
            self._draft_seq += 1
            self._drafts[guide_id] = {"version": self._draft_seq, **json.loads(text)}
            return self._draft_seq

    def load_draft(self, guide_id: str) -> dict[str, Any] | None:
        with self._lock:
            found = self._drafts.get(guide_id)
            return None if found is None else dict(found)

    def drafts(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {guide_id: dict(draft) for guide_id, draft in self._drafts.items()}

    def delete_draft(self, guide_id: str, expected_version: int) -> bool:
        with self._lock:
            found = self._drafts.get(guide_id)
            if found is None or found["version"] != expected_version:
                return False
            del self._drafts[guide_id]
            return True
