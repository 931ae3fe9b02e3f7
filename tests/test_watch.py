"""`qadeck watch`: a first build, one line per rebuild, new diagnostics only, what is ignored, a broken
note or settings file never stopping it, Ctrl-C leaving the previous outputs and exit code 0."""

from __future__ import annotations

import re
import signal
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from qadeck import atomic
from qadeck.build import build
from qadeck.cli import cli
from qadeck.config import Config
from qadeck.model import Diagnostic
from qadeck.watch import Ledger, Scope, Session
from tests.conftest import write_notes
from tests.watching import Watching, printers_of, running

NOTE = "# 注意力\n\n## 什么是注意力?\n\n{answer}\n"


def project(tmp_path: Path, answer: str = "加权求和。") -> Path:
    write_notes(tmp_path / "notes", {"attention_QA.md": NOTE.format(answer=answer)})
    return tmp_path


# -- what is watched -----------------------------------------------------------------------------

def test_scope_keeps_notes_styles_and_settings_and_ignores_out_git_and_editor_files(tmp_path):
    notes, styles, out = tmp_path / "notes", tmp_path / "styles", tmp_path / "notes" / "build"
    scope = Scope((notes, styles), (tmp_path / "qadeck.toml",), (out,))
    kept = [notes / "a.md", notes / "sub" / "b.md", notes / "img.png", styles / "cheatsheet.css",
            tmp_path / "qadeck.toml"]
    ignored = [out / "qadeck.html", out / ".cache" / "math.sqlite", notes / ".git" / "index",
               notes / ".a.md.swp", notes / "a.md~", notes / "4913", notes / ".#a.md", notes / "#a.md#",
               notes / "a.md___jb_tmp___", notes / ".goutputstream-XYZ1", styles / "__pycache__" / "x.pyc",
               tmp_path / "other.toml", tmp_path / "README.md"]
    assert [p for p in kept if not scope.wanted(p)] == []
    assert [p for p in ignored if scope.wanted(p)] == []


def test_settings_folder_is_watched_flat_unless_inside_the_notes(tmp_path):
    (tmp_path / "notes").mkdir()
    scope = Scope((tmp_path / "notes",), (tmp_path / "qadeck.toml",), (tmp_path / "build",))
    assert scope.folders() == ((tmp_path / "notes",), (tmp_path,))
    inside = Scope((tmp_path,), (tmp_path / "qadeck.toml",), (tmp_path / "build",))
    assert inside.folders() == ((tmp_path,), ())


def test_ledger_tells_new_diagnostics_by_note_code_and_message_not_line():
    ledger = Ledger()
    a = Diagnostic("a.md", 3, "warning", "note.missing", "note not found: x.md")
    b = Diagnostic("b.md", 9, "error", "math.invalid", "bad formula")
    assert ledger.update([a]) == ([a], 0)  # the first build shows everything
    moved = Diagnostic("a.md", 5, "warning", "note.missing", "note not found: x.md")
    assert ledger.update([moved, b]) == ([b], 0)
    assert ledger.update([moved, moved]) == ([moved], 1)  # a second identical one is new; b is gone


# -- the command ---------------------------------------------------------------------------------

def test_rebuilds_on_save_and_prints_one_line_with_new_diagnostics(tmp_path):
    root = project(tmp_path)
    note = root / "notes" / "attention_QA.md"
    with Watching(root, "--out", "out") as watching:
        first = watching.wait_for(r"first build · (.*) in [\d.]+ s · (\d+) warnings?, (\d+) errors?")
        assert first.groups() == ("json, anki, html", "0", "0")
        watching.wait_for(r"^watching notes and the styles")
        note.write_text(NOTE.format(answer="见 [别处](missing.md)。"), encoding="utf-8")
        line = watching.wait_for(r"attention_QA.md changed · ")
        assert re.search(r"· json, anki, html in [\d.]+ s · 1 warning, 0 errors \(1 new\)$", line.string)
        assert watching.seen[-2] == ("notes/attention_QA.md:5: warning: note not found: missing.md "
                                     "[note.missing]")
        note.write_text(NOTE.format(answer="又一次：见 [别处](missing.md)。"), encoding="utf-8")
        again = watching.wait_for(r"attention_QA.md changed · ")
        assert again.string.endswith("1 warning, 0 errors")  # the same warning: not printed again
        assert "note not found" not in watching.seen[-2]
        assert "又一次" in (root / "out" / "qadeck.html").read_text(encoding="utf-8")
        assert watching.stop() == 0
    assert watching.wait_for(r"^stopped$")


