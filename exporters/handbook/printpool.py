"""Print the handbook's documents (`documents.PrintDoc`), each once: from the build cache when its
HTML and everything the print reads are unchanged, else in worker processes one document at a time
(`Printers`, which a build starts before it parses: they import WeasyPrint meanwhile; `qadeck watch`
keeps them from one rebuild to the next, `KeptPrinters`).

A document's PDF depends only on its own HTML, the stylesheets, the fonts and images it reads
and the WeasyPrint that prints it, all in its cache key, so a cached PDF is byte-identical to a
fresh one and an incremental book equals a clean one. Workers take the heaviest documents first
(they finish together) and hold one document's layout at a time, so memory stays flat however
long the book is. The parent never waits for a worker without a limit (`WAIT`).
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import tempfile
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from pathlib import Path

from qadeck import depends
from qadeck.cache import Store
from qadeck.errors import ExportError, QadeckError
from qadeck.exporters.handbook.documents import PrintDoc
from qadeck.exporters.handbook.weasyprint_adapter import Printed, PrintJob, forget, print_pdf
from qadeck.workers import fork_is_safe, release_memory, start_worker

# The longest the parent waits for the next document from busy workers, in seconds: a chapter
# of a few dozen pages takes seconds, so only a hung worker is this silent.
WAIT = 600.0
# A worker with nothing to print for this long has most likely seen its build end (a session keeps
# it for the next one): it gives its memory back meanwhile.
IDLE = 1.0

Done = Callable[[PrintDoc, bool], None]  # (the document, whether it came from the cache)
Started = Callable[[PrintDoc], None]  # a document handed to a printer


class PrintFailed(ExportError):
    """A worker could not print a document: one sentence for the user (`traceback` has the rest)."""

    def __init__(self, reason: str, traceback: str = "") -> None:
        super().__init__(f"printing the handbook failed: {reason}; `--jobs 1` prints it in this process")
        self.traceback = traceback


class PrintPool:
    """Prints documents for one build with one `PrintJob`, keeping their PDFs in `store`."""

    def __init__(self, job: PrintJob, store: Store, jobs: int, done: Done | None = None,
                 started: Started | None = None, read: bool = True, printers: Printers | None = None) -> None:
        self.job = job
        self.printers = printers  # started for the build (`warm`); else this pool starts its own
        self.read = read  # False: print every document afresh (the cache is written, not read)
        self.store = store
        self.jobs = max(1, jobs)
        self.done = done
        self.started = started
        self.units = depends.Units(store)
        self._job = depends.digest(job)

    def key(self, doc: PrintDoc) -> str:
        """A print is found by its HTML and the job; it is kept with what the printer read on the
        way (images, fonts, its releases: `Printed.read`), reused only while all of it holds."""
        return self.units.entry((self._job, doc.html))

    def print_all(self, docs: list[PrintDoc]) -> list[Printed]:
        """Each document's print, in order."""
        keys = [self.key(doc) for doc in docs]
        results: dict[int, Printed] = {}
        todo = []
        for index, (doc, entry) in enumerate(zip(docs, keys, strict=True)):
            found = self.units.get(entry, Printed) if self.read else None
            if found is not None:
                results[index] = found
                self._tell(doc, True)
            else:
                todo.append(index)
        for index, printed in self._print([docs[i] for i in todo], todo):
            depends.replay(printed.read)  # read in a worker: the book depends on it all the same
            self.units.put(keys[index], printed.read, printed)
            results[index] = printed
            self._tell(docs[index], False)
        return [results[i] for i in range(len(docs))]

    def print_one(self, doc: PrintDoc) -> Printed:
        return self.print_all([doc])[0]

    def _print(self, docs: list[PrintDoc], indexes: list[int]) -> Iterator[tuple[int, Printed]]:
        if not docs:
            return
        if self.printers is None and (self.jobs == 1 or len(docs) == 1):
            for doc, index in zip(docs, indexes, strict=True):
                self._start(doc)
                yield index, print_pdf(self.job, doc.html)
            return
        order = sorted(range(len(docs)), key=lambda i: -docs[i].weight)  # heaviest first
        items = [(indexes[i], self.job, docs[i].html) for i in order]
        by_index = dict(zip(indexes, docs, strict=True))
        if self.printers is not None:
            self.printers.grow(min(self.jobs, len(docs)))  # a process each, up to the jobs
        printers = self.printers or Printers(min(self.jobs, len(docs)))
        try:
            yield from printers.print(items, lambda index: self._start(by_index[index]))
        finally:
            if printers is not self.printers:
                printers.close()

    def _start(self, doc: PrintDoc) -> None:
        if self.started is not None:
            self.started(doc)

    def _tell(self, doc: PrintDoc, cached: bool) -> None:
        if self.done is not None:
            self.done(doc, cached)


Item = tuple[int, PrintJob, str]  # (the caller's index of the document, the job, its HTML)


