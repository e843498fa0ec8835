"""The console's per-kind guide form: every field of every kind round-trips, bad input is refused
with field messages and kept, and the preview renders sanitized Markdown in every locale."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest
from flask import Flask, request
from flask.testing import FlaskClient

from onboarding_sdk.content import KINDS, GuideSpec
from onboarding_sdk.content.schema import KIND_KEYS
from tests.console_forms import read_form, submit
from tests.guides.app import START, Clock, create_app, grow

PREFIX = "/onboarding/console"

# Every kind, every key, the awkward cases: a Markdown body with a leading and a trailing
# newline, a title in one locale and its body in two, conditions the form has no field for,
# times with seconds and offsets, non-default auto_open, quoted versions, a topic as a locale
# map and one as a plain string, and a topic in a locale the title is not in.
EVERY_KIND = """
version: 1
guides:
  - id: start-here
    kind: starter_guide
    title: {en: "Start here", zh-CN: "从这里开始"}
    body:
      en: |

        **Install** the code:

        1. copy it
        2. paste it
      zh-CN: "先安装**代码**。"
    anchor: install-code
    when:
      stages: [awareness, use]
      endpoints: [home, reports]
      days_since_signup: {max: 7}
      not_done: [installed_code]
      roles: [admin, "no"]
    priority: -3
    frequency: {max_impressions: 4}
    starts_at: 2026-05-01
    ends_at: 2026-09-01T09:30:15+08:00
  - id: tip-filter
    kind: tooltip
    purpose: field_help
    anchor: filter-year
    title: Filter
    body: Pick a **year**.
    auto_open: true
    frequency: once
  - id: hint-digits
    kind: tooltip
    purpose: validation
    form: report-filter
    field: year
    title: {en: "Digits only", zh-CN: "只能输入数字"}
    body: {en: "Type a year in digits.", zh-CN: "请输入数字年份。"}
  - id: term-uv
    kind: tooltip
    purpose: glossary
    term: UV
    title: UV
    body: {en: "Unique visitors.", zh-CN: "独立访客。"}
  - id: confirm-delete
    kind: tooltip
    purpose: confirm
    anchor: delete-report
    title: Delete this report?
    body: "It cannot be restored.\\n"
    frequency: always
  - id: footer-reports
    kind: footer_help
    title: {en: "About reports", zh-CN: "关于报表"}
    body: {en: "Filter by year to compare seasons.", zh-CN: "按年份筛选可对比不同季节。"}
    when: {stages: [use], endpoints: [reports]}
  - id: tip-segments
    kind: advanced_tip
    topic: {en: Reports, zh-CN: 报表}
    title: Save a segment
    body: "Save a filter as a [segment](https://example.com/segments)."
    when: {any: [{stages: [depth]}, {done: [api_used]}]}
  - id: faq-code
    kind: faq
    topic: {en: Setup, zh-Hant: 設定}
    title: Where is my tracking code?
    body: Settings, then *Tracking code*.
  - id: faq-plan
    kind: faq
    topic: billing
    title: {en: "Which plan?", zh-CN: "选哪个套餐？"}
    body: {en: "The free one, to start.", zh-CN: "先用免费版。"}
  - id: v2-10
    kind: changelog
    version: "2.10"
    date: 2026-05-20T08:00:00Z
    level: popup
    auto_open: false
    features: [export_done, alert_set]
    title: {en: "Funnels", zh-CN: "漏斗分析"}
    body: {en: "See where visitors drop off.", zh-CN: "查看访客在哪一步流失。"}
  - id: v2-11
    kind: changelog
    version: "2.11"
    date: 2026-06-01
    title: Exports
    body: Faster exports.
  - id: first-steps
    kind: checklist
    title: {en: "First steps", zh-CN: "第一步"}
    items:
      - {id: install, title: {en: Install the code, zh-CN: 安装代码}, event: installed_code}
      - {id: report, title: Create a report, event: report_created}
  - id: reports-tour
    kind: tour
    title: Reports in two minutes
    body: A short tour.
    auto_open: false
    steps:
      - {endpoint: reports, anchor: filter-year, title: Filter, body: "Pick a **year**."}
      - {endpoint: home, title: {en: Back home, zh-CN: 回到首页}}
  - id: maintenance
    kind: banner
    anchor: top
    title: Planned maintenance
    body: "Sunday 02:00-03:00 UTC."
    starts_at: 2026-06-05T18:00:00+08:00
    ends_at: 2026-06-07
    when: {paths: ["/reports/*"], plans: [paid]}
