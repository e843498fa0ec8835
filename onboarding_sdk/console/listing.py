"""The guide list's filters and statuses. Pure: specs and criteria in, rows out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from ..content import GuideSpec

STATUSES = ("live", "scheduled", "ended")


def status_of(spec: GuideSpec, now: datetime) -> str:
    if spec.starts_at is not None and now < spec.starts_at:
        return "scheduled"
    if spec.ends_at is not None and now >= spec.ends_at:
        return "ended"
    return "live"


@dataclass(frozen=True)
class Row:
    spec: GuideSpec
    status: str

    @property
    def stages(self) -> list[str]:
        return list(self.spec.when.get("stages", []))


def _text(spec: GuideSpec) -> str:
    parts = [spec.id, *spec.title.values(), *spec.body_markdown.values()]
    return "\n".join(parts).casefold()


def filter_guides(specs: Iterable[GuideSpec], criteria: Mapping[str, str], now: datetime) -> list[Row]:
    """Rows matching every given criterion: kind, stage, status, locale, q (text search).

    A guide without a ``stages`` condition shows to every stage, so it matches any stage.
    """
    kind, stage, status = criteria.get("kind"), criteria.get("stage"), criteria.get("status")
    locale, query = criteria.get("locale"), (criteria.get("q") or "").strip().casefold()
    rows: list[Row] = []
    for spec in specs:
        row = Row(spec, status_of(spec, now))
        stages = spec.when.get("stages")
        if kind and spec.kind != kind:
            continue
        if stage and stages and stage not in stages:
            continue
        if status and row.status != status:
            continue
        if locale and locale not in spec.title:
            continue
        if query and query not in _text(spec):
            continue
        rows.append(row)
    return rows
