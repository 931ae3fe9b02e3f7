"""`qadeck watch`: rebuild on save, one line per rebuild.

Watch threads (watchfiles) put batches of changed paths on a queue; the main thread builds, through
`qadeck.build.build` like `qadeck build`, so Ctrl-C lands in the build itself and the outputs, written
atomically, stay the previous ones. The builds of a session share what the exporters keep between
builds (`qadeck.build.session`: the PDF's printing processes, warm), stopped with the session. The
settings file is read again only when it changed; a settings or build error is printed and the watch
goes on.
"""

from __future__ import annotations

import queue
import re
import threading
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import watchfiles

from qadeck.build import Output, build, session
from qadeck.config import Config
from qadeck.errors import QadeckError
from qadeck.model import Collection, Diagnostic
from qadeck.serve import LiveServer

FAST = ("json", "anki", "html")  # the PDF takes seconds to minutes: built only when --only names it
STEP_MS = 150  # a burst of writes (an editor's temp file and rename, a git checkout) ends after this quiet
DEBOUNCE_MS = 1600  # ... or after this long at most
POLL_MS = 300  # how often a watch thread looks at its stop event

_IGNORED_DIRS = {".git", ".hg", ".svn", "__pycache__", ".venv", "node_modules", ".idea", ".vscode"}
# Editors' temporary, swap and backup files: vim .swp/.swx and its 4913 write test, emacs #x# and .#x,
# ~ backups, JetBrains ___jb_tmp___, gedit .goutputstream-, kate .kate-swp, Office ~$ locks, .DS_Store.
_TEMPORARY = re.compile(r"\.sw[a-z]$|^4913$|^#.*#$|^\.#|~$|___jb_\w+___$|^\.goutputstream-"
                        r"|\.kate-swp$|^~\$|^\.DS_Store$|\.crswap$")


@dataclass(frozen=True)
class Scope:
    """What a change may touch: the trees watched whole, the settings files, the folders ignored."""

    trees: tuple[Path, ...]  # the notes folder, the styles folder
    settings: tuple[Path, ...]  # the settings file, or the files that would become it
    ignored: tuple[Path, ...]  # the output folder

    def wanted(self, path: Path) -> bool:
        if path in self.settings:
            return True
        if any(path.is_relative_to(i) for i in self.ignored):
            return False
        tree = next((t for t in self.trees if path.is_relative_to(t)), None)
        if tree is None:
            return False
        parts = path.relative_to(tree).parts
        return not (any(p in _IGNORED_DIRS for p in parts) or (parts and _TEMPORARY.search(parts[-1])))

    def folders(self) -> tuple[tuple[Path, ...], tuple[Path, ...]]:
        """The folders to watch whole, and those watched without their subfolders (for the
        settings files: an editor that saves by renaming would lose a watch on the file itself)."""
        flat = tuple(dict.fromkeys(f.parent for f in self.settings
                                   if f.parent.is_dir() and not any(f.is_relative_to(t) for t in self.trees)))
        return tuple(t for t in self.trees if t.is_dir()), flat

    def show(self, path: Path) -> str:
        for root in (*self.trees, *(f.parent for f in self.settings)):
            if path.is_relative_to(root) and path != root:
                return path.relative_to(root).as_posix()
        return str(path)


def scope(config: Config, settings: Iterable[Path], styles: Path | None) -> Scope:
    notes = config.notes.resolve()
    trees = [notes] + ([styles.resolve()] if styles is not None else [])
    return Scope(tuple(trees), tuple(p.resolve() for p in settings) + _tag_lists_above(notes),
                 (config.out.resolve(),))


def _tag_lists_above(notes: Path) -> tuple[Path, ...]:
    """The tag lists (`tag_info.yml`) a note may read from above the notes folder, up to the
    repository root: an edit there changes the problems' tags."""
    from qadeck.parser.taginfo import tag_lists_above

    return tag_lists_above(notes)


