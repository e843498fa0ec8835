"""Record field names for events and guides: small integer codes handed out once by the store.

The store's registry hash gives each name a code for good, so a user's hash keeps two- or
three-byte field names and renaming config never scrambles data. Asked for once per process
(events) and once per catalog (guides). No Flask, no I/O of its own: ``assign`` is the store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from .storage import CodeKind, layout

#: ``assign(kind, names)``: the store's code for each name ("e" events, "g" guides).
Assign = Callable[[CodeKind, list[str]], Mapping[str, int]]


@dataclass(frozen=True, slots=True)
class Codes:
    """One set of names and their record fields, both ways."""

    fields: dict[str, str]  # name -> record field
    names: dict[str, str]  # record field -> name


class FieldCodes:
    """The codes of the declared events and of the current catalog's guides. Thread-safe."""

    def __init__(self, assign: Assign, events: Collection[str]) -> None:
        self._assign = assign
        self._event_names = list(events)
        self._lock = threading.Lock()
        self._events: Codes | None = None
        # The guides' codes belong to one catalog: kept beside the guide mapping they were
        # asked for, so a new catalog (a publication) asks again for its new ids.
        self._guides: tuple[Mapping[str, Any], Codes] | None = None

    def fresh(self) -> FieldCodes:
        """The same store access with nothing asked yet (for a store swapped in)."""
        return FieldCodes(self._assign, self._event_names)

    def events(self) -> Codes:
        """Declared event name <-> record field, asking the store once."""
        found = self._events
        if found is None:
            with self._lock:
                if self._events is None:
                    self._events = self._ask("e", self._event_names, layout.event_field)
                found = self._events
        return found

    def guides(self, guides: Mapping[str, Any]) -> Codes:
        """Guide id <-> record field for a catalog's ``guides``, asking the store once per catalog."""
        cached = self._guides
        if cached is None or cached[0] is not guides:
            with self._lock:
                cached = self._guides
                if cached is None or cached[0] is not guides:
                    cached = (guides, self._ask("g", list(guides), layout.guide_field))
                    self._guides = cached
        return cached[1]

    def _ask(self, kind: CodeKind, names: list[str], field_of: Callable[[int], str]) -> Codes:
        if not names:
            return Codes({}, {})
        fields = {name: field_of(code) for name, code in self._assign(kind, names).items()}
        return Codes(fields, {field: name for name, field in fields.items()})
