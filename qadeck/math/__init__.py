"""LaTeX math to HTML for each target: MathJax delimiters (Anki), MathML (browsers), SVG (print).

Each engine is `render(latex, display) -> html` and raises `MathError` when a formula cannot be
converted; the caller reports it and shows the source instead. `engines` holds the light ones,
`svg` the print engine, `mathml` the MathML clean-up and font subsetting.
"""

from qadeck.math.engines import MAX_FORMULA, MathEngine, MathError, MathJaxMath, MathMLMath, engine, typeset
from qadeck.math.svg import CJK_FAMILIES, MATH_FAMILY, SVGMath, math_font_file

__all__ = ["CJK_FAMILIES", "MATH_FAMILY", "MAX_FORMULA", "MathEngine", "MathError", "MathJaxMath",
           "MathMLMath", "SVGMath", "engine", "math_font_file", "typeset"]