class Watcher:
    """A watch thread per kind of folder, all putting sets of changed paths on one queue."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.changes: queue.Queue[set[Path] | BaseException] = queue.Queue()
        self.stopping = threading.Event()
        trees, flat = scope.folders()
        plan = [(paths, recursive) for paths, recursive in ((trees, True), (flat, False)) if paths]
        self.ready = [threading.Event() for _ in plan]
        self.threads = [threading.Thread(target=self._run, args=(paths, recursive, ready),
                                         name="qadeck-watch", daemon=True)
                        for (paths, recursive), ready in zip(plan, self.ready, strict=True)]

    def start(self, timeout: float = 30.0) -> None:
        """Start watching, and return once every thread watches (a save from now on is seen)."""
        for thread in self.threads:
            thread.start()
        for ready in self.ready:
            ready.wait(timeout)

    def _run(self, paths: tuple[Path, ...], recursive: bool, ready: threading.Event) -> None:
        try:
            for found in watchfiles.watch(*paths, watch_filter=lambda _, p: self.scope.wanted(Path(p)),
                                          debounce=DEBOUNCE_MS, step=STEP_MS, rust_timeout=POLL_MS,
                                          yield_on_timeout=True, stop_event=self.stopping,
                                          recursive=recursive, raise_interrupt=False):
                ready.set()  # the first timeout comes once the watch is set up
                if found:
                    self.changes.put({Path(p) for _, p in found})
        except Exception as exc:  # a folder gone or unreadable: the main thread says so and stops
            self.changes.put(exc)
        finally:
            ready.set()

    def next(self) -> set[Path]:
        """The next batch of changes, with whatever else arrived meanwhile (blocks; Ctrl-C ends it)."""
        batch = self._get(None)
        while True:
            try:
                batch |= self._get(STEP_MS / 1000)
            except queue.Empty:
                return batch

    def _get(self, timeout: float | None) -> set[Path]:
        # A short timeout in a loop rather than one long wait, so Ctrl-C is noticed at once.
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            wait = 0.5 if deadline is None else max(0.0, deadline - time.monotonic())
            try:
                item = self.changes.get(timeout=wait)
            except queue.Empty:
                if deadline is not None:
                    raise
                continue
            if isinstance(item, BaseException):
                raise QadeckError(f"watching stopped: {item}") from item
            return item

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            if thread.is_alive():
                thread.join()


def styles_folder() -> Path | None:
    """The folder the exporters read their CSS and templates from, when it is one on disk."""
    import importlib.resources

    found = importlib.resources.files("qadeck.styles")
    return Path(str(found)) if isinstance(found, Path) and found.is_dir() else None


class Ledger:
    """The diagnostics of the last build, to tell which of the next build's are new. A diagnostic
    is known by its note, code and message, not its line: an edit above it moves it, not renews it."""

    def __init__(self) -> None:
        self.last: Counter[tuple[str, str, str, str]] | None = None

    def update(self, found: list[Diagnostic]) -> tuple[list[Diagnostic], int]:
        """The diagnostics not in the last build (all of them the first time), and how many of the
        last build's are gone."""
        keys = Counter(_key(d) for d in found)
        if self.last is None:
            self.last = keys
            return list(found), 0
        left, new = self.last.copy(), []
        for d in found:
            if left[_key(d)] > 0:
                left[_key(d)] -= 1
            else:
                new.append(d)
        gone = sum((self.last - keys).values())
        self.last = keys
        return new, gone


def _key(d: Diagnostic) -> tuple[str, str, str, str]:
    return d.path, d.severity, d.code, d.message


class Report(Protocol):
    """Where a watch session writes: the CLI prints, tests may collect."""

    def diagnostics(self, found: list[Diagnostic], notes: Path) -> None: ...
    def failed(self, output: Output) -> None: ...
    def line(self, text: str, ok: bool) -> None: ...
    def trace(self, text: str) -> None: ...


