"""The `qadeck` command: inspect, check, build, exit codes, messages without tracebacks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from qadeck.cli import cli
from tests.conftest import FIXTURES, write_notes

NOTES = FIXTURES / "notes"


def run(*args: str, cwd: Path | None = None):
    old = Path.cwd()
    os.chdir(cwd or old)
    try:
        return CliRunner().invoke(cli, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


def test_inspect_json_has_the_documented_shape():
    result = run("inspect", "--json", str(NOTES))
    data = json.loads(result.stdout)
    note = next(n for n in data["notes"] if n["path"] == "qa_sections.md")
    assert note["title"] == "注意力机制 面试问题" and note["tags"] == ["transformer", "attention"]
    question = note["questions"][1]
    assert set(question) >= {"id", "text", "markers", "answered", "line", "parent", "section"}
    assert question["parent"] == note["questions"][0]["id"] and question["section"] == ["基础"]
    assert {d["code"] for d in data["diagnostics"]} >= {"note.missing", "question.duplicate"}
    assert {"path", "line", "severity", "code", "message"} == set(data["diagnostics"][0])


def test_inspect_tree_is_readable():
    result = run("inspect", str(NOTES))
    assert "qa_sections.md  注意力机制 面试问题" in result.stdout
    assert "✓ 什么是 自注意力?  :32  [已掌握]" in result.stdout


def test_check_exit_codes(tmp_path: Path):
    write_notes(tmp_path / "clean", {"a.md": "# A\n\n### 问?\n> 答\n"})
    assert run("check", str(tmp_path / "clean")).exit_code == 0
    warned = run("check", str(NOTES))
    assert warned.exit_code == 0 and "1 unanswered" in warned.stdout
    assert run("check", "--strict", str(NOTES)).exit_code == 1
    write_notes(tmp_path / "bad", {"a.md": "# A\n<!-- 没关\n"})
    failed = run("check", str(tmp_path / "bad"))
    assert failed.exit_code == 1 and "a.md:2: error:" in failed.stderr
    assert run("check", "--nope").exit_code == 2


def test_missing_notes_folder_is_one_sentence_not_a_traceback(tmp_path: Path):
    result = run("build", "--notes", str(tmp_path / "nowhere"), "--out", str(tmp_path / "out"))
    assert result.exit_code == 1 and "notes folder not found" in result.stderr
    assert "Traceback" not in result.stderr


def test_build_json_writes_atomically_into_out(tmp_path: Path):
    out = tmp_path / "out"
    result = run("build", "--notes", str(NOTES), "--out", str(out), "--only", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    files = sorted(p.name for p in out.iterdir() if p.name != ".cache")  # .cache: the build cache
    assert files == ["qadeck.json"]  # no temporary file left behind
    first = (out / "qadeck.json").read_bytes()
    assert "answer" in json.loads(first)["notes"][0]["questions"][0]
    run("build", "--notes", str(NOTES), "--out", str(out), "--only", "json", cwd=tmp_path)
    assert (out / "qadeck.json").read_bytes() == first  # deterministic


def test_build_uses_the_config_file(tmp_path: Path):
    write_notes(tmp_path, {"n/a.md": "# A\n\n### 问?\n> 答\n"})
    (tmp_path / "qadeck.toml").write_text('notes = "n"\nout = "o"\nname = "deck"\n', encoding="utf-8")
    assert run("build", "--only", "json", cwd=tmp_path).exit_code == 0
    assert (tmp_path / "o" / "deck.json").is_file()


def test_unknown_exporter_is_a_clear_error(tmp_path: Path):
    result = run("build", "--notes", str(NOTES), "--out", str(tmp_path), "--only", "docx")
    assert result.exit_code == 1 and "unknown exporter docx" in result.stderr


def test_version_and_help_on_every_command():
    assert run("--version").stdout.startswith("qadeck, version ")
    for command in ("inspect", "check", "build", "anki", "pdf", "html"):
        assert run(command, "--help").exit_code == 0


def test_console_script_runs_as_a_module():
    command = [sys.executable, "-m", "qadeck", "check", str(NOTES)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0 and "notes," in done.stdout


def test_a_malformed_source_date_epoch_is_one_sentence(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    result = run("build", "--notes", str(NOTES), "--out", str(tmp_path), "--only", "json", cwd=tmp_path)
    assert result.exit_code == 1 and "SOURCE_DATE_EPOCH must be a whole number" in result.stderr
    assert not list(tmp_path.glob("*.json"))


def test_worker_processes_importing_main_do_not_run_the_cli():
    """Spawned workers (the handbook's parts) import the main module under another name."""
    import runpy

    runpy.run_module("qadeck.__main__", run_name="__mp_main__")  # would exit if it ran the CLI


def test_check_ends_with_a_count_per_code_and_quiet_drops_info(tmp_path: Path):
    notes = write_notes(tmp_path, {"a.md": "# A\n\n### 问题?\n\n[x](./gone.md) [y](./gone2.md)\n",
                                   "drafts/d.md": "# D\n"})
    loud = run("check", str(notes)).output  # diagnostics on stderr, the counts on stdout
    assert "info: 1 draft note skipped" in loud
    assert "    2  warning  note.missing\n    1  info     note.draft\n" in loud
    quiet = run("check", "--quiet", str(notes)).output
    assert "info" not in quiet and "    2  warning  note.missing\n" in quiet
    assert quiet.count("warning: note not found") == 2


# -- --strict counts what the exporters report -------------------------------------------------------

def test_build_strict_fails_on_a_formula_only_an_exporter_can_find_broken(tmp_path: Path):
    pytest.importorskip("weasyprint")
    notes = write_notes(tmp_path / "n", {"a.md": "# A\n\n### 公式?\n> 答 $\\frac{a$ 完\n"})
    assert run("check", "--strict", str(notes)).exit_code == 0  # the notes themselves are fine
    lenient = run("build", str(notes), "--out", str(tmp_path / "o"), "--only", "pdf")
    assert lenient.exit_code == 0, lenient.stderr
    assert "cannot render formula $\\frac{a$" in lenient.stderr
    strict = run("build", str(notes), "--out", str(tmp_path / "o"), "--only", "pdf", "--strict")
    assert strict.exit_code == 1 and "the outputs reported 1 warnings or errors" in strict.stderr


def test_build_strict_counts_warnings_from_a_table_setting(tmp_path: Path):
    write_notes(tmp_path, {"n/a.md": "# A\n\n### 图?\n> 答\n\n![图](fig.png)\n",
                           "n/fig.png": (FIXTURES / "anki" / "llm" / "assets" / "fig1.png").read_bytes()})
    settings = 'notes = "n"\nout = "o"\n[html]\nimage_cap_kb = 0\n'
    (tmp_path / "qadeck.toml").write_text(settings, encoding="utf-8")
    assert run("build", "--only", "html", cwd=tmp_path).exit_code == 0
    strict = run("build", "--only", "html", "--strict", cwd=tmp_path)
    assert strict.exit_code == 1 and "above image_cap_kb = 0" in strict.stderr


# -- settings through the command ------------------------------------------------------------------

def test_a_pyproject_without_a_qadeck_table_is_a_clear_error(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    result = run("--config", "pyproject.toml", "check", str(NOTES), cwd=tmp_path)
    assert result.exit_code == 1 and "pyproject.toml: no [tool.qadeck] table" in result.stderr
    assert "unknown setting" not in result.stderr and "Traceback" not in result.stderr


def test_a_missing_font_file_is_a_config_error_not_a_missing_dependency(tmp_path: Path):
    pytest.importorskip("weasyprint")
    result = run("pdf", str(NOTES), "-o", str(tmp_path / "b.pdf"), "--font", "nowhere.otf", cwd=tmp_path)
    assert result.exit_code == 1 and "font file not found: nowhere.otf" in result.stderr
    assert not (tmp_path / "b.pdf").exists()


def test_a_bad_paper_flag_is_one_sentence(tmp_path: Path):
    result = run("pdf", str(NOTES), "-o", str(tmp_path / "b.pdf"), "--paper", "B5")
    assert result.exit_code == 1 and "paper must be one of A4, Letter, A5, not 'B5'" in result.stderr


# -- one spelling or the other ------------------------------------------------------------------------

def test_every_command_takes_the_notes_as_path_or_notes(tmp_path: Path):
    for command in ("inspect", "check"):
        by_path, by_option = run(command, str(NOTES)), run(command, "--notes", str(NOTES))
        assert by_path.exit_code == by_option.exit_code == 0 and by_path.stdout == by_option.stdout
    for command in ("build", "anki", "html"):
        extra = ["--only", "json"] if command == "build" else []
        for notes in ([str(NOTES)], ["--notes", str(NOTES)]):
            out = tmp_path / command / str(len(notes))
            result = run(command, *notes, "--out", str(out), *extra)
            assert result.exit_code == 0, result.stderr
            assert sorted(p.name.split(".", 1)[1] for p in out.iterdir() if p.is_file()) == {
                "build": ["json"], "anki": ["apkg", "manifest.json"],  # the deck and its memory
                "html": ["html"]}[command]
    twice = run("check", str(NOTES), "--notes", str(tmp_path))
    assert twice.exit_code == 2 and "given twice" in twice.stderr


def test_single_outputs_take_a_file_or_a_folder(tmp_path: Path):
    assert run("html", str(NOTES), "-o", str(tmp_path / "page.html")).exit_code == 0
    assert run("html", str(NOTES), "--output", str(tmp_path / "long.html")).exit_code == 0
    assert run("html", str(NOTES), "--out", str(tmp_path / "dir"), cwd=tmp_path).exit_code == 0  # no config
    assert (tmp_path / "page.html").is_file() and (tmp_path / "long.html").is_file()
    assert [p.name for p in (tmp_path / "dir").iterdir() if p.name != ".cache"] == ["qadeck.html"]


def test_help_summaries_are_whole_sentences():
    listing = run("--help").stdout
    commands = listing.split("Commands:", 1)[1]
    assert "..." not in commands
    for name in ("inspect", "check", "build", "anki", "pdf", "html"):
        assert re.search(rf"^  {name}\s+\S.*\.$", commands, re.M), name


def test_build_ends_with_what_changed_in_the_deck_and_json_for_scripts(tmp_path: Path):
    notes = write_notes(tmp_path / "n", {"a.md": "# A\n\n### 问一?\n> 答\n\n### 问二是什么?\n> 答\n",
                                         "x/b.md": "# B\n\n### 问三?\n> 答\n"})
    out = tmp_path / "o"
    first = run("build", str(notes), "--out", str(out), "--only", "anki", cwd=tmp_path)
    assert first.exit_code == 0, first.stderr
    assert first.stdout.splitlines()[-1] == "deck: 3 new (no earlier build to compare with)"
    a = notes / "a.md"
    # reworded and put first: not in its place, so not carried, but pointed out with its pin
    a.write_text("# A\n\n### 问二究竟是什么?\n> 答\n\n### 问一?\n> 答\n", encoding="utf-8")
    (notes / "y").mkdir()
    (notes / "x" / "b.md").rename(notes / "y" / "b.md")
    result = run("build", str(notes), "--out", str(out), "--only", "anki", "--json", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)  # nothing but the JSON on stdout
    deck = data["deck"]
    assert deck["summary"] == "deck: +1 new, 1 changed, 1 removed, 1 moved, 1 kept through a rename"
    assert [r["text"] for r in deck["removed"]] == ["问二是什么?"]
    moved = [(m["path"], m["from"], m["deck"]) for m in deck["moved"]]
    assert moved == [("y/b.md", "面试题集::x::B", "面试题集::y::B")]
    (reworded,) = deck["reworded"]
    assert reworded["old"] == deck["removed"][0]["id"]
    assert reworded["pin"] == f"<!-- qid: {reworded['old']} -->"
    hint = next(d for d in data["diagnostics"] if d["code"] == "question.reworded")
    assert (hint["path"], hint["line"], hint["severity"]) == ("a.md", 3, "info")
    assert [o["name"] for o in data["outputs"]] == ["anki"] and data["counts"]["questions"] == 3
    again = run("build", str(notes), "--out", str(out), "--only", "anki,json", cwd=tmp_path)
    summary, again_removed, moved_line = again.stdout.splitlines()[-3:]
    assert summary == "deck: +0 new, 0 changed, 0 removed, 0 moved"
    # the last build asked for a pin (build again before importing): its removal is tagged again
    assert again_removed.startswith("  1 removed by the last build")
    assert moved_line.startswith("  1 card carries qadeck::moved")  # in every build while it is away
    only_html = run("build", str(notes), "--out", str(out), "--only", "html", "--json", cwd=tmp_path)
    assert json.loads(only_html.stdout)["deck"] is None  # no deck built, nothing said about it


def test_one_output_on_its_own_parses_through_the_build_cache(tmp_path):
    # `qadeck anki` and the like keep each note's read and checks in <out>/.cache, as `build` does.
    notes = write_notes(tmp_path / "notes", {"a_QA.md": "# A\n\n### 公式?\n> 坏 $\\frac{1}{$\n"})
    for _ in range(2):
        result = run("anki", str(notes), "--out", str(tmp_path / "out"))
        assert result.exit_code == 0 and result.output.count("[math.invalid]") == 1, result.output
    cache = tmp_path / "out" / ".cache"
    assert [len(list((cache / kind).glob("*.pickle"))) for kind in ("notes", "checks")] == [1, 1]
