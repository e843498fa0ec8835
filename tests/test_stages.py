"""The stage model: defaults, furthest-stage rule, never moving back, config errors."""

from __future__ import annotations

import pytest

from onboarding_sdk.errors import ConfigurationError
from onboarding_sdk.events import parse_events
from onboarding_sdk.stages import StageModel, default_rules, transitions_between
from tests.factories import SIGNUP, facts, state

EVENTS = parse_events(["installed_code", "report_created", "export_done", "alert_set", "api_used"])
ISSUE_RULES = {
    "use": {"done": ["installed_code"]},
    "depth": {"distinct_events": {"min": 4}},
    "adaptation": {"all": [{"days_since_signup": {"min": 30}}, {"active_days": {"min": 10}}]},
    "stickiness": {"all": [{"days_since_signup": {"min": 90}}, {"active_days": {"min": 20, "within": 56}}]},
}


def test_furthest_stage_whose_rule_holds() -> None:
    model = StageModel.build(ISSUE_RULES, EVENTS)
    assert model.furthest(facts(state())) == 0
    assert model.furthest(facts(state(events={"installed_code": 1}))) == 1
    four = {"installed_code": 1, "report_created": 2, "export_done": 1, "alert_set": 1}
    assert model.furthest(facts(state(events=four))) == 2
    busy = state(events={"installed_code": 1}, active_offsets=list(range(0, 60, 2)))
    assert model.furthest(facts(busy, day=31)) == 3
    assert model.furthest(facts(busy, day=91)) == 3  # the last 56 days hold no activity
    loyal = state(events={"installed_code": 1}, active_offsets=list(range(40, 91, 2)))
    assert model.furthest(facts(loyal, day=90)) == 4


def test_users_never_move_back() -> None:
    model = StageModel.build(ISSUE_RULES, EVENTS)
    assert model.target(3, facts(state())) == 3


def test_default_rules_follow_the_seed() -> None:
    keyed = parse_events({"installed_code": {"key": True}, "report_created": {}})
    rules = default_rules(keyed)
    assert rules["use"] == {"done": ["installed_code"]}
    assert rules["depth"] == {"distinct_events": {"min": 2}}
    model = StageModel.build(None, keyed)
    assert model.furthest(facts(state(events={"report_created": 1}))) == 0
    assert model.furthest(facts(state(events={"installed_code": 1}))) == 1
    # without a key event, any one event means the user started using the product
    assert default_rules(EVENTS)["use"] == {"distinct_events": {"min": 1}}


def test_transitions_enter_every_stage_in_between() -> None:
    steps = transitions_between("u1", 0, 3, SIGNUP)
    assert [(s.old, s.new) for s in steps] == [("awareness", "use"), ("use", "depth"), ("depth", "adaptation")]


def test_bad_rules_name_the_key() -> None:
    with pytest.raises(ConfigurationError) as caught:
        StageModel.build({"depth": {"distinct_events": {"min": "4"}}, "mastery": {}}, EVENTS)
    message = str(caught.value)
    assert "ONBOARDING_STAGE_RULES.depth.distinct_events.min: must be an integer" in message
    assert "ONBOARDING_STAGE_RULES.mastery: unknown stage" in message
    with pytest.raises(ConfigurationError, match="ONBOARDING_STAGE_RULES: must be a mapping"):
        StageModel.build(["use"], EVENTS)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("installed_code", "must be a list"),
        (["Installed Code"], "not a valid event name"),
        (["a", "a"], "declared twice"),
        ({"a": {"colour": 1}}, "unknown option"),
        ({"a": {"key": "yes"}}, "ONBOARDING_EVENTS.a.key: must be true or false"),
    ],
)
def test_bad_events_config(value: object, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        parse_events(value)
