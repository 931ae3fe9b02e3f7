"""The printable PDF handbook: the notes as a Chinese book, printed by WeasyPrint.

Steps: check that a CJK font exists, build the HTML (`book`), cut it into documents printed one
by one (`units`: each chapter, the cover, the contents, the page numbers) with a URL fetcher that
reads nothing outside the notes and the stylesheets (`fetch`), each from the build cache when its
inputs did not change (`press`), join them (`join`), turn WeasyPrint's log into diagnostics, and
write the PDF atomically. A character no font has costs that character only: the chapters print it
as its code point (`chapters`, from the fonts' coverage), and a `.notdef` glyph in the log (a font
that claims what it cannot draw) is a warning at the note that holds it.
"""

from __future__ import annotations

import re
import sys
from contextlib import ExitStack
from importlib.resources import as_file, files
from itertools import accumulate
from pathlib import Path
from typing import TYPE_CHECKING

from qadeck import codes
from qadeck.atomic import write_bytes
from qadeck.context import BuildContext
from qadeck.exporters.handbook.options import PdfOptions
from qadeck.exporters.handbook.printing import weasyprint_module
from qadeck.math import MATH_FAMILY, MAX_FORMULA, math_font_file
from qadeck.model import Collection, Diagnostic
from qadeck.prepare import protect_math
from qadeck.render import line_of, pygments_css

if TYPE_CHECKING:
    from qadeck.exporters.handbook.book import Book
    from qadeck.exporters.handbook.fonts import FontSetup
    from qadeck.exporters.handbook.press import Press
    from qadeck.exporters.handbook.printing import Printed, PrintJob
    from qadeck.exporters.handbook.progress import Progress
    from qadeck.exporters.handbook.units import Unit

NAME = "pdf"
SUFFIX = ".pdf"
FONT_FAMILY = "qadeck-cjk"  # the @font-face name of a font given in config or with --font
CODE_STYLE = "friendly"  # light background, colours that survive a grey-scale printer
# Worker processes printing chapters when --jobs is not given: two, each holding one chapter's
# layout at a time (a chapter's PDF does not depend on which process printed it).
AUTO_JOBS = 2
_PLACEHOLDER = 888  # a page number as wide as most, for the contents' first draft
_TRIES = 4
_UNSETTLED = Diagnostic("", 0, "warning", "pdf.contents",
                        "the contents' length changed each time their page numbers were written in; "
                        "their numbers may be one page off")
_NOTDEF = re.compile(r'\.notdef glyph rendered for Unicode string unsupported by fonts: "(.*)" \(U\+')


def export(collection: Collection, out_path: Path, options: PdfOptions,
           context: BuildContext) -> list[Diagnostic]:
    pdf, diagnostics = render(collection, options, context)
    write_bytes(out_path, pdf)
    return diagnostics


def render(collection: Collection, options: PdfOptions,
           context: BuildContext) -> tuple[bytes, list[Diagnostic]]:
    """The PDF bytes and the diagnostics of the build.

    The chapters are printed first (each on its own, from the cache when unchanged), then the
    cover, then the contents from the chapters' page counts, then the page numbers for the whole
    book; `join` puts them together."""
    weasyprint_module()  # a missing Pango is one sentence before any work
    from qadeck.cache import Store
    from qadeck.exporters.handbook import fonts as handbook_fonts
    from qadeck.exporters.handbook import units
    from qadeck.exporters.handbook.join import join
    from qadeck.exporters.handbook.press import Press

    fonts = handbook_fonts.setup(options.font)
    book = _book(collection, options, context, fonts)
    chapters = units.chapters(book)
    store = Store(context.cache, "pdf")
    with ExitStack() as stack:
        styles = Path(stack.enter_context(as_file(files("qadeck.styles"))))
        progress = _progress(chapters)
        if progress is not None:
            stack.callback(progress.close)
        press = Press(print_job(collection.title, options, context, fonts, styles), store,
                      options.jobs or AUTO_JOBS, done=progress.done if progress is not None else None,
                      started=progress.started if progress is not None else None)
        printed = press.print_all(chapters)
        cover = press.print_one(units.cover(book))
        contents, settled = _contents(press, book, cover.pages, printed)
        total = cover.pages + contents.pages + sum(p.pages for p in printed)
        stamps = press.print_one(units.stamps(book, total))
    store.prune()
    documents = [cover, contents, *printed]
    notices = [] if settled else [_UNSETTLED]
    problems = Problems(book.diagnostics + notices, collection)
    problems.read_log([m for p in documents for m in p.messages],
                      [r for p in documents for r in p.refused])
    programs = Store(context.cache, "pdf-fonts")  # merged font programs (`fontmerge`)
    pdf = join([p.pdf for p in documents], stamps.pdf, numbered_from=cover.pages, fonts=programs,
               depths=[1, 1] + [unit.depth for unit in chapters])
    programs.prune()
    return pdf, problems.diagnostics


