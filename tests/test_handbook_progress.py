"""The handbook's progress line: only for a person at a terminal, one line rewritten in place as
each chapter comes back from the print pool, cleared at the end."""

from __future__ import annotations

import io

from qadeck.exporters.handbook.documents import PrintDoc
from qadeck.exporters.handbook.progress import Progress, wanted

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


DOCS = [PrintDoc("n-a", "第 1 章 注意力", ""), PrintDoc("n-b", "第 2 章 归一化", ""),
         PrintDoc("u-1", "算法题 · 动态规划", "", 2)]


def test_one_line_rewritten_in_place_and_cleared():
    stream = Terminal()
    progress = Progress(stream, DOCS)
    progress.done(DOCS[0], True)
    assert progress.line() == "pdf: 1/3 units (1 unchanged) · 第 1 章 注意力"
    progress.started(DOCS[1])
    progress.started(DOCS[2])
    assert progress.line() == "pdf: 1/3 units (1 unchanged) · printing 第 2 章 归一化"
    progress.done(DOCS[1], False)
    assert progress.line() == "pdf: 2/3 units (1 unchanged) · printing 算法题 · 动态规划"
    progress.close()
    written = stream.getvalue()
    assert "\n" not in written
    assert written.count(CLEAR) == 5 and written.endswith(CLEAR)
    progress.close()  # a second close writes nothing
    assert stream.getvalue() == written


def test_the_front_matter_is_named_not_counted():
    progress = Progress(Terminal(), DOCS[:1])
    progress.done(DOCS[0], False)
    for _ in range(2):  # the contents print twice: numbered for a guessed length, then for theirs
        progress.started(PrintDoc("toc", "目录", ""))
        progress.done(PrintDoc("toc", "目录", ""), False)
    assert progress.line() == "pdf: 1/1 units · 目录"


def test_a_long_title_is_cut():
    progress = Progress(Terminal(), DOCS[:1])
    progress.done(PrintDoc("n", "第 1 章 " + "很长的标题" * 10, ""), False)
    assert progress.line().endswith("…") and len(progress.line()) < 70


def test_nothing_written_without_events():
    stream = Terminal()
    Progress(stream, DOCS).close()
    assert stream.getvalue() == ""
