"""Checks that do not depend on an output, run once after parsing: `qadeck check` reports what
`qadeck build` would, and every output shows such a diagnostic under one code, once.

What is checked here is what a note holds whatever it is rendered into: formulas that do not
parse (MathML through latex2mathml, the strictest engine whose failures stop nothing), raw
HTML that the sanitizer will remove from every output, and lists or quotes nested too deep.

A note's findings are a function of its path and its pieces (text and line), with qadeck's code and
the releases of the libraries that judge the formulas: with a build cache they are kept there
(`checks/`, a `qadeck.depends` unit per note), so a build checks only the notes whose pieces changed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from qadeck import codes, depends
from qadeck.cache import Store
from qadeck.gfm.finish import line_of
from qadeck.gfm.prepare import normalize_blocks, protect_math
from qadeck.isolate import isolated
from qadeck.math import MathError, MathMLMath, typeset
from qadeck.model import Collection, Diagnostic, Note, Piece
from qadeck.render import FLATTENED
from qadeck.sanitize import risky_offsets

# the libraries whose verdict on a formula the findings hold (MathMLMath: convert, then clean)
LIBRARIES = ("latex2mathml", "nh3")


def run(collection: Collection, cache: Path | None = None) -> Collection:
    """The collection with the findings of these checks among its diagnostics; with `cache` (the
    build cache folder) each note's findings are kept there and reused while its pieces are the same."""
    engine = functools.cache(MathMLMath)  # made on first use: no import when every note's findings are kept
    units = depends.Units(Store(cache, "checks"))
    found: list[Diagnostic] = []
    notes = []
    for note in collection.notes:  # a note the checks fail on (a bug) is left out, like one not read
        checked = isolated(note.path, lambda note=note: units.make(_subject(note),
                                                                   lambda: _check_note(note, engine), list),
                           found)
        if checked is not None:
            found.extend(checked)
            notes.append(note)
    units.prune()
    if not found:
        return collection
    diagnostics = sorted(dict.fromkeys((*collection.diagnostics, *found)),
                         key=lambda d: (d.path, d.line, d.code))
    return replace(collection, notes=tuple(notes), diagnostics=tuple(diagnostics))


def _subject(note: Note) -> tuple[str, tuple[tuple[str, int], ...]]:
    """All of a note the checks read."""
    return note.path, tuple((piece.markdown, piece.line) for piece in note.pieces())


def _check_note(note: Note, engine: Callable[[], MathMLMath]) -> list[Diagnostic]:
    depends.versions(*LIBRARIES)
    return [d for piece in note.pieces() if piece.markdown.strip() for d in _check(note, piece, engine())]


def _check(note: Note, piece: Piece, engine: MathMLMath) -> list[Diagnostic]:
    found = []
    if "$" in piece.markdown:
        for latex, display in protect_math(piece.markdown)[1]:
            try:
                typeset(engine, latex, display)
            except MathError as exc:
                found.append(Diagnostic(note.path, line_of(piece.markdown, piece.line, latex), "warning",
                                        codes.MATH_INVALID, f"{exc}; its source is shown instead"))
    flattened = normalize_blocks(piece.markdown)[1]
    if flattened is not None:
        found.append(Diagnostic(note.path, piece.line + flattened, "warning", codes.NESTING_DEEP, FLATTENED))
    for offset in risky_offsets(piece.markdown):
        line = piece.line + piece.markdown.count("\n", 0, offset)
        found.append(Diagnostic(note.path, line, "warning", codes.HTML_UNSAFE,
                                "raw HTML that could run script or load content; removed from every output"))
    return found


def new_only(collection: Collection, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """An output's diagnostics without those the checks already reported (same place and code):
    a formula that does not parse is one warning, not one per output."""
    known = {(d.path, d.line, d.code) for d in collection.diagnostics}
    return [d for d in dict.fromkeys(diagnostics) if (d.path, d.line, d.code) not in known]
