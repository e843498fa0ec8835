"""Valid content of every kind, in YAML and JSON, becomes the expected GuideSpecs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from onboarding_sdk.content import (
    KINDS,
    ChecklistItem,
    ContentError,
    Frequency,
    GuideSpec,
    SourceRef,
    TourStep,
    load_content,
)

from .conftest import EVENTS, FILES, load

YAML = FILES / "all_kinds.yaml"
JSON = FILES / "all_kinds.json"


@pytest.fixture(scope="module")
def specs() -> dict[str, GuideSpec]:
    return {spec.id: spec for spec in load_content([YAML, JSON], events=EVENTS)}


def test_every_kind_in_both_formats(specs: dict[str, GuideSpec]) -> None:
    yaml_kinds = {s.kind for s in specs.values() if s.source and s.source.file == str(YAML)}
    json_kinds = {s.kind for s in specs.values() if s.source and s.source.file == str(JSON)}
    assert yaml_kinds == json_kinds == set(KINDS)
    assert len(specs) == 23


def test_the_design_example(specs: dict[str, GuideSpec]) -> None:
    assert specs["how-to-start"] == GuideSpec(
        id="how-to-start",
        kind="starter_guide",
        title={"en": "Get started", "zh-CN": "如何开始"},
        body={
            "en": "<p>Install the <strong>tracking code</strong> first.</p>",
            "zh-CN": "<p>请先安装<strong>跟踪代码</strong>。</p>",
        },
        body_markdown={"en": "Install the **tracking code** first.", "zh-CN": "请先安装**跟踪代码**。"},
        when={
            "stages": ["awareness"],
            "days_since_signup": {"max": 7},
            "not_done": ["installed_code"],
            "endpoints": ["dashboard.index"],
        },
        priority=10,
        frequency=Frequency("until_dismissed"),
        starts_at=datetime(2026, 12, 1, tzinfo=UTC),
        ends_at=None,
        anchor="install-code",
        source=SourceRef(str(YAML), 4),
    )


def test_tooltips(specs: dict[str, GuideSpec]) -> None:
    assert specs["field-year"].purpose == "field_help"
    assert specs["field-year"].auto_open is True
    assert specs["field-year"].frequency == Frequency("max_impressions", 3)
    assert specs["field-year"].title == {"en": "Year"}  # a plain string: the default locale
    hint = specs["hint-digits"]
    assert (hint.purpose, hint.form, hint.field, hint.anchor) == ("validation", "report-filter", "year", None)
    assert specs["import-failed"].purpose == "error"
    assert specs["confirm-delete"].frequency == Frequency("always")
    assert (specs["term-uv"].purpose, specs["term-uv"].term, specs["term-uv"].anchor) == ("glossary", "UV", None)
    assert specs["json-tooltip"].term == "PV"


def test_collections(specs: dict[str, GuideSpec]) -> None:
    assert specs["footer-reports"].when == {"stages": ["use"], "paths": ["/reports/*"]}
    assert specs["tip-segments"].topic == {"en": "reports"}  # a plain string: the default locale
    assert specs["faq-code"].topic == {"en": "Setup", "zh-CN": "设置"}
    assert specs["faq-code"].body == {"en": "<p>Settings, then <em>Tracking code</em>.</p>"}
    assert specs["json-tip"].topic == {"en": "API", "zh-CN": "接口"}
    assert specs["json-faq"].topic == {}  # none


def test_changelog(specs: dict[str, GuideSpec]) -> None:
    entry = specs["v2-funnels"]
    assert (entry.version, entry.level, entry.features) == ("2.0", "popup", ("funnel_created",))
    assert entry.date == datetime(2026, 5, 20, tzinfo=UTC)
    assert entry.auto_open is True  # popups open by themselves by default
    silent = specs["json-changelog"]
    assert (silent.level, silent.auto_open, silent.features) == ("silent", False, ())
    assert silent.title == {"en": "Alerts", "zh-CN": "提醒"}


def test_changelog_level_defaults_to_badge() -> None:
    (entry,) = load('guides: [{id: a, kind: changelog, version: "1", date: 2026-01-01, title: A, body: B}]')
    assert (entry.level, entry.auto_open) == ("badge", False)


def test_checklist(specs: dict[str, GuideSpec]) -> None:
    checklist = specs["first-steps"]
    assert checklist.body == {}
    assert checklist.items == (
        ChecklistItem("install", {"en": "Install the code"}, "installed_code"),
        ChecklistItem("report", {"en": "Create a report", "zh-CN": "创建报表"}, "report_created"),
    )
    assert specs["json-checklist"].body == {"en": "<p>Three steps.</p>"}


def test_tour(specs: dict[str, GuideSpec]) -> None:
    tour = specs["reports-tour"]
    assert tour.auto_open is True  # tours open by themselves by default
    assert tour.when == {"stages": ["use"], "not_seen": ["footer-reports"]}
    assert tour.steps == (
        TourStep(
            "reports.index",
            {"en": "Filter"},
            {"en": "<p>Pick a <strong>year</strong>.</p>"},
            anchor="filter-year",
            body_markdown={"en": "Pick a **year**."},
        ),
        TourStep("reports.export", {"en": "Export"}, {}, anchor=None),
    )
    assert specs["json-tour"].auto_open is False


def test_banner_times_are_utc(specs: dict[str, GuideSpec]) -> None:
    banner = specs["maintenance"]
    assert banner.starts_at == datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
    assert banner.ends_at == datetime(2026, 12, 7, tzinfo=UTC)
    assert banner.priority == -1
    assert banner.body["en"] == (
        '<p>Sunday 02:00-03:00 UTC. <a href="https://status.example.com" target="_blank" '
        'rel="noopener noreferrer">Status page</a></p>'
    )
    assert specs["json-banner"].anchor == "top"
    assert specs["json-start"].ends_at == datetime(2027, 1, 1, tzinfo=UTC)


def test_json_sources_have_lines(specs: dict[str, GuideSpec]) -> None:
    assert specs["json-start"].source == SourceRef(str(JSON), 4)
    assert specs["json-banner"].source is not None and specs["json-banner"].source.line > 100


def test_defaults() -> None:
    (spec,) = load("guides: [{id: a, kind: faq, title: T, body: B}]")
    assert (spec.when, spec.priority, spec.frequency, spec.auto_open) == ({}, 0, Frequency(), False)
    assert (spec.starts_at, spec.ends_at, spec.purpose, spec.level) == (None, None, None, None)
    (tooltip,) = load("guides: [{id: a, kind: tooltip, anchor: x, title: T, body: B, when: null}]")
    assert (tooltip.purpose, tooltip.when) == ("field_help", {})


def test_plain_strings_go_under_the_default_locale_and_tags_are_canonical() -> None:
    (spec,) = load(
        "guides: [{id: a, kind: faq, title: 标题, body: {zh_cn: 正文, EN-gb: Body}}]", default_locale="zh-cn"
    )
    assert spec.title == {"zh-CN": "标题"}
    assert spec.body_markdown == {"zh-CN": "正文", "en-GB": "Body"}


def test_yaml_reads_the_core_schema_not_yaml_1_1() -> None:
    text = """\
