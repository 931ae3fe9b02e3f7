"""Exporters read the model only: no exporter imports the parser or opens a note file."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from qadeck import checks, exporters
from qadeck.config import Config, with_options
from tests.conftest import FIXTURES, REPO, export, parse

EXPORTERS = REPO / "exporters"
_OPENED: list[str] | None = None  # paths opened while a test listens


def _listen(event: str, args: tuple) -> None:
    if _OPENED is not None and event == "open" and isinstance(args[0], (str, bytes, Path)):
        _OPENED.append(str(args[0]))


sys.addaudithook(_listen)  # audit hooks cannot be removed: this one only records while asked


def _imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            found += [base] + [f"{base}.{alias.name}" for alias in node.names]
    return found


@pytest.mark.parametrize("path", sorted(EXPORTERS.rglob("*.py")), ids=lambda p: str(p.relative_to(REPO)))
def test_no_exporter_imports_the_parser(path: Path):
    assert not [name for name in _imports(path) if name.startswith("qadeck.parser")]


def test_the_check_itself_sees_an_import_of_the_parser(tmp_path: Path):
    bad = tmp_path / "bad.py"
    bad.write_text("from qadeck.parser.heading import anchor_key\nimport qadeck.parser\n", encoding="utf-8")
    assert [n for n in _imports(bad) if n.startswith("qadeck.parser")]


@pytest.mark.parametrize("name", exporters.names())
def test_no_exporter_opens_a_note_file(name: str, tmp_path: Path):
    global _OPENED
    notes = FIXTURES / "notes"
    config = with_options(Config(notes=notes, out=tmp_path, title="测试"), "pdf", jobs=1)
    collection = checks.run(parse(notes, title=config.title))
    module = exporters.load(name)
    _OPENED = []
    try:
        export(name, collection, tmp_path / f"out{module.SUFFIX}", config)
        opened = _OPENED
    finally:
        _OPENED = None
    assert opened, "the listener heard nothing: the check would pass for the wrong reason"
    assert not [p for p in opened if p.endswith(".md")]
