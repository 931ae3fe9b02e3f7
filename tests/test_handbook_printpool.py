"""The handbook printed chapter by chapter (exporters/handbook/printpool.py, documents.py, join.py):
page numbers stamped over the joined book, contents numbered from the chapters' page counts,
every link landing on a named destination, the same bytes from one process or two, and a
rebuild that reprints only the chapter whose note changed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from qadeck.build import context
from qadeck.cache import Store
from qadeck.config import Config, with_options
from qadeck.exporters import handbook
from qadeck.exporters.handbook import printpool
from qadeck.exporters.handbook.documents import DEST_SCHEME
from tests.conftest import FIXTURES, parse, write_notes

pypdf = pytest.importorskip("pypdf")
NOTES = FIXTURES / "handbook" / "notes"
EPOCH = "1700000000"


def _print(notes: Path, out: Path, jobs: int, monkeypatch, name: str = "book") -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    config = Config(notes=notes, out=out, title="测试手册", author="qadeck 测试")
    config = with_options(config, "pdf", jobs=jobs)
    target = out / f"{name}.pdf"
    diagnostics = handbook.export(parse(notes, title=config.title), target, config.options("pdf"),
                                  context(config))
    assert not [d for d in diagnostics if d.code == "pdf.weasyprint"], diagnostics
    return target


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> tuple[Path, Path]:
    """The fixture book printed by two workers and in this process alone, each with its own cache."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        two = _print(NOTES, tmp_path_factory.mktemp("two"), 2, monkeypatch)
        one = _print(NOTES, tmp_path_factory.mktemp("one"), 1, monkeypatch)
    return two, one


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


def test_one_process_or_two_print_the_same_bytes(books):
    two, one = books
    assert two.read_bytes() == one.read_bytes()


def test_every_page_but_the_cover_carries_its_number_once(books):
    reader = pypdf.PdfReader(books[0])
    total = len(reader.pages)
    assert total > 4
    assert "页/共" not in _squeezed(reader.pages[0])
    for number, page in enumerate(reader.pages[1:], 2):
        assert re.findall(r"第\d+页/共\d+页", _squeezed(page)) == [f"第{number}页/共{total}页"], number


def test_contents_carry_the_page_each_chapter_starts_on(books):
    reader = pypdf.PdfReader(books[0])
    chapters = {title: page + 1 for depth, title, page in _outline(reader) if depth == 0}
    assert len(chapters) >= 2
    contents = re.sub(r"\.{2,}", " ", reader.pages[1].extract_text())
    for title, page in chapters.items():
        assert re.search(re.escape(title) + r"\s*" + str(page) + r"\b", contents), (title, page, contents)
        assert title in reader.pages[page - 1].extract_text()


def test_every_link_lands_on_a_named_destination_of_the_book(books):
    reader = pypdf.PdfReader(books[0])
    names = set(reader.named_destinations)
    internal, web = [], []
    for page in reader.pages:
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            if "/Dest" in annot:
                internal.append(str(annot["/Dest"]))
            else:
                web.append(str(annot["/A"]["/URI"]))
    assert len(internal) >= 10 and set(internal) <= names
    assert not [uri for uri in web if uri.startswith(DEST_SCHEME)]
    # the contents' links go forward into other documents of the join
    first_page = {a.get_object().get("/Dest") for a in reader.pages[1].get("/Annots", [])}
    assert len(first_page) >= 3 and None not in first_page


def test_outline_has_each_chapter_and_the_book_its_metadata(books):
    reader = pypdf.PdfReader(books[0])
    outline = _outline(reader)
    pages = [page for _, _, page in outline]
    assert pages == sorted(pages) and len(outline) > 5
    assert reader.metadata.title == "测试手册" and reader.metadata.author == "qadeck 测试"
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"


def test_an_edit_reprints_only_its_chapter(tmp_path, monkeypatch):
    notes = write_notes(tmp_path / "notes", {
        "a_QA.md": "# 甲\n\n## 问题\n\n### 1. 甲问？\n\n甲答。\n",
        "b_QA.md": "# 乙\n\n## 问题\n\n### 1. 乙问？\n\n乙答。\n",
        "c_QA.md": "# 丙\n\n## 问题\n\n### 1. 丙问？\n\n丙答。\n",
    })
    out = tmp_path / "out"
    printed: list[str] = []
    original = printpool.print_pdf
    monkeypatch.setattr(printpool, "print_pdf",
                        lambda job, html: printed.append(html) or original(job, html))
    first = _print(notes, out, 1, monkeypatch).read_bytes()
    assert len(printed) == 3 + 4  # chapters, cover, the contents' draft and final, the numbers
    printed.clear()
    (notes / "b_QA.md").write_text("# 乙\n\n## 问题\n\n### 1. 乙问？\n\n乙答，改过。\n", encoding="utf-8")
    second = _print(notes, out, 1, monkeypatch).read_bytes()
    assert len(printed) == 1 and second != first  # the edited chapter; all else from the cache
    printed.clear()
    clean = _print(notes, tmp_path / "clean", 1, monkeypatch).read_bytes()
    assert clean == second


