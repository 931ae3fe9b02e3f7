"""ziamath's layout made faster (`qadeck.math.ziamath_speed`) draws every formula as ziamath does."""

from __future__ import annotations

import json
import subprocess
import sys

import ziamath

from qadeck.math import ziamath_speed

# Rows with brackets that stretch to their contents, fences, matrices, nested fractions and roots:
# the cases where a row's height pass and its real layout differ.
FORMULAS = [
    r"\left( \frac{a}{b} \right)", r"\left| x_i \right| + |y|", r"\|w\|_2^2 = \langle w, w \rangle",
    r"\begin{pmatrix} 1 & \frac{1}{2} \\ 3 & 4 \end{pmatrix}", r"\sqrt{\frac{1}{n}\sum_{i=1}^n x_i^2}",
    r"\mathrm{softmax}\left(\frac{QK^T}{\sqrt{d_k}}\right)V", r"\left\lceil \frac{n}{k} \right\rceil",
    r"f(x) = \begin{cases} 1 & x > 0 \\ 0 & \text{else} \end{cases}", r"\left. \frac{df}{dx} \right|_{x=0}",
    r"\Big[ \frac{1}{2} \Big] \xrightarrow{f} \overbrace{a+b}^{n}",
    r"\frac{\partial L}{\partial w} = (y - \hat{y}) x",
    r"\left( \frac{a}{\left( \frac{b}{c} \right)} + \binom{n}{k} \right)^{\frac{1}{2}}",
]
_DRAW = """
import json, sys
from qadeck.math import SVGMath, ziamath_speed
if sys.argv[1] == "as-is":
    ziamath_speed.apply = lambda module: None
engine = SVGMath()
formulas = json.loads(sys.argv[2])
print(json.dumps([engine.render(latex, display) for latex in formulas for display in (False, True)]))
"""


def _drawn(how: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", _DRAW, how, json.dumps(FORMULAS)], capture_output=True,
                          text=True, check=True, timeout=600)
    return json.loads(done.stdout)


def test_the_faster_layout_draws_the_same_svg() -> None:
    assert ziamath.__version__ in ziamath_speed.CHECKED  # else the test compares ziamath with itself
    assert _drawn("faster") == _drawn("as-is")


def test_another_ziamath_release_is_left_as_it_is() -> None:
    class Other:
        __version__ = "99.0"

    done = list(ziamath_speed._done)
    ziamath_speed._done.clear()
    try:
        from ziamath.nodes.mrow import Mrow

        before = Mrow._setup_single_line
        ziamath_speed.apply(Other())
        assert Mrow._setup_single_line is before and ziamath_speed._done == []
    finally:
        ziamath_speed._done[:] = done
