"""docs/architecture.md stays true to the code: every module of the package is in its table, and
the table's "imports flask?" column says what the module's imports say."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "onboarding_sdk"
DOC = ROOT / "docs" / "architecture.md"
ROW = re.compile(r"^\| (`[^|]+`) \|(.*)\| ([^|]+) \|$")


def rows() -> list[tuple[list[str], str, str]]:
    """(names in the first cell, the job, the flask cell) of every module-table row."""
    found = []
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            names = re.findall(r"`([^`]+)`", match.group(1))
            found.append((names, match.group(2), match.group(3).strip()))
    return found


def modules() -> list[str]:
    return sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py") if path.name != "__init__.py")


def imports_flask(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "flask" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "flask":
            return True
    return False


def test_every_module_is_in_the_table() -> None:
    table = rows()
    named = {name for names, _, _ in table for name in names}
    missing = []
    for module in modules():
        if module in named:
            continue
        package, _, leaf = module.rpartition("/")
        stem = leaf.removesuffix(".py")
        # a module of a subpackage may be described in its package's row, by name
        in_package_row = any(
            f"{package}/" in names and re.search(rf"`{re.escape(stem)}(\.py)?`", job) for names, job, _ in table
        )
        if not in_package_row:
            missing.append(module)
    assert not missing, f"modules not in docs/architecture.md's table: {missing}"


def test_the_table_names_no_module_that_is_gone() -> None:
    existing = set(modules()) | {str(p.relative_to(PACKAGE)) + "/" for p in PACKAGE.rglob("*") if p.is_dir()}
    gone = [name for names, _, _ in rows() for name in names if name.endswith((".py", "/")) and name not in existing]
    assert not gone, f"docs/architecture.md names modules that do not exist: {gone}"


def test_the_flask_column_is_true_for_each_module_row() -> None:
    wrong = []
    for names, _, cell in rows():
        files = [PACKAGE / name for name in names if name.endswith(".py")]
        if not files or not cell.startswith(("yes", "no")):
            continue
        says = cell.startswith("yes")
        actual = any(imports_flask(path) for path in files)
        if says != actual:
            wrong.append(f"{', '.join(names)}: the table says {cell!r}, the imports say {'yes' if actual else 'no'}")
    assert not wrong, "docs/architecture.md's 'imports flask?' column: " + "; ".join(wrong)
