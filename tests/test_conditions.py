"""The condition language: every key, composition, and errors with their paths."""

from __future__ import annotations

import pytest

from onboarding_sdk.conditions import ConditionError, compile_condition
from tests.factories import facts, profile, state

EVENTS = {"installed_code", "report_created", "export_done", "alert_set", "api_used"}


def holds(rule: object, user=None, day: int = 0, who=None) -> bool:  # type: ignore[no-untyped-def]
    condition = compile_condition(rule, "rule", events=EVENTS)
    return condition(facts(user or state(), day, who))


def test_days_since_signup_bounds() -> None:
    rule = {"days_since_signup": {"max": 7}}
    assert holds(rule, day=0)
    assert holds(rule, day=7)
    assert not holds(rule, day=8)
    assert holds({"days_since_signup": {"min": 30}}, day=30)
    assert not holds({"days_since_signup": {"min": 30}}, day=29)


def test_done_and_not_done() -> None:
    user = state(events={"installed_code": 1})
    assert holds({"done": ["installed_code"]}, user)
    assert not holds({"done": ["installed_code", "report_created"]}, user)
    assert holds({"not_done": ["report_created"]}, user)
    assert not holds({"not_done": ["installed_code"]}, user)


def test_event_counts_and_distinct_events() -> None:
    user = state(events={"report_created": 3, "export_done": 1})
    assert holds({"events": {"report_created": {"min": 3}}}, user)
    assert not holds({"events": {"report_created": {"min": 4}}}, user)
    assert holds({"events": {"alert_set": {"max": 0}}}, user)
    assert holds({"distinct_events": {"min": 2, "max": 2}}, user)
    assert not holds({"distinct_events": {"min": 3}}, user)


def test_active_days_with_and_without_window() -> None:
    user = state(active_offsets=[0, 1, 2, 50, 55, 59])
    assert holds({"active_days": {"min": 6}}, user, day=60)
    # only days 50, 55, 59 fall in the 14 days ending on day 60
    assert holds({"active_days": {"min": 3, "max": 3, "within": 14}}, user, day=60)
    assert not holds({"active_days": {"min": 4, "within": 14}}, user, day=60)


def test_profile_lists_and_traits() -> None:
    who = profile(role="manager", plan="paid", locale="zh-CN", account_id="acme", traits={"industry": "retail"})
    assert holds({"roles": ["manager", "employee"]}, who=who)
    assert not holds({"roles": ["decision_maker"]}, who=who)
    assert holds({"plans": ["paid"], "locales": ["zh-CN"], "account_ids": ["acme"]}, who=who)
    assert holds({"traits": {"industry": ["retail", "media"]}}, who=who)
    assert not holds({"traits": {"industry": "media"}}, who=who)
    # no profile known (an event tracked by user id only): profile conditions do not hold
    assert not holds({"roles": ["manager"]})


def test_dormant_flag() -> None:
    user = state()
    assert holds({"dormant": True}, user, day=14)
    assert holds({"dormant": False}, user, day=13)


def test_all_any_not_and_implicit_all() -> None:
    user = state(events={"installed_code": 1})
    assert holds({"any": [{"done": ["report_created"]}, {"done": ["installed_code"]}]}, user)
    assert not holds({"all": [{"done": ["report_created"]}, {"done": ["installed_code"]}]}, user)
    assert holds({"not": {"done": ["report_created"]}}, user)
    assert not holds({"done": ["installed_code"], "days_since_signup": {"min": 3}}, user, day=1)
    assert holds({}, user)


def test_errors_carry_the_path_and_all_are_reported() -> None:
    rule = {
        "all": [{"distinct_events": {"min": "four"}}, {"done": ["no_such_event"]}],
        "active_days": {"min": 5, "max": 1},
        "events": {"report_created": {"minimum": 1}},
        "dormant": "yes",
        "colour": "blue",
    }
    with pytest.raises(ConditionError) as caught:
        compile_condition(rule, "ONBOARDING_STAGE_RULES.depth", events=EVENTS)
    errors = caught.value.errors
    assert "ONBOARDING_STAGE_RULES.depth.all[0].distinct_events.min: must be an integer" in errors
    assert any(e.startswith("ONBOARDING_STAGE_RULES.depth.all[1].done: unknown event 'no_such_event'") for e in errors)
    assert "ONBOARDING_STAGE_RULES.depth.active_days.max: min must not be greater than max" in errors
    assert "ONBOARDING_STAGE_RULES.depth.events.report_created.minimum: unknown key" in errors
    assert "ONBOARDING_STAGE_RULES.depth.dormant: must be true or false" in errors
    assert any(e.startswith("ONBOARDING_STAGE_RULES.depth.colour: unknown condition 'colour'") for e in errors)
    assert len(errors) == 6


