"""Account health (seed 003): a score from visible components, a band, and the reason in words.

Pure: no Flask, no store. The caller gathers an account's facts from the population index;
this module only weighs them. Every component is a share from 0 (bad) to 1 (good) so the
console can show each beside the score, and weights are the host's to change
(``ONBOARDING_HEALTH_WEIGHTS``). A component with nothing to measure (no key events declared,
no milestones) is left out of the weighted mean rather than counted as zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

HEALTHY, WATCH, AT_RISK = "healthy", "watch", "at_risk"
BANDS = (HEALTHY, WATCH, AT_RISK)

DEFAULT_WEIGHTS: Mapping[str, float] = {
    "active_users": 0.25,
    "trend": 0.15,
    "key_events": 0.2,
    "stage_mix": 0.1,
    "recency": 0.2,
    "milestones": 0.1,
}
#: Score at or above: healthy; at or above WATCH_FROM: watch; below: at risk.
HEALTHY_FROM = 70.0
WATCH_FROM = 40.0
#: Days without activity at which the recency component reaches 0.
SILENT_DAYS = 30
#: A component below this share is named in the reason.
WEAK = 0.5
_LAST_STAGE = 4  # awareness 0 ... stickiness 4


@dataclass(frozen=True)
class AccountFacts:
    account_id: str
    #: Users the index knows in the account.
    users: int
    #: Users active in the last ``window_days``, and in the window before it.
    active_users: int
    active_users_before: int
    #: The host's key events, and those someone in the account did in the window.
    key_events: tuple[str, ...]
    key_events_done: frozenset[str]
    #: Users per stage index (0 awareness ... 4 stickiness).
    stages: Mapping[int, int]
    #: Whole days since anyone in the account was active; None if never.
    days_since_active: int | None
    milestones_reached: int
    milestones_total: int
    window_days: int = 14


@dataclass(frozen=True)
class Component:
    name: str
    #: 0 (bad) to 1 (good); None when there is nothing to measure.
    value: float | None
    weight: float
    #: Plain figures for the reason sentence.
    detail: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Health:
    account_id: str
    score: float
    band: str
    components: tuple[Component, ...]

    def weak(self) -> list[Component]:
        """Components below ``WEAK``, the costliest first: what the reason names."""
        weak = [c for c in self.components if c.value is not None and c.value < WEAK and c.weight > 0]
        return sorted(weak, key=lambda c: (c.value or 0.0) * c.weight - c.weight)


def band_of(score: float, healthy_from: float = HEALTHY_FROM, watch_from: float = WATCH_FROM) -> str:
    if score >= healthy_from:
        return HEALTHY
    return WATCH if score >= watch_from else AT_RISK


def check_weights(weights: Mapping[str, float]) -> dict[str, float]:
    """The weights to use: defaults overridden by ``weights``; unknown names and negatives refused."""
    unknown = sorted(set(weights) - set(DEFAULT_WEIGHTS))
    if unknown:
        raise ValueError(f"unknown health components {unknown}; known: {sorted(DEFAULT_WEIGHTS)}")
    merged = {**DEFAULT_WEIGHTS, **weights}
    if any(not isinstance(w, int | float) or isinstance(w, bool) or w < 0 for w in merged.values()):
        raise ValueError("health weights are numbers of 0 or more")
    if not any(merged.values()):
        raise ValueError("at least one health weight must be above 0")
    return {name: float(w) for name, w in merged.items()}


def components(facts: AccountFacts, weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> tuple[Component, ...]:
    users = max(facts.users, facts.active_users)
    before, now = facts.active_users_before, facts.active_users
    staged = sum(facts.stages.values())
    days = facts.days_since_active
    return (
        Component(
            "active_users",
            now / users if users else 0.0,
            weights["active_users"],
            {"active": now, "users": users, "days": facts.window_days},
        ),
        Component(
            "trend",
            1.0 if now >= before else now / before,
            weights["trend"],
            {"before": before, "now": now},
        ),
        Component(
            "key_events",
            len(facts.key_events_done & set(facts.key_events)) / len(facts.key_events) if facts.key_events else None,
            weights["key_events"],
            {
                "done": len(facts.key_events_done & set(facts.key_events)),
                "declared": len(facts.key_events),
                "days": facts.window_days,
            },
        ),
        Component(
            "stage_mix",
            sum(stage * n for stage, n in facts.stages.items()) / (_LAST_STAGE * staged) if staged else None,
            weights["stage_mix"],
        ),
        Component(
            "recency",
            0.0 if days is None else max(0.0, 1 - max(0, days - 1) / (SILENT_DAYS - 1)),
            weights["recency"],
            {"days": -1 if days is None else days},
        ),
        Component(
            "milestones",
            facts.milestones_reached / facts.milestones_total if facts.milestones_total else None,
            weights["milestones"],
            {"reached": facts.milestones_reached, "total": facts.milestones_total},
        ),
    )


def health(
    facts: AccountFacts,
    weights: Mapping[str, float] = DEFAULT_WEIGHTS,
    healthy_from: float = HEALTHY_FROM,
    watch_from: float = WATCH_FROM,
) -> Health:
    parts = components(facts, weights)
    counted = [c for c in parts if c.value is not None and c.weight > 0]
    total = sum(c.weight for c in counted)
    score = 100 * sum((c.value or 0.0) * c.weight for c in counted) / total if total else 0.0
    return Health(facts.account_id, round(score, 1), band_of(score, healthy_from, watch_from), parts)


_REASONS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "active_users": "{active} of {users} users active in {days} days",
        "trend": "active users down from {before} to {now}",
        "key_events": "{done} of {declared} key events used in {days} days",
        "key_events_none": "no key events in {days} days",
        "stage_mix": "most users still in the first stages",
        "recency": "no activity in {days} days",
        "recency_never": "never active",
        "milestones": "{reached} of {total} milestones reached",
        "fine": "active and growing",
    },
    "zh-CN": {
        "active_users": "{days} 天内 {users} 名用户中 {active} 名活跃",
        "trend": "活跃用户从 {before} 名降至 {now} 名",
        "key_events": "{days} 天内使用了 {declared} 个关键功能中的 {done} 个",
        "key_events_none": "{days} 天内没有关键操作",
        "stage_mix": "多数用户仍在起步阶段",
        "recency": "{days} 天没有活动",
        "recency_never": "从未活跃",
        "milestones": "已达成 {total} 个里程碑中的 {reached} 个",
        "fine": "活跃且在增长",
    },
}


def reason(result: Health, locale: str = "en", limit: int = 3) -> str:
    """The weakest components in words, e.g. "no key events in 14 days; 1 of 5 users active in 14 days"."""
    texts = _REASONS.get(locale) or _REASONS.get(locale.split("-")[0]) or _REASONS["en"]
    sentences = [_sentence(texts, c) for c in result.weak()[:limit]]
    separator = "；" if locale.startswith("zh") else "; "
    return separator.join(sentences) if sentences else texts["fine"]


def _sentence(texts: Mapping[str, str], component: Component) -> str:
    detail = dict(component.detail)
    name = component.name
    if name == "key_events" and detail.get("done") == 0:
        name = "key_events_none"
    elif name == "recency" and detail.get("days") == -1:
        name = "recency_never"
    return texts[name].format(**detail)
