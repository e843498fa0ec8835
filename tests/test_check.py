"""`flask onboarding check`: content against the app's endpoints and templates' anchors."""

from __future__ import annotations

import logging
from pathlib import Path

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
    assert code == 1
    assert f"{content}:2: guides.lost-tip.anchor: no template marks 'no-such-anchor'" in output
    assert f"{content}:7: guides.wrong-page.when.endpoints: no endpoint 'reportz' in this app" in output


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
