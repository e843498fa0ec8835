"""One person's data: forget it, export it, expire it after ONBOARDING_RETENTION_DAYS, and warn
when a user id seems reused (docs/privacy.md). No Flask: ``extension.py`` and ``cli.py`` call in.
"""

from __future__ import annotations

import base64
import logging
import threading
import weakref
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import signals
from .guide_state import HELPFUL, NOT_HELPFUL, GuideState
from .storage.personal import StoredUser
from .storage.troubles import FIELD_PREFIX, troubles_in
from .timeutil import DAY, epoch_day, from_epoch, to_epoch

if TYPE_CHECKING:
    from .engine import Engine

logger = logging.getLogger("onboarding_sdk")

#: The retention sweep forgets at most this many users per store call, and this many calls per run.
SWEEP_BATCH = 500
SWEEP_ROUNDS = 20
RETENTION_LOCK = "retention"
#: A stored sign-up time further than this from the profile's suggests a reused user id.
SIGNUP_TOLERANCE = DAY
_WARNED_LIMIT = 10_000
_warned: weakref.WeakKeyDictionary[object, set[tuple[str, int]]] = weakref.WeakKeyDictionary()
_warned_lock = threading.Lock()


# --------------------------------------------------------------------------- forget


def forget(engine: Engine, user_id: str, reason: str = "request") -> None:
    """Delete everything the store keeps about ``user_id`` and send ``user_forgotten``.
    Raises StorageError (nothing is signalled then; forgetting again is safe)."""
    engine.call_store(lambda: engine.storage.privacy.forget(user_id))
    engine.forget_cached(user_id)
    signals.user_forgotten.send(engine.sender, user_id=user_id, reason=reason)


def retention_cutoff(engine: Engine) -> int | None:
    """The last UTC day number a user may have been active on and still be forgotten today;
    None when ONBOARDING_RETENTION_DAYS is off."""
    days: int | None = engine.settings.retention_days
    if days is None:
        return None
    return epoch_day(to_epoch(engine.now())) - int(days)


def expire_inactive(engine: Engine) -> list[str]:
    """Forget every user inactive for ONBOARDING_RETENTION_DAYS (their last active day in the
    population index at least that many days ago), in batches; send ``user_forgotten`` with
    reason ``"retention"`` for each. Returns their ids ([] when retention is off).
    Raises StorageError."""
    cutoff = retention_cutoff(engine)
    if cutoff is None:
        return []
    forgotten: list[str] = []
    for _ in range(SWEEP_ROUNDS):
        batch = engine.call_store(lambda: engine.storage.privacy.forget_inactive(cutoff, SWEEP_BATCH))
        for user_id in batch:
            engine.forget_cached(user_id)
            try:
                signals.user_forgotten.send(engine.sender, user_id=user_id, reason="retention")
            except Exception:  # one receiver's failure must not stop the sweep
                logger.exception("a user_forgotten receiver failed for user %s", user_id)
        forgotten += batch
        if len(batch) < SWEEP_BATCH:
            break
    if forgotten:
        logger.info("onboarding forgot %d user(s) inactive for the retention period", len(forgotten))
    return forgotten


def run_retention_sweep(engine: Engine) -> list[str] | None:
    """The opportunistic sweep after a response: only the process that takes the fleet-wide
    lock (held for one dormant-check interval) sweeps; None when retention is off or another
    process has the lock."""
    if engine.settings.retention_days is None:
        return None
    interval = engine.settings.dormant_check_interval
    if not engine.call_store(lambda: engine.storage.locks.acquire(RETENTION_LOCK, max(1, interval))):
        return None
    return expire_inactive(engine)


# --------------------------------------------------------------------------- reused ids


