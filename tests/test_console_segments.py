"""The segment builder: targeting as rows, mapped exactly to the condition language; the audience
estimated from the population index; saved segments in content files and in the console."""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from onboarding_sdk.conditions import compile_condition
from onboarding_sdk.content.loader import read_content_text
from onboarding_sdk.identity import UserProfile
from onboarding_sdk.segments import (
    FIELDS,
    Row,
    RowError,
    condition_of,
    estimate,
    expand,
    read_row,
    rows_of,
    uses,
)
from onboarding_sdk.state import STAGES
from onboarding_sdk.targeting import compile_when
from tests.console_forms import read_form, submit
from tests.factories import facts, state
from tests.guides.app import START, Clock, create_app, grow
from tests.test_console_editing import EVERY_KIND

PREFIX = "/onboarding/console"
EVENTS = ("installed_code", "report_created", "export_done")


# --- rows <-> condition (pure) ----------------------------------------------------------


def random_row(rng: random.Random) -> Row:
    field = rng.choice(list(FIELDS))
    op = rng.choice(FIELDS[field][1])
    if field == "days":
        low, high = sorted(rng.sample(range(0, 400), 2))
        return Row("days", op, low=None if op == "at_most" else low, high=None if op == "at_least" else high)
    pool = {
        "stage": list(STAGES),
        "event": list(EVENTS),
        "locale": ["en", "zh-CN", "fr"],
    }.get(field, ["admin", "owner", "free", "pro", "New York", "acct-1"])
    values = tuple(rng.sample(pool, rng.randint(1, min(3, len(pool)))))
    return Row(field, op, values, name=rng.choice(["industry", "size_band"]) if field == "trait" else "")


def holds_by_rows(rows: list[Row], user: Any, who: UserProfile, day: int) -> bool:
    """What the rows say, read as a person reads them (the reference for the compiled condition)."""
    days = day  # the factories' users signed up on day 0
    for row in rows:
        if row.field == "event":
            done = [v in user.events for v in row.values]
            ok = all(done) if row.op == "done" else not any(done)
        elif row.field == "days":
            ok = (row.low is None or days >= row.low) and (row.high is None or days <= row.high)
        else:
            actual = {
                "stage": user.stage,
                "role": who.role,
                "plan": who.plan,
                "locale": who.locale,
                "account": who.account_id,
                "trait": (who.traits or {}).get(row.name),
            }[row.field]
            ok = (actual in row.values) == (row.op == "in")
        if not ok:
            return False
    return True


def test_every_row_set_maps_to_a_condition_and_back() -> None:
    rng = random.Random(13)
    for _ in range(600):
        rows = [random_row(rng) for _ in range(rng.randint(1, 5))]
        condition = condition_of(rows)
        compile_when(condition, "when", EVENTS)  # the language accepts it
        back, rest = rows_of(condition)
        assert (back, rest) == (rows, {}), condition


def test_the_condition_means_what_the_rows_say() -> None:
    rng = random.Random(7)
    for _ in range(300):
        rows = [random_row(rng) for _ in range(rng.randint(1, 4))]
        compiled = compile_when(condition_of(rows), "when", EVENTS)
        for _ in range(8):
            user = state(events={e: 1 for e in EVENTS if rng.random() < 0.5})
            user = replace(user, stage=rng.choice(STAGES))
            who = UserProfile(
                id="u1",
                role=rng.choice(["admin", "owner", "viewer"]),
                plan=rng.choice(["free", "pro"]),
                locale=rng.choice(["en", "zh-CN"]),
                account_id=rng.choice(["acct-1", "acct-2"]),
                traits={"industry": rng.choice(["New York", "admin", "retail"]), "size_band": "free"},
                signed_up_at=state().signed_up_at,
            )
            day = rng.randint(0, 450)
            assert compiled(facts(user, day, who)) is holds_by_rows(rows, user, who, day), rows


def test_conditions_rows_cannot_say_stay_as_they_are() -> None:
    condition = {
        "roles": ["admin"],
        "any": [{"plans": ["pro"]}, {"done": ["installed_code"]}],
        "events": {"report_created": {"min": 3}},
        "all": [{"plans": ["free"]}, {"any": [{"roles": ["x"]}]}],
        "traits": {"size": 10},
    }
    rows, rest = rows_of(condition)
    assert rows == [Row("role", "in", ("admin",)), Row("plan", "in", ("free",))]
    assert rest == {
        "any": condition["any"],
        "events": condition["events"],
        "all": [{"any": [{"roles": ["x"]}]}],
        "traits": {"size": 10},
    }


