"""Time bounded per note: no note costs more than `NOTE_SECONDS` of CPU in one output.

A note can be made to render slowly (thousands of nested lists, a formula of thousands of terms, a
heading flood): it must not stall the build. Each output's renderer gives every note this much
processor time; a part that runs over is cut short (a profiling timer raises `OverBudget` in the
middle of it) and shown in a simpler way, its source as text, with a warning at its line; the rest
of the note is then shown the same way. CPU time, not the wall clock, so that other work on the
machine does not count. Only in a process's main thread (timers signal there); elsewhere a note
renders without a limit.

A note at the limit may come out cut on a slow machine and whole on a fast one: the limit is far
above what any real note takes (milliseconds), so only a note made to be slow meets it.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from qadeck import codes
from qadeck.model import Diagnostic

NOTE_SECONDS = 2.0


class OverBudget(BaseException):  # noqa: N818 - not an error: the renderer's signal to simplify
    """Raised inside a render that ran out of time. A BaseException, so that the `except Exception`
    of a library (a math engine reporting a bad formula) does not swallow it."""


class Budget:
    """The CPU time each note has spent in one renderer."""

    def __init__(self, seconds: float | None = None) -> None:
        self.seconds = NOTE_SECONDS if seconds is None else seconds
        self.spent: dict[str, float] = {}
        self.reported: set[str] = set()  # notes cut short and said so

    def cut(self, note: str, line: int, output: str) -> tuple[Diagnostic, ...]:
        """The warning for a note cut short, the first time only."""
        if note in self.reported:
            return ()
        self.reported.add(note)
        return (Diagnostic(note, line, "warning", codes.NOTE_SLOW, (
            f"rendering this note took more than {self.seconds:g} s of CPU for the {output} output; "
            "from this line on it is shown as its source text")),)

    def left(self, note: str) -> float:
        return self.seconds - self.spent.get(note, 0.0)

    @contextmanager
    def running(self, note: str) -> Iterator[None]:
        """Charge the time of the block to `note`; raise OverBudget when it has none left."""
        left = self.left(note)
        if left <= 0 or note in self.reported:  # once cut, the rest of the note too
            raise OverBudget
        started = time.process_time()
        try:
            with _alarm(left):
                yield
        finally:
            self.spent[note] = self.spent.get(note, 0.0) + time.process_time() - started


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    """SIGPROF after `seconds` of this process's CPU time, raised as OverBudget; none off the main
    thread or where the timer is taken (a profiler)."""
    usable = threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer")
    previous = signal.getsignal(signal.SIGPROF) if usable else None
    if not usable or previous not in (signal.SIG_DFL, signal.SIG_IGN, None, _over):
        yield
        return
    signal.signal(signal.SIGPROF, _over)
    signal.setitimer(signal.ITIMER_PROF, max(seconds, 0.001))  # once: no interval
    try:
        yield
    finally:  # a signal that came at the very end may raise in here: the caller catches it as well
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, signal.SIG_DFL if previous in (None, _over) else previous)


def _over(signum: int, frame: object) -> None:
    raise OverBudget
