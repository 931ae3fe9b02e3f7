"""Ctrl-C and SIGTERM stop a command the same way: the build unwinds (workers stopped, temporary
files removed, outputs not yet written left as they were), then one line and exit 130 or 143."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Terminated(KeyboardInterrupt):
    """SIGTERM (`kill`), raised where the build is, so that it unwinds as from Ctrl-C."""


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    previous = signal.signal(signal.SIGTERM, _terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def stopped(exc: KeyboardInterrupt) -> tuple[str, int]:
    """The line to print and the exit code; a second signal from now on does not cut it short."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, signal.SIG_IGN)
    name, code = ("SIGTERM", 143) if isinstance(exc, Terminated) else ("Ctrl-C", 130)
    return f"qadeck: stopped by {name}; every output not written by then keeps its previous version", code


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated
