"""The printable PDF handbook: the notes as a Chinese book, printed by WeasyPrint.

Steps: check that a CJK font exists, typeset the formulas (`formulas`), build the HTML (`book`),
cut it into documents printed one by one (`documents`: each chapter, the cover, the contents, the page
numbers) with a URL fetcher that reads nothing outside the notes and the stylesheets (`fetch`,
`styles`), each from the build cache when its inputs did not change (`printpool`), number the contents
(`contents`), join them (`join`), turn WeasyPrint's log into diagnostics (`printlog`), and write
the PDF atomically. A character no font has costs that character only: the chapters print it as its
code point (`chapters`, from the fonts' coverage), and a `.notdef` glyph in the log (a font that
claims what it cannot draw) is a warning at the note that holds it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from importlib.resources import as_file, files
from pathlib import Path
from typing import TYPE_CHECKING

from qadeck import codes
from qadeck.atomic import write_bytes
from qadeck.context import BuildContext
from qadeck.exporters.handbook.formulas import math_engine, prefetch
from qadeck.exporters.handbook.options import PdfOptions
from qadeck.exporters.handbook.styles import font_faces, stylesheets
from qadeck.exporters.handbook.weasyprint_adapter import weasyprint_module
from qadeck.math import math_font_file
from qadeck.model import Collection, Diagnostic

if TYPE_CHECKING:
    from qadeck.exporters.handbook.book import Book
    from qadeck.exporters.handbook.documents import PrintDoc
    from qadeck.exporters.handbook.fonts import FontSetup
    from qadeck.exporters.handbook.printpool import KeptPrinters, Printers
    from qadeck.exporters.handbook.progress import Progress
    from qadeck.exporters.handbook.weasyprint_adapter import PrintJob

NAME = "pdf"
SUFFIX = ".pdf"
# Worker processes printing chapters when --jobs is not given: two, each holding one chapter's
# layout at a time (a chapter's PDF does not depend on which process printed it).
AUTO_JOBS = 2
_WARM: list[Printers] = []  # the printing processes `warm` gave the build now running
_SESSIONS: list[KeptPrinters] = []  # the printing processes the open `session`s keep, innermost last


@contextmanager
def session() -> Iterator[None]:
    """Keep the printing processes from one build to the next in this process until the session
    ends (`qadeck watch`, through `build.session`): started by the first build that prints (or
    ahead by `warm`), reused warm by every rebuild, replaced after a failure stopped them."""
    from qadeck.exporters.handbook.printpool import KeptPrinters

    kept = KeptPrinters()
    _SESSIONS.append(kept)
    try:
        yield
    finally:
        _SESSIONS.remove(kept)
        kept.close()


@contextmanager
def warm(options: PdfOptions) -> Iterator[None]:
    """Start a printing process now, before the build parses the notes: it imports WeasyPrint
    meanwhile (one core for each). The others start when they will have work (`render`,
    `PrintPool`); with `--jobs 1` it prints in this process and nothing is started. In a
    `session` the printers are the session's, kept when the build ends. Outside one, none is
    started ahead in a process that runs threads: spawned, it would import qadeck and WeasyPrint
    afresh for every build."""
    from qadeck.workers import fork_is_safe

    jobs = _jobs(options)
    if jobs == 1 or not (_SESSIONS or fork_is_safe()):
        yield
        return
    from qadeck.exporters.handbook.printpool import Printers

    with ExitStack() as stack:
        printers = _SESSIONS[-1].take(jobs) if _SESSIONS else stack.enter_context(Printers(1))
        _WARM.append(printers)
        try:
            yield
        finally:
            _WARM.remove(printers)


def _jobs(options: PdfOptions) -> int:
    return max(1, options.jobs or AUTO_JOBS)


def _nothing_printed_yet(context: BuildContext) -> bool:
    """No print in the build cache (a first or `--no-cache` build): every document will print.
    Otherwise the pool starts the other printers only when more than one document is to print."""
    try:
        return not any((context.cache / "pdf").iterdir())
    except OSError:
        return True


def export(collection: Collection, out_path: Path, options: PdfOptions,
           context: BuildContext) -> list[Diagnostic]:
    pdf, diagnostics = render(collection, options, context)
    write_bytes(out_path, pdf)
    return diagnostics


def render(collection: Collection, options: PdfOptions,
           context: BuildContext) -> tuple[bytes, list[Diagnostic]]:
    """The PDF bytes and the diagnostics of the build.

    The chapters are printed first (each on its own, from the cache when unchanged), with the
    cover and a draft of the contents (its length); then the contents from the chapters' page
    counts beside the page numbers for the whole book; `join` puts them together. With more than
    one job every document prints in worker processes (`warm`'s or a `session`'s, else started
    here, while the book is written), and this process never imports WeasyPrint."""
    from qadeck.exporters.handbook import fonts as handbook_fonts
    from qadeck.exporters.handbook.fontjoin import FontSourceMissing

    with ExitStack() as stack:
        printers = _printers(options, context, stack)
        if printers is None:
            weasyprint_module()  # a missing Pango is one sentence before any work
        fonts = handbook_fonts.setup(options.font)
        book = _book(collection, options, context, fonts)
        # The fonts are subset once at the join (`fontjoin`). A cached document printed with a font
        # file that has changed since is printed again; a font the join cannot find at all is subset
        # by WeasyPrint in each document, as it does by default.
        for subset_at_join, read in _ATTEMPTS:
            try:
                return _printed(collection, options, context, fonts, book, (subset_at_join, read), printers)
            except FontSourceMissing:
                if subset_at_join is False:
                    raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def _printers(options: PdfOptions, context: BuildContext, stack: ExitStack) -> Printers | None:
    """The build's printing processes: `warm`'s, else the session's, else started here (stopped
    by `stack`) when there is more than one job; None: print in this process."""
    from qadeck.exporters.handbook.printpool import Printers

    jobs = _jobs(options)
    printers = _WARM[-1] if _WARM else _SESSIONS[-1].take(jobs) if _SESSIONS and jobs > 1 else None
    if printers is None:
        return stack.enter_context(Printers(jobs)) if jobs > 1 else None
    if _nothing_printed_yet(context):
        printers.grow(jobs)  # every document prints: all warm once the book is written
    return printers


_ATTEMPTS = ((True, True), (True, False), (False, True))  # (subset at the join, read the cache)


def _printed(collection: Collection, options: PdfOptions, context: BuildContext, fonts: FontSetup, book: Book,
             attempt: tuple[bool, bool], printers: Printers | None) -> tuple[bytes, list[Diagnostic]]:
    from dataclasses import replace

    from qadeck.cache import Store
    from qadeck.exporters.handbook import documents
    from qadeck.exporters.handbook.contents import UNSETTLED, contents_draft, numbered_contents
    from qadeck.exporters.handbook.join import join
    from qadeck.exporters.handbook.printlog import PrintLog
    from qadeck.exporters.handbook.printpool import PrintPool

    subset_at_join, read = attempt
    articles = documents.articles(book)
    store = Store(context.cache, "pdf")
    with ExitStack() as stack:
        styles = Path(stack.enter_context(as_file(files("qadeck.styles"))))
        progress = _progress(articles)
        if progress is not None:
            stack.callback(progress.close)
        job = replace(print_job(collection.title, options, context, fonts, styles),
                      subset_at_join=subset_at_join)
        pool = PrintPool(job, store, _jobs(options), read=read, printers=printers,
                         done=progress.done if progress is not None else None,
                         started=progress.started if progress is not None else None)
        # The cover and the contents' draft depend on no page number: printed with the articles
        draft = contents_draft(book, [name for article in book.articles for name in article.facts.ids])
        *printed, cover, drafted = pool.print_all([*articles, documents.cover(book), draft])
        contents, stamps, settled = numbered_contents(pool, book, cover.pages, printed, (draft, drafted))
    pdfs = [cover, contents, *printed]
    notices = [] if settled else [UNSETTLED]
    log = PrintLog(book.diagnostics + notices, collection)
    log.read_log([m for p in pdfs for m in p.messages], [r for p in pdfs for r in p.refused])
    programs = Store(context.cache, "pdf-fonts")  # the fonts' subsets (`fontjoin`)
    pdf = join([p.pdf for p in pdfs], [p.pdf for p in stamps], numbered_from=cover.pages, fonts=programs,
               depths=[1, 1] + [doc.depth for doc in articles], font_files=job.files)
    store.prune()
    programs.prune()
    return pdf, log.diagnostics


def print_job(title: str, options: PdfOptions, context: BuildContext, fonts: FontSetup,
              styles: Path) -> PrintJob:
    """What a process needs to print the book's HTML, `styles` being the stylesheets' folder."""
    from qadeck.exporters.handbook.weasyprint_adapter import PrintJob

    readable = (math_font_file(),) + ((fonts.font_file,) if fonts.font_file else ())
    return PrintJob(context.notes.resolve(), styles, readable,
                    tuple(stylesheets(title, options, fonts.font_file)))


def _progress(docs: list[PrintDoc]) -> Progress | None:
    """A progress line on stderr, if a person is watching it."""
    from qadeck.exporters.handbook.progress import Progress, wanted

    return Progress(sys.stderr, docs) if wanted(sys.stderr) else None


def _book(collection: Collection, options: PdfOptions, context: BuildContext, fonts: FontSetup) -> Book:
    from qadeck.exporters.handbook import book as handbook_html

    engine = math_engine(options, context)
    try:
        prefetch(engine, collection, options, context)
        book = handbook_html.build(collection, options, context, engine, fonts.coverage,
                                   font_faces=font_faces(fonts.font_file), workers=_jobs(options))
    finally:
        engine.close()
    book.diagnostics.extend(Diagnostic("", 0, "info", codes.CACHE_REMADE, said) for said in engine.notices())
    return book
