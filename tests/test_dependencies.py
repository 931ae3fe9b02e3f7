"""The project's dependencies: every third-party import is declared, the dependencies whose
internals qadeck uses are bounded above, and the lock pins what pyproject.toml admits."""

from __future__ import annotations

import ast
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
RUNTIME = [Requirement(r) for r in PROJECT["dependencies"]]
TEST = [Requirement(r) for r in PROJECT["optional-dependencies"]["test"]]
ANKI = [Requirement(r) for r in PROJECT["optional-dependencies"]["anki"]]  # qadeck sync, imported when run
# Distributions whose private names, globals or schema strings qadeck relies on
PATCHED = {"weasyprint", "genanki", "pymdown-extensions", "ziamath", "ziafont", "tinyhtml5"}
# the project's own modules: its packages, and the scripts and tests that import one another
OWN = {"qadeck", "tests", "exporters", "scripts",
       *(path.stem for folder in ("scripts", "tests") for path in (REPO / folder).glob("*.py"))}


def _imports(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return {name for name in found if name not in sys.stdlib_module_names and name not in OWN}


def _distributions(modules: set[str]) -> dict[str, set[str]]:
    """Import name -> the distributions that install it (an unknown one maps to nothing)."""
    known = metadata.packages_distributions()
    return {module: {canonicalize_name(d) for d in known.get(module, [])} for module in modules}


def _declared(requirements: list[Requirement]) -> set[str]:
    return {canonicalize_name(r.name) for r in requirements}


def test_every_import_of_the_code_is_a_declared_dependency():
    modules = _imports(REPO / "qadeck") | _imports(REPO / "exporters")
    declared = _declared(RUNTIME) | _declared(ANKI)
    undeclared = {m: d for m, d in _distributions(modules).items() if not d & declared}
    assert not undeclared, undeclared


def test_every_import_of_the_tests_and_scripts_is_declared():
    modules = _imports(REPO / "tests") | _imports(REPO / "scripts")
    modules.discard("torch")  # text of a fixture note's code block, never imported
    declared = _declared(RUNTIME) | _declared(TEST)
    undeclared = {m: d for m, d in _distributions(modules).items() if not d & declared}
    assert not undeclared, undeclared


def test_the_patched_dependencies_are_bounded_above():
    bounded = {canonicalize_name(r.name) for r in RUNTIME
               if any(spec.operator in ("<", "<=", "==", "~=") for spec in r.specifier)}
    assert {canonicalize_name(name) for name in PATCHED} <= bounded


def test_the_lock_pins_what_the_project_admits():
    pins = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[canonicalize_name(name)] = version
    for requirement in RUNTIME + TEST + ANKI:
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in constraints.txt"
        assert requirement.specifier.contains(pins[name]), (requirement, pins[name])


def test_the_installed_versions_are_the_locked_ones():
    """`make` and `make test` install from the lock; a drifted venv would test other versions."""
    pins = dict(line.split("==", 1) for line in (REPO / "constraints.txt").read_text(encoding="utf-8")
                .splitlines() if "==" in line and not line.startswith("#"))
    for requirement in RUNTIME:
        installed = metadata.version(requirement.name)
        assert installed == pins[next(p for p in pins if canonicalize_name(p)
                                      == canonicalize_name(requirement.name))], requirement.name


def test_the_test_helpers_load_once():
    """tests/ is a package, so pytest's conftest and `from tests.conftest import` are one module."""
    import tests.conftest

    assert "conftest" not in sys.modules, "tests/conftest.py loaded under a second name"
    assert tests.conftest.__name__ == "tests.conftest"
