"""Print a long handbook in parts, in worker processes (two unless told), and join them.

WeasyPrint lays out and draws on one core: 1,000 questions (about 250 pages) take some 40
seconds. Chapters are independent of each other except for four things, handled here:

- Page numbers (第 N 页 / 共 M 页): each worker paginates its chapters, tells the parent its
  page count and waits; when every count is in, the parent sends each part the pages before it
  and the total, and only then are the margin boxes made (`weasy`, `page-numbers`).
- The contents' page numbers: the front matter (cover and contents) is printed by the first
  worker once with placeholder numbers before its part, to learn its length, and again at the
  end with the real numbers written in. If its length changed, the parts' numbers would be
  wrong, so the whole book is printed in one piece instead.
- Links from one part to another stay links to named destinations (`weasy`, `links-across`),
  which the joined PDF defines (`join`).
- Bookmarks and metadata: each part's outline is appended in order; the information and
  language come from the front matter.

If a change to WeasyPrint's internals that parts need does not fire (another WeasyPrint), the
book is printed in one piece (`Printed.unhooked` says why). The parent never waits for a worker
without a limit (`WAIT`), and it only sends to a worker that is waiting to read (big messages
would otherwise block both ends of the pipe).
"""

from __future__ import annotations

import multiprocessing
import re
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import Any

from qadeck.errors import ExportError
from qadeck.exporters.handbook.book import Book
from qadeck.exporters.handbook.join import join
from qadeck.exporters.handbook.printing import Printed, PrintJob, print_pdf
from qadeck.exporters.handbook.progress import Progress, chapter_titles
from qadeck.exporters.handbook.weasy import HookMissing, Report

# Below this many characters of the notes' Markdown (about 200 questions, 50 pages), starting
# processes costs more than it saves. Size, not questions: a long book of knowledge notes without
# a question is split too.
MIN_SIZE = 40_000
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
# The longest the parent waits for a word from a busy worker, in seconds. Workers report every
# page they lay out or draw (well under a second each), so only a hung worker is this silent.
# Generous all the same: without the progress hooks (another WeasyPrint) a worker says nothing
# while it lays out its whole part, and half of 1,000 questions took 27 s in all.
WAIT = 1200.0
# A worker waits longer for the parent (which builds the HTML meanwhile) and then gives up.
WORKER_WAIT = 2 * WAIT
# Spawned workers start a fresh interpreter: no copy of the parent's memory or its threads.
START = "spawn"
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


