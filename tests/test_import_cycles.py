"""No import circles among qadeck's own modules, not even ones hidden behind an import inside a
function (which only postpones the circle to the first call).

The scan reads the source with `ast`: every `import`/`from ... import` of a qadeck module, at the
top or inside a function, except under `if TYPE_CHECKING:` (never run). `from a import b`, `b` a
module, is an edge to `a.b`. A package's `__init__` that a submodule's import runs first is not an
edge: Python runs it before the submodule, whatever the submodule needs.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

ROOTS = {"qadeck": REPO / "qadeck", "qadeck.exporters": REPO / "exporters"}


def _modules() -> dict[str, Path]:
    found = {}
    for prefix, root in ROOTS.items():
        for path in root.rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([prefix, *parts])] = path
    return found


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, in_function: bool = False):
    """(node, inside a function) for every import that runs, TYPE_CHECKING blocks left out."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.If) and _type_checking(child):
            yield from ((n, in_function) for orelse in child.orelse for n, _ in _imports(orelse))
            continue
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            yield child, in_function
        inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        yield from _imports(child, inner)


def _targets(node: ast.Import | ast.ImportFrom, name: str, is_package: bool, known: set[str]) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name in known]
    base = node.module or ""
    if node.level:
        package = name.split(".") if is_package else name.split(".")[:-1]
        package = package[:len(package) - node.level + 1]
        base = ".".join(package + ([node.module] if node.module else []))
    found = [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in known]
    if base in known and len(found) < len(node.names):
        found.append(base)
    return found


def import_graph() -> dict[str, dict[str, bool]]:
    """module -> {module it imports: True if only from inside a function}."""
    modules = _modules()
    graph: dict[str, dict[str, bool]] = {name: {} for name in modules}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node, in_function in _imports(tree):
            for target in _targets(node, name, path.name == "__init__.py", set(modules)):
                if target != name:
                    graph[name][target] = graph[name].get(target, True) and in_function
    return graph


def cycles(graph: dict[str, dict[str, bool]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_scan_sees_imports_inside_functions_and_skips_type_checking():
    tree = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a\n"
                     "import b\ndef f():\n    import c\n    from . import d\n")
    assert [(ast.unparse(n), inside) for n, inside in _imports(tree)] == [
        ("from typing import TYPE_CHECKING", False), ("import b", False), ("import c", True),
        ("from . import d", True)]
    graph = {"a": {"b": False}, "b": {"c": True}, "c": {"a": True}, "d": {"a": False}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_the_graph_holds_the_projects_own_imports():
    graph = import_graph()
    assert graph["qadeck.render"]["qadeck.highlight"] is False  # at the top
    assert graph["qadeck.exporters.handbook"]["qadeck.exporters.handbook.join"] is True  # in a function
    assert "qadeck.exporters.anki.naming" in graph["qadeck.exporters.anki.problems"]  # relative


def test_no_import_circles():
    found = cycles(import_graph())
    assert not found, "modules that import each other (move what both need to a module of its own):\n" + \
        "\n".join(" <-> ".join(group) for group in found)
