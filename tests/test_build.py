"""The build: one context made once (epoch, version, notes, cache) and handed to every exporter."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qadeck import __version__
from qadeck.build import build, context
from qadeck.config import Config
from qadeck.context import BuildContext
from qadeck.errors import ConfigError
from qadeck.exporters import cheatsheet, handbook
from qadeck.exporters.cheatsheet.options import HtmlOptions
from qadeck.exporters.handbook.options import PdfOptions
from tests.conftest import REPO, parse, write_notes


def test_the_context_holds_what_every_exporter_shares(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    config = Config(notes=tmp_path / "n", out=tmp_path / "o", subtitle="副", author="我")
    assert context(config) == BuildContext(tmp_path / "n", tmp_path / "o" / ".cache", __version__,
                                           1700000000, "副", "我")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert context(config).epoch is None
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(ConfigError, match="SOURCE_DATE_EPOCH must be a whole number"):
        context(config)


def test_exporters_take_the_date_and_version_from_the_context(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # what the context says wins over this
    notes = write_notes(tmp_path / "n", {"a.md": "# A\n\n### 问?\n> 答\n"})
    shared = BuildContext(notes, tmp_path / "cache", "9.9.9", epoch=0, subtitle="副标题")
    cheatsheet.export(parse(notes, title="题"), tmp_path / "p.html", HtmlOptions(), shared)
    page = (tmp_path / "p.html").read_text(encoding="utf-8")
    assert "qadeck 9.9.9 · 1970-01-01" in page and "副标题" in page and "<title>题" in page


def test_the_handbook_caches_formulas_in_the_context_cache(tmp_path: Path):
    engine = handbook.math_engine(PdfOptions(), BuildContext(tmp_path, tmp_path / "elsewhere", "0"))
    try:
        engine.formula("a^2", False)
    finally:
        engine.close()
    assert list((tmp_path / "elsewhere" / "math").iterdir())


def test_formulas_typeset_ahead_in_worker_processes_land_in_the_context_cache(tmp_path: Path):
    answers = "".join(f"### 问 {i}?\n> $x_{{{i}}} + y^{{{i}}}$\n\n" for i in range(45))
    notes = write_notes(tmp_path / "n", {"a.md": "# A\n\n" + answers})
    shared = BuildContext(notes, tmp_path / "cache", "0")
    engine = handbook.math_engine(PdfOptions(), shared)
    try:
        assert len(engine.missing({(f"x_{{{i}}} + y^{{{i}}}", False): None for i in range(45)})) == 45
        handbook.prefetch(engine, parse(notes), PdfOptions(), shared)  # two worker processes
        assert engine.missing({(f"x_{{{i}}} + y^{{{i}}}", False): None for i in range(45)}) == []
    finally:
        engine.close()


def test_build_hands_each_exporter_its_options_and_the_context(tmp_path: Path):
    notes = write_notes(tmp_path / "n", {"a.md": "# A\n\n### 问?\n> 答\n"})
    config = Config(notes=notes, out=tmp_path / "o", title="我的题")
    collection, outputs = build(config, ["json", "html"])
    assert collection.title == "我的题" and [o.error for o in outputs] == [None, None]
    assert "<title>我的题" in (tmp_path / "o" / "qadeck.html").read_text(encoding="utf-8")


def test_only_qadeck_epoch_reads_source_date_epoch():
    readers = [path.relative_to(REPO).as_posix() for folder in ("qadeck", "exporters")
               for path in (REPO / folder).rglob("*.py")
               if re.search(r"environ[^\n]*SOURCE_DATE_EPOCH|getenv\(\s*.SOURCE_DATE_EPOCH",
                            path.read_text(encoding="utf-8"))]
    assert readers == ["qadeck/epoch.py"]
