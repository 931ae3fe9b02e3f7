"""Print a long handbook in parts, in worker processes (two unless told), and join them.

WeasyPrint lays out and draws on one core: 1,000 questions (about 250 pages) take some 40
seconds. Chapters are independent of each other except for four things, handled here:

- Page numbers (第 N 页 / 共 M 页): each worker paginates its chapters, tells the parent its
  page count and waits; when every count is in, the parent sends each part the pages before it
  and the total, and only then are the margin boxes made (`printing.numbered_pages`).
- The contents' page numbers: the front matter (cover and contents) is printed by the first
  worker once with placeholder numbers before its part, to learn its length, and again at the
  end with the real numbers written in. If its length changed, the parts' numbers would be
  wrong, so the whole book is printed in one piece instead.
- Links from one part to another stay links to named destinations (`links_across`), which
  the joined PDF defines (`join`).
- Bookmarks and metadata: each part's outline is appended in order; the information and
  language come from the front matter.
"""

from __future__ import annotations

import multiprocessing
import re
import traceback
from multiprocessing.connection import Connection
from typing import Any

from qadeck.errors import ExportError
from qadeck.exporters.handbook.book import Book
from qadeck.exporters.handbook.join import join
from qadeck.exporters.handbook.printing import Printed, PrintJob, print_pdf

MIN_QUESTIONS = 200  # below this, starting processes costs more than it saves
# Workers when --jobs is not given: two, whatever the machine, so that the same notes give the
# same bytes everywhere (the parts' fonts and objects differ from a book printed in one piece).
# Each worker holds its pages' layout and its own copy of the fonts (measured at 1,000
# questions: 2 workers 0.99 GB for all processes, 3: 1.16 GB, 4: 1.37 GB), so two stay under
# 1 GB; `--jobs N` trades memory for speed on more cores.
AUTO_JOBS = 2
# The first worker's extra work, in characters of chapter HTML: laying out the draft contents and
# printing the real ones (a print's font subsetting is most of it). Measured at 1,000 questions:
# about 4 s, where a 512,000-character part took 27 s.
FRONT_COST = 50_000
_PLACEHOLDER = 888  # a page number as wide as most
_DATA_URI = re.compile(r'src="data:[^"]*"')
_ID = re.compile(r'(?<![\w-])id="([^"]+)"')


class PartFailed(ExportError):
    """A worker could not print its part: one sentence for the user (`traceback` has the rest)."""

    def __init__(self, reason: str, traceback: str = "") -> None:
        super().__init__(f"a worker printing part of the handbook failed: {reason}; "
                         "`--jobs 1` prints it in one process")
        self.traceback = traceback


class _Stop(Exception):
    """The parent gave up on this worker's part."""


def part_count(questions: int, chapters: int, jobs: int) -> int:
    """How many parts to print a book in: one unless it is long, has chapters to share out,
    and more than one process may run."""
    workers = jobs if jobs > 0 else AUTO_JOBS
    if questions < MIN_QUESTIONS:
        return 1
    return max(1, min(workers, chapters))


def groups(chapters: list[str], count: int, lead: int = 0) -> list[list[str]]:
    """`chapters` in at most `count` runs of about equal work (text length, formulas' data left
    out), in order; the first run carries `lead` more work of another kind (the front matter)."""
    weights = [len(_DATA_URI.sub("", chapter)) for chapter in chapters]
    total = (sum(weights) + lead) or 1
    runs: list[list[str]] = [[] for _ in range(count)]
    done = lead
    for index, (chapter, weight) in enumerate(zip(chapters, weights, strict=True)):
        run = 0 if index == 0 else min(count - 1, int((done + weight / 2) * count / total))
        run = max(run, count - (len(chapters) - index))  # leave a chapter for every later run
        runs[run].append(chapter)
        done += weight
    return [run for run in runs if run]


