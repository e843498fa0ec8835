"""Drafts: a guide's unpublished edit, kept in the store so every process and person sees it.

An editor saves a draft, a publisher publishes it. One draft per guide id (a new guide's draft
is the guide until it is published). Every change is a compare-and-set on the draft's version
(``Storage.save_draft``), so two people saving from the same version never overwrite each
other silently; the loser gets ``StaleDraft`` and keeps their text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..content import ContentError, GuideSpec
from ..content.loader import guide_data
from ..engine import Engine
from ..timeutil import from_epoch, to_epoch
from .editing import guide_yaml, read_guide
from .forms import one_guide_document


@dataclass(frozen=True)
class Draft:
    guide_id: str
    version: int
    text: str  # the guide as one YAML mapping (what the YAML editor shows)
    base_revision: int  # the published revision it was edited from
    author: str
    time: int  # epoch seconds
    submitted: bool = False  # submitted for review: publishers see it waiting (the menu's badge)

    @classmethod
    def from_record(cls, guide_id: str, record: Mapping[str, Any]) -> Draft:
        return cls(
            guide_id,
            int(record.get("version", 0)),
            str(record.get("text", "")),
            int(record.get("base_revision", 0)),
            str(record.get("author", "")),
            int(record.get("time", 0)),
            record.get("submitted") is True,
        )

    @property
    def saved_at(self) -> datetime:
        return from_epoch(self.time)

    def data(self) -> dict[str, Any]:
        """The guide's content-file data; a draft that no longer reads is shown as just its id."""
        try:
            return read_guide(self.text)
        except ValueError:
            return {"id": self.guide_id}


def load(engine: Engine, guide_id: str) -> Draft | None:
    record = engine.call_store(lambda: engine.storage.drafts.load(guide_id))
    return None if record is None else Draft.from_record(guide_id, record)


def every(engine: Engine) -> dict[str, Draft]:
    """Every guide's draft (the saved segments, kept beside them under ``segment/<name>``, left out)."""
    records = engine.call_store(engine.storage.drafts.all)
    return {
        guide_id: Draft.from_record(guide_id, record) for guide_id, record in records.items() if "/" not in guide_id
    }


def save(
    engine: Engine,
    guide_id: str,
    data: Mapping[str, Any],
    expected: int,
    base: int,
    author: str,
    *,
    submitted: bool = False,
) -> int:
    """Save ``data`` as ``guide_id``'s draft; raises StaleDraft when ``expected`` is not current.
    ``submitted``: the editor asks for review (saving again without it takes the request back)."""
    record = {"text": guide_yaml(data), "base_revision": base, "author": author, "time": to_epoch(engine.now())}
    if submitted:
        record["submitted"] = True
    return engine.call_store(lambda: engine.storage.drafts.save(guide_id, record, expected))


def discard(engine: Engine, guide_id: str, version: int) -> bool:
    return engine.call_store(lambda: engine.storage.drafts.delete(guide_id, version))


def published_at(engine: Engine, guide_id: str, revision: int) -> dict[str, Any] | None:
    """``guide_id`` as published in ``revision`` (None: not in it, or no such revision)."""
    if revision == engine.content.revision:
        guide = engine.catalog.get(guide_id)
        return None if guide is None else guide_data(guide.spec)
    if revision == 0:
        return None
    found = engine.call_store(lambda: engine.storage.content.load(revision))
    if found is None:
        return None
    try:
        specs = engine.content.parse(found[1], f"published-r{revision}.yaml")
    except ContentError:
        return None
    return next((guide_data(spec) for spec in specs if spec.id == guide_id), None)


def changed_since(engine: Engine, guide_id: str, base: int) -> bool:
    """Whether the published ``guide_id`` differs from what it was in revision ``base``.

    A draft edited from an older revision would silently undo what was published since; other
    guides' publications do not matter to it.
    """
    if base == engine.content.revision:
        return False
    return published_at(engine, guide_id, base) != published_at(engine, guide_id, engine.content.revision)


def spec_of(engine: Engine, draft: Draft) -> GuideSpec | None:
    """The draft as a guide (for the list's filters); None when it no longer validates."""
    try:
        found = engine.content.parse(one_guide_document(draft.data()), f"draft-{draft.guide_id}.yaml")
    except ContentError:
        return None
    return found[0] if found else None
