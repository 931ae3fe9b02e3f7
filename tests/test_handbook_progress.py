"""The handbook's progress line: only for a person at a terminal, one line rewritten in place as
each chapter comes back from the press, cleared at the end."""

from __future__ import annotations

import io

from qadeck.exporters.handbook.progress import Progress, wanted
from qadeck.exporters.handbook.units import Unit

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
    progress = Progress(stream, 3)
    progress.done(Unit("n-a", "第 1 章 注意力", ""), True)
    assert progress.line() == "pdf: 1/3 chapters (1 unchanged) · 第 1 章 注意力"
    progress.done(Unit("n-b", "第 2 章 归一化", ""), False)
    assert progress.line() == "pdf: 2/3 chapters (1 unchanged) · 第 2 章 归一化"
    progress.close()
    written = stream.getvalue()
    assert "\n" not in written
    assert written.count(CLEAR) == 3 and written.endswith(CLEAR)
    progress.close()  # a second close writes nothing
    assert stream.getvalue() == written


def test_a_long_title_is_cut():
    progress = Progress(Terminal(), 1)
    progress.done(Unit("n", "第 1 章 " + "很长的标题" * 10, ""), False)
    assert progress.line().endswith("…") and len(progress.line()) < 70


def test_nothing_written_without_events():
    stream = Terminal()
    Progress(stream, 2).close()
    assert stream.getvalue() == ""
