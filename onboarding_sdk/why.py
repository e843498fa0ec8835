"""Why does this user (not) see a guide? Pure: catalog, situation and page in, explanations out.

``explain_when`` walks a guide's raw ``when`` (the condition language plus the targeting
keys), recursing into ``all`` / ``any`` / ``not``, and evaluates every node on its own with
``compile_when`` on that single-key mapping, so each line says exactly what the engine would.
``explain_page`` adds the checks resolution makes besides the condition (page and stage
index, time window, frequency, tour step, checklist, attention budget) for every guide that
could concern a page, next to what ``Catalog.resolve`` really returns. The console's
preview-as page (docs/console.md) shows it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .conditions import ConditionError, Facts
from .delivery import COLLECTION_KINDS, Catalog, CompiledGuide, Decision, Page, Situation, frequency_allows
from .experiments import HOLDOUT, Experiment
from .guide_state import EMPTY, GuideState
from .state import STAGES
from .targeting import ANY_PAGE, compile_when
from .timeutil import to_epoch

_GROUPS = {"all": "all of", "any": "any of", "not": "not"}


@dataclass(frozen=True, slots=True)
class Node:
    """One condition of a ``when``: ``path`` as in content errors, readable ``text``, ``met``."""

    path: str
    text: str
    met: bool
    children: tuple[Node, ...] = ()


@dataclass(frozen=True, slots=True)
class Check:
    """One of resolution's other checks. ``ok`` None: information only, never hides a guide."""

    name: str
    text: str
    ok: bool | None


@dataclass(frozen=True, slots=True)
class Explanation:
    guide: CompiledGuide
    shown: bool  # in what Catalog.resolve returned for this page
    position: int | None  # 1-based place in that list
    auto_open: bool  # Decision.auto_open
    checks: tuple[Check, ...]
    condition: tuple[Node, ...]  # one node per key of the guide's ``when``
    missing_anchor: str | None = None  # the anchor it would be drawn at, known not to be on the page
    #: the widget itself reported waiting for that anchor in vain on this page (anchor_reports.py)
    missing_reported: bool = False

    @property
    def id(self) -> str:
        return self.guide.id

    @property
    def drawn(self) -> bool:
        """Shown, and its anchor (if it has one) is on the page: the widget can draw it."""
        return self.shown and self.missing_anchor is None

    @property
    def verdict(self) -> str:
        if not self.shown:
            return "not shown"
        if self.missing_anchor is not None and self.missing_reported:
            return f"not drawn: anchor `{self.missing_anchor}` was not found on this page"
        if self.missing_anchor is not None:
            return f"not drawn: anchor `{self.missing_anchor}` is not on this page"
        return "shown"

    @property
    def first_failure(self) -> str | None:
        """The first reason the guide is not shown, as a support person would say it."""
        for check in self.checks:
            if check.ok is False:
                if check.name == "condition":
                    failing = first_unmet(self.condition)
                    return f"condition not met: {failing.text}" if failing else check.text
                return check.text
        return None


@dataclass(frozen=True, slots=True)
class PagePreview:
    decisions: tuple[Decision, ...]  # exactly Catalog.resolve(situation, page)
    explanations: tuple[Explanation, ...]  # shown guides in order, then the others by rank
    other_guides: int  # guides that never concern this page (other pages, tips, changelog)


# --- the condition tree ----------------------------------------------------------------


