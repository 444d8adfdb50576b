"""No import cycles between the package's modules, and no module that exists on one system only
imported when a module is loaded.

The import graph counts every import that runs, or that a type checker follows, when a module is
loaded: statements at module level, including those under `if TYPE_CHECKING:` and in `try`
blocks. An import inside a function body is left out: it runs when the function is called, after
every module is loaded (the package defers heavy imports this way on purpose), so it cannot take
part in a cycle of loading.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator"
# Modules of the standard library that exist on POSIX only, or on Windows only.
ONE_SYSTEM_ONLY = frozenset({"resource", "fcntl", "pwd", "grp", "termios", "tty", "pty", "posix", "crypt", "syslog", "msvcrt", "winreg", "winsound", "_winapi"})


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def loaded_statements(node: ast.AST) -> Iterator[ast.AST]:
    """Every node of a module that runs when it is loaded: all but the bodies of functions."""
    for child in ast.iter_child_nodes(node):
        if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            yield child
            yield from loaded_statements(child)


def imported_modules(path: Path, modules: set[str]) -> set[str]:
    """The package's modules that the module at `path` imports when loaded."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in loaded_statements(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            target = ".".join([*base, node.module] if node.module else base)
            found |= {f"{target}.{alias.name}" if f"{target}.{alias.name}" in modules else target for alias in node.names}
    return (found & modules) - {name}


def import_graph() -> dict[str, set[str]]:
    paths = sorted(PACKAGE.rglob("*.py"))
    modules = {module_name(path) for path in paths}
    return {module_name(path): imported_modules(path, modules) for path in paths}


def cycle_from(graph: dict[str, set[str]], start: str) -> list[str]:
    """A shortest chain of imports from `start` back to itself, or [] when there is none."""
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for target in sorted(graph[module]):
                if target == start:
                    return [*paths[module], start]
                if target not in paths:
                    paths[target] = [*paths[module], target]
                    following.append(target)
        frontier = following
    return []


def test_the_graph_sees_relative_imports_and_skips_function_bodies():
    graph = import_graph()
    assert "generator.location" in graph["generator.findings"]
    assert "generator.format" in graph["generator.report"]  # under TYPE_CHECKING: counted
    assert "generator.importer.sources" not in graph["generator.importer"]  # inside import_report: not counted
    assert "generator.importer.parse" in graph["generator.importer.embedded"]  # `from .parse import …`
    assert "generator.datacheck" in graph["generator.format"]  # `from . import datacheck`


def test_no_import_cycles():
    graph = import_graph()
    cycles = {" → ".join(cycle) for cycle in (cycle_from(graph, module) for module in graph) if cycle}
    assert not cycles, "import cycles:\n" + "\n".join(sorted(cycles))


def test_the_location_module_is_a_leaf():
    assert import_graph()["generator.location"] == set()



def test_no_module_of_one_system_is_imported_at_module_level():
    """They are imported inside the function that needs them, guarded (see importer/tools.py)."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in loaded_statements(ast.parse(path.read_text("utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            found += [f"{path.relative_to(ROOT)}:{node.lineno} {name}" for name in names if name.partition(".")[0] in ONE_SYSTEM_ONLY]
    assert not found, found
