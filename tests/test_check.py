"""`flask onboarding check`: content against the app's endpoints and templates' anchors."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from tests.guides.app import Clock, create_app


def run_check(content: list[str]) -> tuple[int, str]:
    app, _ = create_app(Clock(), content=content)
    result = app.test_cli_runner().invoke(args=["onboarding", "check"])
    return result.exit_code, result.output


def test_the_seed_content_passes() -> None:
    code, output = run_check(["seed.yaml"])
    assert code == 0, output
    assert "ok: 14 guides in 1 file(s)" in output


def test_unknown_endpoints_and_missing_anchors_are_reported(tmp_path: Path) -> None:
    content = tmp_path / "bad.yaml"
    content.write_text(
        "guides:\n"
        "  - id: lost-tip\n"
        "    kind: tooltip\n"
        "    anchor: no-such-anchor\n"
        "    title: Lost\n"
        "    body: Nowhere to point\n"
        "  - id: wrong-page\n"
        "    kind: footer_help\n"
        "    title: Wrong\n"
        "    body: page\n"
        "    when: {endpoints: [reportz]}\n"
    )
    code, output = run_check([str(content)])
    assert code == 1  # the unknown page is an error; the anchor a warning
    assert f"{content}:2: guides.lost-tip.anchor: warning: no template marks 'no-such-anchor'" in output
    assert f"{content}:7: guides.wrong-page.when.endpoints: no endpoint 'reportz' in this app" in output
    assert "(did you mean 'reports'?)" in output


def test_broken_content_is_logged_at_start_and_failed_by_check(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    content = tmp_path / "broken.yaml"
    content.write_text(
        "guides:\n  - id: x\n    kind: tooltip\n    anchor: a\n    title: T\n    body: B\n    colour: red\n"
    )
    with caplog.at_level(logging.ERROR, "onboarding_sdk"):
        app, _ = create_app(Clock(), content=[str(content)])
    assert f"{content}:7: guides[0].colour" in caplog.text
    assert app.test_client().get("/", headers={"X-User": "a"}).status_code == 200  # the host still starts
    result = app.test_cli_runner().invoke(args=["onboarding", "check"])
    assert result.exit_code == 1
    assert f"{content}:7: guides[0].colour" in result.output
    assert "Traceback" not in result.output


# --- the checks before publishing (issue 13): the same in check and import --dry-run ----------

PLACED = """\
guides:
  - id: tip-typo
    kind: tooltip
    anchor: reports-save-button
    title: {en: Save, zh-CN: 保存}
    body: {en: Save it., zh-CN: 保存。}
    when: {endpoints: [reports]}
  - id: tip-elsewhere
    kind: tooltip
    anchor: filter-year
    title: {en: Filter, zh-CN: 筛选}
    body: {en: Pick a year., zh-CN: 选择年份。}
    when: {endpoints: [home]}
  - id: english-only
    kind: footer_help
    title: {en: Account}
    body: {en: Plan and invoices.}
    when: {endpoints: [account]}
  - id: term-pv
    kind: tooltip
    purpose: glossary
    term: PV
    title: PV
    body: {en: Page views., zh-CN: 页面浏览量。}
  - id: tour
    kind: tour
    title: {en: Tour, zh-CN: 导览}
    steps:
      - {endpoint: reports, anchor: delete-report, title: {en: Delete, zh-CN: 删除}}
      - {endpoint: home, anchor: import-result, title: {en: Import, zh-CN: 导入}}
"""
URL_PAGE = """\
  - id: by-url
    kind: footer_help
    title: {en: Reports, zh-CN: 报表}
    body: {en: About reports., zh-CN: 关于报表。}
    when: {endpoints: [/reports]}
"""
WARNINGS = [
    "guides.tip-typo.anchor: warning: no template marks 'reports-save-button'",
    "guides.tip-elsewhere.anchor: warning: 'filter-year' is not on page home (it is on reports): it will not be drawn",
    "guides.english-only.body.zh-CN: warning: no zh-CN translation (body)",
    "guides.tour.steps[1].anchor: warning: 'import-result' is not on page home (it is on reports)",
]
URL_ERROR = (
    "guides.by-url.when.endpoints: '/reports' is a URL, not a page: pages are named by their endpoint: use 'reports'"
)


def invoke(tmp_path: Path, text: str, *args: str, **config: Any) -> tuple[int, str, Any]:
    content = tmp_path / "guides.yaml"
    content.write_text(text, encoding="utf-8")
    app, _ = create_app(Clock(), content=[str(content)], **config)
    result = app.test_cli_runner().invoke(args=[*args, str(content)] if args[1] == "import" else list(args))
    return result.exit_code, result.output, app


def test_check_warns_about_anchors_and_translations_without_failing(tmp_path: Path) -> None:
    code, output, _ = invoke(tmp_path, PLACED, "onboarding", "check")
    assert code == 0, output
    for warning in WARNINGS:
        assert warning in output, warning
    assert "ok: 5 guides in 1 file(s)" in output
    assert "steps[0]" not in output  # delete-report is on the reports page
    assert "term-pv" not in output  # a term's title in one language beside translated bodies: a choice


def test_check_and_import_dry_run_refuse_a_url_where_an_endpoint_is_expected(tmp_path: Path) -> None:
    code, output, _ = invoke(tmp_path, PLACED + URL_PAGE, "onboarding", "check")
    assert code == 1 and URL_ERROR in output
    dry_code, dry_output, app = invoke(tmp_path, PLACED + URL_PAGE, "onboarding", "import", "--dry-run")
    assert dry_code == 1 and URL_ERROR in dry_output
    # the same problems, line for line (import reads the file itself: the same file:line places)
    problems = sorted(line for line in output.splitlines() if ": guides." in line)
    assert len(problems) == len(WARNINGS) + 1
    assert sorted(line for line in dry_output.splitlines() if ": guides." in line) == problems
    assert app.extensions["onboarding"].storage.content_revision() == 0
    real_code, real_output, app = invoke(tmp_path, PLACED + URL_PAGE, "onboarding", "import")
    assert real_code == 1 and URL_ERROR in real_output  # refused, not only in a dry run
    assert app.extensions["onboarding"].storage.content_revision() == 0


def test_import_dry_run_warns_and_passes_without_errors(tmp_path: Path) -> None:
    code, output, app = invoke(tmp_path, PLACED, "onboarding", "import", "--dry-run")
    assert code == 0, output
    assert output.splitlines()[0].startswith("dry run:")
    for warning in WARNINGS:
        assert warning in output, warning
    assert app.extensions["onboarding"].storage.content_revision() == 0


def test_a_translation_left_behind_is_flagged_against_the_published_content(tmp_path: Path) -> None:
    code, output, app = invoke(tmp_path, PLACED, "onboarding", "import")
    assert code == 0 and "published revision 1" in output
    edited = PLACED.replace("body: {en: Pick a year.,", "body: {en: Pick a year first.,")
    content = tmp_path / "guides.yaml"
    content.write_text(edited, encoding="utf-8")
    runner = app.test_cli_runner()
    expected = "guides.tip-elsewhere.body.zh-CN: warning: translation may be out of date: en changed, zh-CN did not"
    dry = runner.invoke(args=["onboarding", "import", "--dry-run", str(content)])
    assert dry.exit_code == 0 and expected in dry.output
    assert dry.output.count("out of date") == 1  # only the text that was left behind