def plan(size: int, chapters: int, jobs: int) -> tuple[int, str]:
    """How many parts to print a book of `size` characters in, and why fewer than the `jobs`
    asked for (empty if honoured or not asked): one part unless the book is long, has chapters
    to share out, and more than one process may run."""
    workers = jobs if jobs > 0 else AUTO_JOBS
    if workers == 1:
        return 1, ""
    if size < MIN_SIZE:
        count, why = 1, f"the book is short ({size:,} characters of notes; parts start at {MIN_SIZE:,})"
    elif chapters < workers:
        count = max(1, chapters)
        why = f"the book has {chapters} chapter{'' if chapters == 1 else 's'} to share out"
    else:
        count, why = workers, ""
    return count, (why if jobs > count else "")


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
        context = multiprocessing.get_context(START)
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
        """Let idle workers go; after a failure, stop them all without waiting (nor sending:
        a busy worker may not read)."""
        for process, conn in self.workers:
            if failed:
                process.terminate()
            else:
                try:
                    conn.send(None)  # a worker waiting for work stops
                except OSError:
                    pass
            conn.close()
        for process, _ in self.workers:
            process.join(timeout=0 if failed else 10)
            if process.is_alive():
                process.terminate()
                process.join()
        self.workers = []

    def print_book(self, book: Book, job: PrintJob, progress: Progress | None = None) -> Printed:
        """The whole book's PDF, in parts if this WeasyPrint lets them be numbered and linked
        as one book, else in one piece (`Printed.unhooked` says why)."""
        try:
            return self._print_parts(book, job, progress)
        except HookMissing as missing:
            self.close(failed=True)  # their memory back before the whole book is printed here
            printed = print_pdf(job, book.html, report=_reporter(progress, 0, restart=True))
            printed.unhooked = str(missing)
            return printed

    def _print_parts(self, book: Book, job: PrintJob, progress: Progress | None) -> Printed:
        """The first worker also prints the front matter, before its part with placeholder
        numbers and after it with the real ones, so that this process never holds a WeasyPrint
        document beside the workers' (memory)."""
        known = frozenset(name for chapter in book.chapters for name in _ID.findall(chapter))
        draft = _front(book, dict.fromkeys(known, _PLACEHOLDER))
        runs = groups(book.chapters, len(self.workers), lead=FRONT_COST + 2 * len(draft))
        if not runs:  # no chapter: nothing to share out
            return print_pdf(job, book.html, report=_reporter(progress, 0))
        busy = [conn for (_, conn), _run in zip(self.workers, runs, strict=False)]
        run_of = dict(zip(busy, runs, strict=True))
        titles = frozenset(chapter_titles(book.chapters))

        def ready(conn: Connection, kind: str, _value: Any) -> None:
            if kind == "ready":  # now it reads: send its part
                first = conn is busy[0]
                _send(conn, (job, book.document("", run_of[conn]), known, draft if first else None, titles))

        heard = _hearing(busy, progress)
        paginated = gather({conn: ["ready", "paginated"] for conn in busy}, heard, ready)
        front_pages = paginated[busy[0]][1][2]
        total = front_pages + sum(paginated[conn][1][0] for conn in busy)
        numbers: dict[str, int] = {}
        start = front_pages
        for part, conn in enumerate(busy):
            pages, anchors, _ = paginated[conn][1]
            if progress is not None:  # every part's count before any is drawn
                progress.event(part, "paginated", pages)
            _send(conn, (start, total))
            numbers.update((name, start + index + 1) for name, index in anchors.items())
            start += pages
        front_html = _front(book, numbers)

        def printed_part(conn: Connection, kind: str, _value: Any) -> None:
            if conn is busy[0] and kind == "printed":  # now it reads: send the front matter
                _send(conn, (front_html, total))

        expected = {conn: ["printed", "front"] if conn is busy[0] else ["printed"] for conn in busy}
        answers = gather(expected, heard, printed_part)
        front = answers[busy[0]][1]
        if front.pages != front_pages:  # the contents changed length: numbers would be off
            return print_pdf(job, book.html, report=_reporter(progress, 0, restart=True))
        printed = [front, *(answers[conn][0] for conn in busy)]
        fired: dict[str, int] = {}
        for part in printed:
            for hook, times in part.fired.items():
                fired[hook] = fired.get(hook, 0) + times
        return Printed(join([p.pdf for p in printed]), total, [m for p in printed for m in p.messages],
                       [r for p in printed for r in p.refused], fired)


Heard = Callable[[Connection, tuple[Any, ...]], None]


def gather(expected: dict[Connection, list[str]], heard: Heard | None = None,
           then: Callable[[Connection, str, Any], None] | None = None) -> dict[Connection, list[Any]]:
    """Each worker's `expected` messages, in order; `then(conn, kind, value)` as each comes in,
    progress messages to `heard`. A worker silent for `WAIT` seconds is a failure."""
    got: dict[Connection, list[Any]] = {conn: [] for conn in expected}
    while True:
        waiting = [conn for conn, kinds in expected.items() if len(got[conn]) < len(kinds)]
        if not waiting:
            return got
        ready = wait(waiting, timeout=WAIT)
        if not ready:
            raise PartFailed(f"it said nothing for {WAIT:g} seconds")
        for conn in ready:
            message = _read(conn)
            if message[0] == "progress":
                if heard is not None:
                    heard(conn, message[1:])
                continue
            kind = expected[conn][len(got[conn])]
            value = _payload(message, kind)
            got[conn].append(value)
            if then is not None:
                then(conn, kind, value)


