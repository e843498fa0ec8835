"""What the store keeps about one person, for ``forget`` and ``export_user`` (docs/privacy.md). Pure.

A user's data lives in two places: the user's own slot (the record hash and the applied
idempotency keys, ``layout.user_key`` / ``layout.idempotency_key``) and the population index in
the ``{counters}`` slot (``population.py``: last active day, remembered account, the account's
member set, and the day's "counted once" sets of ``population.counted_key`` whose members end with
the user's id). Everything else in the index is an anonymous total and holds no id.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .base import RawRecord


@dataclass(frozen=True)
class StoredUser:
    """Everything stored about one user id, as the store holds it (``Storage.stored_user``)."""

    record: RawRecord = field(default_factory=dict)
    applied_keys: dict[str, int] = field(default_factory=dict)  # idempotency key -> expiry (epoch s)
    last_day: int | None = None  # the index's last active day (UTC day number)
    account: str | None = None  # the account the index remembers for the user
    account_day: int | None = None  # the user's last active day in that account's member set
    counted: dict[int, list[str]] = field(default_factory=dict)  # day -> counters counted for the user

    @property
    def empty(self) -> bool:
        return not (self.record or self.applied_keys or self.last_day is not None or self.account or self.counted)


def counted_user(member: str) -> tuple[str, str] | None:
    """Split a "counted once" member (``layout.counted_member``: ``guide|action|user``) into
    the counter and the user. Guide ids and actions never hold ``|`` (the content schema's id
    pattern), so the user is everything after the second one, whatever it contains."""
    guide, sep, rest = member.partition("|")
    action, sep2, user = rest.partition("|")
    if not (guide and sep and action and sep2):
        return None
    return f"{guide}|{action}", user


def counted_pattern(user_id: str) -> str:
    """A Redis MATCH pattern that every member of ``user_id`` matches (checked exactly after)."""
    return "*|" + "".join("\\" + char if char in "*?[]\\" else char for char in user_id)
