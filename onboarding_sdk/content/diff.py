"""What changes between two content sets, guide by guide. Pure: used by the CLI's
``import --dry-run`` and the console's version history."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .loader import guide_data
from .model import GuideSpec


@dataclass(frozen=True)
class ContentDiff:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)  # guide id -> changed keys

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def lines(self) -> list[str]:
        """A readable summary: ``+ id``, ``- id``, ``~ id: key, key``."""
        out = [f"+ {gid}" for gid in self.added]
        out += [f"- {gid}" for gid in self.removed]
        out += [f"~ {gid}: {', '.join(keys)}" for gid, keys in self.changed.items()]
        return out or ["(no changes)"]


def diff_content(old: Iterable[GuideSpec], new: Iterable[GuideSpec]) -> ContentDiff:
    """Compare by the content-file form of each guide (so rendering details never count)."""
    before = {spec.id: guide_data(spec) for spec in old}
    after = {spec.id: guide_data(spec) for spec in new}
    changed: dict[str, list[str]] = {}
    for gid in after.keys() & before.keys():
        keys = sorted(k for k in before[gid].keys() | after[gid].keys() if before[gid].get(k) != after[gid].get(k))
        if keys:
            changed[gid] = keys
    return ContentDiff(
        added=sorted(after.keys() - before.keys()),
        removed=sorted(before.keys() - after.keys()),
        changed=dict(sorted(changed.items())),
    )
