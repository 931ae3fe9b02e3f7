"""LaTeX math to HTML for each target: MathJax delimiters (Anki), MathML (browsers), SVG (print).

Each engine is `render(latex, display) -> html` and raises `MathError` when a formula cannot be
converted; the caller reports it and shows the source instead; `engine(name)` picks one by its
mode. `engines` holds the light ones, `svg` the print engine, `mathml` the MathML clean-up and font
subsetting.
"""

from qadeck.math.engines import MAX_FORMULA, MathEngine, MathError, MathJaxMath, MathMLMath, typeset
from qadeck.math.svg import CJK_FAMILIES, MATH_FAMILY, SVGMath, math_font_file

__all__ = ["CJK_FAMILIES", "MATH_FAMILY", "MAX_FORMULA", "MathEngine", "MathError", "MathJaxMath",
           "MathMLMath", "SVGMath", "engine", "math_font_file", "typeset"]


def engine(name: str) -> MathEngine:
    """The engine for a target's math mode: "mathjax", "mathml" or "svg"."""
    if name == "svg":
        return SVGMath()  # ziamath is imported when it typesets its first formula
    engines: dict[str, type[MathJaxMath] | type[MathMLMath]] = {"mathjax": MathJaxMath, "mathml": MathMLMath}
    if name not in engines:
        raise ValueError(f"unknown math mode {name!r}")
    return engines[name]()