def test_ignored_files_never_rebuild(tmp_path):
    root = project(tmp_path)
    notes = root / "notes"
    (notes / ".git").mkdir()
    with Watching(root, "--out", "notes/out") as watching:  # an output folder inside the notes
        watching.wait_for(r"^watching ")
        write_notes(notes, {".git/index": "x", ".attention_QA.md.swp": "x", "attention_QA.md~": "x",
                            "4913": "", "out/extra.txt": "x"})
        write_notes(notes, {"second_QA.md": NOTE.format(answer="第二篇。")})
        line = watching.wait_for(r" changed · ")
        assert re.search(r"\d\d  second_QA.md changed · ", line.string), watching.seen
        assert not [s for s in watching.seen if "changed" in s and "second_QA" not in s]


def test_broken_note_and_broken_settings_never_stop_the_watch(tmp_path):
    root = project(tmp_path)
    settings = root / "qadeck.toml"
    settings.write_text('notes = "notes"\nout = "out"\n', encoding="utf-8")
    with Watching(root) as watching:
        watching.wait_for(r"first build")
        watching.wait_for(r"^watching notes, qadeck.toml and the styles")
        (root / "notes" / "attention_QA.md").write_bytes(b"# T\n\n## Q?\n\n\xff\xfe\xfa broken $x^$\n")
        line = watching.wait_for(r"attention_QA.md changed · ")
        assert not line.string.endswith("0 warnings, 0 errors"), watching.seen
        settings.write_text('notes = "notes"\nout = "out\n', encoding="utf-8")  # not TOML
        line = watching.wait_for(r"qadeck.toml changed · ")
        assert "not rebuilt: " in line.string and "not valid TOML" in line.string
        (root / "notes" / "attention_QA.md").write_text(NOTE.format(answer="好了。"), encoding="utf-8")
        assert "not rebuilt" in watching.wait_for(r"attention_QA.md changed · ").string
        settings.write_text('notes = "notes"\nout = "out"\nname = "deck"\n', encoding="utf-8")
        line = watching.wait_for(r"qadeck.toml changed · ")
        assert " · json, anki, html in " in line.string
        assert "好了" in (root / "out" / "deck.html").read_text(encoding="utf-8")
        assert watching.stop() == 0


def test_unknown_exporter_and_serve_without_html_are_usage_errors(tmp_path):
    root = project(tmp_path)
    runner = CliRunner()
    result = runner.invoke(cli, ["watch", str(root / "notes"), "--only", "json,epub"])
    assert result.exit_code == 2 and "unknown exporter epub" in result.output
    result = runner.invoke(cli, ["watch", str(root / "notes"), "--only", "json", "--serve"])
    assert result.exit_code == 2 and "add html to --only" in result.output
    result = runner.invoke(cli, ["watch", str(root / "nowhere")])
    assert result.exit_code == 1 and "notes folder not found" in result.output


def test_help_says_the_pdf_is_built_only_when_named():
    result = CliRunner().invoke(cli, ["watch", "--help"])
    assert "PDF is rebuilt only when" in " ".join(result.output.split())


# -- Ctrl-C --------------------------------------------------------------------------------------

class Collected:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def diagnostics(self, found, notes) -> None:
        self.lines += [str(d) for d in found]

    def failed(self, output) -> None:
        self.lines.append(f"{output.name}: failed: {output.error}")

    def line(self, text: str, ok: bool) -> None:
        self.lines.append(text)

    def trace(self, text: str) -> None:
        self.lines.append(text)


