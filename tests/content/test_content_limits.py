"""Limits on what comes in: size, guide count, nesting depth, aliases, encoding. Each is a
``file:line: message`` problem, never a RecursionError or a worker busy for a minute."""

from __future__ import annotations

import json
from pathlib import Path

from onboarding_sdk.content import ContentLimits, read_content, read_content_text
from onboarding_sdk.content.limits import MAX_DEPTH
from onboarding_sdk.nesting import json_too_deep

from .conftest import EVENTS

SMALL = ContentLimits(max_bytes=2048, max_guides=3)


def faq(i: int, extra: str = "") -> str:
    return f"  - id: g{i}\n    kind: faq\n    title: T{i}\n    body: B{i}\n{extra}"


def problems_of(text: str, name: str = "content/guides.yaml", limits: ContentLimits = SMALL) -> list[str]:
    report = read_content_text(text, name, events=EVENTS, limits=limits)
    assert report.guides == () or report.problems == ()
    return [str(p) for p in report.problems]


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("guides: [\n" + "x" * 3000, encoding="utf-8")  # a syntax error, never seen
    report = read_content([path], events=EVENTS, limits=SMALL)
    assert report.guides == ()
    assert [str(p) for p in report.problems] == [
        f"{path}: 3010 bytes, more than the limit of 2048 (ONBOARDING_CONTENT_MAX_BYTES): "
        "refusing to read it; split the content or raise the limit"
    ]


def test_text_over_the_size_limit_is_refused_in_utf8_bytes() -> None:
    text = "guides: []\n# " + "字" * 700 + "\n"  # 714 characters, 2114 bytes
    assert problems_of(text) == [
        "content/guides.yaml: 2114 bytes, more than the limit of 2048 (ONBOARDING_CONTENT_MAX_BYTES): "
        "refusing to read it; split the content or raise the limit"
    ]
    assert problems_of(text[:-30] + "\n") == []


def test_too_many_guides_are_refused_before_any_is_validated() -> None:
    text = "guides:\n" + faq(1) + faq(2, "    colour: red\n") + faq(3) + faq(4)
    assert problems_of(text, limits=ContentLimits(max_guides=3)) == [
        "content/guides.yaml:1: guides: 4 guides, more than the limit of 3 (ONBOARDING_CONTENT_MAX_GUIDES): "
        "refusing to validate them"
    ]


def test_the_guide_count_limit_holds_across_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("guides:\n" + faq(1) + faq(2), encoding="utf-8")
    second.write_text("guides:\n" + faq(3) + faq(4), encoding="utf-8")
    report = read_content([first, second], events=EVENTS, limits=ContentLimits(max_guides=3))
    assert [spec.id for spec in report.guides] == ["g1", "g2"]
    assert [str(p) for p in report.problems] == [
        f"{second}:1: guides: 2 guides (4 with the files before it), more than the limit of 3 "
        "(ONBOARDING_CONTENT_MAX_GUIDES): refusing to validate them"
    ]


def test_deep_json_is_a_line_not_a_recursion_error() -> None:
    deep = '{"guides": [\n' + "[" * 5000 + "]" * 5000 + "]}"
    assert problems_of(deep, "import.json", ContentLimits()) == [
        f"import.json:2: nested more than {MAX_DEPTH} levels deep: refusing to read this file"
    ]


def test_the_json_depth_limit_is_exact_and_ignores_brackets_in_strings() -> None:
    assert json_too_deep("[" * MAX_DEPTH + "]" * MAX_DEPTH, MAX_DEPTH) is None
    assert json_too_deep("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), MAX_DEPTH) == 1
    assert json_too_deep(json.dumps({"a": "[" * 100 + '\\"[['}), MAX_DEPTH) is None


def test_deep_yaml_in_flow_style_is_a_line_not_a_recursion_error() -> None:
    deep = "guides:\n  - id: a\n    when: " + "[" * 4000 + "]" * 4000 + "\n"
    assert problems_of(deep, limits=ContentLimits()) == [
        f"content/guides.yaml:3: nested more than {MAX_DEPTH} levels deep: refusing to read this file"
    ]


def test_deep_yaml_in_block_style_is_a_line_not_a_recursion_error() -> None:
    deep = "".join(" " * i + "- \n" for i in range(2000))
    assert problems_of(deep, limits=ContentLimits()) == [
        f"content/guides.yaml:{MAX_DEPTH + 1}: nested more than {MAX_DEPTH} levels deep: refusing to read this file"
    ]


def test_aliases_cannot_nest_deeper_than_the_text() -> None:
    lines = ["a0: &a0 [x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, MAX_DEPTH + 2)]  # each alias one level deeper
    problems = problems_of("\n".join(lines) + "\nguides: []\n", limits=ContentLimits())
    assert len(problems) == 1 and f"nested more than {MAX_DEPTH} levels deep" in problems[0]


def test_a_billion_laughs_is_refused_before_it_is_expanded() -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]  # 10**10 values
    lines.append("guides: [*a9]")
    assert problems_of("\n".join(lines) + "\n", limits=ContentLimits()) == [
        "content/guides.yaml:1: more than 200000 values (expanded YAML aliases?): refusing to read this file"
    ]


def test_yaml_tags_that_build_python_objects_are_refused() -> None:
    problems = problems_of("guides: !!python/object/apply:os.system ['true']\n", limits=ContentLimits())
    assert len(problems) == 1 and "could not determine a constructor" in problems[0]


def test_a_file_that_is_not_utf8_names_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"guides": [{"id": "caf\xe9"}]}')
    report = read_content([path], events=EVENTS)
    assert [str(p) for p in report.problems] == [f"{path}: not UTF-8 text (byte 23)"]