@pytest.mark.parametrize(
    "rule",
    [
        [],
        "done",
        {"any": []},
        {"not": []},
        {"days_since_signup": 7},
        {"days_since_signup": {}},
        {"done": "installed_code"},
        {"roles": [1]},
        {"active_days": {"within": 0, "min": 1}},
        {"traits": {"industry": {"nested": 1}}},
        {"events": []},
    ],
)
def test_malformed_rules_are_refused(rule: object) -> None:
    with pytest.raises(ConditionError) as caught:
        compile_condition(rule, "rule", events=EVENTS)
    assert all(error.startswith("rule") for error in caught.value.errors)


def test_extra_leaf_keys_extend_the_language() -> None:
    def stages(value: object, path: str, errors: list[str]):  # type: ignore[no-untyped-def]
        if not isinstance(value, list):
            errors.append(f"{path}: must be a list")
            return None
        return lambda f: f.state.stage in value

    rule = compile_condition({"stages": ["awareness"]}, "when", events=EVENTS, extra={"stages": stages})
    assert rule(facts(state()))
    with pytest.raises(ConditionError, match=r"when\.stages: must be a list"):
        compile_condition({"stages": "use"}, "when", events=EVENTS, extra={"stages": stages})


def test_a_list_valued_trait_matches_by_membership() -> None:
    teams = profile(traits={"teams": ["a", "b"]})
    assert holds({"traits": {"teams": "a"}}, who=teams)  # raised TypeError before
    assert holds({"traits": {"teams": ["c", "b"]}}, who=teams)  # a list in the rule: any of
    assert not holds({"traits": {"teams": "c"}}, who=teams)
    assert not holds({"traits": {"teams": "a"}}, who=profile(traits={"teams": []}))
    assert not holds({"traits": {"teams": "a"}}, who=profile(traits={"teams": [["a"]]}))  # one level deep
    assert not holds({"traits": {"teams": []}}, who=teams)  # an empty any-of matches nothing


def test_booleans_never_equal_numbers() -> None:
    assert not holds({"traits": {"x": True}}, who=profile(traits={"x": 1}))
    assert not holds({"traits": {"x": False}}, who=profile(traits={"x": 0}))
    assert not holds({"traits": {"x": 1}}, who=profile(traits={"x": True}))
    assert not holds({"traits": {"x": 0.0}}, who=profile(traits={"x": [False]}))
    assert holds({"traits": {"x": True}}, who=profile(traits={"x": True}))
    assert holds({"traits": {"x": 1}}, who=profile(traits={"x": 1.0}))  # numbers compare by value
    assert not holds({"traits": {"x": float("nan")}}, who=profile(traits={"x": float("nan")}))


def test_null_matches_a_missing_trait_and_mappings_match_nothing() -> None:
    assert holds({"traits": {"x": None}}, who=profile(traits={}))
    assert not holds({"traits": {"x": None}}, who=profile(traits={"x": "set"}))
    assert not holds({"traits": {"x": "a"}}, who=profile(traits={"x": {"a": "a"}}))
    assert not holds({"traits": {"x": "a"}}, who=profile(traits=None))  # not a mapping: no traits


@pytest.mark.parametrize("field", ["role", "plan", "locale", "account_id"])
def test_profile_fields_of_any_json_value_never_raise(field: str) -> None:
    key = {"role": "roles", "plan": "plans", "locale": "locales", "account_id": "account_ids"}[field]
    assert holds({key: ["x"]}, who=profile(**{field: ["y", "x"]}))
    for odd in (None, 1, True, 2.5, ["y"], [["x"]], {"x": 1}, [None, {}]):
        assert not holds({key: ["x"]}, who=profile(**{field: odd}))