def warn_if_reused(scope: object, user_id: str, record: Mapping[str, bytes], signup: int | None) -> None:
    """Log a warning when the profile's sign-up time is more than a day away from the stored
    one: the id most likely belongs to a new person now (a recreated database handing out id
    1 again), who would inherit the old one's stage and dismissals. Once per id and stored
    time per ``scope`` (the app's Engine) and process."""
    stored = record.get("su")
    if signup is None or stored is None:
        return
    stored_at = int(stored)
    if abs(stored_at - signup) <= SIGNUP_TOLERANCE:
        return
    with _warned_lock:
        warned = _warned.setdefault(scope, set())
        if (user_id, stored_at) in warned:
            return
        if len(warned) >= _WARNED_LIMIT:
            warned.clear()
        warned.add((user_id, stored_at))
    logger.warning(
        "onboarding: user %s signed up at %s by its profile but %s by the store: is the id reused "
        "(a recreated user table)? The new user inherits the old one's onboarding; call "
        "onboarding.forget(%r) (or run `flask onboarding forget %s`) when the old user is gone",
        user_id,
        from_epoch(signup).isoformat(),
        from_epoch(stored_at).isoformat(),
        user_id,
        user_id,
    )


# --------------------------------------------------------------------------- export


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _day(day: int | None) -> str | None:
    return None if day is None else from_epoch(day * DAY).date().isoformat()


def _guide(state: GuideState) -> dict[str, Any]:
    helpful = True if state.flags & HELPFUL else (False if state.flags & NOT_HELPFUL else None)
    return {
        "seen": state.seen,
        "dismissed": state.dismissed,
        "completed": state.completed,
        "read": state.read,
        "helpful": helpful,
        "impressions": state.impressions,
        "last_shown_day": _day(state.last_shown_day) if state.last_shown_day else None,
        "step": state.step,
    }


def _text(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(value).decode("ascii")


def export_user(engine: Engine, user_id: str) -> dict[str, Any]:
    """Everything stored about ``user_id`` as JSON-able data (docs/privacy.md lists the keys).
    Reads only: nothing is written, no stage is settled. Raises StorageError."""
    found: StoredUser = engine.call_store(lambda: engine.storage.privacy.stored_user(user_id))
    now = engine.now()
    record = found.record
    state = engine.decode(user_id, record, now) if record else None
    event_fields = engine.codes.events().fields
    guide_fields = engine.codes.guides(engine.catalog.guides).fields
    named = set(event_fields.values()) | set(guide_fields.values())
    known_fields = {"su", "st", "fs", "ls", "d0", "d", "b"} | {f"t{i}" for i in range(1, 5)}
    budget = record.get("b")
    data: dict[str, Any] = {
        "user_id": user_id,
        "exported_at": now.isoformat(),
        "found": not found.empty,
        "signed_up_at": _iso(state.signed_up_at) if state else None,
        "first_seen": _iso(state.first_seen) if state else None,
        "last_seen": _iso(state.last_seen) if state else None,
        "stage": state.stage if state else None,
        "stage_entered": {stage: at.isoformat() for stage, at in state.stage_entered.items()} if state else {},
        "dormant": state.dormant if state else None,
        "active_days": [_day(day) for day in sorted(state.active_days)] if state else [],
        "events": {
            name: {"count": stats.count, "first": stats.first.isoformat(), "last": stats.last.isoformat()}
            for name, stats in sorted(state.events.items())
        }
        if state
        else {},
        "guides": {gid: _guide(GuideState.decode(raw)) for gid, raw in sorted(state.guides.items())} if state else {},
        "auto_opened": None,
        # Fields of events no longer declared or guides no longer served, as stored.
        "other_fields": {
            name: _text(value)
            for name, value in sorted(record.items())
            if name not in known_fields | named and not name.startswith(FIELD_PREFIX)
        },
        # Error hints met, for the follow-up (issue 16): where and when, and the answer.
        "troubles": {
            guide: {"state": trouble.state, "at": trouble.at.isoformat(), "page": trouble.page}
            for guide, trouble in troubles_in(record).items()
        },
        "idempotency_keys": [
            {"key": key, "expires": from_epoch(expiry).isoformat()}
            for key, expiry in sorted(found.applied_keys.items())
        ],
        "index": {
            "last_active_day": _day(found.last_day),
            "account": found.account,
            "last_active_day_in_account": _day(found.account_day),
            "counted": {_day(day): names for day, names in sorted(found.counted.items())},
        },
    }
    if budget:
        day, count = budget.decode().split(",")
        data["auto_opened"] = {"day": _day(int(day)), "count": int(count)}
    return data
