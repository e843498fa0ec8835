"""Resolution: index, time windows, frequency, attention budget, tours, checklists, changelog."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from onboarding_sdk.content.model import ChecklistItem, Frequency, GuideSpec, TourStep
from onboarding_sdk.delivery import Catalog, Page, Situation
from onboarding_sdk.guide_state import DISMISSED, READ, SHOWN, GuideState
from onboarding_sdk.identity import UserProfile
from onboarding_sdk.state import STAGES, EventStats, UserState

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