"""


def editing_app(content: str = EVERY_KIND) -> tuple[Flask, Clock]:
    clock = Clock(START + timedelta(days=1))
    app, ext = create_app(clock)

    @ext.console_access
    def role() -> str | None:
        return request.headers.get("X-Role")

    grow(app, ext, "u", "use")
    with app.app_context():
        app.extensions["onboarding"].content.publish(content, None, "setup", "")
    return app, clock


def specs(app: Flask) -> dict[str, GuideSpec]:
    engine = app.extensions["onboarding"]
    _, text = engine.storage.load_content()
    return {spec.id: replace(spec, source=None) for spec in engine.content.parse(text)}


def as_(role: str) -> dict[str, str]:
    return {"X-Role": role, "X-User": f"{role}-1"}


def page(client: FlaskClient, guide_id: str, role: str = "publisher") -> str:
    response = client.get(f"{PREFIX}/guides/{guide_id}", headers=as_(role))
    assert response.status_code == 200, response.text
    return response.text


def test_the_content_covers_every_kind_and_key() -> None:
    app, _ = editing_app()
    loaded = specs(app).values()
    assert {spec.kind for spec in loaded} == set(KINDS)
    keys = {key for spec in loaded for key in KIND_KEYS[spec.kind] if getattr(spec, key) not in (None, (), "", {})}
    assert keys == {key for own in KIND_KEYS.values() for key in own}


def test_every_field_of_every_kind_round_trips_through_the_form() -> None:
    app, _ = editing_app()
    client = app.test_client()
    before = specs(app)
    for guide_id in before:
        response = submit(client, page(client, guide_id), button="Publish", headers=as_("publisher"))
        assert response.status_code == 200, (guide_id, re.findall(r"<li>(.*?)</li>", response.text))
        assert "Published as revision" in response.text
        assert specs(app)[guide_id] == before[guide_id], guide_id
    assert specs(app) == before
    assert app.extensions["onboarding"].storage.content_revision() == 1 + len(before)


def test_the_form_shows_the_kinds_own_fields_each_with_a_label() -> None:
    app, _ = editing_app()
    client = app.test_client()
    expected = {
        "start-here": {"anchor", "starts_at", "ends_at", "max_impressions", "when", "endpoints"},
        "hint-digits": {"purpose", "anchor", "term", "form", "field"},
        "tip-segments": {"topic.en", "topic.zh-CN"},
        "faq-code": {"topic.en", "topic.zh-Hant", "title.zh-Hant", "body.zh-Hant"},
        "v2-10": {"version", "date", "level"},
        "first-steps": {"items.0.id", "items.0.event", "items.0.title.en", "items.1.title.zh-CN", "items.2.id"},
        "reports-tour": {"steps.0.endpoint", "steps.0.anchor", "steps.1.title.zh-CN", "steps.0.body.en"},
    }
    for guide_id, names in expected.items():
        html = page(client, guide_id)
        form = read_form(html)
        shown = set(form.ids.values())
        assert names <= shown, (guide_id, names - shown)
        assert {"title.en", "body.en", "title.zh-CN", "body.zh-CN", "priority", "frequency", "auto_open"} <= shown
        unlabelled = {name for id_, name in form.ids.items() if id_ not in form.labels}
        assert not unlabelled, (guide_id, unlabelled)
        assert "items.0.id" not in shown or KIND_KEYS[specs(app)[guide_id].kind] == ("items",)
    html = page(client, "start-here")
    form = read_form(html)
    assert form.getlist("stages") == ["awareness", "use"] and form.get("endpoints") == "home, reports"
    assert form.get("starts_at") == "2026-05-01T00:00" and form.get("ends_at") == "2026-09-01T01:30:15"
    # the rest of `when` is the segment builder's rows (tests/test_console_segments.py)
    rows = {(form.get(f"seg.{n}.field"), form.get(f"seg.{n}.value")) for n in range(4)}
    assert {("days", "7"), ("event", "installed_code"), ("role", "admin, no")} <= rows and not form.get("when")
    assert (form.get("body.en") or "").startswith("\n**Install**")


def test_editing_fields_publishes_them() -> None:
    app, _ = editing_app()
    client = app.test_client()
    response = submit(
        client,
        page(client, "footer-reports"),
        button="Publish",
        change={
            "title.en": "Reports 101",
            "body.zh-CN": "**按年份**筛选。",
            "stages": ["use", "depth"],
            "priority": "7",
        },
        headers=as_("publisher"),
    )
    assert response.status_code == 200 and "Published as revision 2" in response.text
    spec = specs(app)["footer-reports"]
    assert spec.title["en"] == "Reports 101" and spec.priority == 7
    assert spec.body["zh-CN"] == "<p><strong>按年份</strong>筛选。</p>" and list(spec.when["stages"]) == [
        "use",
        "depth",
    ]
    assert "Reports 101" in app.test_client().get("/reports", headers={"X-User": "u"}).text
    entry = app.extensions["onboarding"].storage.audit_log()[0]
    assert entry["action"] == "publish" and entry["guide"] == "footer-reports" and entry["who"] == "publisher-1"


def test_malformed_input_is_refused_with_field_messages_and_every_input_kept() -> None:
    app, _ = editing_app()
    client = app.test_client()
    response = submit(
        client,
        page(client, "footer-reports"),
        button="Publish",
        change={
            "starts_at": "2026-13-45",
            "stages": ["use", "usage"],
            "title.zh-CN": "新标题",
            "body.zh-CN": "",
            "priority": "high",
            "title.en": "My careful <wording>",
            "when": "roles: [admin\n",
        },
        headers=as_("publisher"),
    )
    assert response.status_code == 422
    form = read_form(response.text)
    errors = {name: re.search(rf'id="err-{re.escape(name)}">([^<]*)<', response.text) for name in form.names()}
    messages = {name: m.group(1) for name, m in errors.items() if m}
    assert "is not a date" in messages["starts_at"]
    assert "body.zh-CN" in messages and "zh-CN" in messages["body.zh-CN"]
    assert "whole number" in messages["priority"]
    assert "YAML syntax error" in messages["when"]
    assert "unknown stage &#39;usage&#39;" in response.text or "unknown stage 'usage'" in response.text
    assert 'aria-invalid="true"' in response.text and "Not saved" in response.text
    # everything the person typed is still there
    assert form.get("title.en") == "My careful <wording>" and form.get("title.zh-CN") == "新标题"
    assert form.get("starts_at") == "2026-13-45" and form.get("priority") == "high"
    assert form.get("when") == "roles: [admin\n" and form.getlist("stages") == ["use", "usage"]
    assert app.extensions["onboarding"].storage.content_revision() == 1


def test_a_stale_form_save_is_refused_and_keeps_the_text() -> None:
    app, _ = editing_app()
    ana, bo = app.test_client(), app.test_client()
    html_a, html_b = page(ana, "footer-reports"), page(bo, "footer-reports")
    first = submit(ana, html_a, button="Publish", change={"title.en": "Ana's"}, headers=as_("publisher"))
    assert first.status_code == 200
    second = submit(bo, html_b, button="Publish", change={"body.en": "Bo's careful wording"}, headers=as_("publisher"))
    assert second.status_code == 409 and "changed by someone else" in second.text
    assert read_form(second.text).get("body.en") == "Bo's careful wording"
    assert specs(app)["footer-reports"].title["en"] == "Ana's"


def test_preview_renders_every_locale_sanitized_and_publishes_nothing() -> None:
    app, _ = editing_app()
    client = app.test_client()
    response = submit(
        client,
        page(client, "term-uv", "editor"),
        button="Preview",
        change={"body.en": "**Unique** <script>alert(1)</script> [x](javascript:alert(1))"},
        headers=as_("editor"),
    )
    assert response.status_code == 200
    preview = response.text.split('id="live-preview"', 1)[1]
    assert "<strong>Unique</strong>" in preview and "<script>alert" not in preview and 'href="javascript' not in preview
    assert 'lang="en"' in preview and 'lang="zh-CN"' in preview and "独立访客" in preview
    assert "(title from en)" in preview  # the zh-CN reader gets the English title "UV"
    assert (read_form(response.text).get("body.en") or "").startswith("**Unique** <script>")
    assert app.extensions["onboarding"].storage.content_revision() == 1


def test_the_live_preview_answers_a_fragment() -> None:
    app, _ = editing_app()
    client = app.test_client()
    form = read_form(page(client, "first-steps", "editor"))
    data = {**dict(form.fields), "items.0.title.en": "Install *now*", "fragment": "1"}
    response = client.post(f"{PREFIX}/guides/first-steps/preview", data=data, headers=as_("editor"))
    assert response.status_code == 200 and "<html" not in response.text
    assert "Install *now*" in response.text and 'lang="zh-CN"' in response.text  # item titles are plain text
    data["items.0.event"] = "nope"
    refused = client.post(f"{PREFIX}/guides/first-steps/preview", data=data, headers=as_("editor"))
    assert refused.status_code == 422 and "unknown event" in refused.text and "<html" not in refused.text


def test_add_a_locale_and_rows_without_javascript() -> None:
    app, _ = editing_app()
    client = app.test_client()
    html = page(client, "first-steps")
    grown = submit(client, html, button="Add locale", change={"add_locale": "pt_br"}, headers=as_("publisher"))
    assert grown.status_code == 200
    assert {"title.pt-BR", "body.pt-BR", "items.0.title.pt-BR"} <= set(read_form(grown.text).ids.values())
    more = submit(client, grown.text, button="Add an item", headers=as_("publisher"))
    assert "items.3.id" in read_form(more.text).ids.values()
    bad = submit(client, html, button="Add locale", change={"add_locale": "not a tag"}, headers=as_("publisher"))
    assert "is not a locale tag" in bad.text
    added = submit(
        client,
        more.text,
        button="Publish",
        change={"title.pt-BR": "Primeiros passos", "items.3.id": "export", "items.3.event": "export_done",
                "items.3.title.en": "Export", "items.0.delete": "on"},
        headers=as_("publisher"),
    )  # fmt: skip
    assert added.status_code == 200, added.text
    spec = specs(app)["first-steps"]
    assert [item.id for item in spec.items] == ["report", "export"] and spec.title["pt-BR"] == "Primeiros passos"


def test_the_yaml_editor_still_edits_every_key() -> None:
    app, _ = editing_app()
    client = app.test_client()
    html = client.get(f"{PREFIX}/guides/reports-tour/yaml", headers=as_("publisher")).text
    form = read_form(html)
    text = form.get("text") or ""
    assert "steps:" in text
    reordered = text.replace("endpoint: reports", "endpoint: account").replace("endpoint: home", "endpoint: reports")
    response = submit(client, html, button="Publish", change={"text": reordered}, headers=as_("publisher"))
    assert response.status_code == 200, response.text
    assert [s.endpoint for s in specs(app)["reports-tour"].steps] == ["account", "reports"]


def test_viewers_see_the_form_disabled_and_without_buttons() -> None:
    app, _ = editing_app()
    html = page(app.test_client(), "footer-reports", "viewer")
    assert read_form(html).fields and not read_form(html).get("title.en")  # disabled: not submitted
    assert '<fieldset class="whole" disabled>' in html and "Publish</button>" not in html


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_publishing_takes_the_publisher_role(role: str) -> None:
    app, _ = editing_app()
    client = app.test_client()
    html = page(client, "footer-reports", "publisher")
    assert submit(client, html, button="Publish", headers=as_(role)).status_code == 403


def test_scheduling_from_the_form_controls_what_is_served_when() -> None:
    app, clock = editing_app()
    client = app.test_client()
    now = clock.now  # 2026-06-02 09:00 UTC

    def served() -> bool:
        return "About reports" in app.test_client().get("/reports", headers={"X-User": "u"}).text

    assert served()
    response = submit(
        client,
        page(client, "footer-reports"),
        button="Publish",
        change={"starts_at": "2026-06-04T08:00", "ends_at": "2026-06-10T00:00"},
        headers=as_("publisher"),
    )
    assert response.status_code == 200, response.text
    spec = specs(app)["footer-reports"]
    assert spec.starts_at is not None and spec.starts_at.isoformat() == "2026-06-04T08:00:00+00:00"
    assert read_form(response.text).get("starts_at") == "2026-06-04T08:00"  # shown back as it was set
    assert not served()
    listing = client.get(f"{PREFIX}/guides?status=scheduled", headers=as_("viewer")).text
    assert "/guides/footer-reports" in listing
    clock.now = now + timedelta(days=2)  # 2026-06-04 09:00: started
    assert served()
    clock.now = now + timedelta(days=8)  # 2026-06-10 09:00: ended (ends_at is exclusive)
    assert not served()
    refused = submit(
        client,
        page(client, "footer-reports"),
        button="Publish",
        change={"starts_at": "2026-06-10T00:00", "ends_at": "2026-06-04T00:00"},
        headers=as_("publisher"),
    )
    assert refused.status_code == 422 and "must be after starts_at" in refused.text


def test_odd_input_is_a_422_never_a_500() -> None:
    """Found by posting random values to the form: each once crashed the content loader."""
    app, _ = editing_app()
    client = app.test_client()
    html = page(client, "first-steps")
    for change, message in [
        ({"items.0.event": "", "items.0.id": "install"}, "must not be empty"),  # the blank option
        ({"items.0.event": " \r\n"}, "must not be empty"),
        ({"items.0.id": "", "items.1.id": ""}, "must not be empty"),
        ({"when": "roles: [a]\x00"}, "unacceptable character"),
    ]:
        response = submit(client, html, button="Publish", change=change, headers=as_("publisher"))
        assert response.status_code == 422 and message in response.text, (change, response.status_code)
    yaml_page = client.get(f"{PREFIX}/guides/first-steps/yaml", headers=as_("publisher")).text
    nul = submit(client, yaml_page, button="Preview", change={"text": "id: first-steps\x00"}, headers=as_("publisher"))
    assert nul.status_code == 422 and "unacceptable character" in nul.text
    no_ids = "id: first-steps\nkind: checklist\ntitle: T\nitems: [{title: a, event: api_used}, {title: b, event: x}]\n"
    response = submit(client, yaml_page, button="Preview", change={"text": no_ids}, headers=as_("publisher"))
    assert response.status_code == 422 and "items[1].id: is required" in response.text
    assert "items[1].event: unknown event" in response.text


def test_a_topic_has_one_field_per_locale_and_round_trips() -> None:
    app, _ = editing_app()
    client = app.test_client()
    html = page(client, "tip-segments")
    assert '<label for="f-topic.en">Topic (en) <small>groups tips on the tips page</small></label>' in html
    assert '<label for="f-topic.zh-CN">Topic (zh-CN)</label>' in html
    form = read_form(html)
    assert (form.get("topic.en"), form.get("topic.zh-CN")) == ("Reports", "报表") and "topic" not in form.names()
    assert read_form(page(client, "faq-plan")).get("topic.en") == "billing"  # a plain string: the default locale
    assert read_form(page(client, "start-here")).get("topic.en") is None  # only tips and questions have topics

    # a locale added in the form gets its topic field too
    grown = submit(client, html, button="Add locale", change={"add_locale": "zh_hant"}, headers=as_("publisher"))
    assert {"topic.zh-Hant", "title.zh-Hant"} <= set(read_form(grown.text).ids.values())

    edited = submit(
        client,
        grown.text,
        button="Publish",
        change={"topic.zh-CN": " 报告 ", "topic.zh-Hant": "報告"},
        headers=as_("publisher"),
    )
    assert edited.status_code == 200, re.findall(r"<li>(.*?)</li>", edited.text)
    assert specs(app)["tip-segments"].topic == {"en": "Reports", "zh-CN": "报告", "zh-Hant": "報告"}

    cleared = submit(
        client,
        page(client, "tip-segments"),
        button="Publish",
        change={"topic.en": "", "topic.zh-CN": "", "topic.zh-Hant": ""},
        headers=as_("publisher"),
    )
    assert cleared.status_code == 200 and specs(app)["tip-segments"].topic == {}


def test_a_bad_topic_is_refused_under_its_locales_field() -> None:
    app, _ = editing_app()
    client = app.test_client()
    response = submit(
        client,
        page(client, "tip-segments"),
        button="Publish",
        change={"topic.zh-CN": "长" * 101},
        headers=as_("publisher"),
    )
    assert response.status_code == 422
    assert re.search(r'id="err-topic\.zh-CN">must be at most 100 characters<', response.text)
    assert 'id="f-topic.zh-CN" name="topic.zh-CN" type="text" value="' + "长" * 101 in response.text  # kept
    assert app.extensions["onboarding"].storage.content_revision() == 1


def test_a_bare_topic_field_is_the_default_locales() -> None:
    # what scripts posted before topics had locales: read as topic.<default locale>
    app, _ = editing_app()
    client = app.test_client()
    form = read_form(page(client, "faq-plan"))
    data = {name: value for name, value in form.fields if not name.startswith("topic.")}
    data["topic"] = "Plans"
    response = client.post(form.action, data=data, headers=as_("publisher"))
    assert response.status_code == 200, re.findall(r"<li>(.*?)</li>", response.text)
    assert specs(app)["faq-plan"].topic == {"en": "Plans"}


def test_the_preview_shows_the_topic_in_every_locale_with_its_fallback() -> None:
    app, _ = editing_app()
    client = app.test_client()
    response = submit(client, page(client, "faq-code", "editor"), button="Preview", headers=as_("editor"))
    preview = response.text.split('id="live-preview"', 1)[1]
    views = dict(re.findall(r'<article class="preview" lang="([^"]+)".*?<p class="pv-topic">(.*?)</p>', preview, re.S))
    assert views["en"] == "Setup" and views["zh-Hant"] == "設定"
    assert views["zh-CN"] == "Setup <small>(topic from en)</small>"  # Simplified never gets Traditional
    plain = submit(client, page(client, "footer-reports", "editor"), button="Preview", headers=as_("editor"))
    assert "pv-topic" not in plain.text


def test_deeply_nested_yaml_is_a_form_error_never_a_500() -> None:
    """4 KB of nested YAML once overflowed the stack in the YAML editor and the ``when`` field."""
    app, _ = editing_app()
    client = app.test_client()
    revision = app.extensions["onboarding"].storage.content_revision()
    flow = "[" * 2000 + "]" * 2000
    block = "".join(" " * i + "- x\n" if i == 59 else " " * i + "-\n" for i in range(60))
    for when in (f"roles: {flow}", "roles:\n" + block):
        for button in ("Preview", "Publish"):
            response = submit(
                client, page(client, "first-steps"), button=button, change={"when": when}, headers=as_("publisher")
            )
            assert response.status_code == 422, (button, response.status_code)
            assert "nested more than 32 levels deep" in response.text
    yaml_page = client.get(f"{PREFIX}/guides/first-steps/yaml", headers=as_("publisher")).text
    for text in (f"id: first-steps\nwhen: {flow}\n", "id: first-steps\nwhen:\n" + block):
        for button in ("Preview", "Publish"):
            response = submit(client, yaml_page, button=button, change={"text": text}, headers=as_("publisher"))
            assert response.status_code == 422, (button, response.status_code)
            assert "nested more than 32 levels deep" in response.text
    assert app.extensions["onboarding"].storage.content_revision() == revision
