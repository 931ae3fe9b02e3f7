"""The changes to WeasyPrint's internals (exporters/handbook/weasy.py) fire on the installed
WeasyPrint; a needed one that does not fire gives the one-piece book and one warning; a worker
that never answers stops the build with one sentence instead of hanging it."""

from __future__ import annotations

import io
import multiprocessing
import time
import tomllib
from contextlib import contextmanager
from importlib.resources import as_file, files
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, parse, write_notes

from qadeck.build import context, export_one
from qadeck.config import Config, with_options
from qadeck.exporters import handbook
from qadeck.exporters.handbook import fonts as handbook_fonts
from qadeck.exporters.handbook import parts as handbook_parts
from qadeck.exporters.handbook import weasy
from qadeck.exporters.handbook.printing import print_pdf
from qadeck.exporters.handbook.progress import Progress, chapter_titles

pypdf = pytest.importorskip("pypdf")
NOTES = FIXTURES / "handbook" / "notes"
EPOCH = "1700000000"
ALL_HOOKS = (weasy.PAGE_NUMBERS, weasy.LINKS_ACROSS, weasy.LEAN_STYLESHEET, weasy.SVG_FORMS,
             weasy.LAYOUT_PROGRESS, weasy.DRAW_PROGRESS)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _config(tmp_path: Path, jobs: int, notes: Path = NOTES) -> Config:
    config = Config(notes=notes, out=tmp_path, title="测试手册", author="qadeck 测试")
    return with_options(config, "pdf", jobs=jobs)


def _export(collection, out: Path, config: Config) -> list:
    return handbook.export(collection, out, config.options("pdf"), context(config))


def test_the_installed_weasyprint_is_in_the_pinned_range():
    import weasyprint
    from packaging.requirements import Requirement  # pytest's own dependency

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pin = next(Requirement(r) for r in project["dependencies"] if r.startswith("weasyprint"))
    assert pin.specifier.contains(weasyprint.__version__), (pin, weasyprint.__version__)
    assert pin.specifier.contains("70.0") and not pin.specifier.contains("71.0")
    assert weasy.missing_for_parts() is None


def test_every_hook_fires_when_the_book_is_printed_in_parts(tmp_path):
    config = _config(tmp_path, 2)
    fonts = handbook_fonts.setup(None)
    book = handbook._book(parse(NOTES, title=config.title), config.options("pdf"), context(config), fonts)
    stream = _Terminal()
    progress = Progress(stream, chapter_titles(book.chapters))
    with as_file(files("qadeck.styles")) as styles:
        job = handbook.print_job(config.title, config.options("pdf"), context(config), fonts, Path(styles))
        with handbook_parts.PartPrinters(2) as printers:
            printed = printers.print_book(book, job, progress)
    assert printed.unhooked == ""
    assert {hook: printed.fired.get(hook, 0) > 0 for hook in ALL_HOOKS} == dict.fromkeys(ALL_HOOKS, True)
    # the front matter and both parts numbered their pages, each once
    assert printed.fired[weasy.PAGE_NUMBERS] == 3
    assert len(pypdf.PdfReader(io.BytesIO(printed.pdf)).pages) == printed.pages
    # the workers' progress came through the pipes: every page of both parts drawn
    front = printed.pages - sum(progress.pages.values())
    assert len(progress.pages) == 2 and 0 < front < printed.pages
    assert sum(progress.drawn.values()) == sum(progress.laid.values()) == printed.pages - front
    assert progress.begun == set(progress.titles) and len(progress.titles) == len(book.chapters)
    assert f"{printed.pages - front}/{printed.pages - front} drawn" in stream.getvalue()


def test_the_optional_hooks_fire_in_one_piece_too(tmp_path):
    config = _config(tmp_path, 1)
    fonts = handbook_fonts.setup(None)
    book = handbook._book(parse(NOTES, title=config.title), config.options("pdf"), context(config), fonts)
    events = []
    with as_file(files("qadeck.styles")) as styles:
        job = handbook.print_job(config.title, config.options("pdf"), context(config), fonts, Path(styles))
        printed = print_pdf(job, book.html, report=lambda *event: events.append(event))
    assert set(printed.fired) == {weasy.LEAN_STYLESHEET, weasy.SVG_FORMS, weasy.LAYOUT_PROGRESS,
                                  weasy.DRAW_PROGRESS}
    assert ("paginated", printed.pages, ()) in events
    assert [e[1] for e in events if e[0] == "draw"] == list(range(1, printed.pages + 1))
    laid_out = {e[1]: e[2] for e in events if e[0] == "layout"}
    assert sorted(laid_out) == list(range(1, printed.pages + 1))
    chapters = set(chapter_titles(book.chapters))
    assert chapters <= {name for anchors in laid_out.values() for name in anchors}


@contextmanager
def _does_nothing(*_args, **_kwargs):
    yield