def _chapter_docs(notes: Path, tmp_path: Path):
    from qadeck.exporters.handbook import documents
    from qadeck.exporters.handbook import fonts as handbook_fonts

    config = Config(notes=notes, out=tmp_path, title="测试手册")
    book = handbook._book(parse(notes, title=config.title), config.options("pdf"), context(config),
                          handbook_fonts.setup(None))
    return documents.articles(book)


def test_a_chapter_does_not_depend_on_where_it_lands(tmp_path):
    """A note added before a chapter changes its document only in the chapter's number."""
    b = "# 乙\n\n## 问题\n\n### 1. 乙问？\n\n见[甲](a_QA.md)与[本节](#问题)。\n"
    alone = _chapter_docs(write_notes(tmp_path / "one", {"b_QA.md": b}), tmp_path)
    a = "# 甲\n\n## 问题\n\n### 1. 甲问？\n\n甲答。\n"
    notes = write_notes(tmp_path / "two", {"b_QA.md": b, "a_QA.md": a})
    both = _chapter_docs(notes, tmp_path)
    assert [u.title for u in both] == ["第 1 章 甲", "第 2 章 乙"]
    assert both[1].html.replace("第 2 章", "第 1 章") != alone[0].html  # the link to 甲 is new
    assert f'href="{DEST_SCHEME}n-' in both[1].html  # ...and crosses documents
    link = re.compile(r'<(a|span) class="xref[^>]*>甲</(a|span)>')
    assert link.sub("甲", both[1].html.replace("第 2 章", "第 1 章")) == link.sub("甲", alone[0].html)
    assert "data-page" not in both[1].html and "dcterms.created" not in both[1].html


def test_a_worker_that_fails_is_one_sentence(tmp_path, monkeypatch):
    def broken(job, html):
        raise RuntimeError("the printer caught fire")

    monkeypatch.setattr(printpool, "print_pdf", broken)
    monkeypatch.setattr(printpool, "fork_is_safe", lambda: True)  # the children see the patch
    store = Store(tmp_path / "cache", "pdf")
    from qadeck.exporters.handbook.documents import PrintDoc
    from qadeck.exporters.handbook.weasyprint_adapter import PrintJob

    pool = printpool.PrintPool(PrintJob(tmp_path, tmp_path, (), ()), store, 2)
    with pytest.raises(printpool.PrintFailed, match="printer caught fire") as failed:
        pool.print_all([PrintDoc("a", "甲", "<p>甲</p>"), PrintDoc("b", "乙", "<p>乙</p>")])
    assert "\n" not in str(failed.value) and "--jobs 1" in str(failed.value)


def test_a_cached_chapter_gives_its_warnings_again_and_is_not_written_again(tmp_path, monkeypatch):
    from qadeck.exporters.handbook.chapters import Chapters

    notes = write_notes(tmp_path / "notes", {
        "a_QA.md": "# 甲\n\n## 问题\n\n### 1. 甲问？\n\n甲答 \U000f0000。\n",  # no font has it
        "b_QA.md": "# 乙\n\n## 问题\n\n### 1. 乙问？\n\n乙答。\n",
    })
    written: list[str] = []
    original = Chapters.chapter
    monkeypatch.setattr(Chapters, "chapter", lambda self, number, note: written.append(note.path)
                        or original(self, number, note))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    config = Config(notes=notes, out=tmp_path / "out", title="测试手册")

    def build() -> list:
        return handbook.export(parse(notes, title=config.title), tmp_path / "out" / "book.pdf",
                               config.options("pdf"), context(config))

    first = build()
    assert sorted(written) == ["a_QA.md", "b_QA.md"]
    written.clear()
    assert build() == first and written == []
    assert [(d.path, d.code) for d in first if d.severity == "warning"] == [("a_QA.md", "glyph.missing")]
