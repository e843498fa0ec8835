"""Every Redis key name and hash tag the package writes, in one place. Pure.

A hash tag (the part in braces) decides a key's Cluster slot; keys one script touches share one.
``{p}`` is the prefix (``ONBOARDING_KEY_PREFIX``). What each index key holds: ``population``.

=====================================  ============================================================
``{p}:u:{<user>}``                     the user's record (hash, ``layout``)
``{p}:u:{<user>}:k``                   the user's applied idempotency keys (zset: key -> expiry)
``{p}:{codes}``                        event and guide code registry (hash)
``{p}:{content}:rev|texts|log``        published content: revision, revision -> text, history
``{p}:{content}:audit``                the console's audit log (list)
``{p}:x:{<acct>}``                     an account's experiment arms (hash: experiment -> arm)
``{p}:{content}:drafts``               console drafts (``:draftv`` their versions, ``:draftseq``
                                       the version counter)
``{p}:{U}:seen|ua|reach``              the index in a user's bucket ``U`` (``bucket_tags``): last
                                       active days, accounts, stage reach
``{p}:{U}:<day>``, ``:once:<day>``     the bucket's per-day counters; who was counted once
``{p}:{A}:m:<acct>``                   the index in an account's bucket ``A``: its members
``{p}:{A}:ad:<day>``, ``:nk:<day>``    its per-day figures; keyed events counted (a cluster's)
``{p}:{A}:ev:<acct>``, ``:ms:<acct>``  its counts of milestone events; milestones reached (day)
``{p}:{accounts}:last|dormant``        accounts by last active day; the last dormancy claim
``{p}:{accounts}:health``              account -> its health band and snapshot (last check)
``{p}:{accounts}:rebuilt[2]``          ``rebuild-index`` ran (one marker per layout it migrates)
``{p}:{counters}:<day>``               ``count``'s counters (and the index before the buckets)
``{p}:{counters}:lock:<name>``         a fleet-wide lock
``{p}:{outbox}:events[:dead]``         the events-out stream and its dead letters (``outbox``)
=====================================  ============================================================
"""

from __future__ import annotations

import binascii
import functools
import zlib

CLUSTER_SLOTS = 16384
#: Buckets of the index: 24 spread evenly over 2, 3, 4, 6, 8 or 12 masters (bucket_tags). Fixed
#: for a deployment: a user's bucket depends on it (changing it needs ``rebuild-index``).
DEFAULT_BUCKETS = 24
MAX_BUCKETS = 1024
LOCK_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_")

# --------------------------------------------------------------------------- one user


def user_key(prefix: str, user_id: str) -> str:
    # The braces are a Redis Cluster hash tag: every key of one user lands in one slot.
    return f"{prefix}:u:{{{user_id}}}"


def idempotency_key(prefix: str, user_id: str) -> str:
    """The user's applied idempotency keys (a sorted set: key -> expiry, epoch seconds). The
    user's hash tag puts it in the user's slot, so a script checks it and writes atomically."""
    return f"{user_key(prefix, user_id)}:k"


def account_arms_key(prefix: str, account: str) -> str:
    """An account's experiment arms (``experiment_runtime``), in the account's own slot."""
    return f"{prefix}:x:{{{account}}}"


def codes_key(prefix: str) -> str:
    return f"{prefix}:{{codes}}"


# --------------------------------------------------------------------------- content, console


def content_keys(prefix: str) -> tuple[str, str, str]:
    """The revision counter, the revision -> text hash and the history list (one slot, so one
    script publishes atomically on a cluster too)."""
    return f"{prefix}:{{content}}:rev", f"{prefix}:{{content}}:texts", f"{prefix}:{{content}}:log"


def audit_key(prefix: str) -> str:
    return f"{prefix}:{{content}}:audit"


def draft_keys(prefix: str) -> tuple[str, str, str]:
    """Console drafts: guide id -> draft (JSON), guide id -> version, and the version counter,
    under the {content} tag with the published content."""
    return f"{prefix}:{{content}}:drafts", f"{prefix}:{{content}}:draftv", f"{prefix}:{{content}}:draftseq"


# --------------------------------------------------------------------------- the index's buckets


def key_slot(text: str) -> int:
    """A Redis Cluster slot (CRC16-XMODEM, as Redis computes it) of a hash tag's text."""
    return binascii.crc_hqx(text.encode(), 0) % CLUSTER_SLOTS


