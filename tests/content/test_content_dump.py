"""dump_content -> load_content_text gives back equal specs, Markdown sources kept."""

from __future__ import annotations

from dataclasses import replace

import yaml

from onboarding_sdk.content import GuideSpec, diff_content, dump_content, load_content

from .conftest import EVENTS, FILES, load


def without_source(specs: tuple[GuideSpec, ...]) -> list[GuideSpec]:
    return [replace(spec, source=None) for spec in specs]


def test_round_trip_of_every_kind() -> None:
    specs = load_content([FILES / "all_kinds.yaml", FILES / "all_kinds.json"], events=EVENTS)
    text = dump_content(specs)
    again = load(text, "export.yaml")
    assert without_source(again) == without_source(specs)
    assert dump_content(again) == text  # stable


def test_dump_keeps_markdown_and_leaves_defaults_out() -> None:
    (spec,) = load("guides: [{id: a, kind: faq, title: T, body: '**B**'}]")
    assert yaml.safe_load(dump_content([spec])) == {
        "version": 1,
        "guides": [{"id": "a", "kind": "faq", "title": {"en": "T"}, "body": {"en": "**B**"}}],
    }


def test_tricky_strings_survive() -> None:
    text = """\
guides:
  - id: a
    kind: changelog
    version: "010"
    date: 2026-05-20T09:30:00+08:00
    title: {en: "no", zh-CN: "2026-05-20", fr: "1e5", de: "true", ja: "~", ko: "<<", it: "0x1F"}
    body: {en: "yes", zh-CN: "null", fr: "- item\\n- item"}
    auto_open: true
    frequency: {max_impressions: 2}
    starts_at: 2026-05-01
    when: {traits: {industry: ["on", "off"]}, events: {report_created: {min: 3}}}
"""
    (spec,) = load(text)
    dumped = dump_content([spec])
    (again,) = load(dumped)
    assert replace(again, source=None) == replace(spec, source=None)
    # and plain YAML 1.1 readers see strings too
    data = yaml.safe_load(dumped)["guides"][0]
    assert data["title"] == {
        "en": "no",
        "zh-CN": "2026-05-20",
        "fr": "1e5",
        "de": "true",
        "ja": "~",
        "ko": "<<",
        "it": "0x1F",
    }
    assert data["date"] == "2026-05-20T01:30:00Z"
    assert data["starts_at"] == "2026-05-01"


def test_topics_dump_as_locale_maps_and_load_back_equal() -> None:
    text = """\
guides:
  - {id: plain, kind: advanced_tip, topic: reports, title: T, body: B}
  - {id: map, kind: faq, topic: {en: Reports, zh-CN: 报表, zh-Hant: 報表}, title: T, body: B}
  - {id: no-default, kind: advanced_tip, topic: {zh-CN: 报表}, title: T, body: B}
  - {id: none, kind: faq, title: T, body: B}
"""
    specs = load(text)
    dumped = dump_content(specs)
    data = {guide["id"]: guide for guide in yaml.safe_load(dumped)["guides"]}
    assert data["plain"]["topic"] == {"en": "reports"}  # the normalised form, like a title
    assert data["map"]["topic"] == {"en": "Reports", "zh-CN": "报表", "zh-Hant": "報表"}
    assert data["no-default"]["topic"] == {"zh-CN": "报表"}
    assert "topic" not in data["none"]
    again = load(dumped, "export.yaml")
    assert without_source(again) == without_source(specs)
    assert dump_content(again) == dumped


def test_a_topic_change_is_a_change_of_the_guide() -> None:
    (before,) = load("guides: [{id: t, kind: advanced_tip, topic: reports, title: T, body: B}]")
    (same,) = load("guides: [{id: t, kind: advanced_tip, topic: {en: reports}, title: T, body: B}]")
    (after,) = load("guides: [{id: t, kind: advanced_tip, topic: {en: reports, zh-CN: 报表}, title: T, body: B}]")
    assert diff_content([before], [same]).empty  # the plain string is the default locale's text
    assert diff_content([before], [after]).lines() == ["~ t: topic"]