@pytest.mark.parametrize(
    ("args", "where", "message"),
    [
        (("stage", "in", "use, nowhere"), "value", "unknown stage 'nowhere'"),
        (("role", "in", " , "), "value", "give at least one value"),
        (("days", "between", "9"), "until", "not a whole number"),
        (("days", "at_least", "soon"), "value", "'soon' is not a whole number"),
        (("trait", "in", "retail"), "name", "name the trait"),
        (("event", "done", "flew_to_mars"), "value", "unknown event 'flew_to_mars'"),
        (("plan", "between", "pro"), "op", "does not go with plan"),
        (("colour", "in", "red"), "field", "unknown field 'colour'"),
    ],
)
def test_a_malformed_row_says_which_part_is_wrong(args: tuple[str, str, str], where: str, message: str) -> None:
    with pytest.raises(RowError) as caught:
        read_row(*args, events=EVENTS)
    assert caught.value.where == where and message in str(caught.value)


def test_days_between_needs_a_range_that_is_not_empty() -> None:
    assert read_row("days", "between", "3", until="14") == Row("days", "between", low=3, high=14)
    with pytest.raises(RowError, match="empty"):
        read_row("days", "between", "14", until="3")


# --- the estimate ------------------------------------------------------------------------


def test_the_estimate_counts_stages_and_accounts_and_says_when_it_is_an_upper_bound() -> None:
    reached = {"use": 600, "depth": 200, "adaptation": 50}  # awareness: every user (1000)
    alone = estimate([Row("stage", "in", ("use",))], 1000, reached, {})
    assert (alone.users, alone.exact, alone.stages) == (400, True, ("use",))
    wider = estimate([Row("stage", "in", ("use",)), Row("role", "in", ("admin",))], 1000, reached, {})
    assert (wider.users, wider.exact, wider.not_counted) == (400, False, ("role",))
    negated = estimate([Row("stage", "not_in", ("awareness",))], 1000, reached, {})
    assert negated.users == 600
    accounts = estimate([Row("account", "in", ("a", "b"))], 1000, reached, {"a": 30, "b": 12})
    assert (accounts.users, accounts.exact) == (42, True)
    both = estimate([Row("account", "in", ("a",)), Row("stage", "in", ("adaptation",))], 1000, reached, {"a": 30})
    assert (both.users, both.exact) == (30, False)  # two counts: the smaller bounds it
    assert estimate([], 1000, reached, {}).users == 1000


# --- saved segments in content files ------------------------------------------------------

FILE = """\
version: 1
segments:
  new-admins:
    roles: [admin]
    days_since_signup: {max: 7}
  broken:
    stagez: [use]
guides:
  - id: hello
    kind: banner
    title: Hi
    body: Hello
    when: {segment: new-admins, stages: [use]}
  - id: nested
    kind: banner
    title: Hi
    body: Hello
    when:
      any:
        - segment: new-admins
        - plans: [pro]
  - id: typo
    kind: banner
    title: Hi
    body: Hello
    when:
      segment: new-admin
"""


def test_a_content_file_defines_segments_and_guides_use_them_by_name() -> None:
    report = read_content_text(FILE, "guides.yaml", events=EVENTS)
    when = {g.id: g.when for g in report.guides}
    assert when["hello"] == {"roles": ["admin"], "days_since_signup": {"max": 7}, "stages": ["use"]}
    assert when["nested"] == {"any": [{"roles": ["admin"], "days_since_signup": {"max": 7}}, {"plans": ["pro"]}]}
    assert "typo" not in when
    lines = [str(p) for p in report.problems]
    assert "guides.yaml:7: segments.broken.stagez: unknown condition 'stagez'" in lines[0]
    assert lines[1] == "guides.yaml:27: guides[2].when.segment: unknown segment 'new-admin'; segments are new-admins"
    assert len(lines) == 2


def test_segments_are_checked_and_cannot_nest() -> None:
    text = "segments:\n  Bad Name: {roles: [a]}\n  inner: {segment: x}\nguides: []\n"
    lines = [str(p) for p in read_content_text(text, "s.yaml", events=EVENTS).problems]
    assert lines == [
        "s.yaml:2: segments.Bad Name: a segment name is lower-case letters, digits, - and _",
        "s.yaml:3: segments.inner.segment: a segment cannot use another segment",
    ]
    assert [str(p) for p in read_content_text("segments: [a]\nguides: []\n", "s.yaml", events=()).problems] == [
        "s.yaml:1: segments: must map segment names to conditions"
    ]


def test_expand_and_uses_agree() -> None:
    segment = {"roles": ["admin"], "not": {"plans": ["free"]}}
    expanded, problems = expand({"segment": "s", "roles": ["owner"]}, {"s": segment}, "when")
    assert problems == [] and uses(expanded, segment)
    assert compile_condition(expanded, "when")  # two roles rows: `all`
    assert not uses({"roles": ["admin"]}, segment)


# --- the console ------------------------------------------------------------------------


