"""LaTeX math to HTML for each target: MathJax delimiters (Anki), MathML (browsers), SVG (print).

Each engine is `render(latex, display) -> html` and raises `MathError` when a formula cannot be
converted; the caller reports it and shows the source instead.
"""

from __future__ import annotations

import hashlib
import html
from typing import Protocol


class MathError(Exception):
    pass


class MathEngine(Protocol):
    def render(self, latex: str, display: bool) -> str: ...


class MathJaxMath:
    """Anki's MathJax delimiters; `<`, `>` and `&` escaped so Anki's editor keeps them."""

    def render(self, latex: str, display: bool) -> str:
        body = html.escape(latex, quote=False)
        return f"\\[{body}\\]" if display else f"\\({body}\\)"


class MathMLMath:
    """Native MathML (Chromium, Firefox, Safari) through latex2mathml.

    Output is sanitized (latex2mathml copies `\\text{…}` verbatim) and uses Unicode styled letters;
    `font_woff2()` gives a math font cut down to the formulas rendered so far (see `qadeck.mathml`).
    """

    def __init__(self) -> None:
        from latex2mathml.converter import convert  # lazy: only the cheat sheet needs it

        self._convert = convert
        self._cache: dict[tuple[str, bool], str] = {}

    def render(self, latex: str, display: bool) -> str:
        from qadeck import mathml

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
        from qadeck import mathml

        if not self._cache:
            return b""
        return mathml.font_woff2(self._cache[key] for key in sorted(self._cache))


class SVGMath:
    """Pre-rendered SVG for WeasyPrint (no MathML, no JavaScript), via ziamath."""

    def __init__(self, size: float = 15.0) -> None:
        import ziamath  # lazy: only the handbook needs it

        self._zm = ziamath
        self._size = size
        self._cache: dict[tuple[str, bool], str] = {}

    def render(self, latex: str, display: bool) -> str:
        key = (latex, display)
        if key not in self._cache:
            self._cache[key] = self._svg(latex, display)
        return self._cache[key]

    def _svg(self, latex: str, display: bool) -> str:
        try:
            math = self._zm.Latex(latex, size=self._size, inline=not display)
            svg = math.svg()
        except Exception as exc:  # ziamath raises many kinds on bad input
            raise MathError(f"cannot render formula ${latex}$: {exc}") from None
        # Every formula repeats glyph ids; a per-formula prefix keeps them unique in one page.
        prefix = "m" + hashlib.sha1(f"{latex}{display}".encode()).hexdigest()[:8]
        svg = svg.replace('id="', f'id="{prefix}').replace('href="#', f'href="#{prefix}')
        cls = "math display" if display else "math inline"
        return f'<span class="{cls}">{svg}</span>'


def engine(name: str) -> MathEngine:
    engines = {"mathjax": MathJaxMath, "mathml": MathMLMath, "svg": SVGMath}
    if name not in engines:
        raise ValueError(f"unknown math mode {name!r}")
    return engines[name]()
