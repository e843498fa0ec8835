"""Content problems at start-up: a broken guide is dropped alone and logged; strict, start-up stops.

The `flask` command itself runs in a subprocess (what an operator types), so the strict mode's
interplay with `flask onboarding check` is tested as it really happens.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from onboarding_sdk.content import ContentError
from tests.guides.app import Clock, create_app, grow

ROOT = Path(__file__).resolve().parent.parent
GUIDES = """\
guides:
  - id: footer-one
    kind: footer_help
    title: Footer one
    body: The first footer.
    when: {endpoints: [reports]}
  - id: footer-two
    kind: footer_help
    title: Footer two
    body: The second footer.
    when:
      endpoints: [reports]
      stagez: [use]
  - id: footer-three
    kind: footer_help
    title: Footer three
    body: The third footer.
    colour: red
    when: {endpoints: [reports]}
"""
STAGEZ = "guides[1].when.stagez: unknown condition 'stagez'"


def write(tmp_path: Path, text: str = GUIDES, name: str = "guides.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_broken_guide_is_dropped_alone_and_logged_with_file_and_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write(tmp_path)
    with caplog.at_level(logging.ERROR, "onboarding_sdk"):
        app, ext = create_app(Clock(), content=[str(path)])
    assert f"onboarding content: {path}:13: {STAGEZ}" in caplog.text
    assert f"onboarding content: {path}:18: guides[2].colour: unknown key" in caplog.text
    grow(app, ext, "u", "use")
    html = app.test_client().get("/reports", headers={"X-User": "u"}).text
    assert "The first footer." in html
    assert "The second footer." not in html and "The third footer." not in html
    problems = app.extensions["onboarding"].content.file_problems
    assert [(p.file, p.line, p.path) for p in problems] == [
        (str(path), 13, "guides[1].when.stagez"),
        (str(path), 18, "guides[2].colour"),
    ]


def test_a_broken_file_loses_only_its_own_guides(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    good = write(tmp_path, GUIDES.split("  - id: footer-two")[0], "good.yaml")
    broken = write(tmp_path, "guides:\n  - id: x\n   kind: faq\n", "broken.yaml")
    with caplog.at_level(logging.ERROR, "onboarding_sdk"):
        app, ext = create_app(Clock(), content=[str(broken), str(good)])
    assert f"{broken}:3: YAML syntax error" in caplog.text
    grow(app, ext, "u", "use")
    assert "The first footer." in app.test_client().get("/reports", headers={"X-User": "u"}).text


@pytest.mark.parametrize(
    "config",
    [{"TESTING": True}, {"DEBUG": True}, {"ONBOARDING_CONTENT_STRICT": True}],
    ids=["testing", "debug", "strict"],
)
def test_strict_start_up_raises_listing_every_problem(tmp_path: Path, config: dict[str, bool]) -> None:
    path = write(tmp_path)
    with pytest.raises(ContentError) as info:
        create_app(Clock(), content=[str(path)], **config)
    assert info.value.errors == [
        f"{path}:13: {STAGEZ}; known: account_ids, active_days, all, any, days_since_signup, distinct_events, "
        "done, dormant, endpoints, events, locales, not, not_done, not_seen, paths, plans, roles, seen, stages, traits",
        f"{path}:18: guides[2].colour: unknown key",
    ]


def test_strict_can_be_turned_off_in_testing(tmp_path: Path) -> None:
    app, _ = create_app(Clock(), content=[str(write(tmp_path))], TESTING=True, ONBOARDING_CONTENT_STRICT=False)
    assert list(app.extensions["onboarding"].catalog.guides) == ["footer-one"]


def test_strict_start_up_with_valid_content_starts() -> None:
    app, _ = create_app(Clock(), TESTING=True)
    assert app.extensions["onboarding"].content.file_problems == []


def test_the_size_limit_applies_to_content_files(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = write(tmp_path, GUIDES + "# " + "x" * 2000 + "\n")
    with caplog.at_level(logging.ERROR, "onboarding_sdk"):
        app, _ = create_app(Clock(), content=[str(path)], ONBOARDING_CONTENT_MAX_BYTES=2048)
    assert f"{path}: 2428 bytes, more than the limit of 2048 (ONBOARDING_CONTENT_MAX_BYTES)" in caplog.text
    assert not app.extensions["onboarding"].catalog.guides


def flask_command(tmp_path: Path, content: Path, *args: str, debug: bool = True) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "CONTENT_FILE": str(content),
        "FLASK_DEBUG": "1" if debug else "0",
    }
    flask = [sys.executable, "-m", "flask", "--app", "tests.flask_cli_app:make"]
    return subprocess.run([*flask, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)


def test_flask_onboarding_check_reports_problems_in_strict_mode_without_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path)
    result = flask_command(tmp_path, path, "onboarding", "check")
    assert result.returncode == 1, result.stderr
    assert f"{path}:13: {STAGEZ}" in result.stderr
    assert f"{path}:18: guides[2].colour: unknown key" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_other_flask_commands_stop_on_broken_content_in_strict_mode(tmp_path: Path) -> None:
    result = flask_command(tmp_path, write(tmp_path), "routes")
    assert result.returncode != 0
    assert "ContentError" in result.stderr and STAGEZ in result.stderr
    calm = flask_command(tmp_path, write(tmp_path), "routes", debug=False)
    assert calm.returncode == 0, calm.stderr
    assert STAGEZ in calm.stderr  # logged, and the app runs


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["flask", "onboarding", "check"], True),
        (["flask", "--app", "onboarding", "--debug", "run"], False),  # an app module named onboarding
        (["flask", "-A", "app:make", "-e", ".env", "--debug", "onboarding", "import", "x.yaml"], True),
        (["flask", "run", "onboarding"], False),
        (["flask"], False),
    ],
)
def test_the_onboarding_commands_are_told_apart_from_the_others(
    argv: list[str], expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onboarding_sdk.cli import loading_for_onboarding_command

    monkeypatch.setattr(sys, "argv", argv)
    assert loading_for_onboarding_command() is False  # no click context: not the flask command
    with click.Context(click.Command("flask")):
        assert loading_for_onboarding_command() is expected


def test_flask_onboarding_import_refuses_unreadable_files_without_a_traceback(tmp_path: Path) -> None:
    content = write(tmp_path, GUIDES.split("  - id: footer-two")[0])
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("guides: []\n# caf\xe9\n".encode("latin-1"))
    deep = write(tmp_path, '{"guides": ' + "[" * 5000 + "]" * 5000 + "}", "deep.json")
    for path, message in ((latin1, f"{latin1}: not UTF-8 text (byte 16)"), (deep, f"{deep}:1: nested more than 32")):
        result = flask_command(tmp_path, content, "onboarding", "import", str(path))
        assert result.returncode == 1, result.stderr
        assert message in result.stderr
        assert "Traceback" not in result.stderr + result.stdout
