"""The content model: what a product team writes, validated and rendered. Pure data.

A ``GuideSpec`` is one guide as loaded from a content file (or, later, the console's store):
titles, bodies and tip topics are per-locale maps (a plain string in the file becomes
``{default_locale: s}``), bodies already rendered from Markdown to sanitized HTML. ``when``
keeps the raw condition (for the console's "why"); delivery compiles it once with
``targeting.compile_when``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from dataclasses import field as _field  # GuideSpec has a ``field`` attribute of its own
from datetime import datetime
from typing import Any, Literal

from ..experiments import Experiment

KINDS = (
    "starter_guide", "tooltip", "footer_help", "advanced_tip", "faq",
    "changelog", "checklist", "tour", "banner",
)  # fmt: skip
PURPOSES = ("field_help", "validation", "error", "confirm", "glossary")
LEVELS = ("silent", "badge", "popup")
FREQUENCIES = ("once", "until_dismissed", "always")

Localized = Mapping[str, str]  # locale tag -> text (or sanitized HTML for bodies)


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a guide was defined: for ``file:line: message`` errors and the console."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Frequency:
    """``once`` | ``until_dismissed`` | ``always`` | ``{max_impressions: N}`` (mode "max_impressions")."""

    mode: Literal["once", "until_dismissed", "always", "max_impressions"] = "until_dismissed"
    limit: int | None = None


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    id: str
    title: Localized
    event: str  # a declared event; the item is done once it happened


@dataclass(frozen=True, slots=True)
class TourStep:
    endpoint: str
    title: Localized
    body: Localized  # sanitized HTML
    anchor: str | None = None  # None: a centred step, not attached to an element
    body_markdown: Localized = field(default_factory=dict)  # the source, for dump_content
    spotlight: bool = False  # the widget dims the page around the anchor while the step is open
    # advance_on: the step moves on when the user does the thing; a click on the anchor (the
    # widget sees it) or a declared event (the server sees it, on the next page view)
    advance_click: bool = False
    advance_event: str | None = None


@dataclass(frozen=True, slots=True)
class Goal:
    """What a guide is for (docs/content.md "Goals"): ``event`` done, or ``stage`` reached,
    within ``within_days`` of the user's first sighting of the guide. Exactly one of the two."""

    within_days: int
    event: str | None = None
    stage: str | None = None


@dataclass(frozen=True, slots=True)
class GuideSpec:
    id: str
    kind: str
    title: Localized
    body: Localized  # sanitized HTML, rendered once at load
    body_markdown: Localized = field(default_factory=dict)
    when: Mapping[str, Any] = field(default_factory=dict)
    priority: int = 0
    frequency: Frequency = Frequency()
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    auto_open: bool = False
    # kind-specific
    anchor: str | None = None  # tooltip
    purpose: str | None = None  # tooltip
    term: str | None = None  # tooltip, purpose glossary: the jargon it explains ("UV")
    form: str | None = None  # tooltip, purpose validation: the form ...
    field: str | None = None  # ... and field whose errors it explains (hints_for)
    topic: Localized = _field(default_factory=dict)  # advanced_tip, faq: empty when none
    version: str | None = None  # changelog
    date: datetime | None = None  # changelog
    level: str | None = None  # changelog: silent | badge | popup
    features: tuple[str, ...] = ()  # changelog: events that mean "already uses it"
    items: tuple[ChecklistItem, ...] = ()  # checklist
    steps: tuple[TourStep, ...] = ()  # tour
    source: SourceRef | None = None
    goal: Goal | None = None
    # the experiment covering this guide (``experiments:`` of the content), set by the loader
    experiment: Experiment | None = None
