"""Resolution: which guides this user gets on this page, now. Pure: no Flask, no I/O.

Content compiles once into a ``Catalog`` indexed by (endpoint, stage): each key holds this
page's own guides merged with those for any page, in rank order, so ``resolve`` reads one
tuple and pays only for the guides that could appear here, never for other pages' guides. It
checks time window, frequency, the guide's condition and the attention budget in that one pass.
"""

from __future__ import annotations

import operator
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from .conditions import Condition, Facts
from .content.model import GuideSpec
from .guide_state import EMPTY, GuideState
from .identity import UserProfile
from .state import STAGE_INDEX, STAGES, UserState
from .targeting import ANY_PAGE, compile_when
from .timeutil import epoch_day, to_epoch

#: Kinds that may open by themselves (``auto_open``): floating guides, and the panels of tips,
#: FAQ and checklists; they spend the attention budget. Banners, footer help and starter
#: guides are part of the page and always drawn, so they never need it.
AUTO_KINDS = frozenset({"tooltip", "tour", "changelog", "advanced_tip", "faq", "checklist"})
#: Tooltips that answer the user's own action (a rejected field, a failed result, a risky
#: click) open at that moment without spending the budget: they are help, not interruption.
UNBUDGETED_PURPOSES = frozenset({"validation", "error", "confirm"})
#: Kinds gathered on their own pages (tips, changelog) rather than drawn on every page.
COLLECTION_KINDS = frozenset({"advanced_tip", "faq", "changelog"})
LEVEL_ORDER = {"silent": 0, "badge": 1, "popup": 2}
_EARLIEST = datetime.min.replace(tzinfo=UTC)  # changelog entries without a date sort last
DEFAULT_BUDGET = {"awareness": 3, "use": 1, "depth": 1, "adaptation": 1, "stickiness": 1}


@dataclass(frozen=True, slots=True)
class Page:
    endpoint: str | None = None
    path: str | None = None


@dataclass(frozen=True, slots=True)
class CompiledGuide:
    spec: GuideSpec
    condition: Condition | None  # None: nothing left to check beyond what the index guarantees
    rank: int  # position in (priority desc, id) order: smaller comes first
    starts: int | None
    ends: int | None
    may_auto_open: bool = False
    budgeted: bool = True  # False: opens by itself without spending the day's budget
    stages: frozenset[str] = frozenset(STAGES)

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass(frozen=True, slots=True)
class Decision:
    """A guide chosen for the user, with its stored state and whether it may open by itself."""

    guide: CompiledGuide
    state: GuideState
    auto_open: bool = False
    step: int = 0
    unread: bool = False
    items_done: tuple[bool, ...] = ()  # checklists: which items the user has done


@dataclass(frozen=True, slots=True)
class Situation:
    """Everything resolution looks at, loaded in one round trip."""

    profile: UserProfile | None
    user: UserState
    guides: Mapping[str, GuideState]
    now: datetime
    budget_used: int = 0
    dormant_after_days: int = 14
    #: Guides the user's experiment arms keep from them (experiment_runtime), and the arms.
    hidden: frozenset[str] = frozenset()
    arms: Mapping[str, str] = field(default_factory=dict)
    seen: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "seen", frozenset(i for i, s in self.guides.items() if s.seen))

    def state_of(self, guide_id: str) -> GuideState:
        return self.guides.get(guide_id, EMPTY)

    def facts(self, page: Page) -> Facts:
        return Facts(self.user, self.profile, self.now, self.dormant_after_days, page.endpoint, page.path, self.seen)


