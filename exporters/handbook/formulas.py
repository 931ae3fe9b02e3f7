"""The book's formulas: the SVG math engine, and a pool of worker processes that typesets the
formulas no cache holds before the single-threaded build reads them back from the cache."""

from __future__ import annotations

from qadeck.context import BuildContext
from qadeck.exporters.handbook.options import PdfOptions
from qadeck.exporters.handbook.styles import FONT_FAMILY
from qadeck.gfm.prepare import protect_math
from qadeck.math import MAX_FORMULA
from qadeck.model import Collection


def math_engine(options: PdfOptions, context: BuildContext):
    """The SVG math engine, caching formulas in the build's cache folder across builds."""
    from qadeck.math import SVGMath

    text_font = (options.font.resolve(), 0) if options.font else None
    return SVGMath(cache_dir=context.cache / "math", text_font=text_font,
                   text_family=FONT_FAMILY if options.font else None)


def prefetch(engine, collection: Collection, options: PdfOptions, context: BuildContext,
             workers: int = 2) -> None:
    """Typeset the formulas no cache holds in parallel processes before the single-threaded build."""
    formulas: dict[tuple[str, bool], None] = {}
    for note in collection.notes:
        for piece in note.pieces():
            if "$" not in piece.markdown:
                continue  # no formula (`$…$`, `$$…$$`): most pieces, read on every build
            found = protect_math(piece.markdown)[1]
            formulas.update(dict.fromkeys(f for f in found if len(f[0]) <= MAX_FORMULA))  # longer: refused
    todo = engine.missing(formulas)
    if len(todo) < 40 or workers < 2:
        return  # starting processes costs more than typesetting a few formulas here
    from qadeck.workers import fork_is_safe, process_map

    chunks = [todo[i::workers] for i in range(workers)]
    # Forked workers start with qadeck imported (a spawned one imports it again: ~1 s of each's time).
    start = "fork" if fork_is_safe() else "spawn"
    process_map(_typeset_chunk, [(options, context, chunk) for chunk in chunks], workers, start)


def _typeset_chunk(job) -> None:
    from qadeck.budget import Budget, OverBudget
    from qadeck.math import MathError

    options, context, chunk = job
    engine = math_engine(options, context)  # its own cache connection; the parent reads the results back
    budget = Budget()  # a formula that would take longer is left to the book, which bounds its note
    for latex, display in chunk:
        try:
            with budget.running(latex):
                engine.formula(latex, display)
        except (MathError, OverBudget):
            pass  # reported with its path:line when the book is built
    engine.close()
