"""The contents' page numbers: the contents are printed with the page of each entry, and since
their own length moves every number, printed again until the length they were numbered for is
the length they print to."""

from __future__ import annotations

from itertools import accumulate
from typing import TYPE_CHECKING

from qadeck import codes
from qadeck.exporters.handbook import units
from qadeck.model import Diagnostic

if TYPE_CHECKING:
    from qadeck.exporters.handbook.book import Book
    from qadeck.exporters.handbook.printpool import PrintPool
    from qadeck.exporters.handbook.weasyprint_adapter import Printed

_PLACEHOLDER = 888  # a page number as wide as most, for the contents' first draft
_TRIES = 4
UNSETTLED = Diagnostic("", 0, "warning", codes.PDF_CONTENTS,
                       "the contents' length changed each time their page numbers were written in; "
                       "their numbers may be one page off")


def numbered_contents(pool: PrintPool, book: Book, before: int,
                      chapters: list[Printed]) -> tuple[Printed, bool]:
    """The contents printed with the page of each entry, `before` pages coming before them. Their
    own length moves every number, so they are printed until the length they were numbered for is
    the length they print to (once, nearly always); False if that never settled."""
    starts = list(accumulate((chapter.pages for chapter in chapters), initial=0))[:-1]  # each one's first
    pages = pool.print_one(units.contents(book, {name: _PLACEHOLDER for chapter in chapters
                                                  for name in chapter.anchors})).pages
    for _ in range(_TRIES):
        numbers = {name: before + pages + first + page + 1
                   for chapter, first in zip(chapters, starts, strict=True)
                   for name, page in chapter.anchors.items()}
        printed = pool.print_one(units.contents(book, numbers))
        if printed.pages == pages:
            return printed, True
        pages = printed.pages
    return printed, False
