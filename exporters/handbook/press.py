"""Print the handbook's documents (`units`), each once: from the build cache when its HTML and
everything the print reads are unchanged, else in worker processes one document at a time.

A document's PDF depends only on its own HTML, the stylesheets, the fonts and images it reads
and the WeasyPrint that prints it, all in its cache key, so a cached PDF is byte-identical to a
fresh one and an incremental book equals a clean one. Workers take the heaviest documents first
(they finish together) and hold one document's layout at a time, so memory stays flat however
long the book is. The parent never waits for a worker without a limit (`WAIT`).
"""

from __future__ import annotations

import multiprocessing
import os
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from qadeck.cache import Store, file_digest, key
from qadeck.errors import ExportError
from qadeck.exporters.handbook.printing import Printed, PrintJob, print_pdf
from qadeck.exporters.handbook.units import Unit
from qadeck.workers import fork_is_safe, start_worker

# The longest the parent waits for the next document from busy workers, in seconds: a chapter
# of a few dozen pages takes seconds, so only a hung worker is this silent.
WAIT = 600.0
_SRC = re.compile(r'\bsrc="([^"]+)"')

Done = Callable[[Unit, bool], None]  # (the unit, whether it came from the cache)
Started = Callable[[Unit], None]  # a unit handed to a printer


class PrintFailed(ExportError):
    """A worker could not print a document: one sentence for the user (`traceback` has the rest)."""

    def __init__(self, reason: str, traceback: str = "") -> None:
        super().__init__(f"printing the handbook failed: {reason}; `--jobs 1` prints it in this process")
        self.traceback = traceback


class Press:
    """Prints documents for one build with one `PrintJob`, keeping their PDFs in `store`."""

    def __init__(self, job: PrintJob, store: Store, jobs: int, done: Done | None = None,
                 started: Started | None = None, read: bool = True) -> None:
        self.job = job
        self.read = read  # False: print every document afresh (the cache is written, not read)
        self.store = store
        self.jobs = max(1, jobs)
        self.done = done
        self.started = started
        self._common = key("pdf print", job.root, job.sheets, job.subset_at_join, _weasyprint_version(),
                           [(str(p), file_digest(p)) for p in job.files])

    def key(self, unit: Unit) -> str:
        """Everything the print of `unit` reads: its HTML, the images it shows, the common inputs."""
        images = sorted(set(_SRC.findall(unit.html)) - {""})
        return key(self._common, unit.html,
                   [(src, file_digest(path)) for src in images if (path := self._local(src))])

    def print_all(self, units: list[Unit]) -> list[Printed]:
        """Each unit's print, in order."""
        keys = [self.key(unit) for unit in units]
        results: dict[int, Printed] = {}
        todo = []
        for index, (unit, entry) in enumerate(zip(units, keys, strict=True)):
            found = self.store.get(entry, Printed) if self.read else None
            if found is not None:
                results[index] = found
                self._tell(unit, True)
            else:
                todo.append(index)
        for index, printed in self._print([units[i] for i in todo], todo):
            self.store.put(keys[index], printed)
            results[index] = printed
            self._tell(units[index], False)
        return [results[i] for i in range(len(units))]

    def print_one(self, unit: Unit) -> Printed:
        return self.print_all([unit])[0]

    def _print(self, units: list[Unit], indexes: list[int]):
        if not units:
            return
        if self.jobs == 1 or len(units) == 1:
            for unit, index in zip(units, indexes, strict=True):
                self._start(unit)
                yield index, print_pdf(self.job, unit.html)
            return
        order = sorted(range(len(units)), key=lambda i: -units[i].weight)  # heaviest first
        items = [(indexes[i], self.job, units[i].html) for i in order]
        # A free worker takes the next item in this order: say so as each one comes back.
        for i in order[:self.jobs]:
            self._start(units[i])
        waiting = iter(order[self.jobs:])
        start = "fork" if fork_is_safe() else "spawn"  # fork: WeasyPrint is already imported
        pool = multiprocessing.get_context(start).Pool(min(self.jobs, len(units)), initializer=start_worker,
                                                       initargs=(os.getpid(),))  # dies with this process
        try:
            results = pool.imap_unordered(_print_unit, items, chunksize=1)
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
                    self._start(units[following])
                yield result
            pool.close()
        finally:
            pool.terminate()
            pool.join()

    def _local(self, src: str) -> Path | None:
        """The file an image's `src` reads, when it is one (a `data:` or web URL is not)."""
        url = urljoin(self.job.root.as_uri() + "/", src)
        parts = urlsplit(url)
        return Path(unquote(parts.path)) if parts.scheme == "file" else None

    def _start(self, unit: Unit) -> None:
        if self.started is not None:
            self.started(unit)

    def _tell(self, unit: Unit, cached: bool) -> None:
        if self.done is not None:
            self.done(unit, cached)


def _print_unit(item: tuple[int, PrintJob, str]) -> tuple[int, Printed]:
    index, job, html = item
    return index, print_pdf(job, html)


def _weasyprint_version() -> str:
    import weasyprint

    return weasyprint.__version__