def _contents(press: Press, book: Book, before: int, chapters: list[Printed]) -> tuple[Printed, bool]:
    """The contents printed with the page of each entry, `before` pages coming before them. Their
    own length moves every number, so they are printed until the length they were numbered for is
    the length they print to (once, nearly always); False if that never settled."""
    from qadeck.exporters.handbook import units

    starts = list(accumulate((chapter.pages for chapter in chapters), initial=0))[:-1]  # each one's first
    pages = press.print_one(units.contents(book, {name: _PLACEHOLDER for chapter in chapters
                                                  for name in chapter.anchors})).pages
    for _ in range(_TRIES):
        numbers = {name: before + pages + first + page + 1
                   for chapter, first in zip(chapters, starts, strict=True)
                   for name, page in chapter.anchors.items()}
        printed = press.print_one(units.contents(book, numbers))
        if printed.pages == pages:
            return printed, True
        pages = printed.pages
    return printed, False


def print_job(title: str, options: PdfOptions, context: BuildContext, fonts: FontSetup,
              styles: Path) -> PrintJob:
    """What a process needs to print the book's HTML, `styles` being the stylesheets' folder."""
    from qadeck.exporters.handbook.printing import PrintJob

    readable = (math_font_file(),) + ((fonts.font_file,) if fonts.font_file else ())
    return PrintJob(context.notes.resolve(), styles, readable,
                    tuple(stylesheets(title, options, fonts.font_file)))


def _progress(units: list[Unit]) -> Progress | None:
    """A progress line on stderr, if a person is watching it."""
    from qadeck.exporters.handbook.progress import Progress, wanted

    return Progress(sys.stderr, units) if wanted(sys.stderr) else None


def _book(collection: Collection, options: PdfOptions, context: BuildContext, fonts: FontSetup) -> Book:
    from qadeck.exporters.handbook import book as handbook_html

    engine = math_engine(options, context)
    try:
        prefetch(engine, collection, options, context)
        book = handbook_html.build(collection, options, context, engine, fonts.coverage,
                                   font_faces=font_faces(fonts.font_file))
    finally:
        engine.close()
    book.diagnostics.extend(Diagnostic("", 0, "info", codes.CACHE_REMADE, said) for said in engine.notices())
    return book


def math_engine(options: PdfOptions, context: BuildContext):
    """The SVG math engine, caching formulas in the build's cache folder across builds."""
    from qadeck.math import SVGMath

    text_font = (options.font.resolve(), 0) if options.font else None
    return SVGMath(cache_dir=context.cache / "math", text_font=text_font,
                   text_family=FONT_FAMILY if options.font else None)


def prefetch(engine, collection: Collection, options: PdfOptions, context: BuildContext,
             workers: int = 2) -> None:
    """Typeset the formulas no cache holds in parallel processes before the single-threaded build."""
    formulas: dict[tuple[str, bool], None] = {}
    for note in collection.notes:
        for piece in note.pieces():
            found = protect_math(piece.markdown)[1]
            formulas.update(dict.fromkeys(f for f in found if len(f[0]) <= MAX_FORMULA))  # longer: refused
    todo = engine.missing(formulas)
    if len(todo) < 40 or workers < 2:
        return  # starting processes costs more than typesetting a few formulas here
    from qadeck.workers import process_map

    chunks = [todo[i::workers] for i in range(workers)]
    process_map(_typeset_chunk, [(options, context, chunk) for chunk in chunks], workers)


