"""The Lua scripts (``storage/lua``) and the KEYS and ARGV each one takes. Pure.

Small scripts share code by prepending: ``once.lua`` (idempotency keys) to the scripts that
take one, ``counted.lua`` (one user's counted-once members) to forget and export,
``figures.lua`` (an account's day as one field) to the scripts that add to it. ``track_note``
is ``track.lua``, ``note_user.lua`` and ``note_account.lua`` as functions of one script.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from importlib import resources

from ...state import STAGES
from ...timeutil import DAY
from .. import keys, layout
from .. import population as pop

#: Every script a RedisStorage loads.
SCRIPTS = (
    "track",
    "advance_stage",
    "guide_action",
    "remember_arms",
    "assign_codes",
    "publish_content",
    "count_once",
    "track_note",
    "note_user",
    "note_account",
    "merge_figures",
    "count_stages",
    "population",
    "claim_dormant",
    "forget_population",
    "user_index",
    "forget_user",
    "save_draft",
    "delete_draft",
    "load_with_revision",
    "current_content",
    "record_health",
    "trouble_step",
)
_PREPENDED = {
    "track": ("once",),
    "guide_action": ("once",),
    "forget_population": ("counted",),
    "user_index": ("counted",),
    "note_account": ("figures",),
    "merge_figures": ("figures",),
}
_FUNCTIONS = {"track_note": (("run_track", "track"), ("run_user", "note_user"), ("run_account", "note_account"))}
Call = tuple[str, list[str], list[str]]  # a script's name, KEYS and ARGV


def _lua_file(name: str) -> str:
    return resources.files("onboarding_sdk.storage").joinpath("lua", f"{name}.lua").read_text(encoding="utf-8")


def script_source(name: str) -> str:
    """The text of one of the package's scripts (``"track"``, ``"track_note"``, ...), with
    what it uses prepended."""
    functions = "".join(
        f"local function {function}(KEYS, ARGV)\n{script_source(part)}\nend\n"
        for function, part in _FUNCTIONS.get(name, ())
    )
    shared = "".join(_lua_file(part) for part in _PREPENDED.get(name, ()))
    return functions + shared + _lua_file(name)


def once_args(key: str | None) -> list[str]:
    """The idempotency ARGV appended to track.lua's and guide_action.lua's (after ``now``)."""
    return [key or "", str(layout.IDEMPOTENCY_TTL), str(layout.IDEMPOTENCY_LIMIT)]


def track_args(field: str | None, at: int, signup: int | None) -> list[str]:
    """ARGV of track.lua."""
    return [field or "", str(int(at)), "" if signup is None else str(int(signup)), str(layout.EPOCH0), str(DAY)]


def note_user_call(bucket: str, user_id: str, account: str | None, day: int) -> Call:
    """note_user.lua in the user's ``bucket`` (keys.user_bucket_prefix)."""
    day_keys = [keys.seen_key(bucket), keys.user_accounts_key(bucket), keys.counters_key(bucket, day)]
    args = [user_id, account or "", str(int(day)), pop.stage_field(STAGES[0]), str(pop.DAY_KEYS_TTL)]
    return "note_user", day_keys, args


def noted_hash(user_id: str, key: str) -> str:
    """What note_account.lua remembers of a cluster's keyed event: a hash, no id."""
    return hashlib.blake2b(f"{user_id}\0{key}".encode(), digest_size=8).hexdigest()


def note_account_call(
    bucket: str, user_id: str, account: str, day: int, events: int, key_events: int, key: str | None = None
) -> Call:
    """note_account.lua in the account's ``bucket``; ``key``: a keyed event's idempotency key,
    when the user's write runs beside it (a cluster) rather than before it."""
    day_keys = [
        keys.account_members_prefix(bucket) + account,
        keys.account_figures_key(bucket, day),
        keys.noted_key(bucket, day),
        keys.noted_key(bucket, day - 1),
    ]
    args = [user_id, account, str(int(day)), str(int(events)), str(int(key_events)), str(pop.DAY_KEYS_TTL)]
    return "note_account", day_keys, [*args, "" if key is None else noted_hash(user_id, key), str(layout.COUNTED_TTL)]


def track_note_call(track: Call, user: Call, account: Call | None, accounts_key: str) -> Call:
    """track_note.lua: the three scripts' KEYS and ARGV in one call (a single node)."""
    parts = [track, user] if account is None else [track, user, account]
    all_keys = [key for _, part_keys, _ in parts for key in part_keys]
    all_args = [arg for _, _, part_args in parts for arg in part_args]
    counts = [str(len(part[i])) for part in parts for i in (1, 2)] + ["0", "0"] * (3 - len(parts))
    return "track_note", [*all_keys, accounts_key], [*all_args, *counts]


def stages_call(bucket: str, day: int, entered: Sequence[str], stays: Sequence[tuple[str, int]]) -> Call:
    """count_stages.lua in the user's ``bucket``."""
    args = [str(len(entered)), *entered]
    for stage, days in stays:
        args += [stage, str(int(days))]
    return "count_stages", [keys.reach_key(bucket), keys.counters_key(bucket, day)], [*args, str(pop.DAY_KEYS_TTL)]


def stage_args(expected: int, new: int, times: Mapping[int, int]) -> list[str]:
    """ARGV of advance_stage.lua."""
    args = [str(int(expected)), str(int(new))]
    for index, at in times.items():
        args += [str(int(index)), str(int(at))]
    return args


def guide_action_args(field: str, action: str, day: int, value: int, budget_limit: int) -> list[str]:
    """ARGV of guide_action.lua."""
    return [field, action, str(int(day)), str(int(value)), str(int(budget_limit))]
