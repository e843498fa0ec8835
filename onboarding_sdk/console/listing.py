"""The guide list's rows, filters and statuses. Pure: specs, drafts and criteria in, rows out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from ..content import GuideSpec
from .drafts import Draft

#: ``draft`` matches every guide with an unpublished draft, new guides included.
STATUSES = ("live", "scheduled", "ended", "draft", "review")  # review: drafts submitted for review


def status_of(spec: GuideSpec, now: datetime) -> str:
    if spec.starts_at is not None and now < spec.starts_at:
        return "scheduled"
    if spec.ends_at is not None and now >= spec.ends_at:
        return "ended"
    return "live"


@dataclass(frozen=True)
class Row:
    spec: GuideSpec  # the published guide; for a new guide, its draft
    status: str  # live | scheduled | ended, or "new" for a draft never published
    draft: Draft | None = None

    @property
    def stages(self) -> list[str]:
        return list(self.spec.when.get("stages", []))


def rows(published: Iterable[GuideSpec], drafted: Mapping[str, tuple[Draft, GuideSpec]], now: datetime) -> list[Row]:
    """One row per published guide (with its draft, if any), then one per new guide's draft."""
    out = [Row(spec, status_of(spec, now), drafted[spec.id][0] if spec.id in drafted else None) for spec in published]
    seen = {row.spec.id for row in out}
    out.extend(Row(spec, "new", draft) for gid, (draft, spec) in sorted(drafted.items()) if gid not in seen)
    return out


def _text(spec: GuideSpec) -> str:
    parts = [spec.id, *spec.title.values(), *spec.topic.values(), *spec.body_markdown.values()]
    return "\n".join(parts).casefold()


def filter_guides(candidates: Iterable[Row], criteria: Mapping[str, str]) -> list[Row]:
    """Rows matching every given criterion: kind, stage, status, locale, q (text search).

    A guide without a ``stages`` condition shows to every stage, so it matches any stage.
    """
    kind, stage, status = criteria.get("kind"), criteria.get("stage"), criteria.get("status")
    locale, query = criteria.get("locale"), (criteria.get("q") or "").strip().casefold()
    out: list[Row] = []
    for row in candidates:
        spec = row.spec
        stages = spec.when.get("stages")
        if kind and spec.kind != kind:
            continue
        if stage and stages and stage not in stages:
            continue
        if status == "draft" and row.draft is None:
            continue
        if status == "review" and (row.draft is None or not getattr(row.draft, "submitted", False)):
            continue
        if status and status not in ("draft", "review") and row.status != status:
            continue
        if locale and locale not in spec.title:
            continue
        if query and query not in _text(spec):
            continue
        out.append(row)
    return out