class Printers:
    """Worker processes that print one document at a time each, fed through a pipe of their own.

    Started before there is anything to print (a build starts the first before it parses the notes,
    the others once they will have work), each imports WeasyPrint and warms up meanwhile. The
    parent runs no thread for them (a later fork stays safe) and never waits for one without a
    limit (`WAIT`); every worker dies with the build, or with the session that keeps them
    (`KeptPrinters`), and with this process (`start_worker`).
    """

    def __init__(self, count: int) -> None:
        self._workers: list[tuple[multiprocessing.process.BaseProcess, Connection]] = []
        self._stopped = False
        self.grow(count)

    def grow(self, count: int) -> None:
        """Start workers until there are `count` (more are started when the work is known to need
        them: a build starts one before the parse, the rest when the PDF is made)."""
        if self._stopped:
            return
        context = multiprocessing.get_context("fork" if fork_is_safe() else "spawn")
        try:
            while len(self._workers) < max(1, count):
                ours, theirs = context.Pipe()
                process = context.Process(target=_serve, args=(theirs, os.getpid()), daemon=True)
                process.start()
                theirs.close()
                self._workers.append((process, ours))
        except BaseException:
            self.close()
            raise

    @property
    def size(self) -> int:
        return len(self._workers)

    def usable(self) -> bool:
        """Not stopped by a failure, and every worker alive (one killed while it waited would fail
        the next print)."""
        return not self._stopped and all(process.is_alive() for process, _ in self._workers)

    def __enter__(self) -> Printers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def print(self, items: list[Item], started: Callable[[int], None]) -> Iterator[tuple[int, Printed]]:
        """Each item printed by the next free worker, in the order given; the prints as they come.
        A failure, or a caller that stops early, stops the workers: one may still be printing."""
        if self._stopped:
            raise PrintFailed("the printing processes were stopped by an earlier failure")
        # The temporary folder of the build that asks: a session's workers outlive each build's (`scratch`)
        folder = tempfile.gettempdir()
        waiting = iter(items)
        idle = [conn for _, conn in self._workers]
        busy: dict[Connection, int] = {}
        finished = False
        try:
            while True:
                while idle:
                    item = next(waiting, None)
                    if item is None:
                        break
                    conn = idle.pop()
                    try:
                        conn.send((*item, folder))
                    except OSError:
                        raise PrintFailed("a worker ended before it took a document") from None
                    busy[conn] = item[0]
                    started(item[0])
                if not busy:
                    finished = True
                    return
                ready = wait(list(busy), timeout=WAIT)
                if not ready:
                    raise PrintFailed(f"a worker said nothing for {WAIT:g} seconds")
                for conn in ready:
                    assert isinstance(conn, Connection)
                    del busy[conn]
                    idle.append(conn)
                    yield _answer(conn)
        finally:
            if not finished:
                self.close()

    def close(self) -> None:
        """Stop the workers now, by SIGKILL: a worker keeps nothing (the parent writes the cache),
        and one stopped just after it was forked may still hold the build's own SIGTERM handler
        (or SIG_IGN), which would print a traceback in it or leave it running."""
        for process, conn in self._workers:
            conn.close()
            if process.is_alive():
                process.kill()
        for process, _ in self._workers:
            process.join()
        self._workers = []
        self._stopped = True


class KeptPrinters:
    """The printers a series of builds in one process shares (`qadeck watch`), kept warm from one
    build to the next: WeasyPrint imported and the stylesheets parsed once a worker, not once a
    rebuild (spawned, a worker pays ~2 s of CPU before its first print)."""

    def __init__(self) -> None:
        self._printers: Printers | None = None

    def take(self, jobs: int) -> Printers:
        """The printers, started now when there are none that can print: none yet, or a failure
        stopped them (a worker died, a print raised), or more than `jobs` (the settings changed).
        A fresh set starts with one worker; the build grows it as it does `warm`'s."""
        held = self._printers
        if held is None or not held.usable() or held.size > jobs:
            if held is not None:
                held.close()
            self._printers = Printers(1)
        return self._printers

    def close(self) -> None:
        if self._printers is not None:
            self._printers.close()
            self._printers = None


def _answer(conn: Connection) -> tuple[int, Printed]:
    try:
        index, printed, failure = conn.recv()
    except (EOFError, OSError):
        raise PrintFailed("a worker ended without handing its document back") from None
    if isinstance(failure, QadeckError):
        raise failure  # a sentence for the user already (WeasyPrint missing, a font)
    if failure is not None:
        raise PrintFailed(*failure)
    return index, printed


def _serve(conn: Connection, parent: int) -> None:
    """A worker: print what comes through `conn` until the pipe closes."""
    start_worker(parent, _warm_up)
    while True:
        try:
            if not conn.poll(IDLE):
                forget()
                release_memory()
            index, job, html, folder = conn.recv()
        except (EOFError, OSError):
            return
        tempfile.tempdir = folder
        try:
            reply = (index, print_pdf(job, html), None)
        except Exception as exc:  # noqa: BLE001 - sent to the parent, which says it in one sentence
            reply = (index, None, _failure(exc))
        conn.send(reply)


def _failure(exc: Exception) -> QadeckError | tuple[str, str]:
    if isinstance(exc, QadeckError):
        try:
            pickle.dumps(exc)
            return exc
        except Exception:  # noqa: BLE001 - an error that cannot travel is told as text
            pass
    return f"{type(exc).__name__}: {exc}", traceback.format_exc()


def _warm_up() -> None:
    """Before the first document comes: import WeasyPrint and print a line of Chinese (Pango and
    fontconfig start, ~0.3 s the first print would pay). A failure is told by the first print."""
    from qadeck.exporters.handbook import weasyprint_adapter

    try:
        folder = Path(tempfile.gettempdir())
        weasyprint_adapter.print_pdf(PrintJob(folder, folder, (), ()), "<p>中文 Latin 123</p>")
    except Exception:  # noqa: BLE001, S110 - the real print says what is wrong
        pass

