"""MathML for the browser: make latex2mathml's output safe and portable, and subset a math font for it.

latex2mathml copies `\\text{…}` verbatim (so `\\text{<script>}` becomes markup) and marks styled
letters with `mathvariant`, which Chromium ignores (MathML Core keeps only `normal`). So each formula
is sanitized with a MathML allow-list, styled letters become the Unicode math alphanumerics that all
browsers draw, and the page embeds STIX Two Math (shipped in ziamath) cut down to the glyphs it uses.
"""

from __future__ import annotations

import html
import importlib.util
import io
import re
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from qadeck.errors import MissingDependency

TAGS = {
    "math", "mrow", "mi", "mo", "mn", "mtext", "ms", "mspace", "msub", "msup", "msubsup", "mfrac",
    "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded",
    "mphantom", "menclose", "merror", "mmultiscripts", "mprescripts", "none", "semantics", "annotation",
}
ATTRIBUTES = {
    "math": {"display", "xmlns", "alttext"},
    "*": {"mathvariant", "displaystyle", "scriptlevel", "stretchy", "fence", "form", "accent", "accentunder",
          "notation", "columnalign", "rowspacing", "columnspacing", "lspace", "rspace", "movablelimits",
          "largeop", "symmetric", "minsize", "maxsize", "separator", "width", "height", "depth",
          "voffset", "linethickness", "mathcolor", "mathsize", "encoding"},
}
# mathvariant value -> the word Unicode names use ("MATHEMATICAL BOLD ITALIC SMALL X").
VARIANTS = {
    "bold": "BOLD", "italic": "ITALIC", "bold-italic": "BOLD ITALIC", "double-struck": "DOUBLE-STRUCK",
    "script": "SCRIPT", "bold-script": "BOLD SCRIPT", "fraktur": "FRAKTUR", "bold-fraktur": "BOLD FRAKTUR",
    "sans-serif": "SANS-SERIF", "bold-sans-serif": "SANS-SERIF BOLD",
    "sans-serif-italic": "SANS-SERIF ITALIC", "sans-serif-bold-italic": "SANS-SERIF BOLD ITALIC",
    "monospace": "MONOSPACE",
}
# Letters that sit in the Letterlike Symbols block instead of the (reserved) math alphanumeric slot.
_HOLES = {"ITALIC SMALL H": "PLANCK CONSTANT", "FRAKTUR CAPITAL C": "BLACK-LETTER CAPITAL C",
          "FRAKTUR CAPITAL H": "BLACK-LETTER CAPITAL H", "FRAKTUR CAPITAL I": "BLACK-LETTER CAPITAL I",
          "FRAKTUR CAPITAL R": "BLACK-LETTER CAPITAL R", "FRAKTUR CAPITAL Z": "BLACK-LETTER CAPITAL Z"}
_VARIANT = re.compile(r'<(mi|mn|mo|mtext)([^>]*?) mathvariant="([a-z-]+)"([^>]*)>([^<]*)</\1>')
_TEXT = re.compile(r">([^<]+)<")
_SINGLE_MI = re.compile(r"<mi>([^<])</mi>")
_UNKNOWN = re.compile(r"<m[io]>(\\[A-Za-z]+)</m[io]>")
# Glyphs Chromium draws without a character in the text: radical signs and common stretchy fences.
_ALWAYS = "\u221a\u221b\u221c()[]{}|\u2016\u27e8\u27e9\u2212=+"


class UnknownCommand(ValueError):
    pass


def finish(mathml: str, latex: str) -> str:
    """latex2mathml output -> sanitized MathML with real styled letters and the source as alttext."""
    unknown = _UNKNOWN.search(mathml)
    if unknown:
        raise UnknownCommand(f"unknown command {unknown.group(1)}")
    mathml = _VARIANT.sub(_restyle, mathml)
    mathml = mathml.replace("<math ", f'<math alttext="{html.escape(latex)}" ', 1)
    return clean(mathml)


def describe(exc: Exception) -> str:
    """latex2mathml's errors often carry no message, only a name like ExtraLeftOrMissingRightError."""
    return str(exc) or re.sub(r"(?<=[a-z])(?=[A-Z])", " ", type(exc).__name__).lower()


def clean(mathml: str) -> str:
    import nh3  # lazy like every heavy import

    return nh3.clean(mathml, tags=TAGS, attributes=ATTRIBUTES, clean_content_tags={"script", "style"},
                     url_schemes=set(), link_rel=None)


def styled(char: str, variant: str) -> str:
    """One letter or digit in a math style (`styled("x", "bold-italic")` -> 𝒙); others unchanged."""
    word = VARIANTS.get(variant)
    try:
        name = unicodedata.name(char)
    except ValueError:
        return char
    parts = name.split()
    if word is None or parts[0] not in ("LATIN", "GREEK", "DIGIT"):
        return char
    rest = " ".join([parts[1], parts[-1]]) if parts[0] in ("LATIN", "GREEK") else name
    for candidate in (f"MATHEMATICAL {word} {rest}", _HOLES.get(f"{word} {rest}", f"{word} {rest}")):
        try:
            return unicodedata.lookup(candidate)
        except KeyError:
            continue
    return char


def _restyle(match: re.Match[str]) -> str:
    tag, before, variant, after, text = match.groups()
    if variant == "normal" or variant not in VARIANTS:
        return match.group(0)
    text = "".join(styled(c, variant) for c in html.unescape(text))
    return f"<{tag}{before}{after}>{html.escape(text, quote=False)}</{tag}>"


def characters(formulas: Iterable[str]) -> str:
    """Every character the formulas show, with the italic forms browsers substitute for one-letter <mi>."""
    chars: set[str] = set(_ALWAYS)
    for mathml in formulas:
        for text in _TEXT.findall(mathml):
            chars.update(html.unescape(text))
        for letter in _SINGLE_MI.findall(mathml):
            chars.add(styled(html.unescape(letter), "italic"))
    return "".join(sorted(c for c in chars if not c.isspace()))


def font_woff2(formulas: Iterable[str]) -> bytes:
    """STIX Two Math as WOFF2 with only the glyphs these formulas need (plus their MATH-table variants)."""
    from fontTools import subset

    font = _font()
    options = subset.Options()
    options.flavor = "woff2"
    # Default shaping plus flattened accents and dotless i/j. `ssty` (script-size alternates) is left
    # out: it would add ~90 glyphs for a barely visible change; browsers scale the base glyph instead.
    options.layout_features = [*options.layout_features, "flac", "dtls"]
    options.hinting = False  # TrueType hinting is a third of the size and browsers barely use it
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # keep copyright and the OFL notice
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in characters(formulas)])
    subsetter.subset(font)
    out = io.BytesIO()
    font.recalcTimestamp = False  # byte-identical output for the same notes
    font.flavor = "woff2"
    font.save(out)
    return out.getvalue()


def _font():
    from fontTools.ttLib import TTFont

    return TTFont(io.BytesIO(_font_bytes()), recalcTimestamp=False, lazy=True)


@cache
def _font_bytes() -> bytes:
    # Found, not imported: importing ziamath loads and parses the whole font at import time.
    spec = importlib.util.find_spec("ziamath")
    if spec is None or not spec.submodule_search_locations:
        raise MissingDependency("the STIX Two Math font comes with ziamath: pip install ziamath")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return (folder / "fonts" / "STIXTwoMath-Regular.ttf").read_bytes()