@pytest.fixture(scope="module")
def one_piece(tmp_path_factory) -> tuple[bytes, list]:
    """The fixture book printed in one piece (--jobs 1), and its diagnostics."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        out = tmp_path_factory.mktemp("whole")
        diagnostics = _export(parse(NOTES, title="测试手册"), out / "whole.pdf", _config(out, 1))
    return (out / "whole.pdf").read_bytes(), diagnostics


@pytest.mark.parametrize("hook", ["_numbered_pages", "_links_across"])
def test_a_needed_hook_that_does_not_fire_gives_the_one_piece_book_and_one_warning(
        hook, one_piece, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(handbook_parts, "MIN_SIZE", 0)  # the fixture book is short
    collection = parse(NOTES, title="测试手册")
    whole, expected = one_piece
    # Workers are forked here, so that they inherit the hook that does nothing.
    monkeypatch.setattr(handbook_parts, "START", "fork")
    monkeypatch.setattr(weasy, hook, _does_nothing)
    fallback = tmp_path / "fallback.pdf"
    diagnostics = _export(collection, fallback, _config(tmp_path, 2))
    added = [d for d in diagnostics if d not in expected]
    assert len(diagnostics) == len(expected) + 1
    assert [(d.severity, d.code) for d in added] == [("warning", "pdf.weasyprint-hook")]
    assert "printed in one piece" in added[0].message
    assert (weasy.PAGE_NUMBERS if hook == "_numbered_pages" else weasy.LINKS_ACROSS) in added[0].message
    assert fallback.read_bytes() == whole
    assert not multiprocessing.active_children()


def test_a_page_maker_of_another_shape_is_a_hook_that_did_not_take(monkeypatch):
    class Context:
        page_maker = [("resume", "next", "right", ("state", {"page": [1]}), {"anchors": []}), ("odd",)]

    with pytest.raises(weasy.HookMissing, match="page_maker has another shape"):
        weasy._page_maker(Context())
    Context.page_maker = Context.page_maker[:1] * 2
    assert weasy._page_maker(Context()) is Context.page_maker


def _silent(conn) -> None:
    time.sleep(3600)


def _ready_then_silent(conn) -> None:
    conn.send(("ready", None))
    conn.recv()
    time.sleep(3600)


@pytest.mark.parametrize("worker", [_silent, _ready_then_silent])
def test_a_worker_that_never_answers_stops_the_build_in_one_sentence(worker, tmp_path, monkeypatch):
    monkeypatch.setattr(handbook_parts, "MIN_SIZE", 0)
    monkeypatch.setattr(handbook_parts, "WAIT", 0.5)
    monkeypatch.setattr(handbook_parts, "START", "fork")  # the worker above, not the real one
    monkeypatch.setattr(handbook_parts, "_work", worker)
    config = _config(tmp_path, 2)
    output = export_one("pdf", parse(NOTES, title="测试手册"), tmp_path / "book.pdf", config, context(config))
    assert output.error is not None and "said nothing for 0.5 seconds" in output.error
    assert "--jobs 1" in output.error and "\n" not in output.error
    assert not (tmp_path / "book.pdf").exists()
    assert not multiprocessing.active_children()


def test_a_worker_stops_when_the_parent_says_nothing(monkeypatch):
    monkeypatch.setattr(handbook_parts, "WORKER_WAIT", 0.1)
    ours, theirs = multiprocessing.Pipe()
    handbook_parts._work(theirs)  # returns instead of waiting for work forever
    assert ours.recv() == ("ready", None)
    with pytest.raises(EOFError):  # and it said nothing more
        ours.recv()


def test_jobs_that_cannot_be_honoured_are_said_once(tmp_path):
    diagnostics = _export(parse(NOTES, title="测试手册"), tmp_path / "book.pdf", _config(tmp_path, 3))
    diagnostics = [d for d in diagnostics if d.code != "math.invalid"]  # the fixture's broken formula
    assert [(d.severity, d.code) for d in diagnostics] == [("info", "pdf.jobs")]
    assert "--jobs 3" in diagnostics[0].message and "one piece" in diagnostics[0].message
    assert "short" in diagnostics[0].message


def test_a_long_book_without_questions_is_printed_in_parts(tmp_path, monkeypatch):
    text = "知识点的正文, 没有问题. " * 60
    notes = write_notes(tmp_path / "notes", {
        f"n{i}.md": f"第 {i} 篇笔记\n===\n\n## 概述\n\n{text}\n\n## 细节\n\n{text}\n" for i in range(3)})
    collection = parse(notes, knowledge=True)  # knowledge notes asked into the book
    assert not collection.questions() and handbook.book_size(collection) > 3000
    monkeypatch.setattr(handbook_parts, "MIN_SIZE", 3000)
    used = []
    original = handbook_parts.PartPrinters.print_book

    def spy(self, *args, **kwargs):
        used.append(len(self.workers))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(handbook_parts.PartPrinters, "print_book", spy)
    diagnostics = _export(collection, tmp_path / "book.pdf", _config(tmp_path, 2, notes))
    assert used == [2] and diagnostics == []
    assert len(pypdf.PdfReader(tmp_path / "book.pdf").pages) >= 4
