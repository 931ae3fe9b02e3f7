"""The math font's file is found without importing ziamath (which loads the font on import)."""

from __future__ import annotations

import subprocess
import sys


def test_the_math_font_is_ziamaths_own_found_without_importing_it() -> None:
    script = ("import sys\nfrom qadeck.math import math_font_file\npath = math_font_file()\n"
              "print('ziamath' in sys.modules)\nfrom ziamath import zmath\n"
              "print(str(path) == str(zmath.fontname) and path.is_file())")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "True"]
