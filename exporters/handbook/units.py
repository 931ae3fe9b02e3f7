"""The handbook as documents printed one by one: the cover, the contents, each chapter (a note,
or the coding problems' part), and the strip of page numbers laid over the joined book.

A chapter's document holds nothing that depends on where it lands in the book: no page number
(stamped after the join, `stamps`), no metadata of the whole book (the cover's document carries
it), and a link to another chapter's element is written `qadeck-dest:<id>`, which WeasyPrint
keeps as a link and the join turns into a link to the named destination `<id>`. So a chapter
whose HTML did not change prints to the same bytes, and its cached PDF serves any later build.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from qadeck.exporters.handbook.book import Book

DEST_SCHEME = "qadeck-dest:"  # a link to another document's element id, resolved by the join
_ID = re.compile(r'(?<![\w-])id="([^"]+)"')
_LOCAL_HREF = re.compile(r'href="#([^"]+)"')
_DATA_URI = re.compile(r'src="data:[^"]*"')
_CHAPTER = re.compile(r'<article class="chapter[^"]*" id="([^"]+)">.*?<p class="chapter-no">([^<]*)</p>'
                      r'.*?data-bm="([^"]*)"', re.S)
# A unit that goes on with a part (`problems.ProblemsPart.units`): what it holds, and the outline
# level of its first bookmark (the join sets its bookmarks under the part's).
_CONTINUED = re.compile(r'<article class="part-cont[^"]*" id="([^"]+)" data-unit="([^"]*)" data-depth="(\d)"')


@dataclass(frozen=True)
class Unit:
    """One document to print: `name` is stable across builds (a chapter's element id), `title`
    what the progress line shows, `weight` its share of the printing work, `depth` the outline
    level of its first bookmarks (1: a chapter's; more: a unit going on with a part, whose
    bookmarks the join sets under the part's)."""

    name: str
    title: str
    html: str
    depth: int = 1

    @property
    def weight(self) -> int:
        return len(_DATA_URI.sub("", self.html))


def ids(text: str) -> list[str]:
    return _ID.findall(text)


def chapters(book: Book) -> list[Unit]:
    """Each chapter of `book` as a document of its own, in order."""
    known = frozenset(name for chapter in book.chapters for name in ids(chapter))
    units = []
    for index, chapter in enumerate(book.chapters):
        body = book.document("", [across(chapter, known)], head=book.unit_head)
        going_on = _CONTINUED.match(chapter)
        if going_on:
            name, title, depth = going_on.groups()
            units.append(Unit(name, html.unescape(title), body, int(depth)))
            continue
        found = _CHAPTER.search(chapter)
        name = found.group(1) if found else f"part-{index}"
        title = html.unescape(f"{found.group(2)} {found.group(3)}").strip() if found else name
        units.append(Unit(name, title, body))
    return units


def cover(book: Book) -> Unit:
    """The cover, in the document with the book's whole head: its metadata is the book's."""
    return Unit("cover", book.strings("cover"), book.document(book.cover, [], main=False))


def contents(book: Book, pages: dict[str, int]) -> Unit:
    """The contents with the page of each entry written in (`pages`: element id → page number)."""
    known = frozenset(pages)
    return Unit("toc", book.strings("contents"), book.document(across(book.toc_with_pages(pages), known), [],
                                                               head=book.labelled_head, main=False))


def across(text: str, known: frozenset[str]) -> str:
    """`text` with its links to ids it does not hold but another document does written as
    links to named destinations (WeasyPrint would drop them as broken)."""
    here = set(ids(text))

    def rewrite(found: re.Match[str]) -> str:
        name = found.group(1)
        if name in here or name not in known:
            return found.group(0)
        return f'href="{DEST_SCHEME}{name}"'

    return _LOCAL_HREF.sub(rewrite, text)


def stamps(book: Book, total: int) -> Unit:
    """`total` empty pages that carry only their numbers ("page N of M" in the notes' language), in
    the book's page size and margins: laid over the joined book's pages."""
    return Unit("stamps", book.strings("page_numbers"), book.document('<div class="stamp"></div>' * total, [],
                                                                      head=book.labelled_head, main=False))
