"""A tour step's optional ``spotlight`` (issue 11 item 3): loaded, defaulted, refused when not a
boolean, kept by dump_content, and carried to the widget in the page payload."""

from __future__ import annotations

from onboarding_sdk.content import dump_content
from onboarding_sdk.delivery import CompiledGuide, Decision
from onboarding_sdk.guide_state import GuideState
from onboarding_sdk.payload import guide_json

from .conftest import errors_of, load

TOUR = "guides: [{{id: t, kind: tour, title: T, steps: [{steps}]}}]"


def test_spotlight_is_read_and_defaults_to_off() -> None:
    text = TOUR.format(steps="{endpoint: a, anchor: x, title: S, spotlight: true}, {endpoint: b, title: U}")
    (spec,) = load(text)
    assert [step.spotlight for step in spec.steps] == [True, False]


def test_spotlight_must_be_a_boolean() -> None:
    text = "guides:\n- id: t\n  kind: tour\n  title: T\n  steps:\n  - {endpoint: a, title: S, spotlight: yes}\n"
    assert errors_of(text) == ["content/guides.yaml:6: guides[0].steps[0].spotlight: must be true or false"]


def test_dump_keeps_the_spotlight() -> None:
    (spec,) = load(TOUR.format(steps="{endpoint: a, anchor: x, title: S, spotlight: true}, {endpoint: b, title: U}"))
    text = dump_content([spec])
    assert text.count("spotlight") == 1
    (again,) = load(text)
    assert again.steps == spec.steps


def test_the_payload_carries_the_spotlight() -> None:
    (spec,) = load(TOUR.format(steps="{endpoint: a, anchor: x, title: S, spotlight: true}, {endpoint: b, title: U}"))
    decision = Decision(CompiledGuide(spec, None, 0, None, None), GuideState())
    data = guide_json(decision, "en", "en")
    assert [step["spotlight"] for step in data["steps"]] == [True, False]
