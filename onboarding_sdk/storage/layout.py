"""The compact per-user record layout, shared by every storage backend.

One user is one hash (in Redis: one key, small enough for the listpack encoding).
Field names are one or two letters; events and guides are stored under short
numeric codes handed out once by the store's code registry, so renaming nothing
and reordering config never scrambles data. Values:

=========  ==========================================================
``su``     sign-up time, epoch seconds
``st``     stage index (0 awareness ... 4 stickiness); missing means 0
``t1..t4`` epoch seconds at which stage 1..4 was entered
``fs/ls``  first / last activity, epoch seconds
``d0``     UTC day number of the first bit of ``d``
``d``      active-day bitmap, most significant bit first (bit i = day d0+i)
``e<c>``   event with code c (base 36): ``count,first,span`` where first is
           seconds since 2000-01-01 and span = last - first, both in base 36
``g<c>``   guide with code c: state string owned by the delivery layer
``x:<id>`` the user's arm in experiment <id>, kept from the first exposure
=========  ==========================================================

Backends must implement the same update rules; see ``apply_event`` which is
the reference the Lua script mirrors.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from datetime import datetime

from ..guide_state import GuideState
from ..state import STAGES, EventStats, UserState
from ..timeutil import DAY, from_epoch

# Key names live in ``keys``; these names stay importable from here (earlier versions).
from .keys import audit_key as audit_key
from .keys import codes_key as codes_key
from .keys import content_keys as content_keys
from .keys import draft_keys as draft_keys
from .keys import idempotency_key as idempotency_key
from .keys import user_key as user_key

EPOCH0 = 946684800  # 2000-01-01T00:00:00Z; event times are stored relative to it
Record = Mapping[str, bytes]

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def b36(number: int) -> str:
    if number < 0:
        raise ValueError("base-36 numbers here are never negative")
    if number == 0:
        return "0"
    out = []
    while number:
        number, rem = divmod(number, 36)
        out.append(_DIGITS[rem])
    return "".join(reversed(out))


def event_field(code: int) -> str:
    return "e" + b36(code)


def guide_field(code: int) -> str:
    return "g" + b36(code)


# Published content: texts are kept for every revision (rollback); the history list is capped.
CONTENT_HISTORY_LIMIT = 1000
AUDIT_LIMIT = 10_000


def encode_event(count: int, first: int, last: int) -> bytes:
    return f"{count},{b36(first - EPOCH0)},{b36(last - first)}".encode()


def decode_event(value: bytes) -> tuple[int, int, int]:
    count, first, span = value.decode().split(",")
    first_at = int(first, 36) + EPOCH0
    return int(count), first_at, first_at + int(span, 36)


def set_day_bit(record: MutableMapping[str, bytes], day: int) -> None:
    """Mark ``day`` active, growing the bitmap at either end as needed."""
    start = record.get("d0")
    bitmap = bytearray(record.get("d", b""))
    if start is None:
        d0 = day
    else:
        d0 = int(start)
        if day < d0:
            shift = -(-(d0 - day) // 8)  # whole bytes, so existing bits keep their place
            bitmap[:0] = bytes(shift)
            d0 -= shift * 8
    index = day - d0
    byte = index // 8
    if len(bitmap) <= byte:
        bitmap.extend(bytes(byte + 1 - len(bitmap)))
    bitmap[byte] |= 0x80 >> (index % 8)
    record["d0"] = str(d0).encode()
    record["d"] = bytes(bitmap)


# For each byte value, the positions of its set bits (most significant first): decoding a
# bitmap is then one table look-up per byte instead of eight tests.
_BITS = tuple(tuple(bit for bit in range(8) if byte & (0x80 >> bit)) for byte in range(256))


def decode_days(record: Record) -> frozenset[int]:
    start = record.get("d0")
    if start is None:
        return frozenset()
    d0 = int(start)
    return frozenset(
        d0 + byte_index * 8 + bit for byte_index, byte in enumerate(record.get("d", b"")) if byte for bit in _BITS[byte]
    )


def apply_event(record: MutableMapping[str, bytes], field: str | None, at: int, signup: int | None) -> None:
    """Reference implementation of the atomic 'track' update (mirrored in track.lua)."""
    if at < EPOCH0:
        raise ValueError("event times before 2000-01-01 are refused")  # before any write, as track.lua
    if signup is not None and "su" not in record:
        record["su"] = str(signup).encode()
    first_seen = record.get("fs")
    if first_seen is None or at < int(first_seen):
        record["fs"] = str(at).encode()
    last_seen = record.get("ls")
    if last_seen is None or at > int(last_seen):
        record["ls"] = str(at).encode()
    set_day_bit(record, at // DAY)
    if field:
        old = record.get(field)
        if old is None:
            record[field] = encode_event(1, at, at)
        else:
            count, first, last = decode_event(old)
            record[field] = encode_event(count + 1, min(first, at), max(last, at))


def apply_stage(record: MutableMapping[str, bytes], expected: int, new: int, times: Mapping[int, int]) -> bool:
    """Reference compare-and-set of the stage (mirrored in advance_stage.lua)."""
    current = int(record.get("st", b"0"))
    if current != expected or new <= current:
        return False
    record["st"] = str(new).encode()
    for index, at in times.items():
        record[f"t{index}"] = str(at).encode()
    return True


def budget_used(record: Record, day: int) -> int:
    """Auto-opened guides already shown today (field ``b`` is ``day,count``)."""
    raw = record.get("b")
    if not raw:
        return 0
    stored_day, count = raw.decode().split(",")
    return int(count) if int(stored_day) == day else 0


def apply_guide_action(
    record: MutableMapping[str, bytes], field: str, action: str, day: int, value: int, budget_limit: int
) -> tuple[bytes, bool]:
    """Reference update of one guide's state (mirrored in guide_action.lua).

    ``budget_limit`` > 0 makes a ``shown`` an auto-open that spends the daily attention
    budget: refused (nothing changes, returns False) once ``budget_limit`` are spent today.
    """
    state = GuideState.decode(record.get(field))
    if action == "shown" and budget_limit > 0:
        used = budget_used(record, day)
        if used >= budget_limit:
            return state.encode(), False
        record["b"] = f"{day},{used + 1}".encode()
    new = state.apply(action, day, value).encode()
    record[field] = new
    return new, True


ARM_PREFIX = "x:"


def arm_field(experiment_id: str) -> str:
    return ARM_PREFIX + experiment_id


def arms_in(record: Record) -> dict[str, str]:
    """The experiment arms stored in a user's record: experiment id -> arm."""
    return {name[2:]: value.decode() for name, value in record.items() if name.startswith(ARM_PREFIX)}