def show_value(value: Any) -> str:
    """A condition's value the way content is written: ``[a, b]``, ``{min: 1}``."""
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {show_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(show_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return "null" if value is None else str(value)


def _holds(data: Mapping[str, Any], path: str, facts: Facts) -> bool:
    try:
        return compile_when(data, path, None)(facts)
    except ConditionError:  # content is validated on load; a broken leaf is simply not met
        return False


def _names(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _actual(key: str, value: Any, facts: Facts) -> str:
    """What the user or page has, for the leaf ``key``: the other half of the sentence."""
    state, profile = facts.state, facts.profile
    if key == "stages":
        return f"stage {state.stage}"
    if key == "endpoints":
        return f"page {facts.endpoint or '(none)'}"
    if key == "paths":
        return f"path {facts.path or '(none)'}"
    if key in ("seen", "not_seen"):
        seen = [n for n in _names(value) if n in facts.seen]
        return "seen: " + (", ".join(seen) if seen else "none of them")
    if key in ("done", "not_done"):
        done = [n for n in _names(value) if n in state.events]
        return "done: " + (", ".join(done) if done else "none of them")
    if key == "days_since_signup":
        return f"{facts.days_since_signup} days since sign-up"
    if key == "events" and isinstance(value, Mapping):
        return ", ".join(f"{name} x{state.count(str(name))}" for name in value)
    if key == "active_days":
        within = value.get("within") if isinstance(value, Mapping) else None
        span = f" in the last {within} days" if within else ""
        return f"{state.active_days_count(facts.now, within)} active days{span}"
    if key == "distinct_events":
        return f"{len(state.events)} different events"
    if key in ("roles", "plans", "locales", "account_ids"):
        attribute = {"roles": "role", "plans": "plan", "locales": "locale", "account_ids": "account_id"}[key]
        return f"{attribute} {getattr(profile, attribute, None) or '(none)'}" if profile else "no profile"
    if key == "traits" and isinstance(value, Mapping):
        traits = profile.traits if profile else {}
        return ", ".join(f"{name}={show_value(traits.get(str(name)))}" for name in value)
    if key == "dormant":
        return "dormant" if state.is_dormant(facts.now, facts.dormant_after_days) else "active"
    return ""


def _group(data: Any, path: str, facts: Facts) -> Node:
    """One item of an ``all`` / ``any`` list or a ``not``: its single key, or an implicit all."""
    if isinstance(data, Mapping) and len(data) == 1:
        key, value = next(iter(data.items()))
        return explain_key(str(key), value, facts, f"{path}.{key}")
    children = tuple(explain_when(data, facts, path)) if isinstance(data, Mapping) else ()
    return Node(path, "all of", _holds(data, path, facts) if isinstance(data, Mapping) else False, children)


def explain_key(key: str, value: Any, facts: Facts, path: str) -> Node:
    """The node for ``{key: value}``, evaluated on its own; groups recurse."""
    met = _holds({key: value}, path.rsplit(".", 1)[0], facts)
    if key in ("all", "any"):
        items = value if isinstance(value, list) else []
        children = tuple(_group(item, f"{path}[{i}]", facts) for i, item in enumerate(items))
        return Node(path, _GROUPS[key], met, children)
    if key == "not":
        return Node(path, "not", met, (_group(value, path, facts),))
    actual = _actual(key, value, facts)
    text = f"{key}: {show_value(value)}" + (f" (the user: {actual})" if actual else "")
    return Node(path, text, met)


def explain_when(when: Mapping[str, Any], facts: Facts, path: str = "when") -> list[Node]:
    """One node per key of ``when`` (every key must hold), each with its own verdict."""
    return [explain_key(str(key), value, facts, f"{path}.{key}") for key, value in when.items()]


def first_unmet(nodes: Sequence[Node]) -> Node | None:
    """The deepest first leaf that explains a failure (a failing ``not`` names itself)."""
    for node in nodes:
        if node.met:
            continue
        if node.text in ("all of", "any of"):
            return first_unmet(node.children) or node
        return node
    return None


# --- resolution's other checks ---------------------------------------------------------


def endpoints_of(guide: CompiledGuide) -> list[str | None]:
    """The endpoints the catalog files ``guide`` under (None: any page), as delivery does."""
    spec = guide.spec
    if spec.kind == "tour":
        return list(sorted({step.endpoint for step in spec.steps}))
    endpoints = spec.when.get("endpoints")
    return list(endpoints) if endpoints else [None]


def concerns(guide: CompiledGuide, endpoint: str | None) -> bool:
    """Whether resolution looks at ``guide`` on pages of ``endpoint`` (in some stage)."""
    endpoints = endpoints_of(guide)
    if guide.spec.kind in COLLECTION_KINDS and endpoints == [None]:
        return False  # gathered on the tips and changelog pages, never drawn on a page
    return None in endpoints or endpoint in endpoints or endpoint == ANY_PAGE


def frequency_check(guide: CompiledGuide, state: GuideState) -> Check:
    """The frequency verdict is resolution's own (``frequency_allows``); the text explains it."""
    spec = guide.spec
    mode, limit = spec.frequency.mode, spec.frequency.limit or 1
    if state == EMPTY:
        return Check("frequency", f"frequency {mode}: never shown to this user", True)
    facts = f"seen {state.impressions} time(s)" + (", dismissed" if state.dismissed else "")
    facts += ", completed" if state.completed else ""
    ok = frequency_allows(spec, state)
    if state.dismissed:
        return Check("frequency", f"dismissed by the user ({facts}): gone on every device", ok)
    why = {
        "always": "shown every time until dismissed",
        "once": "shown once already" if state.seen else "not shown yet",
        "max_impressions": f"{state.impressions} of {limit} impressions used",
    }.get(mode, "completed" if state.completed else "not dismissed or completed")
    label = f"max_impressions {limit}" if mode == "max_impressions" else mode
    return Check("frequency", f"frequency {label}: {why} ({facts})", ok)


def _window_check(guide: CompiledGuide, now: int) -> Check:
    spec = guide.spec
    if spec.starts_at is None and spec.ends_at is None:
        return Check("window", "no time window", True)
    start = spec.starts_at.isoformat() if spec.starts_at else "…"
    span = f"{start} to {spec.ends_at.isoformat() if spec.ends_at else '…'}"
    if guide.starts is not None and now < guide.starts:
        return Check("window", f"scheduled: starts {start}", False)
    if guide.ends is not None and now >= guide.ends:
        return Check("window", f"ended: the window was {span}", False)
    return Check("window", f"within its time window ({span})", True)


def _budget_check(guide: CompiledGuide, catalog: Catalog, situation: Situation, decision: Decision | None) -> Check:
    spec = guide.spec
    if not spec.auto_open:
        return Check("budget", "does not open by itself (no auto_open): no budget needed", None)
    if not guide.may_auto_open:
        return Check("budget", f"auto_open has no effect on a {spec.kind}: it is drawn with the page", None)
    stage = situation.user.stage
    daily = catalog.budget.get(stage, 1)
    used = f"budget {daily}/day in stage {stage}, {situation.budget_used} used today"
    if not guide.budgeted:
        return Check("budget", f"opens by itself without spending the budget (purpose {spec.purpose})", None)
    if decision is None:
        left = max(0, daily - situation.budget_used)
        return Check("budget", f"would open by itself only within the budget ({used}, {left} left)", None)
    if decision.auto_open:
        return Check("budget", f"opens by itself ({used})", None)
    return Check("budget", f"over today's budget ({used}, or taken by better guides): shown passively", None)


def explain_guide(
    catalog: Catalog, guide: CompiledGuide, situation: Situation, page: Page, decision: Decision | None
) -> list[Check]:
    """Resolution's checks for ``guide`` in ``_decide``'s order; the condition's verdict last."""
    spec = guide.spec
    state = situation.state_of(spec.id)
    checks: list[Check] = []
    if spec.experiment is not None:
        checks.append(experiment_check(spec.id, spec.experiment, situation))
    if spec.kind == "tour":
        step = min(state.step, len(spec.steps) - 1)
        where = spec.steps[step].endpoint
        text = f"the user is at step {step + 1} of the tour, on page {where}"
        checks.append(Check("page", text, where == page.endpoint))
    else:
        endpoints = endpoints_of(guide)
        on_page = endpoints == [None] or page.endpoint in endpoints
        text = "shown on any page" if endpoints == [None] else f"on pages {', '.join(map(str, endpoints))}"
        checks.append(Check("page", text, on_page))
    stages = [s for s in STAGES if s in guide.stages]
    in_stage = situation.user.stage in guide.stages
    stage_text = "every stage" if len(stages) == len(STAGES) else ", ".join(stages)
    checks.append(Check("stage", f"stages: {stage_text} (the user: {situation.user.stage})", in_stage))
    checks.append(_window_check(guide, to_epoch(situation.now)))
    checks.append(frequency_check(guide, state))
    if spec.kind == "checklist":
        done = sum(item.event in situation.user.events for item in spec.items)
        all_done = done == len(spec.items)
        text = f"checklist: {done} of {len(spec.items)} items done" + (": served its purpose" if all_done else "")
        checks.append(Check("checklist", text, not all_done))
    if guide.condition is None:
        checks.append(Check("condition", "no condition beyond page and stage", True))
    else:
        met = guide.condition(situation.facts(page))
        checks.append(Check("condition", "every condition of when is met" if met else "when is not met", met))
    checks.append(_budget_check(guide, catalog, situation, decision))
    return checks


def experiment_check(guide_id: str, experiment: Experiment, situation: Situation) -> Check:
    """The user's arm in the experiment covering the guide, and whether that arm shows it."""
    arm = situation.arms.get(experiment.id)
    if arm is None:
        return Check("experiment", f"in experiment {experiment.id}; this user has no arm (a made-up user)", None)
    held = guide_id in situation.hidden
    if not experiment.running:
        what = "this guide is not what it shows" if held else "it shows this guide"
        return Check("experiment", f"experiment {experiment.id} is stopped: everyone gets arm {arm}; {what}", not held)
    what = "this guide is held out" if arm == HOLDOUT else ("another arm's guide" if held else "this arm shows it")
    return Check("experiment", f"arm {arm} of experiment {experiment.id}: {what}", not held)


def anchor_of(guide: CompiledGuide, situation: Situation, decision: Decision | None) -> str | None:
    """The ``data-onboarding`` key the widget would draw ``guide`` at (None: not at an element):
    a tour's current step's anchor, else the guide's own. A glossary tooltip's anchor is written
    by ``onboarding_term()`` itself, so it is never missing."""
    spec = guide.spec
    if spec.kind == "tour":
        index = decision.step if decision is not None else situation.state_of(spec.id).step
        step = spec.steps[min(index, len(spec.steps) - 1)] if spec.steps else None
        return step.anchor if step is not None else None
    if spec.kind == "tooltip" and spec.term:
        return None
    return spec.anchor or None


def _anchor_check(anchor: str | None, anchors: frozenset[str] | None) -> Check | None:
    if anchor is None:
        return None
    if anchors is None:
        return Check("anchor", f"drawn at anchor {anchor} (this page's anchors are unknown)", None)
    if anchor in anchors:
        return Check("anchor", f"anchor {anchor} is on this page", None)
    return Check("anchor", f"not drawn: anchor {anchor} is not on this page", None)


def _reported_check(anchor: str | None, reported: Collection[str], path: str | None) -> Check | None:
    if anchor is None or anchor not in reported:
        return None
    where = f"on {path}" if path else "on this page"
    return Check("anchor", f"not drawn: the widget waited for anchor {anchor} {where} and did not find it", None)


def explain_page(
    catalog: Catalog,
    situation: Situation,
    page: Page,
    anchors: frozenset[str] | None = None,
    reported_missing: Collection[str] = (),
) -> PagePreview:
    """What ``Catalog.resolve`` returns for this page, and why for every guide that concerns it.

    ``anchors``: the anchor keys the page is known to have (None: unknown); a guide pointing at
    another anchor is reported as not drawn. ``reported_missing``: anchors the widget reported
    waiting for in vain on this page (the template may mark one it does not always render).
    """
    decisions = catalog.resolve(situation, page)
    by_id = {d.guide.id: (i, d) for i, d in enumerate(decisions, start=1)}
    facts = situation.facts(page)
    explanations: list[Explanation] = []
    concerned = [g for g in catalog.guides.values() if concerns(g, page.endpoint) or g.id in by_id]
    for guide in concerned:
        position, decision = by_id.get(guide.id, (None, None))
        checks = explain_guide(catalog, guide, situation, page, decision)
        anchor = anchor_of(guide, situation, decision)
        anchor_check = _anchor_check(anchor, anchors)
        if anchor_check is not None:
            checks.append(anchor_check)
        reported = _reported_check(anchor, reported_missing, page.path)
        if reported is not None:
            checks.append(reported)
        not_marked = anchor is not None and anchors is not None and anchor not in anchors
        missing = anchor if not_marked or reported is not None else None
        explanations.append(
            Explanation(
                guide,
                decision is not None,
                position,
                decision.auto_open if decision is not None else False,
                tuple(checks),
                tuple(explain_when(guide.spec.when, facts, f"guides.{guide.id}.when")),
                missing,
                missing_reported=reported is not None and not not_marked,
            )
        )
    explanations.sort(key=lambda e: (e.position is None, e.position or 0, e.guide.rank))
    return PagePreview(tuple(decisions), tuple(explanations), len(catalog.guides) - len(concerned))
