"""Print the handbook's documents (`documents.PrintDoc`), each once: from the build cache when its
HTML and everything the print reads are unchanged, else in worker processes one document at a time.

A document's PDF depends only on its own HTML, the stylesheets, the fonts and images it reads
and the WeasyPrint that prints it, all in its cache key, so a cached PDF is byte-identical to a
fresh one and an incremental book equals a clean one. Workers take the heaviest documents first
(they finish together) and hold one document's layout at a time, so memory stays flat however
long the book is. The parent never waits for a worker without a limit (`WAIT`).
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable

from qadeck import depends
from qadeck.cache import Store
from qadeck.errors import ExportError
from qadeck.exporters.handbook.documents import PrintDoc
from qadeck.exporters.handbook.weasyprint_adapter import Printed, PrintJob, print_pdf
from qadeck.workers import fork_is_safe, start_worker

# The longest the parent waits for the next document from busy workers, in seconds: a chapter
# of a few dozen pages takes seconds, so only a hung worker is this silent.
WAIT = 600.0

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
                 started: Started | None = None, read: bool = True) -> None:
        self.job = job
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

    def _print(self, docs: list[PrintDoc], indexes: list[int]):
        if not docs:
            return
        if self.jobs == 1 or len(docs) == 1:
            for doc, index in zip(docs, indexes, strict=True):
                self._start(doc)
                yield index, print_pdf(self.job, doc.html)
            return
        order = sorted(range(len(docs)), key=lambda i: -docs[i].weight)  # heaviest first
        items = [(indexes[i], self.job, docs[i].html) for i in order]
        # A free worker takes the next item in this order: say so as each one comes back.
        for i in order[:self.jobs]:
            self._start(docs[i])
        waiting = iter(order[self.jobs:])
        start = "fork" if fork_is_safe() else "spawn"  # fork: WeasyPrint is already imported
        pool = multiprocessing.get_context(start).Pool(min(self.jobs, len(docs)), initializer=start_worker,
                                                       initargs=(os.getpid(),))  # dies with this process
        try:
            results = pool.imap_unordered(_print_doc, items, chunksize=1)
            for _ in items:
                try:
                    result = results.next(timeout=WAIT)
                except multiprocessing.TimeoutError:
                    raise PrintFailed(f"a worker said nothing for {WAIT:g} seconds") from None
                except ExportError:
                    raise
                except Exception as exc:  # noqa: BLE001 - a worker's failure, in one sentence
                    raise PrintFailed(f"{type(exc).__name__}: {exc}") from exc
                following = next(waiting, None)
                if following is not None:
                    self._start(docs[following])
                yield result
            pool.close()
        finally:
            pool.terminate()
            pool.join()

    def _start(self, doc: PrintDoc) -> None:
        if self.started is not None:
            self.started(doc)

    def _tell(self, doc: PrintDoc, cached: bool) -> None:
        if self.done is not None:
            self.done(doc, cached)


def _print_doc(item: tuple[int, PrintJob, str]) -> tuple[int, Printed]:
    index, job, html = item
    return index, print_pdf(job, html)

