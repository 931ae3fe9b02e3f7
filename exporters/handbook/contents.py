"""The contents: a value (`Contents`, its entries each with the element id it links to) written
as HTML for the whole book, or with the page of each entry written in. Printed apart from the
chapters (where `target-counter()` cannot see them), and since their own length moves every
number, printed again until the length they were numbered for is the length they print to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import accumulate
from typing import TYPE_CHECKING

from qadeck import codes
from qadeck.exporters.handbook import documents
from qadeck.exporters.handbook.article import DEST_SCHEME
from qadeck.model import Diagnostic

if TYPE_CHECKING:
    from qadeck.exporters.handbook.book import Book
    from qadeck.exporters.handbook.documents import PrintDoc
    from qadeck.exporters.handbook.printpool import PrintPool
    from qadeck.exporters.handbook.weasyprint_adapter import Printed

_PLACEHOLDER = 888  # a page number as wide as most, for the contents' first draft
_TRIES = 4
UNSETTLED = Diagnostic("", 0, "warning", codes.PDF_CONTENTS,
                       "the contents' length changed each time their page numbers were written in; "
                       "their numbers may be one page off")


@dataclass(frozen=True)
class Entry:
    """A line of the contents: a chapter's (its `number` and `sections` under it) or a section's."""

    target: str  # the element id it links to
    label: str  # its HTML
    number: str = ""  # a chapter's number ("第 1 章", "附录")
    sections: tuple[Entry, ...] = ()
    chapter: bool = True

    def html(self, pages: Mapping[str, int] | None) -> str:
        if pages is None:
            link = f'<a href="#{self.target}">'
        elif self.target in pages:  # an element of another document: a named destination
            link = f'<a href="{DEST_SCHEME}{self.target}" data-page="{pages[self.target]}">'
        else:
            link = f'<a href="#{self.target}" data-page="">'
        if not self.chapter:
            return f'<li class="toc-section">{link}{self.label}</a></li>'
        inner = "".join(section.html(pages) for section in self.sections)
        sub = f"<ul>{inner}</ul>" if inner else ""
        number = f'<span class="toc-no">{self.number}</span>'
        return f'<li class="toc-note">{link}{number}{self.label}</a>{sub}</li>'


@dataclass(frozen=True)
class Contents:
    title: str
    entries: tuple[Entry, ...]

    def html(self, pages: Mapping[str, int] | None = None) -> str:
        """The contents in the whole book's document (numbered there by `target-counter()`), or
        printed alone with `pages` (element id → page number) written in (`toc-fixed`)."""
        nav = '<nav class="toc">' if pages is None else '<nav class="toc toc-fixed">'
        return (f'{nav}\n<h1 class="toc-title">{self.title}</h1>\n<ul>\n'
                + "\n".join(entry.html(pages) for entry in self.entries) + "\n</ul>\n</nav>")


def contents_draft(book: Book, names: Iterable[str]) -> PrintDoc:
    """The contents with a number as wide as most for each entry whose id is among `names` (the ids
    the chapters show): as long as the numbered contents, nearly always."""
    return documents.contents(book, dict.fromkeys(names, _PLACEHOLDER))


def numbered_contents(pool: PrintPool, book: Book, before: int, chapters: list[Printed],
                      drafted: tuple[PrintDoc, Printed] | None = None) -> tuple[Printed, list[Printed], bool]:
    """The contents printed with the page of each entry, `before` pages coming before them, and the
    strip of page numbers for the whole book. Their own length moves every number, so they are
    printed until the length they were numbered for is the length they print to (once, nearly
    always); False if that never settled. A draft printed beforehand (`drafted`: for ids the chapters
    were expected to show) serves as the first pass if the chapters showed them. The strip of numbers
    (its documents) is printed beside the last pass, for the length that pass was numbered for."""
    starts = list(accumulate((chapter.pages for chapter in chapters), initial=0))[:-1]  # each one's first
    draft = contents_draft(book, (name for chapter in chapters for name in chapter.anchors))
    if drafted is not None and drafted[0].html == draft.html:
        pages = drafted[1].pages
    else:
        pages = pool.print_one(draft).pages
    body = sum(chapter.pages for chapter in chapters)
    for _ in range(_TRIES):
        numbers = {name: before + pages + first + page + 1
                   for chapter, first in zip(chapters, starts, strict=True)
                   for name, page in chapter.anchors.items()}
        printed, *stamps = pool.print_all([documents.contents(book, numbers),
                                           *documents.stamps(book, before + pages + body)])
        if printed.pages == pages:
            return printed, stamps, True
        pages = printed.pages
    return printed, pool.print_all(documents.stamps(book, before + pages + body)), False
