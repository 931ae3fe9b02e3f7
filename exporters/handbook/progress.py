"""A progress line while a long handbook prints: pages laid out and drawn, chapters begun, and
the title of the chapter being laid out. One line on stderr, rewritten with `\\r` and cleared at
the end; only on a terminal and outside CI (a log file or a CI console gets no line at all).

Events come from the print in this process or from the parts' workers (through their pipes),
each part counted on its own: `event(part, stage, page, anchors)` with the stages of
`weasy.Report` ("layout", "draw") and "paginated" (the part's page count).
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Mapping
from typing import TextIO

_CHAPTER = re.compile(r'<article class="chapter" id="([^"]+)">.*?<p class="chapter-no">([^<]*)</p>'
                      r'.*?data-bm="([^"]*)"', re.S)
_TITLE_WIDTH = 24  # characters of the chapter's title shown (a CJK one fills two columns)
_CLEAR = "\r\x1b[K"  # back to the start of the line, erase to its end


def wanted(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """A progress line only for a person watching: stderr is a terminal and not in CI."""
    environ = os.environ if environ is None else environ
    try:
        return stream.isatty() and "CI" not in environ
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def chapter_titles(chapters: list[str]) -> dict[str, str]:
    """Each chapter's element id -> "第 N 章 title", read from the chapters' HTML."""
    titles = {}
    for chapter in chapters:
        found = _CHAPTER.search(chapter)
        if found:
            titles[found.group(1)] = html.unescape(f"{found.group(2)} {found.group(3)}").strip()
    return titles


class Progress:
    def __init__(self, stream: TextIO, titles: dict[str, str]) -> None:
        self.stream = stream
        self.titles = titles
        self.shown = False
        self.restart()

    def restart(self) -> None:
        """Count from nothing again (the book printed in one piece after all)."""
        self.laid: dict[int, int] = {}  # part -> pages laid out
        self.pages: dict[int, int] = {}  # part -> its page count, once paginated
        self.drawn: dict[int, int] = {}  # part -> pages drawn
        self.begun: set[str] = set()  # chapters whose first page is laid out
        self.current = ""

    def event(self, part: int, stage: str, page: int, anchors: tuple[str, ...] = ()) -> None:
        if stage == "layout":  # a page may be laid out again (page-based counters): keep the most
            self.laid[part] = max(self.laid.get(part, 0), page)
            for name in anchors:
                if name in self.titles:
                    self.begun.add(name)
                    self.current = self.titles[name]
        elif stage == "paginated":
            self.pages[part] = page
        elif stage == "draw":
            self.drawn[part] = max(self.drawn.get(part, 0), page)
        self.stream.write(_CLEAR + self.line())
        self.stream.flush()
        self.shown = True

    def line(self) -> str:
        words = ["pdf:"]
        if self.titles:
            words.append(f"chapter {len(self.begun)}/{len(self.titles)},")
        laid = sum(self.laid.values())
        words.append(f"{laid} page{'' if laid == 1 else 's'} laid out")
        if self.drawn:
            words.append(f"· {sum(self.drawn.values())}/{sum(self.pages.values())} drawn")
        elif self.current:
            title = self.current
            words.append("· " + (title if len(title) <= _TITLE_WIDTH else title[:_TITLE_WIDTH - 1] + "…"))
        return " ".join(words)

    def close(self) -> None:
        """Clear the line, so that what comes next starts on a clean one."""
        if self.shown:
            self.stream.write(_CLEAR)
            self.stream.flush()
            self.shown = False
