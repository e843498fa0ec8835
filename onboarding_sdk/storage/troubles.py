"""Troubles kept for the follow-up (issue 16, ``followups``): the record fields and their rules. Pure.

A trouble lives in the user's own record (``layout``) as the field ``f:<guide id>``, so it is
exported and forgotten with the record. Its value is ``<state>|<epoch seconds>|<page>``:

=====  =================================================================
``o``  open: an error or failed-result hint was shown; not yet followed up
``a``  asked: the follow-up card was shown (it is shown at most once)
``r``  resolved: the user answered "Yes"
``u``  unresolved: the user answered "No" (support was offered)
=====  =================================================================

Every change is a compare-and-set on the state (``step``), which ``trouble_step.lua`` mirrors:
a trouble is noted only when none is pending for that guide (or the pending one is older than
``followups.FORGET_AFTER_DAYS``), asked once, and answered once.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import datetime

from ..timeutil import from_epoch

FIELD_PREFIX = "f:"
STATES = {"o": "open", "a": "asked", "r": "resolved", "u": "unresolved"}
#: The states each change may start from ("" is a missing field).
NOTE_FROM = ("", "r", "u")
ASK_FROM = ("o",)
ANSWER_FROM = ("o", "a")
#: Pages are cut to this length: the field stays small (the record is one compact hash).
PAGE_LIMIT = 200


@dataclass(frozen=True)
class StoredTrouble:
    guide_id: str
    state: str  # a value of STATES
    at: datetime
    page: str


def trouble_field(guide_id: str) -> str:
    return FIELD_PREFIX + guide_id


def encode(state: str, at: int, page: str) -> bytes:
    if state not in STATES:
        raise ValueError(f"unknown trouble state {state!r}")
    return f"{state}|{int(at)}|{page[:PAGE_LIMIT]}".encode()


def decode(guide_id: str, value: bytes) -> StoredTrouble:
    state, at, page = value.decode().split("|", 2)
    return StoredTrouble(guide_id, STATES[state], from_epoch(int(at)), page)


def troubles_in(record: Mapping[str, bytes]) -> dict[str, StoredTrouble]:
    """The troubles of one raw record, by guide id."""
    return {
        name[len(FIELD_PREFIX) :]: decode(name[len(FIELD_PREFIX) :], value)
        for name, value in sorted(record.items())
        if name.startswith(FIELD_PREFIX)
    }


def step(
    record: MutableMapping[str, bytes], field: str, allowed: str, value: bytes, stale_before: int | None = None
) -> bool:
    """Set ``field`` to ``value`` when its current state is one of ``allowed`` ("-" stands for a
    missing field), or when it is older than ``stale_before`` (epoch seconds). True when set.
    A one-letter ``value`` is a new state only: the time and page stay."""
    current = record.get(field)
    state = "-" if current is None else current.decode()[:1]
    old = current is not None and stale_before is not None and int(current.decode().split("|")[1]) < stale_before
    if state not in allowed and not old:
        return False
    record[field] = value + current[1:] if len(value) == 1 and current is not None else value
    return True


def allowed(states: tuple[str, ...]) -> str:
    """``step``'s ``allowed`` for a tuple of states ("" becomes "-")."""
    return "".join(state or "-" for state in states)
