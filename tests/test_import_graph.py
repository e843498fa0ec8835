"""The package's shape, read from its source with ``ast`` (nothing is imported):

- no cycle of module-level imports (``if TYPE_CHECKING:`` blocks left out): each module can be
  understood, imported and tested after the ones it needs;
- imports inside functions are the lazy-import mechanism (a heavy module loaded on first use);
  they are allowed, but a lazy import must not be what holds a cycle together either: with them
  counted, the only cycles left are the few listed in ``LAZY_CYCLES``, each saying why;
- no module reads a private attribute (``x._name``) of an object or module from another module
  of the package: what a module offers others is its public names.

Each failure names the modules (and lines) to look at.
"""

from __future__ import annotations

import ast
import functools
import itertools
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "onboarding_sdk"
SOURCE = ROOT / PACKAGE

#: Cycles that exist only through an import inside a function, each with why it is there.
#: (A cycle of module-level imports is never allowed.)
LAZY_CYCLES: dict[frozenset[str], str] = {}

#: Private reads across modules that are not ours to change, as (module, "expr._name"): only
#: things outside the package's control belong here, each with a comment. Flask's own
#: ``current_app._get_current_object()`` needs no entry: the scan reports only private names
#: that a module of the package defines.
PRIVATE_ALLOWED: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    lazy: bool  # inside a function: runs on first use, not on import


def module_names() -> dict[str, Path]:
    """Every module of the package, by dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = module_names()


def _is_package(name: str) -> bool:
    return MODULES[name].name == "__init__.py"


def _targets(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The package's modules an import statement loads (outside modules are left out)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name in MODULES]
    if node.level:
        base_parts = module.split(".") if _is_package(module) else module.split(".")[:-1]
        base_parts = base_parts[: len(base_parts) - (node.level - 1)]
        base = ".".join(base_parts + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    if base not in MODULES:
        return []
    found = []
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        found.append(sub if sub in MODULES else base)  # `from . import x` loads x; `from .x import y`, x
    return sorted(set(found))


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(module: str, body: list[ast.stmt], lazy: bool) -> Iterator[Edge]:
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target in _targets(module, node):
                if target != module:
                    yield Edge(module, target, node.lineno, lazy)
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from _imports(module, node.orelse, lazy)  # the body only runs for the type checker
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _imports(module, node.body, True)
        else:  # class bodies, if/try/with/for blocks: they run when their code runs
            for field in ("body", "orelse", "finalbody", "handlers"):
                inner = getattr(node, field, None)
                if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt | ast.excepthandler):
                    statements = [s for h in inner for s in h.body] if field == "handlers" else inner
                    yield from _imports(module, statements, lazy)
            for case in getattr(node, "cases", []):
                yield from _imports(module, case.body, lazy)


def _tree(module: str) -> ast.Module:
    return _parsed(MODULES[module])


@functools.cache
def _parsed(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def edges() -> list[Edge]:
    return [edge for module in MODULES for edge in _imports(module, _tree(module).body, False)]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each as a cycle
    path through it so the message can be read."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(_path_through(sorted(component), graph))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _path_through(component: list[str], graph: dict[str, set[str]]) -> list[str]:
    """One cycle inside a strongly connected component: start -> ... -> start (breadth first)."""
    members = set(component)
    start = component[0]
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt_frontier = []
        for node in frontier:
            for nxt in sorted(graph.get(node, set()) & members):
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start] if node != start else [start, start]
                if nxt not in previous:
                    previous[nxt] = node
                    nxt_frontier.append(nxt)
        frontier = nxt_frontier
    return [*component, component[0]]


def _graph(chosen: list[Edge]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for edge in chosen:
        graph.setdefault(edge.source, set()).add(edge.target)
    return graph


def _describe(cycle: list[str], chosen: list[Edge]) -> str:
    steps = []
    for source, target in itertools.pairwise(cycle):
        lines = sorted({e.line for e in chosen if e.source == source and e.target == target})
        lazy = any(e.lazy for e in chosen if e.source == source and e.target == target)
        steps.append(f"{source} (line {', '.join(map(str, lines))}{', in a function' if lazy else ''})")
    return " -> ".join([*steps, cycle[-1]])


def test_the_scan_sees_the_package() -> None:
    found = edges()
    assert {"onboarding_sdk.extension", "onboarding_sdk.app_state", "onboarding_sdk.engine"} <= set(MODULES)
    assert Edge("onboarding_sdk.extension", "onboarding_sdk.app_state", _line_of("extension", "app_state"), False) in (
        found
    )
    assert any(e.lazy for e in found)  # console_mount imports the console on first use


def _line_of(module: str, imported: str) -> int:
    source = MODULES[f"{PACKAGE}.{module}"].read_text(encoding="utf-8").splitlines()
    return next(n for n, text in enumerate(source, 1) if text.startswith(f"from .{imported} import"))


def test_no_cycle_of_module_level_imports() -> None:
    eager = [edge for edge in edges() if not edge.lazy]
    found = cycles(_graph(eager))
    assert not found, "import cycles at module level:\n" + "\n".join(_describe(c, eager) for c in found)


def test_lazy_imports_hold_no_cycle_together_beyond_the_listed_ones() -> None:
    every = edges()
    found = [c for c in cycles(_graph(every)) if frozenset(c) not in LAZY_CYCLES]
    assert not found, "import cycles through imports inside functions:\n" + "\n".join(
        _describe(c, every) for c in found
    )


def test_the_cycle_finder_finds_a_cycle_and_names_its_lines() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    edge_list = [Edge("a", "b", 3, False), Edge("b", "a", 7, True)]
    assert _describe(["a", "b", "a"], edge_list) == "a (line 3) -> b (line 7, in a function) -> a"


# --- private attributes -------------------------------------------------------------------


def _private_names_defined(module: str) -> set[str]:
    """The private names a module's own code defines: its functions and classes, and every
    ``_name`` its classes define or assign (``self._x = ...``, ``def _x``, ``_x: int``)."""
    names: set[str] = set()
    for node in ast.walk(_tree(module)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.name.startswith("_"):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and node.attr.startswith("_"):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id.startswith("_"):
            names.add(node.id)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.target.id.startswith("_"):
            names.add(node.target.id)
    return names


def _package_modules_bound(module: str, tree: ast.Module) -> dict[str, str]:
    """Local names bound to one of the package's modules (``from . import csrf``)."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias, target in zip(node.names, [_targets(module, _single(node, a)) for a in node.names], strict=True):
                if target and target[0].endswith(f".{alias.name}"):
                    bound[alias.asname or alias.name] = target[0]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in MODULES and alias.asname:
                    bound[alias.asname] = alias.name
    return bound


