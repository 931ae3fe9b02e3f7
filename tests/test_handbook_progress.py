"""The handbook's progress line: only for a person at a terminal, one line rewritten in place and
cleared at the end, counting the parts' pages together."""

from __future__ import annotations

import io

from conftest import FIXTURES, parse

from qadeck.build import context
from qadeck.config import Config
from qadeck.exporters import handbook
from qadeck.exporters.handbook import book as handbook_html
from qadeck.exporters.handbook.progress import Progress, chapter_titles, wanted

CLEAR = "\r\x1b[K"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Closed(io.StringIO):
    def isatty(self) -> bool:
        raise ValueError("I/O operation on closed file")


def test_only_a_terminal_outside_ci_gets_a_line():
    assert wanted(Terminal(), {})
    assert not wanted(Terminal(), {"CI": "true"})
    assert not wanted(Terminal(), {"CI": ""})
    assert not wanted(io.StringIO(), {})
    assert not wanted(Closed(), {})
    assert not wanted(object(), {})


def test_one_line_rewritten_in_place_and_cleared():
    stream = Terminal()
    progress = Progress(stream, {"n-a": "第 1 章 注意力", "n-b": "第 2 章 归一化"})
    progress.event(0, "layout", 1, ("n-a",))
    progress.event(0, "layout", 2, ())
    assert progress.line() == "pdf: chapter 1/2, 2 pages laid out · 第 1 章 注意力"
    progress.event(0, "layout", 3, ("n-b",))
    progress.event(0, "paginated", 3)
    progress.event(0, "draw", 1)
    assert progress.line() == "pdf: chapter 2/2, 3 pages laid out · 1/3 drawn"
    progress.close()
    written = stream.getvalue()
    assert "\n" not in written
    assert written.count(CLEAR) == 6 and written.endswith(CLEAR)
    progress.close()  # a second close writes nothing
    assert stream.getvalue() == written


def test_parts_are_counted_together_and_a_page_laid_out_again_once():
    progress = Progress(Terminal(), {})
    for page in (1, 2, 3, 1, 2, 3):  # page-based counters: WeasyPrint lays the pages out again
        progress.event(0, "layout", page)
    progress.event(1, "layout", 1)
    progress.event(1, "layout", 2)
    assert progress.line() == "pdf: 5 pages laid out"
    progress.event(0, "paginated", 3)
    progress.event(1, "paginated", 2)
    progress.event(1, "draw", 2)
    assert progress.line() == "pdf: 5 pages laid out · 2/5 drawn"
    progress.restart()  # printed in one piece after all
    progress.event(0, "layout", 1)
    assert progress.line() == "pdf: 1 page laid out"


def test_a_long_title_is_cut():
    progress = Progress(Terminal(), {"n": "第 1 章 " + "很长的标题" * 10})
    progress.event(0, "layout", 1, ("n",))
    assert progress.line().endswith("…") and len(progress.line()) < 70


def test_nothing_written_without_events():
    stream = Terminal()
    Progress(stream, {}).close()
    assert stream.getvalue() == ""


def test_chapter_titles_come_from_the_book(tmp_path):
    notes = FIXTURES / "handbook" / "notes"
    config = Config(notes=notes, out=tmp_path, title="测试手册")
    pdf, shared = config.options("pdf"), context(config)
    collection = parse(notes, title=config.title)
    book = handbook_html.build(collection, pdf, shared, handbook.math_engine(pdf, shared))
    titles = chapter_titles(book.chapters)
    assert len(titles) == len(book.chapters) == 2
    assert all(f'id="{name}"' in chapter for name, chapter in zip(titles, book.chapters, strict=True))
    assert list(titles.values())[0].startswith("第 1 章 ") and "<" not in "".join(titles.values())