def make_app(store_uri: str = "memory://") -> Flask:
    app, ext = create_app(
        Clock(START + timedelta(days=1)),
        ONBOARDING_STORAGE_URI=store_uri,
        ONBOARDING_KEY_PREFIX=f"t{uuid.uuid4().hex[:10]}",
    )

    @ext.console_access
    def role() -> str | None:
        return request.headers.get("X-Role")

    for n in range(3):
        grow(app, ext, f"user-{n}", "use")
    grow(app, ext, "newbie", "awareness")
    with app.app_context():
        engine = app.extensions["onboarding"].engine
        engine.content.publish(EVERY_KIND, engine.storage.content.revision() or None, "setup", "")
    return app


@pytest.fixture
def app(store_uri: str) -> Any:
    made = make_app(store_uri)
    yield made
    made.extensions["onboarding"].engine.storage.reset()


def as_(role: str, who: str | None = None) -> dict[str, str]:
    return {"X-Role": role, "X-User": who or f"{role}-1"}


def get(client: FlaskClient, path: str, role: str = "editor") -> str:
    response = client.get(f"{PREFIX}{path}", headers=as_(role))
    assert response.status_code == 200, response.text
    return response.text


def row_fields(html: str, form_id: str = "guide-form") -> list[tuple[str, str, str]]:
    form = read_form(html, form_id)
    numbers = sorted({int(m.group(1)) for name in form.names() if (m := re.match(r"seg\.(\d+)\.field$", name))})
    found = [
        (form.get(f"seg.{n}.field") or "", form.get(f"seg.{n}.op") or "", form.get(f"seg.{n}.value") or "")
        for n in numbers
    ]
    return [row for row in found if row[0]]


def test_the_guide_form_shows_targeting_as_rows_and_publishes_them(app: Flask) -> None:
    client = app.test_client()
    html = get(client, "/guides/start-here", "publisher")
    assert ("role", "in", "admin, no") in row_fields(html) and ("event", "not_done", "installed_code") in row_fields(
        html
    )
    form = read_form(html)
    blank = max(int(m.group(1)) for n in form.names() if (m := re.match(r"seg\.(\d+)\.field$", n)))
    done = submit(
        client,
        html,
        button="Publish",
        change={f"seg.{blank}.field": "plan", f"seg.{blank}.op": "not_in", f"seg.{blank}.value": "free, trial"},
        headers=as_("publisher"),
    )
    assert done.status_code == 200, done.text
    engine = app.extensions["onboarding"].engine
    assert engine.catalog.get("start-here").spec.when["not"] == {"plans": ["free", "trial"]}
    assert ("plan", "not_in", "free, trial") in row_fields(done.text)


def test_add_a_condition_without_javascript_and_the_estimate_follows(app: Flask) -> None:
    client = app.test_client()
    html = get(client, "/guides/footer-reports")
    before = len([n for n in read_form(html).names() if re.match(r"seg\.\d+\.field$", n)])
    grown = submit(client, html, button="Add a condition", headers=as_("editor"))
    assert grown.status_code == 200
    assert len([n for n in read_form(grown.text).names() if re.match(r"seg\.\d+\.field$", n)]) == before + 1
    form = read_form(grown.text)
    blank = max(int(m.group(1)) for n in form.names() if (m := re.match(r"seg\.(\d+)\.field$", n)))
    preview = submit(
        client,
        grown.text,
        button="Preview",
        change={"stages": ["use"], f"seg.{blank}.field": "role", f"seg.{blank}.value": "admin"},
        headers=as_("editor"),
    )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", preview.text))
    assert "at most about 3 users in stage use" in text, text
    assert "roles are not in the index, so the estimate is an upper bound" in text


def test_a_malformed_row_is_refused_beside_its_field(app: Flask) -> None:
    client = app.test_client()
    html = get(client, "/guides/footer-reports")
    form = read_form(html)
    blank = max(int(m.group(1)) for n in form.names() if (m := re.match(r"seg\.(\d+)\.field$", n)))
    for change, message in [
        (
            {f"seg.{blank}.field": "days", f"seg.{blank}.op": "at_least", f"seg.{blank}.value": "soon"},
            "not a whole number",
        ),
        ({f"seg.{blank}.field": "stage", f"seg.{blank}.value": "nowhere"}, "unknown stage"),
        ({f"seg.{blank}.field": "trait", f"seg.{blank}.value": "retail"}, "name the trait"),
        ({f"seg.{blank}.field": "event", f"seg.{blank}.op": "done", f"seg.{blank}.value": "nope"}, "unknown event"),
    ]:
        response = submit(client, html, button="Save draft", change=change, headers=as_("editor"))
        assert response.status_code == 422 and message in response.text, change
        assert 'id="err-seg.' in response.text or 'id="err-seg"' in response.text
    assert app.extensions["onboarding"].engine.storage.drafts.all() == {}


