"""Resolution: index, time windows, frequency, attention budget, tours, checklists, changelog."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from onboarding_sdk.content.model import KINDS, ChecklistItem, Frequency, GuideSpec, TourStep
from onboarding_sdk.delivery import AUTO_KINDS, COLLECTION_KINDS, Catalog, Decision, Page, Situation, frequency_allows
from onboarding_sdk.guide_state import DISMISSED, READ, SHOWN, GuideState
from onboarding_sdk.identity import UserProfile
from onboarding_sdk.state import STAGES, EventStats, UserState
from onboarding_sdk.targeting import compile_when

EVENTS = ["installed_code", "report_created", "export_done"]
NOW = datetime(2026, 6, 10, 12, tzinfo=UTC)
SIGNUP = NOW - timedelta(days=3)


def guide(guide_id: str, kind: str = "tooltip", **fields: Any) -> GuideSpec:
    fields.setdefault("anchor", guide_id)
    return GuideSpec(id=guide_id, kind=kind, title={"en": guide_id}, body={"en": f"<p>{guide_id}</p>"}, **fields)


def user(stage: str = "awareness", events: tuple[str, ...] = (), signup: datetime = SIGNUP) -> UserState:
    stats = {e: EventStats(1, signup, signup) for e in events}
    return UserState(user_id="u", signed_up_at=signup, stage=stage, first_seen=signup, last_seen=NOW, events=stats)


def situation(
    state: UserState | None = None, guides: dict[str, GuideState] | None = None, budget_used: int = 0
) -> Situation:
    profile = UserProfile(id="u", signed_up_at=SIGNUP, role="manager", plan="free")
    return Situation(profile, state or user(), guides or {}, NOW, budget_used)


def ids(catalog: Catalog, sit: Situation, endpoint: str = "home", path: str = "/") -> list[str]:
    return [d.guide.id for d in catalog.resolve(sit, Page(endpoint, path))]


def test_endpoint_stage_and_condition_filtering_in_priority_order() -> None:
    catalog = Catalog(
        [
            guide("low", priority=1),
            guide("high", priority=9),
            guide("elsewhere", when={"endpoints": ["reports"]}),
            guide("later-stage", when={"stages": ["use"]}),
            guide("needs-code", when={"done": ["installed_code"]}),
            guide("by-path", when={"paths": ["/reports/*"]}),
        ],
        events=EVENTS,
    )
    assert ids(catalog, situation()) == ["high", "low"]
    assert ids(catalog, situation(), "reports", "/reports/7") == ["high", "low", "by-path", "elsewhere"]
    assert ids(catalog, situation(user("use", ("installed_code",)))) == [
        "high",
        "low",
        "later-stage",
        "needs-code",
    ]


def test_time_window() -> None:
    catalog = Catalog(
        [
            guide("future", starts_at=NOW + timedelta(hours=1)),
            guide("past", ends_at=NOW),
            guide("current", starts_at=NOW - timedelta(days=1), ends_at=NOW + timedelta(seconds=1)),
        ],
        events=EVENTS,
    )
    assert ids(catalog, situation()) == ["current"]


def test_frequency_against_the_guide_state() -> None:
    specs = [
        guide("once", frequency=Frequency("once")),
        guide("until", frequency=Frequency("until_dismissed")),
        guide("always", frequency=Frequency("always")),
        guide("thrice", frequency=Frequency("max_impressions", 3)),
    ]
    catalog = Catalog(specs, events=EVENTS)
    seen_twice = {g.id: GuideState(SHOWN, 2) for g in specs}
    assert set(ids(catalog, situation(guides=seen_twice))) == {"until", "always", "thrice"}
    seen_thrice = {g.id: GuideState(SHOWN, 3) for g in specs}
    assert set(ids(catalog, situation(guides=seen_thrice))) == {"until", "always"}
    dismissed = {g.id: GuideState(SHOWN | DISMISSED, 1) for g in specs}
    assert ids(catalog, situation(guides=dismissed)) == []  # dismissed means gone, whatever the frequency


def test_attention_budget_limits_auto_open_only() -> None:
    specs = [guide(f"auto{i}", auto_open=True, priority=10 - i) for i in range(5)]
    specs.append(guide("footer", kind="footer_help", anchor=None))
    catalog = Catalog(specs, events=EVENTS)
    chosen = catalog.resolve(situation(), Page("home"))
    assert [d.guide.id for d in chosen if d.auto_open] == ["auto0", "auto1", "auto2"]  # awareness: 3 a day
    assert len(chosen) == 6  # the rest are still delivered, opening only on hover/focus
    chosen = catalog.resolve(situation(budget_used=2), Page("home"))
    assert [d.guide.id for d in chosen if d.auto_open] == ["auto0"]
    in_use = situation(user("use"))
    assert [d.guide.id for d in catalog.resolve(in_use, Page("home")) if d.auto_open] == ["auto0"]
    custom = Catalog(specs, events=EVENTS, budget={"awareness": 0})
    assert not any(d.auto_open for d in custom.resolve(situation(), Page("home")))


def test_tours_follow_their_steps_across_pages() -> None:
    steps = (
        TourStep("home", {"en": "One"}, {"en": "<p>1</p>"}, "a"),
        TourStep("reports", {"en": "Two"}, {"en": "<p>2</p>"}, "b"),
    )
    catalog = Catalog([guide("tour", kind="tour", steps=steps, anchor=None, auto_open=True)], events=EVENTS)
    assert ids(catalog, situation()) == ["tour"]
    assert ids(catalog, situation(), "reports") == []
    at_step_two = {"tour": GuideState(SHOWN, 1, 0, 1)}
    chosen = catalog.resolve(situation(guides=at_step_two), Page("reports"))
    assert [(d.guide.id, d.step) for d in chosen] == [("tour", 1)]
    assert ids(catalog, situation(guides=at_step_two), "home") == []


def test_checklist_disappears_when_every_item_is_done() -> None:
    items = (
        ChecklistItem("code", {"en": "Install"}, "installed_code"),
        ChecklistItem("report", {"en": "Report"}, "report_created"),
    )
    catalog = Catalog([guide("start", kind="checklist", items=items, anchor=None)], events=EVENTS)
    assert ids(catalog, situation(user(events=("installed_code",)))) == ["start"]
    assert ids(catalog, situation(user(events=("installed_code", "report_created")))) == []


def test_tips_are_gathered_not_drawn_on_every_page() -> None:
    catalog = Catalog(
        [
            guide("tip-a", kind="advanced_tip", anchor=None, priority=2, when={"stages": ["depth"]}),
            guide("tip-here", kind="advanced_tip", anchor=None, when={"endpoints": ["reports"], "stages": ["depth"]}),
            guide("faq", kind="faq", anchor=None, priority=5),
        ],
        events=EVENTS,
    )
    deep = situation(user("depth"))
    assert ids(catalog, deep, "home") == []
    assert ids(catalog, deep, "reports") == ["tip-here"]
    assert [d.guide.id for d in catalog.collection(deep, ["faq", "advanced_tip"])] == ["faq", "tip-a", "tip-here"]
    assert [d.guide.id for d in catalog.collection(situation(), ["advanced_tip"])] == []


def test_changelog_respects_attention() -> None:
    def entry(version: str, days_ago: int, **fields: Any) -> GuideSpec:
        fields.setdefault("level", "badge")
        return guide(version, kind="changelog", anchor=None, version=version, date=NOW - timedelta(days=days_ago),
                     **fields)  # fmt: skip

    specs = [entry(f"v{i}", 100 - i) for i in range(8)]  # history from before the user arrived
    specs += [
        entry("v-new", 1),
        entry("v-quiet", 1, level="silent"),
        entry("v-popup", 0, level="popup"),
        entry("v-deep", 0, when={"stages": ["depth"]}),
        entry("v-export", 0, features=("export_done",)),
    ]
    catalog = Catalog(specs, events=EVENTS, changelog_new_user_limit=3)
    entries, unread, level = catalog.changelog_for(situation(user(events=("export_done",))))
    listed = [d.guide.id for d in entries]
    assert "v-deep" not in listed and "v-export" not in listed
    assert listed[:3] == ["v-popup", "v-quiet", "v-new"]  # newest first, then by version
    # unread: v-new and v-popup (silent never counts) + the latest 3 of the 8 older entries
    assert unread == 5
    assert level == "popup"
    read = {"v-popup": GuideState(READ), "v-new": GuideState(READ)}
    _, unread, level = catalog.changelog_for(situation(user(events=("export_done",)), guides=read))
    assert (unread, level) == (3, "badge")


def test_index_agrees_with_a_linear_scan() -> None:
    """The index is an optimisation only: the same guides as checking every one by hand."""
    rng = random.Random(3)
    specs = []
    for i in range(400):
        when: dict[str, Any] = {}
        if rng.random() < 0.5:
            when["stages"] = rng.sample(STAGES, rng.randint(1, 3))
        if rng.random() < 0.7:
            when["endpoints"] = rng.sample(["home", "reports", "alerts", "team"], rng.randint(1, 2))
        if rng.random() < 0.4:
            when["not_done"] = [rng.choice(EVENTS)]
        specs.append(guide(f"g{i}", when=when, priority=rng.randint(0, 5)))
    catalog = Catalog(specs, events=EVENTS)
    for _ in range(200):
        state = replace(user(rng.choice(STAGES), tuple(rng.sample(EVENTS, rng.randint(0, 3)))))
        endpoint = rng.choice(["home", "reports", "alerts", "team", "other"])
        expected = {
            s.id
            for s in specs
            if state.stage in s.when.get("stages", STAGES)
            and endpoint in s.when.get("endpoints", [endpoint])
            and not any(e in state.events for e in s.when.get("not_done", []))
        }
        assert set(ids(catalog, situation(state), endpoint)) == expected


def test_help_at_the_moment_of_trouble_does_not_spend_the_budget() -> None:
    specs = [
        guide("popup", auto_open=True, priority=9),
        guide("failed", purpose="error", auto_open=True),
        guide("bad-field", purpose="validation", auto_open=True),
        guide("banner", kind="banner", anchor=None, auto_open=True, priority=10),
    ]
    catalog = Catalog(specs, events=EVENTS, budget={"awareness": 1})
    chosen = {d.guide.id: d.auto_open for d in catalog.resolve(situation(), Page("home"))}
    assert chosen == {"banner": False, "popup": True, "failed": True, "bad-field": True}
    spent = {d.guide.id: d.auto_open for d in catalog.resolve(situation(budget_used=1), Page("home"))}
    assert spent == {"banner": False, "popup": False, "failed": True, "bad-field": True}


# --- the index against the straightforward resolution -------------------------------------

PAGES = ["home", "reports", "alerts", "team"]


def reference_resolve(catalog: Catalog, sit: Situation, page: Page) -> list[Decision]:
    """Resolution as first written, before any index: every guide in rank order, checked in
    full (its whole ``when`` compiled again), then the budget over the chosen ones."""
    facts = sit.facts(page)
    chosen: list[Decision] = []
    for compiled in sorted(catalog.guides.values(), key=lambda g: g.rank):
        spec = compiled.spec
        if spec.kind == "tour":
            on_page = page.endpoint in {s.endpoint for s in spec.steps}
        elif spec.when.get("endpoints"):
            on_page = page.endpoint in spec.when["endpoints"]
        else:
            on_page = spec.kind not in COLLECTION_KINDS
        if not on_page or sit.user.stage not in spec.when.get("stages", STAGES):
            continue
        if (spec.starts_at and sit.now < spec.starts_at) or (spec.ends_at and sit.now >= spec.ends_at):
            continue
        state = sit.state_of(spec.id)
        if not frequency_allows(spec, state):
            continue
        step, done = 0, ()
        if spec.kind == "tour":
            step = min(state.step, len(spec.steps) - 1)
            while spec.steps[step].advance_event in sit.user.events and step < len(spec.steps) - 1:
                step += 1
            if spec.steps[step].advance_event in sit.user.events or spec.steps[step].endpoint != page.endpoint:
                continue
        if spec.kind == "checklist":
            done = tuple(item.event in sit.user.events for item in spec.items)
            if all(done):
                continue
        when = {k: v for k, v in spec.when.items() if spec.kind != "tour" or k != "endpoints"}
        if not compile_when(when, spec.id, EVENTS)(facts):
            continue
        chosen.append(Decision(compiled, state, step=step, items_done=done))
    remaining = catalog.budget.get(sit.user.stage, 1) - sit.budget_used
    for i, decision in enumerate(chosen):
        g = decision.guide
        if g.spec.auto_open and g.spec.kind in AUTO_KINDS and (not g.budgeted or remaining > 0):
            remaining -= g.budgeted
            chosen[i] = replace(decision, auto_open=True)
    return chosen


def random_guide(rng: random.Random, i: int) -> GuideSpec:
    kind = rng.choice(KINDS)
    fields: dict[str, Any] = {"priority": rng.randint(0, 3), "auto_open": rng.random() < 0.4}
    when: dict[str, Any] = {}
    if rng.random() < 0.5:
        when["stages"] = rng.sample(STAGES, rng.randint(1, 3))
    if kind != "tour" and rng.random() < 0.7:
        when["endpoints"] = rng.sample(PAGES, rng.randint(1, 2))
    if rng.random() < 0.3:
        when[rng.choice(["done", "not_done"])] = [rng.choice(EVENTS)]
    if rng.random() < 0.2:
        when["days_since_signup"] = {"max": rng.randint(1, 6)}
    if rng.random() < 0.2:
        fields["starts_at"] = NOW + timedelta(hours=rng.randint(-48, 48))
    if rng.random() < 0.2:
        fields["ends_at"] = NOW + timedelta(hours=rng.randint(-48, 48))
    mode = rng.choice(["once", "until_dismissed", "always", "max_impressions"])
    fields["frequency"] = Frequency(mode, rng.randint(1, 3) if mode == "max_impressions" else None)
    if kind == "tooltip":
        fields["purpose"] = rng.choice([None, "field_help", "validation", "error", "confirm"])
    if kind == "tour":
        fields["steps"] = tuple(
            TourStep(rng.choice(PAGES), {"en": "t"}, {"en": "b"}, advance_event=rng.choice([None, *EVENTS]))
            for _ in range(rng.randint(1, 3))
        )
    if kind == "checklist":
        fields["items"] = tuple(ChecklistItem(f"i{n}", {"en": "i"}, rng.choice(EVENTS)) for n in range(2))
    return guide(f"g{i}", kind, when=when, **fields)


def random_situation(rng: random.Random, count: int) -> Situation:
    state = user(
        rng.choice(STAGES),
        tuple(rng.sample(EVENTS, rng.randint(0, 3))),
        signup=NOW - timedelta(days=rng.randint(0, 8)),
    )
    stored = {
        f"g{rng.randrange(count)}": GuideState(
            rng.choice([0, SHOWN, DISMISSED, READ]), rng.randint(0, 3), 0, rng.randint(0, 3)
        )
        for _ in range(rng.randint(0, count // 3))
    }
    return situation(state, stored, budget_used=rng.randint(0, 2))


def test_indexed_resolution_equals_the_straightforward_one_over_random_catalogs() -> None:
    """Same decisions (guides, order, states, steps, items, auto-open) on every page, also on
    pages without an endpoint and on pages no guide names, over random catalogs and users."""
    rng = random.Random(12)
    decided = 0
    for _ in range(60):
        count = rng.randint(1, 60)
        budget = {s: rng.randint(0, 3) for s in STAGES}
        catalog = Catalog([random_guide(rng, i) for i in range(count)], events=EVENTS, budget=budget)
        for _ in range(25):
            sit = random_situation(rng, count)
            for endpoint in [*PAGES, "nowhere", None]:
                page = Page(endpoint, "/" if endpoint else None)
                expected = reference_resolve(catalog, sit, page)
                assert catalog.resolve(sit, page) == expected, (endpoint, sit)
                decided += len(expected)
    assert decided > 1000  # the catalogs and users are not so strict that nothing is chosen


def test_a_page_without_an_endpoint_gets_each_any_page_guide_once() -> None:
    """A 404 page, or GET /api/guides with neither page nor path: "any page" guides once each."""
    specs = [
        guide("anywhere", kind="footer_help", anchor=None, priority=3),
        guide("banner", kind="banner", anchor=None, auto_open=True),
        guide("on-reports", when={"endpoints": ["reports"]}),
        guide("tip", kind="advanced_tip", anchor=None),
    ]
    catalog = Catalog(specs, events=EVENTS)
    for page in (Page(), Page(None, "/missing"), Page("unknown.endpoint", "/x")):
        assert [d.guide.id for d in catalog.resolve(situation(), page)] == ["anywhere", "banner"]
    assert [d.guide.id for d in catalog.resolve(situation(), Page("reports", "/r"))] == [
        "anywhere",
        "banner",
        "on-reports",
    ]