@dataclass
class Session:
    """One `qadeck watch`: a first build, then one rebuild per batch of saves until Ctrl-C."""

    settings: Callable[[], Config]  # reads the settings file again, with the command's flags on top
    only: list[str]
    settings_files: tuple[Path, ...]
    report: Report
    styles: Path | None = None
    live: LiveServer | None = None
    ledger: Ledger = field(default_factory=Ledger)
    building: bool = False

    def run(self, config: Config, watching: Callable[[Scope], None]) -> bool:
        """Watch and rebuild until Ctrl-C; True when Ctrl-C stopped a build (its outputs are the
        previous ones). `watching` hears what is watched once the first build is done."""
        self.config, self.broken = config, False
        self.scope = scope(config, self.settings_files, self.styles)
        self.watcher = Watcher(self.scope)
        try:
            with session(self.only):  # the exporters' processes (the PDF's printers), warm all session
                self.watcher.start()
                self.rebuild("first build")
                watching(self.scope)
                while True:
                    batch = self.watcher.next()
                    if self.broken or any(p in self.scope.settings for p in batch):
                        self._reload()
                    self.rebuild(self.describe(batch))
        except KeyboardInterrupt:
            return self.building
        finally:
            self.watcher.stop()

    def describe(self, batch: set[Path]) -> str:
        names = sorted(self.scope.show(p) for p in batch)
        return f"{', '.join(names)} changed" if len(names) <= 3 else f"{len(names)} files changed"

    def _reload(self) -> None:
        try:
            self.config = self.settings()
        except QadeckError as exc:
            self.broken, self.why = True, str(exc)
            return
        self.broken = False
        moved = scope(self.config, self.settings_files, self.styles)
        if moved != self.scope:
            self.watcher.stop()
            self.scope, self.watcher = moved, Watcher(moved)
            self.watcher.start()
        if self.live is not None:
            self.live.move(self.config.out.resolve(), self.config.output(".html").name)

    def rebuild(self, changed: str) -> None:
        if self.broken:
            self.report.line(f"{_now()}  {changed} · not rebuilt: {self.why}", ok=False)
            return
        started = time.perf_counter()
        self.building = True  # stays True when Ctrl-C ends the build
        try:
            collection, outputs = build(self.config, self.only)
        except Exception as exc:  # a QadeckError is the user's to fix; anything else is a bug: its trace
            self.building = False
            why = str(exc)
            if not isinstance(exc, QadeckError):
                self.report.trace(traceback.format_exc())
                why = f"{type(exc).__name__}: {exc}"
            self.report.line(f"{_now()}  {changed} · build failed: {why}", ok=False)
            return
        self.building = False
        self._show(changed, time.perf_counter() - started, collection, outputs)

    def _show(self, changed: str, seconds: float, collection: Collection, outputs: list[Output]) -> None:
        first = self.ledger.last is None
        everything = [*collection.diagnostics, *(d for o in outputs for d in o.diagnostics)]
        found = [d for d in everything if d.severity != "info"]  # as `qadeck build` shows the notes'
        new, gone = self.ledger.update(found)
        self.report.diagnostics(new, self.config.notes)
        for output in outputs:
            if output.error:
                self.report.failed(output)
        if self.live is not None and any(o.name == "html" and not o.error for o in outputs):
            self.live.rebuilt()
        written = ", ".join(o.name for o in outputs if not o.error)
        failed = [o.name for o in outputs if o.error]
        built = written + (f"; {', '.join(failed)} failed" if failed else "")
        errors = sum(d.severity == "error" for d in found) + len(failed)
        warnings = sum(d.severity == "warning" for d in found)
        counts = f"{warnings} warning{'s' * (warnings != 1)}, {errors} error{'s' * (errors != 1)}"
        delta = ", ".join(f"{n} {what}" for n, what in ((len(new), "new"), (gone, "gone")) if n)
        if delta and not first:
            counts += f" ({delta})"
        self.report.line(f"{_now()}  {changed} · {built} in {seconds:.2f} s · {counts}", ok=not errors)


def _now() -> str:
    """The time a line is printed: when the rebuild ended."""
    return time.strftime("%H:%M:%S")