def test_saved_segments_are_created_listed_used_and_guarded(app: Flask) -> None:
    client = app.test_client()
    new = get(client, "/segments/new")
    assert submit(client, new, form_id="segment-form", button="Save segment", headers=as_("viewer")).status_code == 403
    refused = submit(
        client,
        new,
        form_id="segment-form",
        button="Save segment",
        change={"name": "Bad Name", "seg.0.field": "role", "seg.0.value": "admin"},
        headers=as_("editor"),
    )
    assert refused.status_code == 422 and "a name is lower-case letters" in refused.text
    empty = submit(
        client, new, form_id="segment-form", button="Save segment", change={"name": "x"}, headers=as_("editor")
    )
    assert empty.status_code == 422 and "add at least one condition" in empty.text
    saved = submit(
        client,
        new,
        form_id="segment-form",
        button="Save segment",
        change={"name": "admins", "seg.0.field": "role", "seg.0.value": "admin, no"},
        headers=as_("editor", "ed"),
    )
    assert saved.status_code == 302, saved.text
    page = get(client, "/segments/admins")
    assert row_fields(page, "segment-form") == [("role", "in", "admin, no")]
    assert "start-here" in page  # its targeting holds the segment's condition
    taken = submit(
        client,
        new,
        form_id="segment-form",
        button="Save segment",
        change={"name": "admins", "seg.0.field": "plan", "seg.0.value": "pro"},
        headers=as_("editor"),
    )
    assert taken.status_code == 409
    listing = get(client, "/segments", "viewer")
    assert "admins" in listing and "start-here" in listing
    # the guide form adds a saved segment's rows
    html = get(client, "/guides/footer-reports")
    used = submit(client, html, button="Add its conditions", change={"use_segment": "admins"}, headers=as_("editor"))
    assert used.status_code == 200 and ("role", "in", "admin, no") in row_fields(used.text)
    unknown = submit(client, html, button="Add its conditions", change={"use_segment": "ghost"}, headers=as_("editor"))
    assert "unknown segment &#39;ghost&#39;" in unknown.text
    # a stale edit is refused; then a fresh one saves and a delete removes it
    stale = get(client, "/segments/admins")
    fresh = submit(client, stale, form_id="segment-form", button="Save segment", headers=as_("editor"))
    assert fresh.status_code == 302
    again = submit(client, stale, form_id="segment-form", button="Save segment", headers=as_("editor"))
    assert again.status_code == 409
    gone = submit(
        client, get(client, "/segments/admins"), form_id="segment-form", button="Delete segment", headers=as_("editor")
    )
    assert (
        gone.status_code == 302
        and app.test_client().get(f"{PREFIX}/segments/admins", headers=as_("viewer")).status_code == 404
    )
    entries = [e["action"] for e in app.extensions["onboarding"].engine.storage.audit.entries(50)]
    assert entries.count("save_segment") == 2 and "delete_segment" in entries
    # segments never show up as drafts
    assert "segment/" not in get(client, "/guides?status=draft", "viewer")


def test_a_post_without_the_csrf_token_is_refused(app: Flask) -> None:
    response = app.test_client().post(
        f"{PREFIX}/segments/new",
        data={"name": "x", "version": "0", "seg.0.field": "role", "seg.0.value": "a"},
        headers=as_("admin"),
    )
    assert response.status_code == 400


# --- flask onboarding check / import with segments --------------------------------------

SEGMENTED = """\
version: 1
segments:
  new-users: {days_since_signup: {max: 7}, stages: [awareness, use]}
guides:
  - id: welcome
    kind: footer_help
    title: {en: Welcome, zh-CN: 欢迎}
    body: {en: Start here., zh-CN: 从这里开始。}
    when: {segment: new-users, endpoints: [home]}
"""


def test_check_and_import_read_segments_and_name_an_unknown_one_by_file_and_line(tmp_path: Any) -> None:
    from tests.test_check import invoke

    code, output, _ = invoke(tmp_path, SEGMENTED, "onboarding", "check")
    assert code == 0 and "ok: 1 guides in 1 file(s)" in output, output
    typo = SEGMENTED.replace("segment: new-users,", "segment: new-user,")
    code, output, _ = invoke(tmp_path, typo, "onboarding", "check")
    assert code == 1 and "guides.yaml:9: guides[0].when.segment: unknown segment 'new-user'" in output, output
    code, output, app = invoke(tmp_path, typo, "onboarding", "import", "--dry-run")
    assert code == 1 and "unknown segment 'new-user'" in output
    code, output, app = invoke(tmp_path, SEGMENTED, "onboarding", "import")
    assert code == 0, output
    engine = app.extensions["onboarding"].engine
    assert engine.catalog.get("welcome").spec.when == {
        "days_since_signup": {"max": 7},
        "stages": ["awareness", "use"],
        "endpoints": ["home"],
    }
