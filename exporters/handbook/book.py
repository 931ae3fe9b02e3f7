"""The handbook as one HTML document, the input WeasyPrint prints (and the golden files hold).

Cover, contents, then one chapter per note (`chapters`). This module holds the document and
its front matter; what a note becomes in print is the chapters' business.
"""

from __future__ import annotations

import datetime
import re
import time
from dataclasses import dataclass, field, replace
from functools import partial
from html import escape
from string import Template

from qadeck import depends
from qadeck.cache import Store
from qadeck.context import BuildContext
from qadeck.exporters.handbook.article import Article
from qadeck.exporters.handbook.chapters import WRITING_LINES, Chapters, element_id
from qadeck.exporters.handbook.contents import Contents, Entry
from qadeck.exporters.handbook.fonts import Coverage
from qadeck.exporters.handbook.options import PdfOptions
from qadeck.exporters.handbook.prerender import prerender
from qadeck.exporters.handbook.problems import ProblemsPart
from qadeck.isolate import isolated
from qadeck.math import MathEngine
from qadeck.model import Collection, Diagnostic, Note, Question
from qadeck.strings import Strings, fill, strings_for

__all__ = ["WRITING_LINES", "Book", "build", "build_date", "element_id", "template"]


@dataclass
class Book:
    """The handbook's HTML, kept in pieces so that it can also be printed in parts: the front
    matter (cover and contents) and each article as documents of their own (`documents`)."""

    head: str  # from the doctype to the opening of <body>, with the book's metadata
    cover: str
    toc: Contents
    articles: list[Article]  # each note's chapter, then the pieces of the coding problems' part
    tail: str = "\n</body>\n</html>\n"
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: int = 0
    questions: int = 0
    chapter_head: str = ""  # the same without the book's metadata: a chapter printed on its own
    strings: Strings = field(default_factory=lambda: strings_for("zh"))  # the labels' language
    # the head of the documents whose page boxes show words (the contents, the page numbers)
    labelled_head: str = ""

    @property
    def html(self) -> str:
        """The whole book as one document."""
        return self.document(self.cover + "\n" + self.toc.html(), [article.html for article in self.articles])

    def document(self, front: str, articles: list[str], head: str = "", main: bool = True) -> str:
        """A document with the book's head (or `head`): `front` matter, then `articles` in <main>."""
        parts = [head or self.head, front] if front else [head or self.head]
        if main:
            parts.append("<main>\n" + "\n".join(articles) + "\n</main>")
        return "\n".join(parts) + self.tail


def build(collection: Collection, options: PdfOptions, context: BuildContext, engine: MathEngine,
          coverage: Coverage | None = None, font_faces: str = "", workers: int = 1) -> Book:
    """The handbook's HTML for `collection`; `coverage` enables the missing-glyph check,
    `font_faces` are `@font-face` rules for the document's head; `workers` processes may render
    the coding problems ahead (`prerender`)."""
    collection, chapters, articles, failures = _chapters(collection, options, context, engine, coverage)
    kept = Store(context.cache, "pdf-problems")
    part = ProblemsPart(collection, chapters, options, kept)
    prerender(part, engine, workers)
    articles += part.articles()
    kept.prune()
    notes = chapters.notes
    questions = [q for n in notes for q in n.questions]
    strings = strings_for(collection.language)
    date = build_date(collection, context.epoch, strings)
    keywords = sorted({t for n in notes for t in n.meta.tags}
                      | {k.text for n in notes for k in n.keywords})[:40]
    edition = "questions" if options.questions_only else "full"
    page = _head(font_faces, edition, strings, title=collection.title, author=context.author,
                 keywords=", ".join(keywords), created=date[1] if date else "",
                 generator=f"qadeck {context.version}")
    shown = date[0] if date else ""
    cover = _cover(collection.title, context, options.questions_only, notes, questions, shown,
                   len(chapters.problems), strings)
    return Book(page, cover, _toc(chapters, strings, part.toc()), articles,
                diagnostics=chapters.diagnostics + failures, notes=len(notes), questions=len(questions),
                chapter_head=_head(font_faces, edition, strings), strings=strings,
                labelled_head=_head(font_faces + "\n" + fill(_PAGE_LABELS, strings), edition, strings))


def _chapters(collection: Collection, options: PdfOptions, context: BuildContext, engine: MathEngine,
              coverage: Coverage | None) -> tuple[Collection, Chapters, list[Article], list[Diagnostic]]:
    """Every note's chapter. A note qadeck fails on is left out, and the chapters are written
    again without it, so that no link or line of the contents points to a chapter the book lacks.
    Returns the collection without such notes, the chapters' writer, the chapters and the notes'
    errors."""
    failures: list[Diagnostic] = []
    store = Store(context.cache, "pdf-html")
    while True:
        chapters = Chapters(collection, options, context.notes, engine, coverage)
        units = depends.Units(store, chapters.setup, chapters.policy.landing)
        failed: list[Diagnostic] = []
        articles = [_chapter(chapters, number, note, units, failed)
                    for number, note in enumerate(chapters.notes, 1)]
        if not failed:
            store.prune()
            return collection, chapters, [a for a in articles if a is not None], failures
        failures.extend(failed)
        left_out = {d.path for d in failed}
        collection = replace(collection, notes=tuple(n for n in collection.notes if n.path not in left_out))


