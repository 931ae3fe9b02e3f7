"""Print one HTML document of the handbook to PDF with WeasyPrint, the same way in every process.

A `PrintJob` is everything a process needs besides the HTML (plain paths and strings, so it
can be sent to a worker process); `print_pdf` returns the PDF with what the exporter reports
from it: WeasyPrint's log and the URLs the fetcher refused. Two optional hooks serve a book
printed in parts (`parts`): `numbering` is told the page count and the page of each
element id once the document is paginated, and answers with the number of pages before it and
the book's total; `known` names anchors of the other parts that links may point to.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qadeck.errors import MissingDependency

# (page count, element id -> 0-based page) -> (pages before this document, pages in the book)
Numbering = Callable[[int, dict[str, int]], tuple[int, int]]


@dataclass(frozen=True)
class PrintJob:
    root: Path  # the notes folder: base URL of the document, readable
    styles: Path  # the stylesheets folder: readable
    files: tuple[Path, ...]  # other readable files (the math font, a --font)
    sheets: tuple[str, ...]  # stylesheet texts, applied in this order


@dataclass
class Printed:
    pdf: bytes
    pages: int
    messages: list[str] = field(default_factory=list)  # WeasyPrint's warnings and errors
    refused: list[tuple[str, str]] = field(default_factory=list)  # (url, why)


def weasyprint_module() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango or HarfBuzz missing from the system
        raise MissingDependency(f"WeasyPrint cannot start ({exc}); install Pango (Debian/Ubuntu: "
                                "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0)") from None
    return weasyprint


def print_pdf(job: PrintJob, html: str, numbering: Numbering | None = None,
              known: frozenset[str] = frozenset(), pages_only: bool = False) -> Printed:
    """`html` printed; with `pages_only`, only laid out (no PDF: drawing and font subsetting
    are most of a short document's cost) to count its pages."""
    weasyprint = weasyprint_module()
    from qadeck.exporters.handbook.fetch import SafeFetcher
    from qadeck.exporters.handbook.weasy import lean_html_class, reused_svg_drawings

    fetcher = SafeFetcher([job.root, job.styles], list(job.files))
    sheets = [weasyprint.CSS(string=text, base_url=job.styles.as_uri() + "/", url_fetcher=fetcher)
              for text in job.sheets]
    with captured() as records, reused_svg_drawings(), numbered_pages(numbering), links_across(known):
        document = lean_html_class(weasyprint)(string=html, base_url=job.root.as_uri() + "/",
                                               url_fetcher=fetcher)
        rendering = document.render(stylesheets=sheets)
        pdf = b"" if pages_only else rendering.write_pdf(pdf_identifier=True, uncompressed_pdf=False)
    return Printed(pdf, len(rendering.pages), [r.getMessage() for r in records],
                   list(fetcher.refused))


@contextmanager
def captured() -> Iterator[list[logging.LogRecord]]:
    """WeasyPrint's warnings and errors during one print, instead of on stderr."""
    records: list[logging.LogRecord] = []

    class Handler(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger("weasyprint")
    handler = Handler(logging.WARNING)
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


def parts_supported() -> bool:
    """Whether this WeasyPrint has the two places the hooks below attach to."""
    try:
        from weasyprint import layout
        from weasyprint import pdf as wp_pdf
    except (ImportError, OSError):
        return False
    return callable(getattr(layout, "make_margin_boxes", None)) and callable(
        getattr(wp_pdf, "resolve_links", None))


@contextmanager
def numbered_pages(numbering: Numbering | None) -> Iterator[None]:
    """Page numbers that continue the parts before this one, and the whole book's total.

    WeasyPrint paginates the whole document first and makes the margin boxes (where
    `counter(page)` and `counter(pages)` are printed) only afterwards, from the counters it
    kept for each page. So before the first margin box the page count is known and the
    counters can still be moved: that is the moment `numbering` is asked. The anchors of each
    page are in WeasyPrint's page maker too (it tracks them for `target-counter()`)."""
    if numbering is None:
        yield
        return
    from weasyprint import layout

    original = layout.make_margin_boxes
    asked: list[bool] = []

    def make_margin_boxes(context: Any, page: Any, state: Any) -> Any:
        if not asked:
            asked.append(True)
            count = len(context.page_maker) - 1
            offset, total = numbering(count, _anchors(context.page_maker[:count]))
            _shift_counters(context.page_maker, offset, total)
        return original(context, page, state)

    layout.make_margin_boxes = make_margin_boxes
    try:
        yield
    finally:
        layout.make_margin_boxes = original


def _anchors(page_maker: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, entry in enumerate(page_maker):
        for name in entry[-1]["anchors"]:  # remake_state: the anchors first seen on this page
            found.setdefault(name, index)
    return found


def _shift_counters(page_maker: list[Any], offset: int, total: int) -> None:
    seen: set[int] = set()
    for entry in page_maker:
        counters = entry[3][1]  # (resume_at, next_page, right_page, page_state, remake_state)
        if id(counters) in seen:
            continue
        seen.add(id(counters))
        if "page" in counters:
            counters["page"] = [value + offset for value in counters["page"]]
        counters["pages"] = [total]


@contextmanager
def links_across(known: frozenset[str]) -> Iterator[None]:
    """Keep links to anchors that are in other parts of the book (`known`): WeasyPrint drops a
    link whose anchor is not in the document; here it stays a link to the named destination,
    which the joined PDF defines."""
    if not known:
        yield
        return
    from weasyprint import pdf as wp_pdf

    original = wp_pdf.resolve_links

    def resolve_links(pages: list[Any]) -> Iterator[Any]:
        local = {name for page in pages for name in page.anchors}
        held = []
        for page in pages:
            foreign = [link for link in page.links
                       if link[0] == "internal" and link[1] in known and link[1] not in local]
            if foreign:
                page.links = [link for link in page.links if not any(link is f for f in foreign)]
            held.append(foreign)
        for (links, anchors), foreign in zip(original(pages), held, strict=True):
            yield links + foreign, anchors

    wp_pdf.resolve_links = resolve_links
    try:
        yield
    finally:
        wp_pdf.resolve_links = original
