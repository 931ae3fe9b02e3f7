"""How qadeck calls WeasyPrint: one HTML document of the handbook printed to PDF, the same way in
every process.

A `PrintJob` is everything a process needs besides the HTML (plain paths and strings, so it
can be sent to a worker process); `print_pdf` returns the PDF with what the exporter reports
from it: WeasyPrint's log, the URLs the fetcher refused, which of `weasyprint_patches`' changes
fired, and the page of every element id (what the contents and the joined book's links need).
"""

from __future__ import annotations

import atexit
import logging
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qadeck import depends
from qadeck.cache import stat_of
from qadeck.epoch import fixed_font_clock
from qadeck.errors import MissingDependency


@dataclass(frozen=True)
class PrintJob:
    root: Path  # the notes folder: base URL of the document, readable
    styles: Path  # the stylesheets folder: readable
    files: tuple[Path, ...]  # other readable files (the math font, a --font)
    sheets: tuple[str, ...]  # stylesheet texts, applied in this order
    subset_at_join: bool = True  # fonts as stand-ins the join subsets (`fontjoin`)


@dataclass
class Printed:
    pdf: bytes
    pages: int
    messages: list[str] = field(default_factory=list)  # WeasyPrint's warnings and errors
    refused: list[tuple[str, str]] = field(default_factory=list)  # (url, why)
    fired: dict[str, int] = field(default_factory=dict)  # `weasyprint_patches` change -> times it ran
    anchors: dict[str, int] = field(default_factory=dict)  # element id -> 0-based page
    read: tuple[Any, ...] = ()  # what the print read (`qadeck.depends` records: images, fonts)


def weasyprint_module() -> Any:
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango or HarfBuzz missing from the system
        raise MissingDependency(f"WeasyPrint cannot start ({exc}); install Pango (Debian/Ubuntu: "
                                "sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0)") from None
    return weasyprint


def print_pdf(job: PrintJob, html: str) -> Printed:
    """`html` printed to PDF."""
    weasyprint = weasyprint_module()
    from qadeck.exporters.handbook.fetch import SafeFetcher
    from qadeck.exporters.handbook.weasyprint_patches import hooked

    fetcher = SafeFetcher([job.root, job.styles], list(job.files))
    with depends.recording() as read:  # the files it fetches and the printer's releases
        depends.versions("weasyprint", "pydyf", "tinycss2", "cssselect2", "fonttools")
        sheets = _stylesheets(weasyprint, job, fetcher)
        with (captured() as records, hooked(weasyprint, job.subset_at_join) as hooks,
              fixed_font_clock()):
            document = hooks.html(string=html, base_url=job.root.as_uri() + "/", url_fetcher=fetcher)
            rendering = document.render(stylesheets=sheets, font_config=_font_config(job.files))
            anchors: dict[str, int] = {}
            for index, page in enumerate(rendering.pages):
                for name in page.anchors:
                    anchors.setdefault(name, index)
            pdf = rendering.write_pdf(pdf_identifier=True, uncompressed_pdf=False)
    return Printed(pdf, len(rendering.pages), [r.getMessage() for r in records],
                   list(fetcher.refused), dict(hooks.fired), anchors, read.records())


_PARSED: dict[tuple[Path, tuple[str, ...]], list[Any]] = {}  # this process's parsed stylesheets
_FONT_CONFIGS: dict[tuple[Any, ...], Any] = {}  # (temporary folder, font files) -> FontConfiguration


def forget() -> None:
    """Let go of what this process keeps from one document to the next (fonts, font files, emoji
    images): for a process that waits idle between builds."""
    from qadeck.exporters.handbook.weasyprint_speedups import forget_files

    _FONT_CONFIGS.clear()
    forget_files()


def _inherited_fonts() -> None:
    """In a forked child: the parent's FontConfiguration is the parent's. Dropping it here would
    remove its folder of `@font-face` files from under the parent (its `__del__`)."""
    for config in _FONT_CONFIGS.values():
        config._folder = None
    _FONT_CONFIGS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_inherited_fonts)
# Let go of the fonts while the libraries they hold are still loaded: at the interpreter's teardown
# their finalizers fail or crash.
atexit.register(_FONT_CONFIGS.clear)


def _font_config(files: tuple[Path, ...] = ()) -> Any:
    """The fonts WeasyPrint knows, one set for all the documents a process prints in one build (it
    makes one for each document otherwise: Fontconfig's setup read again, and every font loaded
    and measured anew). A build's own, since `@font-face` files are written to the build's
    temporary folder, which goes when the build ends; and new when a font file it may read
    (`files`: the math font, a `--font`) changed."""
    from weasyprint.text.fonts import FontConfiguration

    key = (tempfile.gettempdir(), *((str(path), stat_of(path)) for path in files))
    if key not in _FONT_CONFIGS:
        _FONT_CONFIGS.clear()
        _FONT_CONFIGS[key] = FontConfiguration()
    return _FONT_CONFIGS[key]


def _stylesheets(weasyprint: Any, job: PrintJob, fetcher: Any) -> list[Any]:
    """The job's stylesheets, parsed once a process (~0.05 s a document otherwise): a parsed
    sheet is read, never changed, by the documents it styles, and what it fetches (images in
    `url()`) is fetched when a document is laid out, through that document's fetcher."""
    key = (job.styles, job.sheets)
    if key not in _PARSED:
        _PARSED.clear()  # one book's sheets at a time
        _PARSED[key] = [weasyprint.CSS(string=text, base_url=job.styles.as_uri() + "/", url_fetcher=fetcher)
                        for text in job.sheets]
    return _PARSED[key]


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