def _hearing(busy: list[Connection], progress: Progress | None) -> Heard | None:
    if progress is None:
        return None
    parts = {conn: index for index, conn in enumerate(busy)}
    return lambda conn, event: progress.event(parts[conn], *event)


def _reporter(progress: Progress | None, part: int, restart: bool = False) -> Report | None:
    if progress is None:
        return None
    if restart:  # the whole book again, in one piece
        progress.restart()
    return lambda stage, page, anchors: progress.event(part, stage, page, anchors)


def _front(book: Book, pages: dict[str, int]) -> str:
    return book.document(book.cover + "\n" + book.toc_with_pages(pages), [])


def _send(conn: Connection, message: object) -> None:
    """Send to a worker (one waiting to read); if it has gone, raise what it left in the pipe."""
    try:
        conn.send(message)
    except OSError:
        while conn.poll():
            message = _read(conn)
            if message[0] in ("failed", "unhooked"):
                _payload(message, message[0])  # raises
        raise PartFailed("it stopped unexpectedly") from None


def _read(conn: Connection) -> tuple[Any, ...]:
    try:
        return conn.recv()
    except (EOFError, OSError):
        raise PartFailed("it stopped unexpectedly") from None


def _payload(message: tuple[Any, ...], kind: str) -> Any:
    if message[0] == "failed":
        raise PartFailed(message[1].strip().splitlines()[-1], message[1])
    if message[0] == "unhooked":
        raise HookMissing(message[1], message[2])
    if message[0] != kind:
        raise PartFailed(f"it said {message[0]!r} where {kind!r} was expected")
    return message[1:] if len(message) > 2 else message[1]


def _work(conn: Connection) -> None:
    """A worker: say it is ready, take a part (and maybe the front matter's draft), paginate the
    part, report its pages and anchors, take its numbering, draw it and send the PDF back; then,
    if it had the draft, print the front matter with the numbers it is sent. Every page laid out
    or drawn is reported (the parent's progress line, and a sign of life)."""
    try:
        import weasyprint  # noqa: F401 - while the parent writes the HTML

        conn.send(("ready", None))
        job, html, known, draft, titles = _next(conn)
        front_pages = print_pdf(job, draft, known=known, pages_only=True).pages if draft else None

        def numbering(pages: int, anchors: dict[str, int]) -> tuple[int, int]:
            conn.send(("paginated", pages, anchors, front_pages))
            return _next(conn)

        def report(stage: str, page: int, anchors: tuple[str, ...]) -> None:
            conn.send(("progress", stage, page, tuple(a for a in anchors if a in titles)))

        printed = print_pdf(job, html, numbering=numbering, known=known, report=report)
        del html
        conn.send(("printed", printed))
        if draft:
            html, total = _next(conn)
            front = print_pdf(job, html, numbering=lambda _p, _a: (0, total), known=known)
            conn.send(("front", front))
    except (_Stop, EOFError, BrokenPipeError, ConnectionResetError, KeyboardInterrupt):
        return  # the parent stopped first: nobody to tell
    except HookMissing as missing:
        _last_word(conn, ("unhooked", missing.hook, missing.why))
    except BaseException:  # noqa: BLE001 - the parent reports it
        _last_word(conn, ("failed", traceback.format_exc()))
    finally:
        conn.close()


def _next(conn: Connection) -> Any:
    """The parent's next message; `_Stop` if it says stop or says nothing for `WORKER_WAIT`."""
    if not conn.poll(WORKER_WAIT):
        raise _Stop
    message = conn.recv()
    if message is None:
        raise _Stop
    return message


def _last_word(conn: Connection, message: tuple[Any, ...]) -> None:
    try:
        conn.send(message)
    except OSError:
        pass