def _single(node: ast.ImportFrom, alias: ast.alias) -> ast.ImportFrom:
    return ast.ImportFrom(module=node.module, names=[alias], level=node.level)


@dataclass(frozen=True)
class PrivateRead:
    module: str
    line: int
    text: str  # "expr._name"
    owner: str  # where the name is defined

    def __str__(self) -> str:
        return f"{self.module}:{self.line}: {self.text} (defined in {self.owner})"


def private_reads() -> list[PrivateRead]:
    """``x._name`` where ``x`` is not ``self``/``cls`` and ``_name`` is another module's private
    name (the module itself defines no such name), or ``module._name`` of one of the package's
    modules, or ``from .module import _name``."""
    defined = {module: _private_names_defined(module) for module in MODULES}
    owners: dict[str, list[str]] = {}
    for module, names in defined.items():
        for name in names:
            owners.setdefault(name, []).append(module)
    found: list[PrivateRead] = []
    for module in MODULES:
        tree = _tree(module)
        modules_here = _package_modules_bound(module, tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        target = _targets(module, _single(node, alias))
                        if target and target[0] != module:
                            found.append(PrivateRead(module, node.lineno, f"import {alias.name}", target[0]))
            if not isinstance(node, ast.Attribute):
                continue
            name = node.attr
            if not name.startswith("_") or name.startswith("__"):
                continue
            base = node.value
            if isinstance(base, ast.Name) and base.id in ("self", "cls"):
                continue
            text = f"{ast.unparse(base)}.{name}"
            if isinstance(base, ast.Name) and base.id in modules_here:
                owner = modules_here[base.id]
                if owner != module:
                    found.append(PrivateRead(module, node.lineno, text, owner))
                continue
            others = [m for m in owners.get(name, []) if m != module]
            if others and name not in defined[module]:
                found.append(PrivateRead(module, node.lineno, text, ", ".join(sorted(others))))
    return [r for r in found if (r.module, r.text) not in PRIVATE_ALLOWED]


def test_no_module_reads_another_modules_private_attributes() -> None:
    found = private_reads()
    assert not found, "private attributes read across modules:\n" + "\n".join(map(str, found))


def _fake_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: dict[str, str]) -> None:
    """Point the scans at a small package written to ``tmp_path`` (module name -> source)."""
    fake: dict[str, Path] = {}
    for name, code in files.items():
        path = tmp_path.joinpath(*name.split(".")).with_suffix(".py")
        if name == "pkg":
            path = tmp_path / "pkg" / "__init__.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code, encoding="utf-8")
        fake[name] = path
    monkeypatch.setattr(sys.modules[__name__], "MODULES", fake)


def test_the_scans_find_a_cycle_and_a_private_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_package(
        tmp_path,
        monkeypatch,
        {
            "pkg": "",
            "pkg.a": "from . import b\nclass Store:\n    def __init__(self):\n        self._users = {}\n",
            "pkg.b": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .c import C\n"
                "from .a import Store\n\ndef peek(store):\n    from . import c\n"
                "    return store._users, c._hidden(), self._users\n"
            ),
            "pkg.c": "def _hidden():\n    from .b import peek\n    return peek\n",
        },
    )
    found = edges()
    assert cycles(_graph([e for e in found if not e.lazy])) == [["pkg.a", "pkg.b", "pkg.a"]]
    assert ["pkg.b", "pkg.c", "pkg.b"] in cycles(_graph([e for e in found if e.lazy]))  # both lazy
    assert not any(e.target == "pkg.c" and not e.lazy for e in found)  # TYPE_CHECKING is left out
    assert sorted(str(r) for r in private_reads()) == [
        "pkg.b:8: c._hidden (defined in pkg.c)",
        "pkg.b:8: store._users (defined in pkg.a)",
    ]
