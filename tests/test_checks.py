"""The checks that do not depend on an output: once, at the line, the same in check and build."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from qadeck import checks
from qadeck.cli import cli
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
