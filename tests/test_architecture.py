"""The shape of the package, checked from its source (issue 19): no import cycles, no module
over 800 lines, no function over 100 lines, packages by capability, click only in the command
line, a short README.

Everything is read with `ast`, nothing is imported, so a failure names the file and line."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "boardsnap"

MAX_MODULE_LINES = 800
MAX_FUNCTION_LINES = 100
MAX_README_LINES = 300

# Files allowed over MAX_MODULE_LINES and to hold functions over MAX_FUNCTION_LINES. Empty since
# parse became a package of named rules (issue 19); an entry must be argued for and removed again
# (test_the_known_exceptions_are_still_needed fails once it is no longer needed).
KNOWN_EXCEPTIONS: set[str] = set()


def _modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def _tree(path: Path) -> ast.Module:
    """The module's syntax tree without its `if TYPE_CHECKING:` blocks (never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            node.body = [ast.Pass()]
    return tree


def _owner(name: str) -> str | None:
    """The module of the package that `name` (a module or a name in one) lives in."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """(imported module, line) for every import of a boardsnap module anywhere in `module`,
    inside functions too: an import there still runs, later."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(_tree(path)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            names = [f"{base}.{alias.name}" for alias in node.names]
            names = [n if n in MODULES else base for n in names]
        else:
            continue
        for name in names:
            owner = _owner(name) if name.split(".")[0] == "boardsnap" else None
            if owner is not None and owner != module:
                yield owner, node.lineno


def _graph() -> dict[str, dict[str, int]]:
    return {m: dict(_imports(m, p)) for m, p in MODULES.items()}


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            nxt = next(edges, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph[nxt])))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_import_graph_is_read():
    # the checks below mean something only if the graph holds the imports it should
    graph = _graph()
    assert "boardsnap.reading.pipeline" in graph["boardsnap.api"]
    assert "boardsnap.cli.common" in graph["boardsnap.cli.reading"]
    assert "boardsnap.document" in graph["boardsnap.reading.judge"]


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b": 1}, "b": {}}) == []


def test_no_import_cycles():
    graph = _graph()
    cycles = _cycles(graph)
    detail = [
        " -> ".join(f"{m} (line {graph[m][n]} imports {n})" for m in c for n in graph[m] if n in c)
        for c in cycles
    ]
    assert not cycles, "import cycles:\n" + "\n".join(detail)


def test_no_module_over_800_lines():
    long = {
        _rel(p): n
        for p in MODULES.values()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
        and _rel(p) not in KNOWN_EXCEPTIONS
    }
    assert not long, f"modules over {MAX_MODULE_LINES} lines: {long}"


def _long_functions() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for path in MODULES.values():
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = (node.end_lineno or node.lineno) - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    out.setdefault(_rel(path), []).append(f"{node.name} ({lines} lines)")
    return out


def test_no_function_over_100_lines():
    long = _long_functions()
    unexpected = {f: names for f, names in long.items() if f not in KNOWN_EXCEPTIONS}
    assert not unexpected, f"functions over {MAX_FUNCTION_LINES} lines: {unexpected}"


def test_the_known_exceptions_are_still_needed():
    # an exception whose file is gone or has no long function any more must leave the set
    stale = KNOWN_EXCEPTIONS - set(_long_functions())
    assert not stale, f"remove from KNOWN_EXCEPTIONS: {sorted(stale)}"


def test_packages_by_capability():
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    for capability in ("reading", "report", "history", "batch", "web", "cli"):
        assert capability in packages
    assert len(packages) >= 4


@pytest.mark.parametrize("module", sorted(MODULES))
def test_only_the_command_line_imports_click(module):
    if module == "boardsnap.cli" or module.startswith("boardsnap.cli."):
        return
    tree = _tree(MODULES[module])
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""]
        else:
            continue
        for name in names:
            assert name.split(".")[0] != "click", f"{module} imports click (line {node.lineno})"


def test_the_command_line_is_thin():
    # no module of the command line is a second cli.py
    for module, path in MODULES.items():
        if module.startswith("boardsnap.cli"):
            assert len(path.read_text(encoding="utf-8").splitlines()) <= 400, module


def test_readme_is_short():
    lines = len((ROOT / "README.md").read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_README_LINES, f"README.md has {lines} lines"