@functools.lru_cache(maxsize=8)
def bucket_tags(buckets: int) -> tuple[str, ...]:
    """One hash tag per bucket, bucket ``b``'s in the middle half of the ``b``-th of ``buckets``
    equal slot ranges: a cluster whose masters hold equal slot ranges (what ``redis-cli
    --cluster create`` makes) gets equal shares of buckets when its masters divide ``buckets``.
    The search is deterministic, so every process finds the same tags."""
    if not 1 <= buckets <= MAX_BUCKETS:
        raise ValueError(f"index buckets: 1 to {MAX_BUCKETS}, not {buckets}")
    tags = []
    width = CLUSTER_SLOTS / buckets
    for b in range(buckets):
        low, high = b * width + width / 4, (b + 1) * width - width / 4
        k = 0
        while not low <= key_slot(f"ix{b}-{k}") < high:
            k += 1
        tags.append(f"ix{b}-{k}")
    return tuple(tags)


def bucket_of(name: str, buckets: int) -> int:
    """The bucket of a user id (their entries) or an account id (its members and figures)."""
    return zlib.crc32(name.encode()) % buckets


def bucket_prefix(prefix: str, buckets: int, bucket: int) -> str:
    return f"{prefix}:{{{bucket_tags(buckets)[bucket]}}}"


def user_bucket_prefix(prefix: str, buckets: int, user_id: str) -> str:
    """The prefix of every index key of ``user_id``'s bucket (or of an account's: same hash)."""
    return bucket_prefix(prefix, buckets, bucket_of(user_id, buckets))


# Keys inside one bucket (``bucket``: a bucket_prefix). A user's bucket holds the user's
# entries and the per-day counters; an account's bucket its members and per-day figures.
def seen_key(bucket: str) -> str:
    return bucket + ":seen"


def user_accounts_key(bucket: str) -> str:
    return bucket + ":ua"


def reach_key(bucket: str) -> str:
    return bucket + ":reach"


def account_members_prefix(bucket: str) -> str:
    """In the account's bucket, followed by the account id: its users -> last active day."""
    return bucket + ":m:"


def account_figures_key(bucket: str, day: int) -> str:
    """In the accounts' bucket: account id -> ``users,events,key events`` of that day."""
    return f"{bucket}:ad:{day}"


def old_account_users_prefix(bucket: str) -> str:
    """Layout 2 (read by ``rebuild-index`` only): an account's users in a user's bucket."""
    return bucket + ":au:"


def old_account_day_key(bucket: str, day: int) -> str:
    """Layout 2 (read by ``rebuild-index`` only): ``<acct>|u|e|k`` of a user's bucket's day."""
    return f"{bucket}:a:{day}"


def counters_key(bucket: str, day: int) -> str:
    return f"{bucket}:{day}"


def counted_key(bucket: str, day: int) -> str:
    return f"{bucket}:once:{day}"


def account_events_key(bucket: str, account: str) -> str:
    """In the account's bucket: event -> times anyone in the account did it (the events a
    milestone names only; ``account_outcomes``)."""
    return f"{bucket}:ev:{account}"


def account_milestones_key(bucket: str, account: str) -> str:
    """In the account's bucket: milestone -> the UTC day it was reached (set once)."""
    return f"{bucket}:ms:{account}"


def noted_key(bucket: str, day: int) -> str:
    """A day's set of ``user|idempotency key`` whose activity an account's bucket counted
    (a cluster's keyed event; two days), so a replay counts the account's events once."""
    return f"{bucket}:nk:{day}"


# --------------------------------------------------------------------------- global keys


def accounts_key(prefix: str) -> str:
    return f"{prefix}:{{accounts}}:last"


def dormant_key(prefix: str) -> str:
    return f"{prefix}:{{accounts}}:dormant"


def health_key(prefix: str) -> str:
    """Account id -> ``band|snapshot`` of its last health check (written by the periodic check)."""
    return f"{prefix}:{{accounts}}:health"


def rebuilt_key(prefix: str, layout_version: int) -> str:
    """``rebuild-index`` ran for the layout it migrates from (1: before the buckets; 2: the
    per-day account figures in the users' buckets)."""
    return f"{prefix}:{{accounts}}:rebuilt" + ("" if layout_version == 1 else str(layout_version))


def outbox_key(prefix: str) -> str:
    """The events-out stream (``outbox``; its dead letters: this key + ``:dead``, same slot)."""
    return f"{prefix}:{{outbox}}:events"


def legacy_tag(prefix: str) -> str:
    """The one hash tag of the index before the buckets (counters, locks)."""
    return f"{prefix}:{{counters}}"


def legacy_counters_key(prefix: str, day: int) -> str:
    return f"{legacy_tag(prefix)}:{day}"


def lock_key(prefix: str, name: str) -> str:
    if not name or not set(name) <= LOCK_NAME_CHARS:
        raise ValueError(f"lock name {name!r}: lower-case letters, digits, '-' and '_' only")
    return f"{legacy_tag(prefix)}:lock:{name}"
