"""Troubles noted for the follow-up (issue 16): the store side of ``followups``.

An error hint (a tooltip with ``purpose: error``) that the widget reports shown is a trouble:
the guide, the page's path (never its query string or anything typed) and the time go to
``store.troubles``, on the same request as the shown report. One pending trouble per guide and
user: a second failure before the follow-up does not ask twice.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from .engine import Engine
from .followups import FORGET_AFTER_DAYS
from .timeutil import to_epoch

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
    return engine.call_store(lambda: engine.storage.troubles.note(user_id, guide_id, page, to_epoch(now), stale_before))
