"""Every kind of content error, with its exact ``file:line: path: message``."""

from __future__ import annotations

import json
import textwrap

import pytest

from onboarding_sdk.content import ContentError, load_content
from onboarding_sdk.errors import OnboardingError

from .conftest import EVENTS, FILES, errors_of

STAGES = "awareness, use, depth, adaptation, stickiness"
ANCHOR = (
    "is required: a tooltip needs an anchor, unless it is a validation hint "
    "(purpose validation with form and field) or a glossary entry (purpose glossary with term)"
)


def guides(body: str) -> str:
    """A file whose guides start at line 3 (``version`` on 1, ``guides:`` on 2)."""
    return "version: 1\nguides:\n" + textwrap.indent(textwrap.dedent(body).strip("\n"), "  ") + "\n"


FAQ = """\
- id: ok
  kind: faq
  title: Fine
  body: Fine.
"""

TIP = """\
- id: tip
  kind: advanced_tip
  title: Fine
  body: Fine.
"""

CASES: dict[str, tuple[str, list[str]]] = {
    "unknown key": (
        guides("- id: a\n  kind: faq\n  title: T\n  body: B\n  colour: red\n"),
        ["content/guides.yaml:7: guides[0].colour: unknown key"],
    ),
    "key of another kind": (
        guides("- id: a\n  kind: faq\n  title: T\n  body: B\n  items: []\n"),
        ["content/guides.yaml:7: guides[0].items: unknown key"],
    ),
    "duplicate id in a file": (
        guides(FAQ + FAQ),
        ["content/guides.yaml:7: guides[1].id: duplicate id 'ok' (first defined at content/guides.yaml:3)"],
    ),
    "undeclared event in when": (
        guides(FAQ + "  when: {done: [installed_code], not_done: [paid]}\n"),
        ["content/guides.yaml:7: guides[0].when.not_done: unknown event 'paid' (not in ONBOARDING_EVENTS)"],
    ),
    "undeclared event in when.events": (
        guides(FAQ + "  when:\n    events: {report.shared: {min: 1}}\n"),
        [
            "content/guides.yaml:8: guides[0].when.events.report.shared: "
            "unknown event 'report.shared' (not in ONBOARDING_EVENTS)"
        ],
    ),
    "undeclared event in a checklist item": (
        guides("""\
            - id: c
              kind: checklist
              title: C
              items:
                - {id: one, title: One, event: installed_code}
                - {id: two, title: Two, event: invited}
            """),
        ["content/guides.yaml:8: guides[0].items[1].event: unknown event 'invited' (not in ONBOARDING_EVENTS)"],
    ),
    "undeclared event in features": (
        guides("""\
            - id: v2
              kind: changelog
              version: "2"
              date: 2026-05-20
              title: V2
              body: New.
              features:
                - export_done
                - shared
            """),
        ["content/guides.yaml:11: guides[0].features[1]: unknown event 'shared' (not in ONBOARDING_EVENTS)"],
    ),
    "unknown stage": (
        guides(FAQ + "  when:\n    stages: [use, usage]\n"),
        [f"content/guides.yaml:8: guides[0].when.stages: unknown stage 'usage'; stages are {STAGES}"],
    ),
    "condition language errors": (
        guides(FAQ + "  when: {days_since_signup: {max: seven}, colour: red}\n"),
        [
            "content/guides.yaml:7: guides[0].when.days_since_signup.max: must be an integer",
            "content/guides.yaml:7: guides[0].when.colour: unknown condition 'colour'; known: "
            "account_ids, active_days, all, any, days_since_signup, distinct_events, done, dormant, endpoints, "
            "events, locales, not, not_done, not_seen, paths, plans, roles, seen, stages, traits",
        ],
    ),
    "when is not a mapping": (
        guides(FAQ + "  when: [use]\n"),
        ["content/guides.yaml:7: guides[0].when: must be a mapping of conditions"],
    ),
    "bad date": (
        guides(FAQ + "  starts_at: 2026-02-30\n"),
        [
            "content/guides.yaml:7: guides[0].starts_at: '2026-02-30' is not a date (2026-12-01) "
            "or a date and time (2026-12-01T09:30:00Z)"
        ],
    ),
    "ends_at before starts_at": (
        guides(FAQ + "  starts_at: 2026-12-02\n  ends_at: 2026-12-01T23:59:00Z\n"),
        ["content/guides.yaml:8: guides[0].ends_at: must be after starts_at"],
    ),
    "priority not an integer": (
        guides(FAQ + "  priority: 1.5\n"),
        ["content/guides.yaml:7: guides[0].priority: must be an integer"],
    ),
    "priority true": (
        guides(FAQ + "  priority: true\n"),
        ["content/guides.yaml:7: guides[0].priority: must be an integer"],
    ),
    "bad id": (
        guides("- id: Get_Started\n  kind: faq\n  title: T\n  body: B\n"),
        [
            "content/guides.yaml:3: guides[0].id: 'Get_Started' is not a valid id: lower-case letters, digits, "
            "_ and -, starting with a letter or digit, at most 64 characters"
        ],
    ),
    "id too long": (
        guides(f"- id: {'a' * 65}\n  kind: faq\n  title: T\n  body: B\n"),
        ["content/guides.yaml:3: guides[0].id: must be at most 64 characters"],
    ),
    "missing id, kind and title": (
        guides("- body: B\n"),
        [
            "content/guides.yaml:3: guides[0].id: is required",
            "content/guides.yaml:3: guides[0].kind: is required",
            "content/guides.yaml:3: guides[0].title: is required",
        ],
    ),
    "unknown kind": (
        guides("- id: w\n  kind: wizard\n  title: W\n"),
        [
            "content/guides.yaml:4: guides[0].kind: unknown kind 'wizard'; kinds are starter_guide, tooltip, "
            "footer_help, advanced_tip, faq, changelog, checklist, tour, banner"
        ],
    ),
    "tooltip without anchor": (
        guides("- id: t\n  kind: tooltip\n  title: T\n  body: B\n"),
        [f"content/guides.yaml:3: guides[0].anchor: {ANCHOR}"],
    ),
    "validation tooltip with form but no field": (
        guides("- id: t\n  kind: tooltip\n  purpose: validation\n  form: signup\n  title: T\n  body: B\n"),
        [
            "content/guides.yaml:3: guides[0].field: is required with form",
            f"content/guides.yaml:3: guides[0].anchor: {ANCHOR}",
        ],
    ),
    "term on a non-glossary tooltip": (
        guides("- id: t\n  kind: tooltip\n  anchor: a\n  term: UV\n  title: T\n  body: B\n"),
        ["content/guides.yaml:6: guides[0].term: is only for purpose glossary"],
    ),
    "unknown purpose": (
        guides("- id: t\n  kind: tooltip\n  purpose: warning\n  anchor: a\n  title: T\n  body: B\n"),
        [
            "content/guides.yaml:5: guides[0].purpose: unknown purpose 'warning'; "
            "purposes are field_help, validation, error, confirm, glossary"
        ],
    ),
    "changelog without version and date": (
        guides("- id: c\n  kind: changelog\n  title: C\n  body: B\n"),
        ["content/guides.yaml:3: guides[0].version: is required", "content/guides.yaml:3: guides[0].date: is required"],
    ),
    "changelog version as a number": (
        guides("- id: c\n  kind: changelog\n  version: 2.10\n  date: 2026-01-01\n  title: C\n  body: B\n"),
        ['content/guides.yaml:5: guides[0].version: must be a string; quote it, such as "2.1"'],
    ),
    "unknown level": (
        guides('- id: c\n  kind: changelog\n  version: "2"\n  date: 2026-01-01\n  level: loud\n  title: C\n  body: B'),
        ["content/guides.yaml:7: guides[0].level: unknown level 'loud'; levels are silent, badge, popup"],
    ),
    "checklist without items": (
        guides("- id: c\n  kind: checklist\n  title: C\n"),
        ["content/guides.yaml:3: guides[0].items: is required"],
    ),
    "checklist item problems": (
        guides("""\
            - id: c
              kind: checklist
              title: C
              items:
                - {id: one, title: One, event: installed_code}
                - {id: one, event: installed_code, colour: red}
            """),
        [
            "content/guides.yaml:8: guides[0].items[1].title: is required",
            "content/guides.yaml:8: guides[0].items[1].colour: unknown key",
            "content/guides.yaml:8: guides[0].items[1].id: duplicate item id 'one'",
        ],
    ),
    "tour without steps": (
        guides("- id: t\n  kind: tour\n  title: T\n"),
        ["content/guides.yaml:3: guides[0].steps: is required"],
    ),
    "tour with an empty step list and a bad step": (
        guides("- id: t\n  kind: tour\n  title: T\n  steps: []\n- {id: u, kind: tour, title: U, steps: [{title: S}]}"),
        [
            "content/guides.yaml:6: guides[0].steps: must list at least one step",
            "content/guides.yaml:7: guides[1].steps[0].endpoint: is required",
        ],
    ),
    "frequency": (
        guides(FAQ + "  frequency: sometimes\n" + FAQ.replace("ok", "ok2") + "  frequency: {max_impressions: 0}\n"),
        [
            "content/guides.yaml:7: guides[0].frequency: must be one of once, until_dismissed, always "
            "or {max_impressions: N}",
            "content/guides.yaml:12: guides[1].frequency.max_impressions: must be at least 1",
        ],
    ),
    "auto_open not a boolean": (
        guides(FAQ + "  auto_open: yes\n"),
        ["content/guides.yaml:7: guides[0].auto_open: must be true or false"],
    ),
    "locales": (
        guides("- id: a\n  kind: faq\n  title: {en: T, english: T, EN: T}\n  body: {zh-CN: 3}\n"),
        [
            "content/guides.yaml:5: guides[0].title.english: 'english' is not a locale tag such as en or zh-CN",
            "content/guides.yaml:5: guides[0].title.EN: locale en is given twice",
            "content/guides.yaml:6: guides[0].body.zh-CN: must be a string",
        ],
    ),
    "topic not text": (
        guides(TIP + "  topic: [reports]\n" + TIP.replace("id: tip", "id: tip2") + "  topic: null\n"),
        [
            "content/guides.yaml:7: guides[0].topic: must be a string or a map of locale to string, "
            "such as {en: ..., zh-CN: ...}",
            "content/guides.yaml:12: guides[1].topic: must not be null",
        ],
    ),
    "topic locales": (
        guides(TIP + "  topic:\n    en: Reports\n    english: Reports\n    EN: Again\n    zh-CN: '  '\n    fr: 3\n"),
        [
            "content/guides.yaml:9: guides[0].topic.english: 'english' is not a locale tag such as en or zh-CN",
            "content/guides.yaml:10: guides[0].topic.EN: locale en is given twice",
            "content/guides.yaml:11: guides[0].topic.zh-CN: must not be empty",
            "content/guides.yaml:12: guides[0].topic.fr: must be a string",
        ],
    ),
    "topic empty or too long": (
        guides(TIP + "  topic: {}\n" + TIP.replace("id: tip", "id: tip2") + f"  topic: {{zh-CN: {'长' * 101}}}\n"),
        [
            "content/guides.yaml:7: guides[0].topic: must name at least one locale",
            "content/guides.yaml:12: guides[1].topic.zh-CN: must be at most 100 characters",
        ],
    ),
    "topic on a kind without topics": (
        guides("- id: f\n  kind: footer_help\n  title: T\n  body: B\n  topic: {en: Reports}\n"),
        ["content/guides.yaml:7: guides[0].topic: unknown key"],
    ),
    "empty title": (
        guides('- id: a\n  kind: faq\n  title: "  "\n  body: B\n'),
        ["content/guides.yaml:5: guides[0].title: must not be empty"],
    ),
    "a guide that is not a mapping": (
        guides("- just text\n"),
        ["content/guides.yaml:3: guides[0]: must be a mapping (one guide)"],
    ),
    "duplicate key": (
        guides(FAQ + "  title: Again\n"),
        ["content/guides.yaml:7: guides[0].title: duplicate key"],
    ),
    "top level": (
        "version: 2\nguide: []\n",
        [
            "content/guides.yaml:1: version: unsupported version 2; this release reads 1",
            "content/guides.yaml:1: guides: is required",
            "content/guides.yaml:2: guide: unknown key",
        ],
    ),
    "not a mapping": (
        "- a\n- b\n",
        ["content/guides.yaml:1: expected a mapping with a 'guides' list (and optionally 'version: 1')"],
    ),
    "empty file": (
        "# nothing yet\n",
        ["content/guides.yaml:1: the file is empty; expected a mapping with a 'guides' list"],
    ),
    "YAML syntax": (
        "guides:\n  - id: a\n    title: [unclosed\n    kind: faq\n",
        [
            "content/guides.yaml:4: YAML syntax error: expected ',' or ']', but got ':' "
            "(while parsing a flow sequence that starts at line 3)"
        ],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_error(case: str) -> None:
    text, expected = CASES[case]
    assert errors_of(text) == expected


def test_the_example_of_the_issue() -> None:
    text = guides(FAQ + FAQ.replace("ok", "ok2") + FAQ.replace("ok", "ok3") + "  when:\n    stages: [usage]\n")
    assert errors_of(text) == [
        f"content/guides.yaml:16: guides[2].when.stages: unknown stage 'usage'; stages are {STAGES}"
    ]


def test_every_error_of_a_file_at_once_in_line_order() -> None:
    with pytest.raises(ContentError) as info:
        load_content([FILES / "errors.yaml"], events=EVENTS)
    name = str(FILES / "errors.yaml")
    assert info.value.errors == [
        f"{name}:4: guides[0].id: 'Bad Id' is not a valid id: lower-case letters, digits, _ and -, "
        "starting with a letter or digit, at most 64 characters",
        f"{name}:4: guides[0].anchor: {ANCHOR}",
        f"{name}:9: guides[0].when.stages: unknown stage 'usage'; stages are {STAGES}",
        f"{name}:10: guides[0].when.done: unknown event 'paid' (not in ONBOARDING_EVENTS)",
        f"{name}:11: guides[0].priority: must be an integer",
        f"{name}:12: guides[0].colour: unknown key",
        f"{name}:13: guides[1].version: is required",
        f"{name}:15: guides[1].date: '2026-13-01' is not a date (2026-12-01) or a date and time (2026-12-01T09:30:00Z)",
        f"{name}:18: guides[2].items: is required",
        f"{name}:18: guides[2].id: duplicate id 'news' (first defined at {name}:13)",
    ]


def test_errors_are_onboarding_errors() -> None:
    assert issubclass(ContentError, OnboardingError)


def test_duplicate_ids_across_files_and_several_files_at_once() -> None:
    yaml_file = FILES / "all_kinds.yaml"
    with pytest.raises(ContentError) as info:
        load_content([yaml_file, FILES / "missing.yaml", yaml_file, FILES / "syntax_error.json"], events=EVENTS)
    errors = info.value.errors
    assert errors[0] == f"{FILES / 'missing.yaml'}: no such file"
    assert errors[1] == f"{yaml_file}:4: guides[0].id: duplicate id 'how-to-start' (first defined at {yaml_file}:4)"
    assert len([e for e in errors if "duplicate id" in e]) == 13  # every guide of the second copy
    json_error = "JSON syntax error: Expecting property name enclosed in double quotes"
    assert errors[-1] == f"{FILES / 'syntax_error.json'}:3: {json_error}"


def test_yaml_syntax_error_file() -> None:
    with pytest.raises(ContentError) as info:
        load_content([FILES / "syntax_error.yaml"], events=EVENTS)
    assert info.value.errors == [
        f"{FILES / 'syntax_error.yaml'}:6: YAML syntax error: found unexpected end of stream "
        "(while scanning a quoted scalar that starts at line 4)"
    ]


def test_json_errors_have_lines() -> None:
    text = json.dumps({"guides": [{"id": "a", "kind": "faq", "title": "T", "priority": "high"}]}, indent=2)
    assert errors_of(text, "import.json") == [
        "import.json:3: guides[0].body: is required",
        "import.json:7: guides[0].priority: must be an integer",
    ]


def test_json_duplicate_keys_are_refused() -> None:
    text = '{"guides": [{"id": "a", "kind": "faq", "title": "T", "body": "B", "title": "U"}]}'
    assert errors_of(text, "x.json") == ["x.json:1: guides[0].title: duplicate key"]


def test_alias_bombs_are_refused() -> None:
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    lines.append("guides: [*a8]")
    assert errors_of("\n".join(lines) + "\n") == [
        "content/guides.yaml:1: more than 200000 values (expanded YAML aliases?): refusing to read this file"
    ]


def test_undecodable_file(tmp_path: pytest.TempPathFactory) -> None:
    path = tmp_path / "latin1.yaml"  # type: ignore[operator]
    path.write_bytes("guides: []\n# caf\xe9\n".encode("latin-1"))
    with pytest.raises(ContentError) as info:
        load_content([path], events=EVENTS)
    assert info.value.errors == [f"{path}: not UTF-8 text (byte 16)"]


def test_bad_default_locale() -> None:
    with pytest.raises(ContentError, match="default_locale: 'english!' is not a locale tag"):
        load_content([], events=EVENTS, default_locale="english!")
