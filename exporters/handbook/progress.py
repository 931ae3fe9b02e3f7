"""A progress line while the handbook prints: documents done (and how many came from the build
cache) and the last one finished. One line on stderr, rewritten with `\\r` and cleared at the end;
only on a terminal and outside CI (a log file or a CI console gets no line at all).

Events come from the press (`press.Press`), as each chapter's worker hands its PDF back.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

from qadeck.exporters.handbook.units import Unit

_TITLE_WIDTH = 24  # characters of the chapter's title shown (a CJK one fills two columns)
_CLEAR = "\r\x1b[K"  # back to the start of the line, erase to its end


def wanted(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """A progress line only for a person watching: stderr is a terminal and not in CI."""
    environ = os.environ if environ is None else environ
    try:
        return stream.isatty() and "CI" not in environ
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class Progress:
    def __init__(self, stream: TextIO, total: int) -> None:
        self.stream = stream
        self.total = total  # the chapters (the front matter and numbers are printed after them)
        self.printed = 0
        self.cached = 0
        self.last = ""
        self.shown = False

    def done(self, unit: Unit, cached: bool) -> None:
        if cached:
            self.cached += 1
        else:
            self.printed += 1
        self.last = unit.title
        self.stream.write(_CLEAR + self.line())
        self.stream.flush()
        self.shown = True

    def line(self) -> str:
        done = self.printed + self.cached
        words = [f"pdf: {min(done, self.total)}/{self.total} chapters"]
        if self.cached:
            words.append(f"({self.cached} unchanged)")
        if self.last:
            title = self.last
            words.append("· " + (title if len(title) <= _TITLE_WIDTH else title[:_TITLE_WIDTH - 1] + "…"))
        return " ".join(words)

    def close(self) -> None:
        """Clear the line, so that what comes next starts on a clean one."""
        if self.shown:
            self.stream.write(_CLEAR)
            self.stream.flush()
            self.shown = False
