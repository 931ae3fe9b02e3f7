"""A progress line while the handbook prints: documents printed (the line calls them units), how
many came from the build cache, and the one being printed. One line on stderr, rewritten with
`\\r` and cleared at the end; only on a terminal and outside CI (a log file or a CI console gets
no line at all).

Events come from the print pool (`printpool.PrintPool`): a document started, a document handed
back. The documents counted are the book's chapters and the parts' pieces; the front matter
printed after them (cover, contents, page numbers) is named on the line but not counted.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

from qadeck.exporters.handbook.documents import PrintDoc

_TITLE_WIDTH = 24  # characters of the document's title shown (a CJK one fills two columns)
_CLEAR = "\r\x1b[K"  # back to the start of the line, erase to its end


def wanted(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """A progress line only for a person watching: stderr is a terminal and not in CI."""
    environ = os.environ if environ is None else environ
    try:
        return stream.isatty() and "CI" not in environ
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class Progress:
    def __init__(self, stream: TextIO, docs: list[PrintDoc]) -> None:
        self.stream = stream
        self.counted = {doc.name for doc in docs}
        self.total = len(self.counted)
        self.printed = 0
        self.cached = 0
        self.printing: list[str] = []  # titles of the documents being printed, oldest first
        self.last = ""
        self.shown = False

    def started(self, doc: PrintDoc) -> None:
        self.printing.append(doc.title)
        self._show()

    def done(self, doc: PrintDoc, cached: bool) -> None:
        if doc.title in self.printing:
            self.printing.remove(doc.title)
        if doc.name in self.counted:
            self.counted.discard(doc.name)  # a document counts once
            if cached:
                self.cached += 1
            else:
                self.printed += 1
        self.last = doc.title
        self._show()

    def line(self) -> str:
        words = [f"pdf: {self.printed + self.cached}/{self.total} units"]
        if self.cached:
            words.append(f"({self.cached} unchanged)")
        if self.printing:
            words.append("· printing " + _cut(self.printing[0]))
        elif self.last:
            words.append("· " + _cut(self.last))
        return " ".join(words)

    def _show(self) -> None:
        self.stream.write(_CLEAR + self.line())
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Clear the line, so that what comes next starts on a clean one."""
        if self.shown:
            self.stream.write(_CLEAR)
            self.stream.flush()
            self.shown = False


def _cut(title: str) -> str:
    return title if len(title) <= _TITLE_WIDTH else title[:_TITLE_WIDTH - 1] + "…"
