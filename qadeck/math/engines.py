"""The math engines' protocol, and the light engines: MathJax delimiters (Anki), MathML (browsers).

Each engine is `render(latex, display) -> html` and raises `MathError` when a formula cannot be
converted; the caller reports it and shows the source instead.
"""

from __future__ import annotations

import html
from typing import Protocol


class MathError(Exception):
    pass


class MathEngine(Protocol):
    def render(self, latex: str, display: bool) -> str: ...


# Characters: a longer formula is no formula but a `$$` left open over the text that follows
# (typesetting it would take seconds in every output, for a page of error).
MAX_FORMULA = 4000


def typeset(engine: MathEngine, latex: str, display: bool) -> str:
    """`engine.render`, refusing a formula too long to be one; every failure is a MathError."""
    if len(latex) > MAX_FORMULA:
        raise MathError(f"a formula of {len(latex)} characters (more than {MAX_FORMULA}: a $$ never closed?)")
    try:
        return engine.render(latex, display)
    except RecursionError:
        raise MathError("a formula with groups nested too deep") from None


class MathJaxMath:
    """Anki's MathJax delimiters; `<`, `>`, `&` and quotes escaped so Anki's editor keeps them."""

    def render(self, latex: str, display: bool) -> str:
        body = html.escape(latex)
        return f"\\[{body}\\]" if display else f"\\({body}\\)"


class MathMLMath:
    """Native MathML (Chromium, Firefox, Safari) through latex2mathml.

    Output is sanitized (latex2mathml copies `\\text{…}` verbatim) and uses Unicode styled letters;
    `font_woff2()` gives a math font cut down to the formulas rendered so far (see `qadeck.math.mathml`).
    """

    def __init__(self) -> None:
        from latex2mathml.converter import convert  # lazy: only the cheat sheet needs it

        self._convert = convert
        self._cache: dict[tuple[str, bool], str] = {}

    def render(self, latex: str, display: bool) -> str:
        from qadeck.math import mathml

        key = (latex, display)
        if key not in self._cache:
            try:
                raw = self._convert(latex, display="block" if display else "inline")
                self._cache[key] = mathml.finish(raw, latex)
            except Exception as exc:  # latex2mathml raises many kinds on bad input
                raise MathError(f"cannot convert formula ${latex}$: {mathml.describe(exc)}") from None
        return self._cache[key]

    def font_woff2(self) -> bytes:
        """STIX Two Math as WOFF2 holding only the glyphs of the formulas rendered so far (b"" if none)."""
        from qadeck.math import mathml

        if not self._cache:
            return b""
        return mathml.font_woff2(self._cache[key] for key in sorted(self._cache))