class Catalog:
    """Compiled, indexed content. Build once per content revision; share between threads."""

    def __init__(
        self,
        specs: Sequence[GuideSpec],
        *,
        events: Collection[str],
        revision: str = "0",
        budget: Mapping[str, int] | None = None,
        changelog_new_user_limit: int = 3,
    ) -> None:
        self.revision = revision
        self.budget = {**DEFAULT_BUDGET, **(budget or {})}
        self.changelog_new_user_limit = changelog_new_user_limit
        # (guide id, locale) -> the guide's fixed JSON, encoded once (payload.guides_json_text);
        # a new revision builds a new catalog, so entries never outlive their content.
        self.json_cache: dict[tuple[str, str], str] = {}
        ordered = sorted(specs, key=lambda s: (-s.priority, s.id))
        self.guides: dict[str, CompiledGuide] = {}
        for rank, spec in enumerate(ordered):
            self.guides[spec.id] = CompiledGuide(
                spec,
                _compile_rest(spec, events),
                rank,
                to_epoch(spec.starts_at) if spec.starts_at else None,
                to_epoch(spec.ends_at) if spec.ends_at else None,
                spec.auto_open and spec.kind in AUTO_KINDS,
                not (spec.kind == "tooltip" and spec.purpose in UNBUDGETED_PURPOSES),
                frozenset(spec.when.get("stages", STAGES)),
            )
        self._page_index: dict[tuple[str, int], tuple[_Candidate, ...]] = {}
        self._any_page: dict[int, tuple[_Candidate, ...]] = {}
        self._kind_index: dict[tuple[str, int], tuple[CompiledGuide, ...]] = {}
        self._build_indexes()
        # glossary tooltips by term, for onboarding_term("UV")
        self.glossary = {
            g.spec.term.casefold(): g for g in self.guides.values() if g.spec.kind == "tooltip" and g.spec.term
        }
        # validation tooltips by form, for hints_for(errors, form=...)
        self.validation: dict[str, tuple[CompiledGuide, ...]] = {}
        for g in self.guides.values():
            if g.spec.kind == "tooltip" and g.spec.purpose == "validation" and g.spec.form:
                self.validation[g.spec.form] = (*self.validation.get(g.spec.form, ()), g)
        self.changelog = tuple(
            sorted(
                (g for g in self.guides.values() if g.spec.kind == "changelog"),
                key=lambda g: (g.spec.date or _EARLIEST, g.spec.version or ""),
                reverse=True,
            )
        )

    def _build_indexes(self) -> None:
        page: dict[tuple[str, int], list[CompiledGuide]] = {}
        any_page: dict[int, list[CompiledGuide]] = {}
        kind: dict[tuple[str, int], list[CompiledGuide]] = {}
        for guide in self.guides.values():
            spec = guide.spec
            stages = [STAGE_INDEX[s] for s in spec.when.get("stages", STAGES)]
            for stage in stages:
                kind.setdefault((spec.kind, stage), []).append(guide)
            endpoints = _endpoints_of(spec)
            if not endpoints:  # for any page
                if spec.kind in COLLECTION_KINDS or spec.kind == "tour":
                    continue  # tips and changelog are gathered on their pages; a tour has its steps'
                for stage in stages:
                    any_page.setdefault(stage, []).append(guide)
                continue
            for endpoint in endpoints:
                for stage in stages:
                    page.setdefault((endpoint, stage), []).append(guide)
        by_rank = operator.attrgetter("rank")
        # Each page's bucket already holds the "any page" guides of its stage, in rank order:
        # resolution reads one tuple and needs no sort. The price is memory: every (endpoint,
        # stage) key repeats the references to its stage's "any page" guides.
        self._any_page = {k: tuple(map(_candidate, sorted(v, key=by_rank))) for k, v in any_page.items()}
        self._page_index = {
            (endpoint, stage): tuple(map(_candidate, sorted([*v, *any_page.get(stage, ())], key=by_rank)))
            for (endpoint, stage), v in page.items()
        }
        self._kind_index = {k: tuple(sorted(v, key=by_rank)) for k, v in kind.items()}

    def get(self, guide_id: str) -> CompiledGuide | None:
        return self.guides.get(guide_id)

    # --- resolution ----------------------------------------------------------------------

    def resolve(self, situation: Situation, page: Page) -> list[Decision]:
        """The guides for this page, best first; auto-opening ones within today's budget."""
        stage = situation.user.stage_index
        # A page without an endpoint (a 404 page, GET /api/guides with neither page nor path)
        # or whose endpoint has no guides of its own gets the "any page" guides, each once.
        bucket = self._page_index.get((page.endpoint, stage)) if page.endpoint is not None else None
        if bucket is None:
            bucket = self._any_page.get(stage, ())
        facts = situation.facts(page)
        now = to_epoch(situation.now)
        states = situation.guides
        remaining = self.budget.get(situation.user.stage, 1) - situation.budget_used
        hidden = situation.hidden
        chosen: list[Decision] = []
        # The candidates come in rank order, so the budget is spent in the same pass.
        for guide, guide_id, starts, ends, plain, condition, shown, opened in bucket:
            if now < starts or now >= ends or (hidden and guide_id in hidden):
                continue
            state = states.get(guide_id, EMPTY)
            if plain and state is EMPTY:
                # the common case: nothing stored, no steps or items: only the condition is left
                if condition is not None and not condition(facts):
                    continue
                decision = shown
                if opened is not None and (not guide.budgeted or remaining > 0):
                    remaining -= guide.budgeted
                    decision = opened
            else:
                found = self._decide(guide, situation, facts, now, page)
                if found is None:
                    continue
                decision = found
                if guide.may_auto_open and (not guide.budgeted or remaining > 0):
                    remaining -= guide.budgeted
                    decision = replace(decision, auto_open=True)
            chosen.append(decision)
        return chosen

    def collection(self, situation: Situation, kinds: Iterable[str]) -> list[Decision]:
        """Every guide of these kinds the user may see (the tips page), best first."""
        stage = situation.user.stage_index
        page = Page(ANY_PAGE, ANY_PAGE)
        facts = situation.facts(page)
        now = to_epoch(situation.now)
        chosen = [
            decision
            for kind in kinds
            for guide in self._kind_index.get((kind, stage), ())
            if (decision := self._decide(guide, situation, facts, now, page, ignore_page=True)) is not None
        ]
        chosen.sort(key=lambda d: d.guide.rank)
        return chosen

    def changelog_for(self, situation: Situation) -> tuple[list[Decision], int, str]:
        """(entries the user may see, newest first; unread count; the loudest unread level)."""
        facts: Facts | None = None  # built on the first entry with a condition (most have none)
        now = to_epoch(situation.now)
        signup = situation.user.signup_or_first_seen()
        entries: list[Decision] = []
        unread = 0
        level = "silent"
        older_kept = 0
        for guide in self.changelog:
            spec = guide.spec
            if situation.user.stage not in guide.stages or not self._in_window(guide, now):
                continue
            if spec.id in situation.hidden:
                continue
            if guide.condition is not None:
                facts = facts or situation.facts(Page())
                if not guide.condition(facts):
                    continue
            if spec.features and all(f in situation.user.events for f in spec.features):
                continue  # the user already uses what this entry announces
            state = situation.state_of(spec.id)
            is_unread = not state.read and not state.dismissed
            if is_unread and signup is not None and spec.date is not None and spec.date < signup:
                # a new user hears only of the latest few entries from before they arrived
                older_kept += 1
                is_unread = older_kept <= self.changelog_new_user_limit
            if is_unread and spec.level != "silent":
                unread += 1
                if LEVEL_ORDER.get(spec.level or "badge", 1) > LEVEL_ORDER[level]:
                    level = spec.level or "badge"
            entries.append(Decision(guide, state, unread=is_unread))
        return entries, unread, level

    # --- the checks ----------------------------------------------------------------------

    @staticmethod
    def _in_window(guide: CompiledGuide, now: int) -> bool:
        return (guide.starts is None or now >= guide.starts) and (guide.ends is None or now < guide.ends)

    def _decide(
        self,
        guide: CompiledGuide,
        situation: Situation,
        facts: Facts,
        now: int,
        page: Page,
        ignore_page: bool = False,
    ) -> Decision | None:
        if (guide.starts is not None and now < guide.starts) or (guide.ends is not None and now >= guide.ends):
            return None
        spec = guide.spec
        if situation.hidden and spec.id in situation.hidden:
            return None  # another arm of its experiment
        state = situation.guides.get(spec.id, EMPTY)
        if state is not EMPTY and not frequency_allows(spec, state):
            return None
        step = 0
        done: tuple[bool, ...] = ()
        kind = spec.kind
        if kind == "tour":
            step = min(state.step, len(spec.steps) - 1)
            # a step that advances on an event the user has done is behind them (advance_on)
            while spec.steps[step].advance_event in situation.user.events:
                if step == len(spec.steps) - 1:
                    return None  # the last step's thing is done: the tour has served its purpose
                step += 1
            if not ignore_page and spec.steps[step].endpoint != page.endpoint:
                return None
        elif kind == "checklist":
            done = tuple(item.event in situation.user.events for item in spec.items)
            if all(done):
                return None  # every item done: the checklist has served its purpose
        if guide.condition is not None and not guide.condition(facts):
            return None
        return Decision(guide, state, step=step, items_done=done)

    def allows(self, guide: CompiledGuide, situation: Situation) -> bool:
        """Whether the user may see ``guide`` at all, on any page (hints, glossary terms)."""
        if situation.user.stage not in guide.stages:
            return False
        page = Page(ANY_PAGE, ANY_PAGE)
        decision = self._decide(guide, situation, situation.facts(page), to_epoch(situation.now), page, True)
        return decision is not None

    def refusal(self, guide: CompiledGuide, situation: Situation) -> str | None:
        """Why resolution would give this user ``guide`` on no page now: ``"stage"``,
        ``"schedule"``, ``"condition"`` or ``"experiment"`` (their arm does not show it); None
        when it targets them. Unlike ``allows``, how
        often it was shown does not count: a guide seen once (or dismissed) still belongs to
        the user, who may rate or dismiss it, and its page may still be read."""
        if situation.user.stage not in guide.stages:
            return "stage"
        if not self._in_window(guide, to_epoch(situation.now)):
            return "schedule"
        if guide.spec.id in situation.hidden:
            return "experiment"
        if guide.condition is not None and not guide.condition(situation.facts(Page(ANY_PAGE, ANY_PAGE))):
            return "condition"
        return None

    def today(self, situation: Situation) -> int:
        return epoch_day(to_epoch(situation.now))


