"""A broken guide is dropped alone: every other guide is kept, every problem is a record."""

from __future__ import annotations

from pathlib import Path

import pytest

from onboarding_sdk.content import ContentError, ContentProblem, read_content, read_content_text

from .conftest import EVENTS

GOOD = """\
  - id: first
    kind: faq
    title: First
    body: Fine.
"""
BROKEN = """\
  - id: second
    kind: faq
    title: Second
    body: Fine.
    when:
      stagez: [use]
"""
LAST = """\
  - id: third
    kind: advanced_tip
    title: Third
    body: Fine.
    colour: red
  - id: fourth
    kind: faq
    title: Fourth
    body: Fine.
"""


def report_of(text: str, name: str = "content/guides.yaml"):  # type: ignore[no-untyped-def]
    return read_content_text(text, name, events=EVENTS)


def test_a_broken_guide_is_dropped_alone_with_its_file_line_and_path() -> None:
    report = report_of("version: 1\nguides:\n" + GOOD + BROKEN + LAST)
    assert [spec.id for spec in report.guides] == ["first", "fourth"]
    assert [str(p) for p in report.problems] == [
        "content/guides.yaml:12: guides[1].when.stagez: unknown condition 'stagez'; known: account_ids, "
        "active_days, all, any, days_since_signup, distinct_events, done, dormant, endpoints, events, locales, "
        "not, not_done, not_seen, paths, plans, roles, seen, stages, traits",
        "content/guides.yaml:17: guides[2].colour: unknown key",
    ]
    first = report.problems[0]
    assert (first.file, first.line, first.path) == ("content/guides.yaml", 12, "guides[1].when.stagez")


def test_all_or_nothing_raises_the_same_records() -> None:
    report = report_of("guides:\n" + GOOD + BROKEN)
    with pytest.raises(ContentError) as info:
        report.or_raise()
    assert info.value.problems == list(report.problems)
    assert info.value.errors == [str(p) for p in report.problems]
    assert str(info.value) == "\n".join(info.value.errors)


def test_a_problem_prints_without_the_parts_it_lacks() -> None:
    assert str(ContentProblem("a.yaml", 3, "guides[0].id", "is required")) == "a.yaml:3: guides[0].id: is required"
    assert str(ContentProblem("a.yaml", 3, "", "YAML syntax error: x")) == "a.yaml:3: YAML syntax error: x"
    assert str(ContentProblem("a.yaml", None, "", "no such file")) == "a.yaml: no such file"


def test_a_duplicate_id_drops_the_second_guide_only() -> None:
    report = report_of("guides:\n" + GOOD + GOOD.replace("First", "Again") + LAST.split("  - id: fourth")[0])
    assert [spec.id for spec in report.guides] == ["first"]
    assert any("duplicate id 'first'" in str(p) for p in report.problems)


def test_a_duplicate_key_drops_its_guide_only() -> None:
    report = report_of("guides:\n" + GOOD + "  - id: dup\n    kind: faq\n    title: A\n    title: B\n    body: x\n")
    assert [spec.id for spec in report.guides] == ["first"]
    assert [str(p) for p in report.problems] == ["content/guides.yaml:9: guides[1].title: duplicate key"]


def test_an_unknown_top_level_key_is_reported_and_the_guides_kept() -> None:
    report = report_of("colour: red\nguides:\n" + GOOD)
    assert [spec.id for spec in report.guides] == ["first"]
    assert [str(p) for p in report.problems] == ["content/guides.yaml:1: colour: unknown key"]


def test_an_unsupported_version_drops_the_whole_file() -> None:
    report = report_of("version: 2\nguides:\n" + GOOD)
    assert report.guides == ()
    assert [str(p) for p in report.problems] == [
        "content/guides.yaml:1: version: unsupported version 2; this release reads 1"
    ]


def test_a_file_with_a_syntax_error_loses_only_its_own_guides(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("guides:\n" + GOOD, encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text("guides:\n  - id: x\n    title: 'unclosed\n", encoding="utf-8")
    also = tmp_path / "also.json"
    also.write_text('{"guides": [{"id": "j", "kind": "faq", "title": "J", "body": "B"}]}', encoding="utf-8")
    missing = tmp_path / "missing.yaml"
    report = read_content([good, broken, missing, also], events=EVENTS)
    assert [spec.id for spec in report.guides] == ["first", "j"]
    assert [str(p) for p in report.problems] == [
        f"{broken}:4: YAML syntax error: found unexpected end of stream "
        "(while scanning a quoted scalar that starts at line 3)",
        f"{missing}: no such file",
    ]