class PartPrinters:
    """Worker processes, started before the book's HTML is written so that they import
    WeasyPrint meanwhile; `print_book` gives each a run of chapters."""

    def __init__(self, count: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.workers: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
        for _ in range(count):
            ours, theirs = context.Pipe()
            process = context.Process(target=_work, args=(theirs,), daemon=True)
            process.start()
            theirs.close()
            self.workers.append((process, ours))

    def __enter__(self) -> PartPrinters:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.close(failed=kind is not None)

    def close(self, failed: bool = False) -> None:
        """Let idle workers go; after a failure, stop the busy ones too without waiting."""
        for process, conn in self.workers:
            try:
                conn.send(None)  # a worker waiting for work or for its numbering stops
            except OSError:
                pass
            conn.close()
            if failed:
                process.terminate()
        for process, _ in self.workers:
            process.join(timeout=0 if failed else 10)
            if process.is_alive():
                process.terminate()
                process.join()
        self.workers = []

    def print_book(self, book: Book, job: PrintJob) -> Printed:
        """The whole book's PDF. The first worker also prints the front matter, before its part
        with placeholder numbers and after it with the real ones, so that this process never
        holds a WeasyPrint document beside the workers' (memory)."""
        known = frozenset(name for chapter in book.chapters for name in _ID.findall(chapter))
        draft = _front(book, dict.fromkeys(known, _PLACEHOLDER))
        runs = groups(book.chapters, len(self.workers), lead=FRONT_COST + 2 * len(draft))
        if not runs:  # no chapter: nothing to share out
            return print_pdf(job, book.html)
        busy = [conn for (_, conn), _run in zip(self.workers, runs, strict=False)]
        for index, (conn, run) in enumerate(zip(busy, runs, strict=True)):
            _send(conn, (job, book.document("", run), known, draft if index == 0 else None))
        paginated = [_receive(conn, "paginated") for conn in busy]
        front_pages = paginated[0][2]
        total = front_pages + sum(pages for pages, _, _ in paginated)
        numbers: dict[str, int] = {}
        start = front_pages
        for conn, (pages, anchors, _) in zip(busy, paginated, strict=True):
            _send(conn, (start, total))
            numbers.update((name, start + index + 1) for name, index in anchors.items())
            start += pages
        _send(busy[0], (_front(book, numbers), total))
        parts = [_receive(conn, "printed") for conn in busy]
        front = _receive(busy[0], "front")
        if front.pages != front_pages:  # the contents changed length: numbers would be off
            return print_pdf(job, book.html)
        printed = [front, *parts]
        return Printed(join([p.pdf for p in printed]), total, [m for p in printed for m in p.messages],
                       [r for p in printed for r in p.refused])


def _front(book: Book, pages: dict[str, int]) -> str:
    return book.document(book.cover + "\n" + book.toc_with_pages(pages), [])


def _send(conn: Connection, message: object) -> None:
    """Send to a worker; if it has gone, raise the failure it left in the pipe, if any."""
    try:
        conn.send(message)
    except OSError:
        _receive(conn, "failed")


def _receive(conn: Connection, kind: str) -> Any:
    try:
        message = conn.recv() if kind != "failed" or conn.poll() else None
    except (EOFError, OSError):
        message = None
    if message is None:
        raise PartFailed("it stopped unexpectedly") from None
    if message[0] == "failed":
        raise PartFailed(message[1].strip().splitlines()[-1], message[1])
    if message[0] != kind:
        raise PartFailed(f"it said {message[0]!r} where {kind!r} was expected")
    return message[1:] if len(message) > 2 else message[1]


def _work(conn: Connection) -> None:
    """A worker: take a part (and maybe the front matter's draft), paginate the part, report its
    pages and anchors, take its numbering, draw it and send the PDF back; then, if it had the
    draft, print the front matter with the numbers it is sent."""
    try:
        import weasyprint  # noqa: F401 - while the parent writes the HTML

        message = conn.recv()
        if message is None:
            return
        job, html, known, draft = message
        front_pages = print_pdf(job, draft, known=known, pages_only=True).pages if draft else None

        def numbering(pages: int, anchors: dict[str, int]) -> tuple[int, int]:
            conn.send(("paginated", pages, anchors, front_pages))
            answer = conn.recv()
            if answer is None:
                raise _Stop
            return answer

        printed = print_pdf(job, html, numbering=numbering, known=known)
        del html
        front = None
        if draft:
            # Read the front matter before sending anything big: the parent may be blocked
            # sending it (pipes hold ~64 KB), and waits for this part's PDF only afterwards.
            answer = conn.recv()
            if answer is None:
                return
            html, total = answer
            front = print_pdf(job, html, numbering=lambda _p, _a: (0, total), known=known)
        conn.send(("printed", printed))
        if front is not None:
            conn.send(("front", front))
    except (_Stop, EOFError, BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        return  # the parent stopped first: nobody to tell
    except BaseException:  # noqa: BLE001 - the parent reports it
        try:
            conn.send(("failed", traceback.format_exc()))
        except OSError:
            pass
    finally:
        conn.close()
