"""The checks that do not depend on an output: once, at the line, the same in check and build."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import qadeck.cache
from qadeck import checks, depends
from qadeck.cli import cli
from qadeck.math import MathMLMath
from tests.conftest import parse, write_notes

NOTE = ("标题\n===\n\n### 公式错了会怎样?\n> 第一行\n> 坏公式 $\\frac{1}{$ 在这里\n\n"
        "<details><summary>详述</summary>\n\n好公式 $x^2$\n\n<img src=x onerror=alert(1)>\n\n</details>\n")


def test_a_formula_that_does_not_parse_is_reported_at_its_line(tmp_path: Path):
    collection = checks.run(parse(write_notes(tmp_path, {"a.md": NOTE})))
    found = [(d.path, d.line, d.code) for d in collection.diagnostics if d.severity == "warning"]
    assert ("a.md", 6, "math.invalid") in found
    assert ("a.md", 12, "html.unsafe") in found
    assert len(found) == 2


def test_an_output_does_not_repeat_what_the_checks_said(tmp_path: Path):
    collection = checks.run(parse(write_notes(tmp_path, {"a.md": NOTE})))
    again = [d for d in collection.diagnostics if d.code == "math.invalid"]
    assert checks.new_only(collection, again) == []


def test_check_and_build_report_the_same_and_strict_fails(tmp_path: Path):
    notes = write_notes(tmp_path / "notes", {"a.md": NOTE})
    runner = CliRunner()
    check = runner.invoke(cli, ["check", str(notes)])
    build = runner.invoke(cli, ["build", "--notes", str(notes), "--out", str(tmp_path / "out"),
                                "--only", "json,anki,html"])
    for result in (check, build):
        assert result.output.count("[math.invalid]") == 1, result.output
        assert result.output.count("[html.unsafe]") == 1, result.output
    strict = runner.invoke(cli, ["build", "--notes", str(notes), "--out", str(tmp_path / "out"),
                                 "--only", "json", "--strict"])
    assert strict.exit_code == 1, strict.output


def _checked(notes: Path, cache: Path) -> list[tuple[str, int, str]]:
    collection = checks.run(parse(notes), cache)
    return [(d.path, d.line, d.code) for d in collection.diagnostics if d.severity == "warning"]


def test_kept_findings_follow_the_formulas_the_lines_and_the_path(tmp_path: Path):
    notes, cache = write_notes(tmp_path / "notes", {"a.md": NOTE}), tmp_path / "cache"
    first = _checked(notes, cache)
    assert first == [("a.md", 6, "math.invalid"), ("a.md", 12, "html.unsafe")]
    assert len(list((cache / "checks").glob("*.pickle"))) == 1
    assert _checked(notes, cache) == first  # from the cache
    (notes / "a.md").write_text(NOTE.replace("$\\frac{1}{$", "$\\frac{1}{2}$"), encoding="utf-8")
    assert _checked(notes, cache) == [("a.md", 12, "html.unsafe")]  # the formula mended
    (notes / "a.md").write_text(NOTE.replace("$x^2$", "$x^{$"), encoding="utf-8")
    assert _checked(notes, cache) == [("a.md", 6, "math.invalid"), ("a.md", 10, "math.invalid"),
                                      ("a.md", 12, "html.unsafe")]  # a formula broken
    (notes / "a.md").write_text("\n\n" + NOTE, encoding="utf-8")
    assert _checked(notes, cache) == [("a.md", 8, "math.invalid"), ("a.md", 14, "html.unsafe")]
    (notes / "a.md").rename(notes / "b.md")
    assert _checked(notes, cache) == [("b.md", 8, "math.invalid"), ("b.md", 14, "html.unsafe")]
    assert len(list((cache / "checks").glob("*.pickle"))) == 1  # the unused ones pruned


@pytest.mark.parametrize("library", ["latex2mathml", "nh3"])  # what MathMLMath judges with
def test_kept_findings_follow_the_libraries_that_judge_formulas(tmp_path: Path, monkeypatch, library):
    notes, cache = write_notes(tmp_path / "notes", {"a.md": NOTE}), tmp_path / "cache"
    assert ("a.md", 6, "math.invalid") in _checked(notes, cache)
    # another release that takes `\frac{1}{`: the kept verdict is not used
    monkeypatch.setitem(depends._WORLD, "version",
                        lambda name: "99.0" if name == library else depends._version_now(name))
    monkeypatch.setattr(MathMLMath, "render", lambda self, latex, display: "<math></math>")
    assert _checked(notes, cache) == [("a.md", 12, "html.unsafe")]


def test_kept_findings_follow_qadecks_code(tmp_path: Path, monkeypatch):
    notes, cache = write_notes(tmp_path / "notes", {"a.md": NOTE}), tmp_path / "cache"
    assert ("a.md", 6, "math.invalid") in _checked(notes, cache)
    monkeypatch.setattr(qadeck.cache, "code_digest", lambda: "another qadeck")
    monkeypatch.setattr(MathMLMath, "render", lambda self, latex, display: "<math></math>")
    assert _checked(notes, cache) == [("a.md", 12, "html.unsafe")]


def test_checks_without_a_cache_keep_nothing(tmp_path: Path):
    notes = write_notes(tmp_path / "notes", {"a.md": NOTE})
    assert checks.run(parse(notes)).diagnostics == checks.run(parse(notes), None).diagnostics
    assert not (notes / "checks").exists() and sorted(p.name for p in tmp_path.iterdir()) == ["notes"]