def _typeset_chunk(job) -> None:
    from qadeck.budget import Budget, OverBudget
    from qadeck.math import MathError

    options, context, chunk = job
    engine = math_engine(options, context)  # its own cache connection; the parent reads the results back
    budget = Budget()  # a formula that would take longer is left to the book, which bounds its note
    for latex, display in chunk:
        try:
            with budget.running(latex):
                engine.formula(latex, display)
        except (MathError, OverBudget):
            pass  # reported with its path:line when the book is built
    engine.close()




def stylesheets(title: str, options: PdfOptions, font_file: Path | None) -> list[str]:
    """The book's stylesheet, the code colours, and the paper size and font from the options."""
    css = files("qadeck.styles").joinpath("handbook.css").read_text(encoding="utf-8")
    extra = [f"@page {{ size: {options.paper}; @top-right {{ content: {css_string(title)}; }} }}"]
    if options.paper == "A5":
        extra.append("@page { margin: 16mm 15mm; } html { font-size: 9.5pt; } "
                     ".cover { height: 210mm; padding: 30mm 16mm 20mm; }")
    elif options.paper == "Letter":
        extra.append(".cover { height: 279.4mm; }")
    if font_file is not None:
        extra.append(f':root {{ --serif: "{FONT_FAMILY}", "Noto Serif CJK SC", serif; '
                     f'--sans: "{FONT_FAMILY}", "Noto Sans CJK SC", sans-serif; }}')
    return [css, pygments_css(CODE_STYLE, ".highlight"), "\n".join(extra)]


def css_string(text: str) -> str:
    """`text` as a quoted CSS string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\A ").replace("\r", "") + '"'


def font_faces(font_file: Path | None) -> str:
    """`@font-face` rules for the document itself: the SVG images of formulas only see fonts
    declared there, not in the extra stylesheets."""
    rules = [f'@font-face {{ font-family: "{MATH_FAMILY}"; src: url("{math_font_file().as_uri()}"); }}']
    if font_file is not None:
        rules.append(f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{font_file.as_uri()}"); }}')
    return "\n".join(rules)


class Problems:
    """WeasyPrint's log as diagnostics located in the notes, missing glyphs as warnings."""

    def __init__(self, diagnostics: list[Diagnostic], collection: Collection) -> None:
        self.diagnostics = list(diagnostics)
        self.collection = collection

    def read_log(self, messages: list[str], refused: list[tuple[str, str]]) -> None:
        missing: dict[str, None] = {}
        for message in messages:
            found = _NOTDEF.match(message)
            if found:
                missing[found.group(1)] = None
                continue
            self._from_log(message)
        for url, why in dict.fromkeys(refused):
            path, line = self.where(_display_url(url))
            self.diagnostics.append(Diagnostic(path, line, "warning", "pdf.url-refused",
                                               f"not read into the PDF: {_display_url(url)} ({why})"))
        for chars in missing:  # past the coverage check (a font that claims what it cannot draw)
            for char in dict.fromkeys(chars):
                path, line = self.where(char)
                self.diagnostics.append(Diagnostic(path, line, "warning", codes.GLYPH_MISSING, (
                    f"no installed font could draw {char!r} (U+{ord(char):04X}): the PDF shows a box for "
                    "it; install a font that has it or pass --font FILE")))

    def _from_log(self, message: str) -> None:
        first = message.splitlines()[0]
        if "not read into the PDF" in first or "URI uses disallowed" in first or "Refused" in first:
            return  # reported once from the fetcher's own list
        if first.startswith(("Failed to load", "Error ")) and ("only files inside" in message
                                                               or "outside the notes" in message):
            return
        url = re.search(r"(?:file|https?|data):[^\s:]*", first)
        path, line = self.where(_display_url(url.group(0))) if url else ("", 0)
        self.diagnostics.append(Diagnostic(path, line, "warning", "pdf.weasyprint", first))

    def where(self, needle: str) -> tuple[str, int]:
        """A note line holding `needle` (a path, URL or character), from the model's pieces."""
        if not needle:
            return "", 0
        for note in self.collection.notes:
            if needle in note.title:
                return note.path, 1
            for piece in note.pieces():
                if needle in piece.markdown:
                    return note.path, line_of(piece.markdown, piece.line, needle)
        return "", 0


def _display_url(url: str) -> str:
    """A file URL as the path written in the note would look (the last parts), else the URL."""
    if url.startswith("file:"):
        from urllib.parse import unquote

        return unquote(url.split("://", 1)[-1]).rsplit("/", 1)[-1]
    return url
