"""Server side of issue 11, items 4 and 5: a tour step's ``advance_on`` (validated, dumped,
sent to the widget, and an event the user did moves the tour on at the next page view), and
``GET /api/centre``, the resource centre's entries (the tips page's questions and tips even
when no page payload carries them, tours to replay even when dismissed)."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from onboarding_sdk.content.errors import ContentError
from onboarding_sdk.content.loader import dump_content, load_content_text
from tests.browser.widget_app import LiveServer, make_app, profile

EVENTS = ("invited", "report_created")


def tour(*steps: str) -> str:
    lines = "\n".join(f"      - {step}" for step in steps)
    return f"guides:\n  - id: t\n    kind: tour\n    title: T\n    steps:\n{lines}\n"


def load(text: str) -> Any:
    return load_content_text(text, "t.yaml", events=EVENTS)


def test_advance_on_is_read_and_dumped_back() -> None:
    (spec,) = load(
        tour(
            "{endpoint: a, anchor: x, title: One, advance_on: {click: true}}",
            "{endpoint: a, title: Two, advance_on: {event: invited}}",
            "{endpoint: b, title: Three}",
        )
    )
    one, two, three = spec.steps
    assert (one.advance_click, one.advance_event) == (True, None)
    assert (two.advance_click, two.advance_event) == (False, "invited")
    assert (three.advance_click, three.advance_event) == (False, None)
    assert load(dump_content([spec]))[0].steps == spec.steps


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("{endpoint: a, title: One, advance_on: {event: nope}}", "unknown event 'nope'"),
        ("{endpoint: a, title: One, advance_on: {click: true}}", "click needs the step's anchor"),
        ("{endpoint: a, anchor: x, title: One, advance_on: {click: false}}", "must be true"),
        ("{endpoint: a, anchor: x, title: One, advance_on: {click: true, event: invited}}", "exactly one"),
        ("{endpoint: a, anchor: x, title: One, advance_on: {}}", "exactly one"),
        ("{endpoint: a, anchor: x, title: One, advance_on: {click: 1}}", "must be true or false"),
        ("{endpoint: a, anchor: x, title: One, advance_on: {hover: true}}", "unknown key"),
        ("{endpoint: a, anchor: x, title: One, advance_on: click}", "mapping"),
    ],
)
def test_a_wrong_advance_on_is_refused_with_its_reason(step: str, message: str) -> None:
    with pytest.raises(ContentError) as error:
        load(tour(step))
    assert message in str(error.value)
    assert "advance_on" in str(error.value)


@pytest.fixture
def site() -> Any:
    return LiveServer(make_app(ONBOARDING_CONTENT=["content.yaml", "content_tours.yaml"]))


def get(client: FlaskClient, url: str, uid: str | None = "alice") -> Any:
    if uid:
        client.set_cookie("uid", uid)
    return client.get(url)


def test_the_widget_gets_advance_on_and_an_event_moves_the_tour_on(site: LiveServer) -> None:
    client = site.app.test_client()
    steps = get(client, "/onboarding/api/guides?page=tour.start&path=/tour/start").get_json()["guides"]
    (finish,) = [g for g in steps if g["id"] == "tour-finish"]
    assert [s["advance_on"] for s in finish["steps"]] == [{"click": True}, {"event": "invited"}, None]
    assert finish["step"] == 0
    with site.app.app_context():
        site.engine.guide_action(profile("alice"), "tour-finish", "progress", value=1)
    site.track("alice", "invited")  # step 2 asks for it: done, so the tour is at step 3 (another page)
    here = get(client, "/onboarding/api/guides?page=tour.start&path=/tour/start").get_json()["guides"]
    assert "tour-finish" not in [g["id"] for g in here]
    there = get(client, "/onboarding/api/guides?page=tour.next&path=/tour/next").get_json()["guides"]
    assert [g["step"] for g in there if g["id"] == "tour-finish"] == [2]


def test_the_centre_lists_what_the_tips_page_does_and_tours_to_replay(site: LiveServer) -> None:
    client = site.app.test_client()
    page = get(client, "/onboarding/api/guides?page=home&path=/").get_json()
    assert not {"faq", "advanced_tip"} & {g["kind"] for g in page["guides"]}  # not on a page view
    tips_page = get(client, "/onboarding/tips").text
    with site.app.app_context():
        site.engine.guide_action(profile("alice"), "tour-basics", "dismiss")
    answer = get(client, "/onboarding/api/centre")
    assert answer.status_code == 200
    entries = answer.get_json()["entries"]
    kinds = [e["kind"] for e in entries]
    assert kinds == sorted(kinds, key=["faq", "advanced_tip", "starter_guide", "tour", "changelog"].index)
    for entry in entries:
        if entry["kind"] in ("faq", "advanced_tip"):
            assert entry["title"] in tips_page
    assert {"faq-export", "adv-shortcuts", "welcome", "tour-basics", "tour-finish", "v2"} <= {e["id"] for e in entries}
    (basics,) = [e for e in entries if e["id"] == "tour-basics"]  # dismissed, still there to replay
    assert basics["step"] == 0 and basics["steps"][0]["url"] == "/tour/start"
    assert [e["url"] for e in entries if e["id"] == "welcome"] == ["/onboarding/guide/welcome"]
    assert "v3-beta" not in {e["id"] for e in entries}  # another plan's entry stays out


def test_the_centre_needs_a_signed_in_user(site: LiveServer) -> None:
    answer = get(site.app.test_client(), "/onboarding/api/centre", uid=None)
    assert answer.status_code == 401
    assert answer.get_json()["error"]["code"] == "not_signed_in"