#: One candidate in a page's bucket, unpacked in resolution's loop: the guide, its id, its
#: window as plain ints, whether it has neither steps nor items, its condition, and the
#: decisions it gives a user with no stored state for it (shared: decisions are frozen), the
#: second only when it may open by itself.
_Candidate = tuple[CompiledGuide, str, int, int, bool, Condition | None, Decision, Decision | None]
_NEVER = 2**63  # an end later than any epoch second


def _candidate(guide: CompiledGuide) -> _Candidate:
    return (
        guide,
        guide.spec.id,
        guide.starts if guide.starts is not None else -_NEVER,
        guide.ends if guide.ends is not None else _NEVER,
        guide.spec.kind not in ("tour", "checklist"),
        guide.condition,
        Decision(guide, EMPTY),
        Decision(guide, EMPTY, auto_open=True) if guide.may_auto_open else None,
    )


# Keys the indexes already guarantee; the compiled condition checks only the rest.
_INDEXED_KEYS = ("stages", "endpoints")


def _compile_rest(spec: GuideSpec, events: Collection[str]) -> Condition | None:
    compile_when(spec.when, f"guides.{spec.id}.when", events)  # validate the whole condition
    rest = {k: v for k, v in spec.when.items() if k not in _INDEXED_KEYS}
    return compile_when(rest, f"guides.{spec.id}.when", events) if rest else None


def _endpoints_of(spec: GuideSpec) -> Sequence[str]:
    """The endpoints a guide is drawn on; none: any page."""
    if spec.kind == "tour":
        return sorted({step.endpoint for step in spec.steps})
    endpoints = spec.when.get("endpoints")
    return list(endpoints or ())


def frequency_allows(spec: GuideSpec, state: GuideState) -> bool:
    """Whether the guide's ``frequency`` lets it show again to a user in ``state``."""
    if state.dismissed:
        return False  # dismissed means gone, on every device
    mode = spec.frequency.mode
    if mode == "always":
        return True
    if mode == "once":
        return not state.seen
    if mode == "max_impressions":
        return state.impressions < (spec.frequency.limit or 1)
    return not state.completed  # until_dismissed