def remember_arms(record: MutableMapping[str, bytes], arms: Mapping[str, str]) -> dict[str, tuple[str, bool]]:
    """Reference update (mirrored in remember_arms.lua): store each experiment's arm unless one
    is stored already. Returns, per experiment, the arm stored now (the first exposure's) and
    whether this call stored it."""
    kept: dict[str, tuple[str, bool]] = {}
    for experiment_id, arm in arms.items():
        field = arm_field(experiment_id)
        new = field not in record
        kept[experiment_id] = (record.setdefault(field, arm.encode()).decode(), new)
    return kept


def _time(record: Record, name: str) -> datetime | None:
    value = record.get(name)
    return from_epoch(int(value)) if value is not None else None


def decode_user(
    user_id: str, record: Record, event_names: Mapping[str, str], guide_ids: Mapping[str, str]
) -> UserState:
    """Turn a raw record into a UserState. ``event_names`` / ``guide_ids`` map field -> name."""
    stage_index = int(record.get("st", b"0"))
    entered: dict[str, datetime] = {}
    signed_up_at = _time(record, "su")
    first_seen = _time(record, "fs")
    start = signed_up_at or first_seen
    if start is not None:
        entered[STAGES[0]] = start
    for index in range(1, stage_index + 1):
        at = _time(record, f"t{index}")
        if at is not None:
            entered[STAGES[index]] = at
    events: dict[str, EventStats] = {}
    guides: dict[str, bytes] = {}
    extra: dict[str, bytes] = {}
    for name, value in record.items():
        head = name[:1]
        if head == "e" and name in event_names:
            count, first, last = decode_event(value)
            events[event_names[name]] = EventStats(count, from_epoch(first), from_epoch(last))
        elif head == "g" and name in guide_ids:
            guides[guide_ids[name]] = value
        elif head in ("x", "b"):
            extra[name] = value
    return UserState(
        user_id=user_id,
        signed_up_at=signed_up_at,
        stage=STAGES[stage_index],
        stage_entered=entered,
        first_seen=first_seen,
        last_seen=_time(record, "ls"),
        events=events,
        active_days=decode_days(record),
        guides=guides,
        extra=extra,
    )


# --- exactly once (docs/widget-contract.md, "Exactly once") ----------------------------------
#: How long an applied idempotency key is remembered (the widget retries for less than that).
IDEMPOTENCY_TTL = 48 * 3600
#: At most this many keys per user: the oldest go first (a flood cannot grow a user's keys).
IDEMPOTENCY_LIMIT = 1000
#: How long a day's "counted once" set lives: the day itself and a margin for late requests.
COUNTED_TTL = 2 * DAY


def counted_member(counter: str, user_id: str) -> str:
    return f"{counter}|{user_id}"


def key_applied(keys: Mapping[str, int], key: str, now: int) -> bool:
    """Reference of the idempotency check (mirrored in once.lua): ``key`` was applied for this
    user within its lifetime (``keys``: key -> expiry)."""
    expires = keys.get(key)
    return expires is not None and expires > now


def remember_key(keys: MutableMapping[str, int], key: str, now: int) -> None:
    """Reference of recording an applied key (mirrored in once.lua): expired keys are dropped
    and the set is capped at IDEMPOTENCY_LIMIT, soonest to expire first (ties by key, as a
    Redis sorted set orders them)."""
    for old in [k for k, t in keys.items() if t <= now]:
        del keys[old]
    keys[key] = now + IDEMPOTENCY_TTL
    if len(keys) > IDEMPOTENCY_LIMIT:
        for old in sorted(keys, key=lambda k: (keys[k], k))[: len(keys) - IDEMPOTENCY_LIMIT]:
            del keys[old]
