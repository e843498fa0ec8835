"""Account health: components, score, bands and the reason, from known facts."""

from __future__ import annotations

from dataclasses import replace

import pytest

from onboarding_sdk.account_health import (
    AT_RISK,
    HEALTHY,
    WATCH,
    AccountFacts,
    band_of,
    check_weights,
    health,
    reason,
)

THRIVING = AccountFacts(
    account_id="acme",
    users=5,
    active_users=5,
    active_users_before=4,
    key_events=("report_created", "alert_created", "invited_user"),
    key_events_done=frozenset({"report_created", "alert_created", "invited_user"}),
    stages={3: 2, 4: 3},
    days_since_active=0,
    milestones_reached=3,
    milestones_total=4,
)


def test_a_thriving_account_is_healthy_and_its_reason_says_so() -> None:
    result = health(THRIVING)
    assert result.band == HEALTHY and result.score > 85
    assert reason(result) == "active and growing"
    assert reason(result, "zh-CN") == "活跃且在增长"


def test_a_fading_account_is_at_risk_with_the_seed_003_reason() -> None:
    fading = replace(
        THRIVING,
        account_id="fading",
        active_users=1,
        active_users_before=5,
        key_events_done=frozenset(),
        stages={0: 3, 1: 2},
        days_since_active=12,
        milestones_reached=0,
    )
    result = health(fading)
    assert result.band == AT_RISK
    assert reason(result) == "1 of 5 users active in 14 days; no key events in 14 days; active users down from 5 to 1"
    assert reason(result, "zh-CN").startswith("14 天内 5 名用户中 1 名活跃；14 天内没有关键操作")
    named = {c.name: c for c in result.components}
    assert named["active_users"].value == pytest.approx(0.2)
    assert named["key_events"].value == 0.0
    assert named["trend"].value == pytest.approx(0.2)


def test_components_with_nothing_to_measure_are_left_out_not_zero() -> None:
    no_keys = replace(THRIVING, key_events=(), key_events_done=frozenset(), milestones_total=0, milestones_reached=0)
    result = health(no_keys)
    named = {c.name: c for c in result.components}
    assert named["key_events"].value is None and named["milestones"].value is None
    assert result.band == HEALTHY and result.score > 85


def test_a_silent_account_loses_recency_linearly_to_zero_at_30_days() -> None:
    values = [
        next(c.value for c in health(replace(THRIVING, days_since_active=d)).components if c.name == "recency")
        for d in (0, 1, 15, 30, 90)
    ]
    assert values[0] == values[1] == 1.0
    assert 0.4 < (values[2] or 0) < 0.6
    assert values[3] == values[4] == 0.0
    never = health(replace(THRIVING, days_since_active=None, active_users=0, active_users_before=0))
    assert "never active" in reason(never)


def test_weights_change_the_score_and_bad_weights_are_refused() -> None:
    fading = replace(THRIVING, key_events_done=frozenset())
    default = health(fading).score
    keys_only = health(
        fading, check_weights({name: 0.0 for name in ("active_users", "trend", "stage_mix", "recency", "milestones")})
    )
    assert keys_only.score == 0.0 < default
    with pytest.raises(ValueError, match="unknown health components"):
        check_weights({"logins": 1.0})
    with pytest.raises(ValueError, match="0 or more"):
        check_weights({"trend": -1})
    with pytest.raises(ValueError, match="above 0"):
        check_weights(
            {name: 0 for name in ("active_users", "trend", "key_events", "stage_mix", "recency", "milestones")}
        )


def test_bands_have_documented_edges() -> None:
    assert band_of(70) == HEALTHY and band_of(69.9) == WATCH and band_of(40) == WATCH and band_of(39.9) == AT_RISK
    assert band_of(50, healthy_from=50) == HEALTHY
