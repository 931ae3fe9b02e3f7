"""A handbook printed in parts (worker processes, joined with pypdf) is the same book as one
printed in one piece: pages, text, page numbers, contents, outline, links, metadata."""

from __future__ import annotations

import multiprocessing
import re
from pathlib import Path

import pytest
from conftest import FIXTURES, parse

from qadeck.build import context
from qadeck.config import Config
from qadeck.errors import ExportError
from qadeck.exporters import handbook
from qadeck.exporters.handbook import book as handbook_html
from qadeck.exporters.handbook import parts as handbook_parts
from qadeck.exporters.handbook.options import PdfOptions
from qadeck.exporters.handbook.printing import PrintJob

pypdf = pytest.importorskip("pypdf")
NOTES = FIXTURES / "handbook" / "notes"
EPOCH = "1700000000"


def _print(out: Path, jobs: int, monkeypatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(handbook_parts, "MIN_SIZE", 0)  # the fixture book is short
    config = Config(notes=NOTES, out=out, title="测试手册", author="qadeck 测试")
    target = out / f"book-{jobs}.pdf"
    diagnostics = handbook.export(parse(NOTES, title=config.title), target, PdfOptions(jobs=jobs),
                                  context(config))
    assert not [d for d in diagnostics if d.code == "pdf.weasyprint"], diagnostics
    return target


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> tuple[pypdf.PdfReader, pypdf.PdfReader, Path]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        out = tmp_path_factory.mktemp("parts")
        whole, parts = _print(out, 1, monkeypatch), _print(out, 2, monkeypatch)
    return pypdf.PdfReader(whole), pypdf.PdfReader(parts), parts


def _outline(reader, items=None, depth=0) -> list[tuple[int, str, int]]:
    out = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            out += _outline(reader, item, depth + 1)
        else:
            out.append((depth, item.title, reader.get_destination_page_number(item)))
    return out


def _squeezed(page) -> str:
    return re.sub(r"\s+", "", page.extract_text())


def test_parts_make_the_same_pages_text_and_numbers(books):
    whole, parts, _ = books
    assert len(parts.pages) == len(whole.pages) > 3
    total = len(parts.pages)
    for number, (a, b) in enumerate(zip(whole.pages, parts.pages, strict=True), 1):
        assert _squeezed(a) == _squeezed(b), number
        if number > 1:  # the cover has no footer
            assert f"第{number}页/共{total}页" in _squeezed(b)


def test_contents_carry_the_page_of_each_chapter(books):
    _, parts, _ = books
    chapters = {title: page + 1 for depth, title, page in _outline(parts) if depth == 0}
    assert len(chapters) >= 2
    contents = re.sub(r"\.{2,}", " ", parts.pages[1].extract_text())
    for title, page in chapters.items():
        assert re.search(re.escape(title) + r"\s*" + str(page) + r"\b", contents), (title, page, contents)


def test_outline_destinations_and_metadata_match(books):
    whole, parts, _ = books
    assert _outline(parts) == _outline(whole)
    names = {k: parts.get_destination_page_number(v) for k, v in parts.named_destinations.items()}
    assert names == {k: whole.get_destination_page_number(v) for k, v in whole.named_destinations.items()}
    assert parts.metadata == whole.metadata
    assert parts.trailer["/Root"]["/Lang"] == "zh-CN"


def test_every_link_survives_the_join_and_points_somewhere(books):
    whole, parts, _ = books

    def links(reader) -> list[str]:
        found = []
        for page in reader.pages:
            for annot in page.get("/Annots", []):
                annot = annot.get_object()
                found.append(str(annot.get("/Dest") or annot["/A"].get("/URI")))
        return found

    assert sorted(links(parts)) == sorted(links(whole))
    assert len(links(parts)) >= 10
    names = set(parts.named_destinations)
    assert all(name in names for name in links(parts) if not name.startswith("http"))


def test_parts_print_byte_identical_twice(books, tmp_path, monkeypatch):
    again = _print(tmp_path, 2, monkeypatch)
    assert again.read_bytes() == books[2].read_bytes()


def test_the_split_follows_the_size_of_the_book_not_its_questions():
    big = handbook_parts.MIN_SIZE
    assert handbook_parts.plan(size=big - 1, chapters=5, jobs=0) == (1, "")
    assert handbook_parts.plan(size=big, chapters=5, jobs=0) == (2, "")
    assert handbook_parts.plan(size=50 * big, chapters=20, jobs=1) == (1, "")
    assert handbook_parts.plan(size=50 * big, chapters=3, jobs=8)[0] == 3
    assert handbook_parts.plan(size=50 * big, chapters=20, jobs=2) == (2, "")
    assert handbook_parts.plan(size=50 * big, chapters=20, jobs=4) == (4, "")


def test_jobs_that_cannot_be_honoured_say_why():
    big = handbook_parts.MIN_SIZE
    count, why = handbook_parts.plan(size=big - 1, chapters=5, jobs=4)
    assert count == 1 and "short" in why and f"{big:,}" in why
    count, why = handbook_parts.plan(size=big, chapters=1, jobs=2)
    assert count == 1 and "1 chapter " in why
    count, why = handbook_parts.plan(size=big, chapters=3, jobs=8)
    assert count == 3 and "3 chapters" in why
    assert handbook_parts.plan(size=big - 1, chapters=5, jobs=0) == (1, "")  # not asked for


def test_by_default_two_workers_on_any_machine():
    """Not one per core: the same notes give the same bytes on every machine."""
    assert handbook_parts.plan(size=10**7, chapters=20, jobs=0) == (2, "")
    assert handbook_parts.plan(size=10**7, chapters=1, jobs=0) == (1, "")


@pytest.mark.parametrize("weights,count", [([5, 5, 5, 5], 2), ([100, 1, 1], 2), ([1, 1, 100], 2),
                                            ([3, 1, 4, 1, 5, 9, 2, 6], 3), ([7], 4), ([1, 1], 2)])
def test_chapters_are_shared_in_order_without_empty_parts(weights, count):
    chapters = [f"<article id='c{i}'>" + "字" * w + "</article>" for i, w in enumerate(weights)]
    runs = handbook_parts.groups(chapters, count)
    assert [c for run in runs for c in run] == chapters
    assert all(runs) and len(runs) == min(count, len(chapters))


def test_groups_balance_the_work():
    runs = handbook_parts.groups(["x" * 10] * 10, 2)
    assert [len(run) for run in runs] == [5, 5]


def test_a_failed_worker_is_an_error_with_its_reason():
    ours, theirs = multiprocessing.Pipe()
    theirs.send(("progress", "layout", 1, ()))
    theirs.send(("failed", "Traceback ...\nValueError: broken part"))
    with pytest.raises(handbook_parts.PartFailed, match="broken part"):
        handbook_parts.gather({ours: ["paginated"]})
    theirs.close()
    with pytest.raises(handbook_parts.PartFailed, match="stopped unexpectedly"):
        handbook_parts.gather({ours: ["printed"]})


def test_contents_that_change_length_fall_back_to_one_piece(books, tmp_path, monkeypatch):
    """If the draft contents ran to another length than the real ones, the parts' page numbers
    would be off, so the book is printed in one piece instead (here: the draft gets a page more)."""
    calls = []
    original_print, original_front = handbook_parts.print_pdf, handbook_parts._front

    def spy(job, html, **kwargs):
        calls.append(kwargs)
        return original_print(job, html, **kwargs)

    def front(book, pages):
        longer = '<p style="break-before: page">草稿</p>' if set(pages.values()) == {888} else ""
        return original_front(book, pages).replace("</nav>", longer + "</nav>")

    monkeypatch.setattr(handbook_parts, "print_pdf", spy)
    monkeypatch.setattr(handbook_parts, "_front", front)
    fallback = pypdf.PdfReader(_print(tmp_path, 2, monkeypatch))
    assert calls == [{"report": None}]  # the one-piece print, in this process
    whole = books[0]
    assert [_squeezed(p) for p in fallback.pages] == [_squeezed(p) for p in whole.pages]


def test_a_worker_that_fails_is_one_sentence_and_the_others_stop(tmp_path):
    config = Config(notes=NOTES, out=tmp_path, title="测试手册")
    options, shared = PdfOptions(), context(config)
    book = handbook_html.build(parse(NOTES, title=config.title), options, shared,
                               handbook.math_engine(options, shared))
    job = PrintJob(Path("relative"), Path("styles"), (), ())  # a relative path has no file URI
    with pytest.raises(handbook_parts.PartFailed) as failed:
        with handbook_parts.PartPrinters(2) as printers:
            workers = [process for process, _ in printers.workers]
            printers.print_book(book, job)
    assert isinstance(failed.value, ExportError)
    assert "relative path" in str(failed.value) and "--jobs 1" in str(failed.value)
    assert "Traceback" in failed.value.traceback
    assert not any(process.is_alive() for process in workers)
