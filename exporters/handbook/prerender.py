"""The coding problems rendered ahead, in worker processes, before the book is written.

Rendering ~290 problems' Markdown and code is seconds of one core while the printers wait for
the book. When many problems are not in the build cache (a first build), processes forked from
the build render their share into the cache (`ProblemsPart.keep`) and the book then reads every
problem back from it, as any later build does. A problem a worker could not render, or rendered
differently (it would be under another entry), is rendered by the book as before: rendering ahead
changes when the work is done, never what it makes. Only where fork is safe (a process without
threads: not `qadeck watch`, where a spawned worker would first import qadeck again).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qadeck.workers import fork_is_safe, process_map

if TYPE_CHECKING:
    from qadeck.exporters.handbook.problems import ProblemsPart
    from qadeck.math import MathEngine

FEWEST = 24  # problems to render for forking to pay (a worker's start and its share of the cache)
_AHEAD: list[tuple[ProblemsPart, MathEngine]] = []  # the part being rendered ahead, for the forked workers


def prerender(part: ProblemsPart, engine: MathEngine, workers: int) -> None:
    """Render the problems the cache lacks in `workers` forked processes, when there are enough."""
    if workers < 2 or not fork_is_safe():
        return
    todo = part.unkept()
    if len(todo) < FEWEST:
        return
    paths = [note.path for note in todo]
    _AHEAD.append((part, engine))
    try:
        process_map(_render, [paths[i::workers] for i in range(workers)], workers, "fork")
    finally:
        _AHEAD.pop()


def _render(paths: list[str]) -> None:
    """In a forked worker: the problems at `paths` into the cache."""
    part, engine = _AHEAD[-1]
    forked = getattr(engine, "forked", None)
    if forked is not None:
        forked()  # its own connection to the formula cache
    wanted = set(paths)
    for note in part.notes:
        if note.path in wanted:
            try:
                part.keep(note)
            except Exception:  # noqa: BLE001, S112 - the book renders it again and says what is wrong
                continue