guides:
  - id: a
    kind: faq
    title: {en: "English", no: Norsk, on: "On"}
    body: 1:20
    priority: 010
"""
    (spec,) = load(text)
    assert spec.title == {"en": "English", "no": "Norsk", "on": "On"}  # YAML 1.1 read "no" as false
    assert spec.body_markdown == {"en": "1:20"}  # YAML 1.1 read 80 (sexagesimal)
    assert spec.priority == 10  # YAML 1.1 read 8 (octal)


def test_yaml_merge_keys_and_anchors() -> None:
    text = """\
defaults: &tip {kind: advanced_tip, topic: reports, when: {stages: [depth]}}
guides: []
"""
    with pytest.raises(ContentError, match="defaults: unknown key"):
        load(text)
    text = """\
guides:
  - &first {id: a, kind: advanced_tip, topic: reports, title: A, body: A}
  - <<: *first
    id: b
"""
    _, b = load(text)
    assert (b.id, b.kind, b.topic, b.title) == ("b", "advanced_tip", {"en": "reports"}, {"en": "A"})


def test_json_with_tabs_and_unicode_escapes() -> None:
    text = '{\n\t"guides": [{"id": "a", "kind": "faq", "title": "caf\\u00e9 \\ud83d\\ude00", "body": "\\/x"}]\n}'
    (spec,) = load(text, "import.json")
    assert spec.title == {"en": "café 😀"}
    assert spec.body_markdown == {"en": "/x"}


def test_load_content_accepts_str_paths_and_an_empty_list() -> None:
    assert load_content([], events=EVENTS) == ()
    assert len(load_content([str(YAML)], events=EVENTS)) == 13


def test_specs_do_not_share_the_parsed_document() -> None:
    text = "guides:\n  - &g {id: a, kind: faq, title: T, body: B, when: &w {stages: [use]}}\n"
    a, b = load(text + "  - {id: b, kind: faq, title: T, body: B, when: *w}\n")
    assert a.when == b.when and a.when is not b.when


def test_pure_python_yaml_reads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    from onboarding_sdk.content import loader

    fast = load_content([YAML], events=EVENTS)
    monkeypatch.setattr(loader, "_FastLoader", loader._Loader)
    assert load_content([YAML], events=EVENTS) == fast


def test_topic_is_a_string_or_a_locale_map_like_a_title() -> None:
    text = """\
guides:
  - {id: plain, kind: advanced_tip, topic: "  reports ", title: T, body: B}
  - {id: map, kind: faq, topic: {en: Reports, zh_cn: 报表, zh-Hant: 報表}, title: T, body: B}
  - {id: no-default, kind: advanced_tip, topic: {zh-CN: 报表}, title: {zh-CN: 标题}, body: B}
  - {id: none, kind: faq, title: T, body: B}
"""
    specs = {spec.id: spec for spec in load(text)}
    assert specs["plain"].topic == {"en": "reports"}  # stripped, filed under the default locale
    assert specs["map"].topic == {"en": "Reports", "zh-CN": "报表", "zh-Hant": "報表"}  # tags canonical
    assert specs["no-default"].topic == {"zh-CN": "报表"}  # accepted, as a title without en is
    assert specs["none"].topic == {}
    (spec,) = load("guides: [{id: a, kind: faq, topic: 报表, title: T, body: B}]", default_locale="zh-CN")
    assert spec.topic == {"zh-CN": "报表"}
