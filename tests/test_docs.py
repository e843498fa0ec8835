"""The documentation keeps up with the code: every config key, with its default."""

from __future__ import annotations

from pathlib import Path

from onboarding_sdk.config import SETTINGS

ROOT = Path(__file__).resolve().parent.parent


def test_every_config_key_is_documented_with_its_default() -> None:
    table = (ROOT / "docs" / "configuration.md").read_text()
    for setting in SETTINGS:
        default = setting.default if isinstance(setting.default, str) else repr(setting.default)
        assert f"| `{setting.key}` | `{default}` |" in table, f"{setting.key}: run python scripts/config_doc.py"


def test_readme_starts_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = [line for line in readme.splitlines() if line.startswith(("bash ", "./"))]
    assert commands[:2] == ["bash scripts/demo", "bash scripts/test"]
