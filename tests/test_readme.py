"""The README's quick start runs as written, and docs/integrate.md keeps up with the code."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from flask import Flask

from onboarding_sdk import Onboarding

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
INTEGRATE = ROOT / "docs" / "integrate.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)


def quick_start() -> str:
    text = README.read_text()
    section = text[text.index("## Quick start") :]
    section = section[: section.index("\n## ", 1)]
    blocks = python_blocks(section)
    assert len(blocks) == 1, "the quick start has one Python block"
    return blocks[0]


def test_the_quick_start_runs_as_written(tmp_path: Path) -> None:
    code = quick_start()
    assert '"memory://"' in code  # runs without a server; production's Redis URI is a comment
    script = tmp_path / "app.py"
    script.write_text(code)
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "use"  # signed in, installed the code: the key event moves them on
    assert "Traceback" not in done.stderr and "WARNING" not in done.stderr.upper(), done.stderr


def test_the_quick_start_needs_only_what_the_test_extra_installs() -> None:
    imported: set[str] = set()
    for node in ast.walk(ast.parse(quick_start())):
        if isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = project["dependencies"] + project["optional-dependencies"]["test"]
    names = {re.split(r"[<>=!~\[ ]", requirement)[0].lower().replace("-", "_") for requirement in declared}
    for module in imported - set(sys.stdlib_module_names) - {"onboarding_sdk"}:
        assert module.lower() in names, f"the quick start imports {module}: add it to pyproject's test extra"
    assert "flask_login" in imported and "pip install flask-login" in README.read_text()


def test_integrate_lists_the_extensions_own_endpoints() -> None:
    app = Flask(__name__)
    app.config.update(SECRET_KEY="s", ONBOARDING_STORAGE_URI="memory://")
    Onboarding(app)
    table = INTEGRATE.read_text()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(("onboarding.", "onboarding_console.")) and "GET" in (rule.methods or ()):
            assert f"`{rule.endpoint}`" in table, f"docs/integrate.md does not name {rule.endpoint} ({rule.rule})"
    documented = set(re.findall(r"`(onboarding(?:_console)?\.[a-z_]+)`", table))
    assert documented <= {rule.endpoint for rule in app.url_map.iter_rules()}, "a documented endpoint does not exist"


def test_the_integration_examples_are_python() -> None:
    blocks = python_blocks(INTEGRATE.read_text())
    assert len(blocks) >= 5
    for number, block in enumerate(blocks, 1):
        compile(block, f"docs/integrate.md block {number}", "exec")
