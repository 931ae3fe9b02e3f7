"""One note qadeck fails on (a bug) is an error for that note, which is left out; the rest builds.

No note is known to make qadeck fail (tests/test_robust_notes.py holds the ones that did), so the
failure is put in by hand: the real reader or renderer, raising for the note `boom.md` only.
"""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from qadeck import checks
from qadeck.cli import cli
from qadeck.config import Config
from qadeck.errors import ExportError
from qadeck.parser import collection as parser_collection
from qadeck.render import Renderer
from tests.conftest import export, parse, write_notes

NOTES = {
    "good.md": "# 好笔记\n\n### 正常的问题?\n> 正常的回答, 见 [炸](boom.md)\n",
    "boom.md": "# 炸\n\n### 会炸的问题?\n> 回答\n\n### 第二问?\n> 回答二\n",
    "later.md": "# 后来\n\n### 后来的问题?\n> 回答\n",
}
MESSAGE = "boom.md:1: error: qadeck could not {} (RecursionError); it is left out [note.internal]"
READ = MESSAGE.format("read this note")


def _boom(original):
    def fail_on_boom(*args, **kwargs):
        if any(getattr(a, "path", a) == "boom.md" for a in args):
            raise RecursionError("maximum recursion depth exceeded")
        return original(*args, **kwargs)
    return fail_on_boom


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    return write_notes(tmp_path / "notes", NOTES)


def test_a_note_that_fails_to_read_is_left_out(notes: Path, monkeypatch):
    monkeypatch.setattr(parser_collection, "read_note", _boom(parser_collection.read_note))
    collection = parse(notes)
    assert [n.path for n in collection.notes] == ["good.md", "later.md"]
    assert [str(d) for d in collection.diagnostics if d.severity == "error"] == [READ]
    link = collection.note("good.md").links[0]
    assert (link.href, link.kind) == ("boom.md", "file")  # a file, as a note left out by `exclude` is


def test_a_note_the_checks_fail_on_is_left_out(notes: Path, monkeypatch):
    monkeypatch.setattr(checks, "_check", _boom(checks._check))
    collection = checks.run(parse(notes))
    assert [n.path for n in collection.notes] == ["good.md", "later.md"]
    assert [str(d) for d in collection.diagnostics if d.code == "note.internal"] == [READ]


@pytest.mark.parametrize("name, doing", [("anki", "render this note for the Anki deck"),
                                         ("html", "render this note for the cheat sheet"),
                                         ("pdf", "render this note for the PDF")])
def test_a_note_that_fails_to_render_is_left_out_of_that_output(notes: Path, tmp_path: Path, monkeypatch,
                                                                 name: str, doing: str):
    collection = checks.run(parse(notes))
    monkeypatch.setattr(Renderer, "render", _boom(Renderer.render))
    out = tmp_path / f"book.{name}"
    found = export(name, collection, out, Config(notes=notes))
    assert [str(d) for d in found if d.code == "note.internal"] == [MESSAGE.format(doing)]
    text = _text_of(name, out)
    assert "正常的问题" in text and "后来的问题" in text and "会炸的问题" not in text and "第二问" not in text
    if name == "html":  # made again without it: no link points to a note the page lacks
        assert "n-" + hashlib.sha1(b"boom.md").hexdigest()[:10] not in text
    if name == "pdf":
        assert "第 2 章" in text and "第 3 章" not in text  # its chapter number is not skipped either


def _text_of(name: str, out: Path) -> str:
    if name == "anki":
        with zipfile.ZipFile(out) as package:
            return package.read("collection.anki2").decode("utf-8", "replace")
    if name == "pdf":
        import pypdf

        return "".join(page.extract_text() for page in pypdf.PdfReader(out).pages)
    return out.read_text(encoding="utf-8")


def test_errors_meant_for_the_user_still_stop_the_output(notes: Path, tmp_path: Path, monkeypatch):
    def refuse(self, note, piece):
        raise ExportError("a sentence for the user")

    monkeypatch.setattr(Renderer, "render", refuse)
    with pytest.raises(ExportError):
        export("anki", checks.run(parse(notes)), tmp_path / "deck.apkg", Config(notes=notes))


def test_commands_exit_1_and_build_the_rest(notes: Path, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(Renderer, "render", _boom(Renderer.render))
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(cli, ["build", str(notes), "--out", "out", "--only", "json,anki,html"],
                                    catch_exceptions=False)
        assert result.exit_code == 1 and "Traceback" not in result.output
        assert "notes/boom.md:1: error: qadeck could not render this note for the Anki deck" in result.output
        assert {p.name for p in (tmp_path / "out").iterdir()} >= {"qadeck.json", "qadeck.apkg", "qadeck.html"}
        result = CliRunner().invoke(cli, ["html", str(notes), "-o", "page.html"], catch_exceptions=False)
        assert result.exit_code == 1 and (tmp_path / "page.html").is_file()
        monkeypatch.setattr(parser_collection, "read_note", _boom(parser_collection.read_note))
        result = CliRunner().invoke(cli, ["check", str(notes)], catch_exceptions=False)
        assert result.exit_code == 1 and READ in result.output.replace("notes/", "")
    finally:
        os.chdir(old)