@dataclass
class _CachedChapter:
    article: Article
    diagnostics: list[Diagnostic]


def _chapter(chapters: Chapters, number: int, note: Note, units: depends.Units,
             failed: list[Diagnostic]) -> Article | None:
    """A note's chapter with its diagnostics, kept in the build cache with what it read."""
    entry = units.entry((number, note))
    cached = units.get(entry, _CachedChapter)
    if cached is not None:
        for diagnostic in cached.diagnostics:
            chapters.report(diagnostic)
        return cached.article
    mark = len(chapters.diagnostics)
    with depends.recording() as records:
        article = isolated(note.path, partial(chapters.chapter, number, note), failed, "the PDF")
    if article is not None:
        units.put(entry, records.records(), _CachedChapter(article, chapters.diagnostics[mark:]))
    return article


# The words in the page boxes of the contents and the page numbers' documents: in their own
# documents' heads, not in handbook.css, so that they follow the notes' language. Each page
# number is written out (`documents.stamps`): a document of numbers starts at any page.
_PAGE_LABELS = ('.stamp { string-set: page-of attr(data-page); } '
                '@page stamp { @bottom-center { content: string(page-of); } }\n'
                '@page toc { @top-left { content: {{css:contents}}; } }')


def _head(fonts: str, edition: str, strings: Strings, **meta: str) -> str:
    """The document up to <body>; a metadata tag with nothing to say is left out (WeasyPrint
    would write it empty)."""
    values = dict.fromkeys(("title", "author", "keywords", "created", "generator"), "")
    values.update(meta)
    page = template().substitute({k: escape(v) for k, v in values.items()}, edition=edition,
                                 fonts=fonts, lang=strings("html_lang")).rstrip("\n")
    for name, tag in (("created", "dcterms.created"), ("author", "author"), ("keywords", "keywords"),
                      ("generator", "generator")):
        if not values[name]:
            page = page.replace(f'<meta name="{tag}" content="">\n', "")
    return page


def template() -> Template:
    """The document's head; the body is written here."""
    return Template(depends.style_text("handbook.html"))


def build_date(collection: Collection, epoch: int | None,
               strings: Strings | None = None) -> tuple[str, str] | None:
    """(display date, W3C timestamp): SOURCE_DATE_EPOCH (`epoch`), else the newest note date, else None."""
    strings = strings or strings_for(collection.language)
    if epoch is not None:
        stamp = time.gmtime(epoch)
        shown = strings("date", year=stamp.tm_year, month=stamp.tm_mon, day=stamp.tm_mday)
        return shown, time.strftime("%Y-%m-%dT%H:%M:%SZ", stamp)
    dates = sorted(d for d in (_note_date(n) for n in collection.notes) if d)
    if not dates:
        return None
    newest = dates[-1]
    year, month, day = (int(x) for x in newest[:10].split("-"))
    return strings("date", year=year, month=month, day=day), newest


def _note_date(note: Note) -> str | None:
    found = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?", note.meta.date or "")
    if not found:
        return None
    year, month, day, hour, minute, second = found.groups()
    try:  # the parser keeps a date YAML could not make (`2025-13-45`) as text: not one to print
        datetime.datetime(*(int(x or 0) for x in (year, month, day, hour, minute, second)))
    except ValueError:
        return None
    return f"{year}-{month}-{day}T{hour or '00'}:{minute or '00'}:{second or '00'}Z"


def _cover(title: str, context: BuildContext, questions_only: bool, notes: list[Note],
           questions: list[Question], date: str, problems: int, strings: Strings) -> str:
    open_count = sum(not q.answered for q in questions)
    kicker = strings("kicker_questions" if questions_only else "kicker")
    counts = [strings("count_notes", n=len(notes)), strings("count_questions", n=len(questions))]
    if problems:
        counts.append(strings("count_problems", n=problems))
    if open_count:
        counts.append(strings("count_open", n=open_count))
    parts = [f'<p class="kicker">{kicker}</p>', f'<h1 class="book-title">{escape(title)}</h1>']
    if context.subtitle:
        parts.append(f'<p class="subtitle">{escape(context.subtitle)}</p>')
    bottom = [f'<p class="counts">{" · ".join(counts)}</p>']
    if context.author:
        bottom.append(f'<p class="author">{escape(context.author)}</p>')
    if date:
        bottom.append(f'<p class="date">{date}</p>')
    return ('<section class="cover">\n<div class="cover-top">\n' + "\n".join(parts)
            + '\n</div>\n<div class="cover-bottom">\n' + "\n".join(bottom) + "\n</div>\n</section>")


def _toc(chapters: Chapters, strings: Strings, part: Entry | None = None) -> Contents:
    """Each chapter with its first-level sections, then the coding problems' `part`."""
    entries = []
    for number, note in enumerate(chapters.notes, 1):
        sections = tuple(Entry(chapters.section_id(note, s), escape(s.title), chapter=False)
                         for s in note.sections if len(s.path) == 1 and chapters.section_shown(note, s))
        entries.append(Entry(element_id("n", note.path), escape(note.title), strings("chapter_no", n=number),
                             sections))
    if part is not None:
        entries.append(part)
    return Contents(strings("contents"), tuple(entries))


