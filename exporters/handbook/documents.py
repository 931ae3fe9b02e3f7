"""The handbook as documents printed one by one (`PrintDoc`): the cover, the contents, each
chapter (a note, or a piece of the coding problems' part) and the strip of page numbers laid over
the joined book.

A chapter's document holds nothing that depends on where it lands in the book: no page number
(stamped after the join, `stamps`), no metadata of the whole book (the cover's document carries
it), and a link to another chapter's element is written `qadeck-dest:<id>`, which WeasyPrint
keeps as a link and the join turns into a link to the named destination `<id>`. So a chapter
whose HTML did not change prints to the same bytes, and its cached PDF serves any later build.
Which links cross documents comes from the articles' facts (`article`), not from their HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from qadeck.exporters.handbook.article import DEST_SCHEME, Article

if TYPE_CHECKING:
    from collections.abc import Mapping

    from qadeck.exporters.handbook.book import Book

__all__ = ["DEST_SCHEME", "PrintDoc", "articles", "contents", "cover", "stamps"]


@dataclass(frozen=True)
class PrintDoc:
    """One document to print: `name` is stable across builds (a chapter's element id), `title`
    what the progress line shows, `depth` the outline level of its first bookmarks (see
    `Article`), `images` the note images it shows (their `src`), `weight` its share of the
    printing work (the heaviest are printed first)."""

    name: str
    title: str
    html: str
    depth: int = 1
    images: tuple[str, ...] = ()
    weight: int = 0


def articles(book: Book) -> list[PrintDoc]:
    """Each article of `book` (a chapter, a piece of a part) as a document of its own, in order."""
    known = frozenset(name for article in book.articles for name in article.facts.ids)
    return [PrintDoc(article.name, article.title,
                     book.document("", [across(article, known)], head=book.chapter_head),
                     article.depth, article.facts.images, article.facts.weight)
            for article in book.articles]


def cover(book: Book) -> PrintDoc:
    """The cover, in the document with the book's whole head: its metadata is the book's."""
    return PrintDoc("cover", book.strings("cover"), book.document(book.cover, [], main=False))


def contents(book: Book, pages: Mapping[str, int]) -> PrintDoc:
    """The contents with the page of each entry written in (`pages`: element id → page number)."""
    return PrintDoc("toc", book.strings("contents"),
                    book.document(book.toc.html(pages), [], head=book.labelled_head, main=False))


def across(article: Article, known: frozenset[str]) -> str:
    """The article's HTML with its links to ids it does not hold but another document does
    written as links to named destinations (WeasyPrint would drop them as broken)."""
    text = article.html
    for name in sorted((set(article.facts.links) - set(article.facts.ids)) & known):
        text = text.replace(f'href="#{name}"', f'href="{DEST_SCHEME}{name}"')
    return text


# Pages in a document of page numbers: the numbers of a long book print as several documents, on
# every printer at once (a stamp page costs WeasyPrint ~10 ms, its page and margin boxes' styles
# computed afresh for each page; a document ~0.1 s).
STAMP_PAGES = 64


def stamps(book: Book, total: int) -> list[PrintDoc]:
    """Pages 1 to `total`'s numbers ("page N of M" in the notes' language): empty pages in the book's
    page size and margins, each carrying its own number, laid over the joined book's pages; in
    documents of `STAMP_PAGES` pages."""
    return [_stamps(book, first, min(total, first + STAMP_PAGES - 1), total)
            for first in range(1, total + 1, STAMP_PAGES)]


def _stamps(book: Book, first: int, last: int, total: int) -> PrintDoc:
    labels = (escape(book.strings("page_of", page=page, pages=total)) for page in range(first, last + 1))
    pages = "".join(f'<div class="stamp" data-page="{label}"></div>' for label in labels)
    return PrintDoc(f"stamps-{first}", book.strings("page_numbers"),
                    book.document(pages, [], head=book.labelled_head, main=False))