def test_ctrl_c_in_a_build_keeps_the_previous_outputs_and_stops_the_threads(tmp_path, monkeypatch):
    """Ctrl-C while the cheat sheet is half written: the old page stays, the temporary file goes,
    the outputs written before it are the new ones, and no watch thread is left running."""
    from qadeck.exporters import cheatsheet

    root = project(tmp_path, "旧答案。")
    config = Config(notes=root / "notes", out=root / "out")
    build(config, ["json", "html"])
    before = {p.name: p.read_bytes() for p in config.out.iterdir() if p.is_file()}
    (root / "notes" / "attention_QA.md").write_text(NOTE.format(answer="新答案。"), encoding="utf-8")

    def half_written(target: Path, text: str) -> None:
        with atomic.atomic_path(target) as tmp:
            tmp.write_bytes(text.encode("utf-8")[: len(text) // 2])
            signal.raise_signal(signal.SIGINT)  # the user's Ctrl-C, through Python's own handler

    monkeypatch.setattr(cheatsheet, "write_text", half_written)
    session = Session(lambda: config, ["json", "html"], (root / "qadeck.toml",), Collected())
    assert session.run(config, lambda scope: pytest.fail("the first build was interrupted")) is True
    after = {p.name: p.read_bytes() for p in config.out.iterdir() if p.is_file()}
    assert sorted(after) == sorted(before) == ["qadeck.html", "qadeck.json"]  # no temporary file left
    assert after["qadeck.html"] == before["qadeck.html"]
    assert "新答案" in after["qadeck.json"].decode("utf-8")
    assert not [t for t in threading.enumerate() if t.name == "qadeck-watch" and t.is_alive()]


def test_ctrl_c_while_watching_exits_0(tmp_path):
    root = project(tmp_path)
    with Watching(root, "--out", "out", "--serve", "--port", "0") as watching:
        watching.wait_for(r"serving the cheat sheet at http://127\.0\.0\.1:\d+/$")
        assert watching.stop() == 0
        assert watching.wait_for(r"^stopped")


def test_the_pdf_is_printed_by_the_same_processes_every_rebuild_and_ctrl_c_leaves_none(tmp_path):
    """Watch runs threads, so its printers are spawned (they import WeasyPrint): once a session,
    kept warm from one rebuild to the next, and stopped with it."""
    pytest.importorskip("weasyprint")
    pypdf = pytest.importorskip("pypdf")
    root = project(tmp_path)
    note = root / "notes" / "attention_QA.md"
    with Watching(root, "--out", "out", "--only", "pdf") as watching:
        assert watching.wait_for(r"first build · (.*) in ").group(1) == "pdf"
        first = printers_of(watching.process.pid)
        for answer in ("改过一次。", "改过两次。"):
            note.write_text(NOTE.format(answer=answer), encoding="utf-8")
            assert watching.wait_for(r"attention_QA.md changed · (.*) in ").group(1) == "pdf", watching.seen
            assert printers_of(watching.process.pid) == first
        assert watching.stop() == 0
    pdf = pypdf.PdfReader(next((root / "out").glob("*.pdf")))
    assert "改过两次" in "".join(page.extract_text() for page in pdf.pages)
    assert len(first) == 2 and not any(running(pid) for pid in first)


def test_a_tag_list_above_the_notes_folder_is_watched(tmp_path: Path):
    from qadeck.watch import scope

    (tmp_path / ".git").mkdir()
    notes = tmp_path / "a" / "notes"
    notes.mkdir(parents=True)
    watched = scope(Config(notes=notes, out=tmp_path / "out"), (), None)
    assert watched.wanted((tmp_path / "tag_info.yml").resolve())
    assert watched.wanted((tmp_path / "a" / "tag_info.yml").resolve())
    assert not watched.wanted((tmp_path / "other.yml").resolve())
