"""One note qadeck fails on must not stop the others.

An unexpected exception while reading or rendering one note is a bug in qadeck, but the user's
other notes are not to blame: it becomes an error for that note (`note.internal`, which makes the
command exit 1), the note is left out of what was being made, and the rest goes on. User-facing
errors (`QadeckError`: a missing dependency, a setting) still stop the whole command or output, as
before, and so do KeyboardInterrupt and SystemExit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from qadeck import codes
from qadeck.errors import QadeckError
from qadeck.model import Diagnostic

T = TypeVar("T")


def failure(path: str, exc: Exception, output: str = "") -> Diagnostic:
    """The error for a note qadeck could not read, or render for `output` ("the PDF", ...)."""
    doing = f"render this note for {output}" if output else "read this note"
    return Diagnostic(path, 1, "error", codes.NOTE_INTERNAL,
                      f"qadeck could not {doing} ({type(exc).__name__}); it is left out")


def isolated(path: str, action: Callable[[], T], diagnostics: list[Diagnostic], output: str = "") -> T | None:
    """`action()`, or None with the note's error added to `diagnostics` when it raised; `output`
    names what was being rendered ("": the note was being read)."""
    try:
        return action()
    except QadeckError:
        raise
    except Exception as exc:  # noqa: BLE001 (any bug, on purpose: see the module's docstring)
        diagnostics.append(failure(path, exc, output))
        return None
