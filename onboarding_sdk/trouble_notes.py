"""Troubles noted for the follow-up (issue 16): the store side of ``followups``.

An error hint (a tooltip with ``purpose: error``) that the widget reports shown is a trouble:
the guide, the page's path (never its query string or anything typed) and the time go to
``store.troubles``, on the same request as the shown report. One pending trouble per guide and
user: a second failure before the follow-up does not ask twice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from . import signals
from .engine import Engine
from .errors import StorageError
from .followup_figures import counter
from .followups import FORGET_AFTER_DAYS, Trouble, context_for_support
from .storage.troubles import ANSWER_FROM, StoredTrouble
from .timeutil import epoch_day, to_epoch

logger = logging.getLogger("onboarding_sdk")
#: Guides whose showing is a trouble.
TROUBLE_PURPOSES = frozenset({"error"})


def is_trouble_hint(engine: Engine, guide_id: str) -> bool:
    guide = engine.catalog.get(guide_id)
    return guide is not None and guide.spec.kind == "tooltip" and guide.spec.purpose in TROUBLE_PURPOSES


def page_of(referrer: str | None) -> str:
    """The path of the page the hint was shown on: no query, no fragment (they may hold data)."""
    if not referrer:
        return ""
    try:
        return urlsplit(referrer).path
    except ValueError:
        return ""


def note_trouble(engine: Engine, user_id: str, guide_id: str, referrer: str | None) -> bool:
    """Note the trouble of ``guide_id`` for ``user_id`` when it is an error hint; True when noted
    now (False for other guides and while one is pending). Raises StorageError."""
    if not is_trouble_hint(engine, guide_id):
        return False
    now = engine.now()
    stale_before = to_epoch(now - timedelta(days=FORGET_AFTER_DAYS))
    page = page_of(referrer)
    noted = engine.call_store(
        lambda: engine.storage.troubles.note(user_id, guide_id, page, to_epoch(now), stale_before)
    )
    if noted:
        count(engine, guide_id, "noted")
    return noted


def count(engine: Engine, guide_id: str, outcome: str) -> None:
    """One more ``trouble|<guide>|<outcome>`` today (``followup_figures``); a failure to count
    is logged, never the user's error (the trouble itself is stored)."""
    day = epoch_day(to_epoch(engine.now()))
    try:
        engine.call_store(lambda: engine.storage.index.count(day, {counter(guide_id, outcome): 1}))
    except StorageError as exc:
        logger.warning("follow-up of %s not counted: %s", guide_id, exc)


@dataclass(frozen=True)
class Reply:
    """The follow-up's state after an answer, and whether this answer was the one kept."""

    trouble: StoredTrouble
    kept: bool


def answer_followup(engine: Engine, user_id: str, guide_id: str, done: bool) -> Reply | None:
    """Keep the user's answer to the follow-up of ``guide_id``: the first answer only. A "No"
    kept now sends ``trouble_unresolved`` (once per trouble). None when the user has no trouble
    of that guide. Raises StorageError."""
    troubles = engine.storage.troubles
    kept = engine.call_store(lambda: troubles.change(user_id, guide_id, ANSWER_FROM, "r" if done else "u"))
    found = engine.call_store(lambda: troubles.troubles(user_id)).get(guide_id)
    if found is None:
        return None
    if kept:
        count(engine, guide_id, found.state)
    if kept and found.state == "unresolved":
        context = context_for_support(Trouble(guide_id, found.page, found.at))
        signals.trouble_unresolved.send(engine.sender, user_id=user_id, guide_id=guide_id, context=context)
    return Reply(found, kept)


def support_offer(engine: Engine, trouble: StoredTrouble, locale: str) -> dict[str, Any] | None:
    """What the "No" answer shows: the host's contact (``ONBOARDING_SUPPORT``), how fast it
    answers in the user's locale, and the context to attach. None without a support setting."""
    support = engine.settings.support
    if support is None:
        return None
    return {
        "url": support.url,
        "email": support.email,
        "response_time": support.response_time_in(locale),
        "context": context_for_support(Trouble(trouble.guide_id, trouble.page, trouble.at)),
    }


#: The account page looks at most this many of the account's users (one read each).
UNRESOLVED_LOOKUP_LIMIT = 200


def unresolved_troubles(engine: Engine, user_ids: Sequence[str]) -> list[tuple[str, StoredTrouble]]:
    """The troubles answered "No" of ``user_ids`` (the first ``UNRESOLVED_LOOKUP_LIMIT``), newest
    first, for the console's account page. Raises StorageError."""
    store = engine.storage.troubles
    found: list[tuple[str, StoredTrouble]] = []
    for user_id in user_ids[:UNRESOLVED_LOOKUP_LIMIT]:
        stored = engine.call_store(partial(store.troubles, user_id))
        found += [(user_id, trouble) for trouble in stored.values() if trouble.state == "unresolved"]
    return sorted(found, key=lambda pair: (pair[1].at, pair[0]), reverse=True)
