"""Users' records on Redis: one hash per user (``layout``), updated by Lua scripts in the
user's slot; a track() notes the population index in the same round trip."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from ...timeutil import DAY
from .. import keys, layout
from .. import population as pop
from ..base import CodeKind, GuideWrite, RawRecord, UserStore
from .connection import CLIENT_ERRORS, Client, Connection, record
from .population import RedisIndex
from .scripts import Call, guide_action_args, once_args, stage_args, track_args, track_note_call

logger = logging.getLogger("onboarding_sdk")
_LOST = "activity of user %s not added to the population index: %s"


class RedisUsers(UserStore):
    def __init__(self, conn: Connection, index: RedisIndex) -> None:
        self._conn = conn
        self._index = index

    def assign_codes(self, kind: CodeKind, names: Sequence[str]) -> dict[str, int]:
        if not names:
            return {}
        call: Call = ("assign_codes", [keys.codes_key(self._conn.prefix)], [kind, *names])
        codes = self._conn.run("assign_codes", lambda client: self._conn.script(client, call))
        return {name: int(code) for name, code in zip(names, codes, strict=True)}

    def track(self, user_id: str, field: str | None, at: int, signup: int | None) -> RawRecord:
        call: Call = ("track", [self._conn.user_key(user_id)], track_args(field, at, signup))
        return self._conn.run("track", lambda client: record(self._conn.script(client, call)))

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
        user_keys = [self._conn.user_key(user_id)]
        args = track_args(field, at, signup)
        if key is not None:
            user_keys.append(keys.idempotency_key(self._conn.prefix, user_id))
            args += once_args(key)
        written, _ = self._track(("track", user_keys, args), user_id, account, at // DAY, events, key_events, key)
        if key is None:
            return record(written), False
        applied, flat = written
        return record(flat), not applied

    def _track(
        self, track: Call, user_id: str, account: str | None, day: int, events: int, key_events: int, key: str | None
    ) -> tuple[Any, bool]:
        """The user's write and the index's notes in one round trip: one script on a single
        node (track_note.lua; a replayed key notes nothing); on a cluster the three scripts
        (the user's slot, the user's bucket, the account's bucket) in one pipeline, the
        account's half told the key so that a replay counts its events once. Returns
        track.lua's reply and whether the index took it. A failing index never fails the
        user's write: that would invite a retry that counts the event twice."""
        note_key = None if self._conn.one_node else key  # a single node checks the key first
        user_call, account_call = self._index.note_calls(user_id, account, day, events, key_events, note_key)

        def action(client: Client) -> tuple[Any, bool]:
            if self._conn.one_node:
                accounts_key = keys.accounts_key(self._conn.prefix)
                reply = self._conn.script(client, track_note_call(track, user_call, account_call, accounts_key))
                written, notes = reply[0], reply[1:]
                if not notes:  # a replay: nothing written, nothing noted
                    return written, False
                if len(notes) > 2:
                    logger.warning(_LOST, user_id, notes[2].decode())
                    return written, False
                raised: Any = 0  # track_note.lua raised the account's day itself
            else:
                calls = [track, user_call] if account_call is None else [track, user_call, account_call]
                written, notes, *rest = self._conn.pipelined_scripts(client, calls)
                if isinstance(written, BaseException):
                    raise written
                raised = rest[0] if rest else 0
                failed = next((r for r in (notes, raised) if isinstance(r, BaseException)), None)
                if failed is not None:
                    logger.warning(_LOST, user_id, failed)
                    return written, False
                if key is not None and written[0] == 0:
                    # A replay: the account's half knew the key (and the user's counts a day
                    # once), so the remembered account's half is not sent either.
                    notes = [None, notes[1]]
            try:
                self._index.after_notes(client, notes, raised, user_id, day, events, key_events, note_key)
            except CLIENT_ERRORS as exc:
                logger.warning(_LOST, user_id, exc)
                return written, False
            return written, True

        return self._conn.run("track", action)

    def load(self, user_id: str) -> RawRecord:
        def action(client: Client) -> RawRecord:
            reply: Mapping[bytes, bytes] = client.hgetall(self._conn.user_key(user_id))  # type: ignore[assignment]
            return {name.decode(): value for name, value in reply.items()}

        return self._conn.run("load", action)

    def load_with_revision(self, user_id: str) -> tuple[RawRecord, int]:
        user_key, rev_key = self._conn.user_key(user_id), keys.content_keys(self._conn.prefix)[0]

        # On a single server one script reads both. On a cluster the user's slot and the
        # {content} slot may sit on two nodes, so a script cannot: one pipeline, and redis-py
        # writes to every node before reading any reply, so the two requests overlap (see
        # docs/architecture.md).
        def action(client: Client) -> tuple[RawRecord, int]:
            if self._conn.one_node:
                flat, revision = self._conn.script(client, ("load_with_revision", [user_key, rev_key], []))
                return record(flat), int(revision)
            pipe = client.pipeline(transaction=False)
            pipe.hgetall(user_key)
            pipe.get(rev_key)
            reply, revision = pipe.execute()
            return {name.decode(): value for name, value in reply.items()}, int(revision or 0)

        return self._conn.run("load", action)

    def advance_stage(self, user_id: str, expected: int, new: int, times: Mapping[int, int]) -> bool:
        call: Call = ("advance_stage", [self._conn.user_key(user_id)], stage_args(expected, new, times))
        return self._conn.run("advance_stage", lambda client: bool(self._conn.script(client, call)))

    def remember_arms(self, user_id: str, arms: Mapping[str, str]) -> dict[str, tuple[str, bool]]:
        return self._remember(self._conn.user_key(user_id), arms)

    def remember_account_arms(self, account: str, arms: Mapping[str, str]) -> dict[str, tuple[str, bool]]:
        return self._remember(keys.account_arms_key(self._conn.prefix, account), arms)

    def _remember(self, key: str, arms: Mapping[str, str]) -> dict[str, tuple[str, bool]]:
        if not arms:
            return {}
        args = [item for experiment, arm in arms.items() for item in (layout.arm_field(experiment), arm)]
        call: Call = ("remember_arms", [key], args)
        reply = self._conn.run("remember_arms", lambda client: self._conn.script(client, call))
        pairs = zip(reply[::2], reply[1::2], strict=True)
        return {e: (bytes(arm).decode(), bool(new)) for e, (arm, new) in zip(arms, pairs, strict=True)}

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
        args = guide_action_args(field, action, day, value, budget_limit)
        user_keys = [self._conn.user_key(user_id)]
        if key is not None:
            user_keys.append(keys.idempotency_key(self._conn.prefix, user_id))
            args += [key, str(int(now)), *once_args(key)[1:]]
        write: Call = ("guide_action", user_keys, args)
        count: Call | None = None
        if counter is not None:
            bucket = self._conn.bucket(user_id)
            member = layout.counted_member(counter, user_id)
            count_args = [member, counter, str(layout.COUNTED_TTL), str(pop.DAY_KEYS_TTL)]
            count = ("count_once", [keys.counted_key(bucket, day), keys.counters_key(bucket, day)], count_args)

        def run(client: Client) -> GuideWrite:
            if count is None or budget_limit > 0:
                # A budgeted shown may be refused: count only once it is known to be allowed.
                state, allowed, replayed = self._conn.script(client, write)
                counted = self._conn.script(client, count) if count is not None and allowed else 0
                return GuideWrite(bytes(state), bool(allowed), bool(replayed), bool(counted))
            # Never refused: the write and the count in one pipeline (one round trip; on a
            # cluster the two slots in parallel). The count is once per user and day, so a
            # replay adds nothing.
            written, counted = self._conn.pipelined_scripts(client, [write, count])
            if isinstance(written, BaseException):
                raise written
            if isinstance(counted, BaseException):
                logger.warning("guide action of user %s not counted for analytics: %s", user_id, counted)
                counted = 0
            state, allowed, replayed = written
            return GuideWrite(bytes(state), bool(allowed), bool(replayed), bool(counted))

        return self._conn.run("guide_action", run)
