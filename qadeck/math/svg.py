"""SVG math for print: formulas typeset by ziamath, cached, with a CJK fallback font."""

from __future__ import annotations

import functools
import hashlib
import html
import re
import subprocess
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

from qadeck.math.engines import MathError
from qadeck.math.glyphs import characters_in, copy_glyphs, font_from_bytes
from qadeck.math.store import FormulaStore


class SVGMath:
    """Pre-rendered SVG for WeasyPrint (no MathML, no JavaScript), via ziamath.

    - Each formula is an `<img>` holding its SVG in a `data:` URI. WeasyPrint parses an image
      once per distinct URI and never puts its nodes into the HTML tree, which makes printing
      several times faster than inline `<svg>` (and ids inside one SVG cannot clash with
      another's).
    - Glyphs that have a character are SVG `<text>` in the math font (`MATH_FAMILY`, which the
      page declares with `@font-face` from `math_font_file()`): WeasyPrint then embeds the font
      once and a formula costs a few glyphs, where outlines would be re-drawn, point by point,
      at every occurrence (ten times the PDF size and time). Glyphs without a character
      (stretched brackets, big operators) stay outlines.
    - Inline formulas sit on the text baseline: the image is sized in `em` and shifted down by
      its depth, so it also scales with the surrounding font.
    - Any ids ziamath writes get a prefix unique to the formula.
    - Rendered formulas are kept in memory and, given `cache_dir`, in a small SQLite file, so
      a formula is rendered once per build and reused by the next build (`qadeck.math.store`:
      signed rows, a damaged or foreign file or row is typeset again).
    - Characters the math font lacks (`\\text{中文}`) are set from a CJK text font
      (`text_font`/`text_family`, else fontconfig's choice for Chinese) instead of as boxes.
    """

    def __init__(self, size: float = 16.0, cache_dir: Path | None = None,
                 text_font: tuple[Path, int] | None = None, text_family: str | None = None) -> None:
        self._size = size
        self._text_family = text_family
        self._memo: dict[str, _Formula] = {}
        self._store = FormulaStore(cache_dir) if cache_dir is not None else None
        self._text_font = text_font
        self._font: _FallbackMathFont | None = None
        self.rendered = 0  # formulas actually typeset (cache misses), for tests and benchmarks

    def render(self, latex: str, display: bool) -> str:
        return self.formula(latex, display).html

    def formula(self, latex: str, display: bool) -> _Formula:
        key = self._key(latex, display)
        formula = self._memo.get(key)
        if formula is None and self._store is not None:
            found = self._store.get(key)
            formula = None if found is None else _Formula(found)
        if formula is None:
            formula = self._typeset(latex, display)
            self.rendered += 1
            if self._store is not None:
                self._store.put(key, formula.html)
        self._memo[key] = formula
        return formula

    def missing(self, items: Iterable[tuple[str, bool]]) -> list[tuple[str, bool]]:
        """The formulas among `items` that neither memory nor the disk cache holds."""
        keys = {self._key(latex, display): (latex, display) for latex, display in items}
        known = set(self._memo)
        if self._store is not None:
            known |= self._store.keys(list(keys))
        return [item for key, item in keys.items() if key not in known]

    def close(self) -> None:
        if self._store is not None:
            self._store.close()

    def forked(self) -> None:
        """In a process forked from the one that opened this engine's cache: a connection of its own
        (an SQLite connection must not cross a fork). The inherited one is kept, unused and never
        closed, until the process ends: closing it here could drop the parent's file locks."""
        if self._store is not None:
            _INHERITED.append(self._store)
            self._store = FormulaStore(self._store.path.parent)

    def notices(self) -> list[str]:
        """What went wrong with the formula cache (each line once): it cost time, nothing else."""
        return list(dict.fromkeys(self._store.notices)) if self._store is not None else []

    def _key(self, latex: str, display: bool) -> str:
        font = "" if latex.isascii() else f"{self._text_font or 'fontconfig'}|{self._text_family}"
        parts = (_CACHE_VERSION, _ziamath_version(), f"{self._size:g}", str(display), font, latex)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()

    def _typeset(self, latex: str, display: bool) -> _Formula:
        font = self._math_font()
        font.prepare(latex)
        from ziafont import config as ziafont_config

        saved = ziafont_config.svg2, ziafont_config.precision
        ziafont_config.svg2, ziafont_config.precision = False, 2  # plain paths; 0.01px is plenty
        try:
            with font.glyphs_as_text():
                math = self._zm.Latex(latex, size=self._size, inline=not display, font=font.key)
                svg = math.svg()
        except Exception as exc:  # ziamath and latex2mathml raise many kinds on bad input
            raise MathError(f"cannot render formula ${latex}$: {_reason(exc)}") from None
        finally:
            ziafont_config.svg2, ziafont_config.precision = saved
            lacking, font.missing = font.missing, set()
        if lacking:
            chars = " ".join(f"{c} (U+{ord(c):04X})" for c in sorted(lacking))
            raise MathError(f"formula ${latex}$ uses characters no font has: {chars}")
        prefix = "z" + hashlib.sha1(f"{latex}\x1f{display}".encode()).hexdigest()[:8] + "-"
        return _Formula.from_svg(svg, math.node.bbox.ymin, self._size, display, latex, prefix)

    def _math_font(self) -> _FallbackMathFont:
        if self._font is None:
            import ziamath  # lazy: only the handbook needs it

            from qadeck.math import ziamath_speed

            ziamath_speed.apply(ziamath)
            self._zm = ziamath
            self._font = _FallbackMathFont.register(self._text_font, self._text_family)
        return self._font


_CACHE_VERSION = "svgmath-6"
_INHERITED: list[FormulaStore] = []  # formula caches a forked process must not close (`forked`)
MATH_FAMILY = "qadeck-math"  # the page's @font-face name for math_font_file()
CJK_FAMILIES = "Noto Serif CJK SC, Source Han Serif SC, Source Han Serif CN, Noto Serif SC, serif"
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
_IGNORABLE = {"\u200b", "\u200c", "\u200d", "\ufe0e", "\ufe0f", "\u2009", "\u00a0"}


@dataclass(frozen=True)
class _Formula:
    html: str

    @classmethod
    def from_svg(cls, svg: str, ymin: float, size: float, display: bool, latex: str,
                 prefix: str) -> _Formula:
        match = _SVG_OPEN.search(svg)
        if match is None:
            raise MathError("ziamath returned no SVG")
        width = float(_attribute(match.group(0), "width")) / size
        height = float(_attribute(match.group(0), "height")) / size
        # ziamath puts the baseline at y=0 with a 1px margin; the depth below it moves the
        # image down so the formula's baseline meets the line's.
        depth = (-ymin + 1.0) / size
        if display:  # a wide formula shrinks to the column, keeping its proportions
            style = f"width:{width:.3f}em;max-width:100%;height:auto"
        else:
            style = f"width:{width:.3f}em;height:{height:.3f}em;vertical-align:{-depth:.3f}em"
        svg = svg.replace(' id="', f' id="{prefix}').replace('href="#', f'href="#{prefix}')
        # Percent-encoded rather than base64, so the HTML stays readable; `<` may stay as it is
        # inside a quoted attribute, `>` may not (regexes find tags by it).
        data = quote(svg, safe=" <=/:;,.-_()'!*+~[]?@$")
        alt = html.escape(latex, quote=True)
        img = f'<img class="math-svg" alt="{alt}" style="{style}" src="data:image/svg+xml,{data}">'
        if display:
            return cls(f'<div class="math display">{img}</div>')
        return cls(img)  # no wrapper: one box less per formula in a long book


def _attribute(tag: str, name: str) -> str:
    found = re.search(rf'\b{name}="([^"]*)"', tag)
    if found is None:
        raise MathError(f"ziamath SVG without {name}")
    return found.group(1)


def _reason(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


@functools.cache  # asked for every formula; reading package metadata costs ~1 ms
def _ziamath_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ziamath")
    except PackageNotFoundError:
        return "?"


class _FallbackMathFont:
    """ziamath's math font, plus glyphs for the characters it lacks taken from a text font.

    ziafont reads neither font collections (.ttc) nor CID-keyed CFF, which is how CJK fonts
    ship, so the needed glyphs are copied into a small TrueType font built with fontTools.
    """

    def __init__(self, key: str, font: Any, text_font: tuple[Path, int] | None,
                 text_family: str | None) -> None:
        self.key = key
        self.font = font
        self.text_font = text_font
        self.text_family = text_family
        self.missing: set[str] = set()
        self._extra: list[Any] = []
        self._covered: set[str] = set()
        # id(ziafont font) -> (font-family for <text>, glyph id -> character)
        self._chars: dict[int, tuple[str, dict[int, str]]] = {
            id(font): (MATH_FAMILY, _characters(math_font_file()))}

    @contextmanager
    def glyphs_as_text(self) -> Iterator[None]:
        """While typesetting, ziamath draws each glyph that has a character as `<text>`."""
        from ziamath import drawable

        original = drawable.Glyph.draw
        chars = self._chars

        def draw(glyph: Any, x: float, y: float, svg: Any) -> tuple[float, float]:
            family, table = chars.get(id(glyph.glyph.font), ("", {}))
            char = table.get(glyph.glyph.index)
            if glyph.phantom or char is None:
                return original(glyph, x, y, svg)
            if not char.isspace():
                attrs = {"x": f"{x:.2f}", "y": f"{y:.2f}", "font-family": family,
                         "font-size": f"{glyph.size:.2f}"}
                if glyph.style.mathcolor and str(glyph.style.mathcolor) != "black":
                    attrs["fill"] = str(glyph.style.mathcolor)
                ElementTree.SubElement(svg, "text", attrs).text = char
            return x + glyph.funit_to_points(glyph.glyph.advance()), y

        drawable.Glyph.draw = draw
        try:
            yield
        finally:
            drawable.Glyph.draw = original

    @classmethod
    def register(cls, text_font: tuple[Path, int] | None, text_family: str | None) -> _FallbackMathFont:
        from ziamath import zmath
        from ziamath.mathfont import MathFont

        owner: _FallbackMathFont

        class Font(MathFont):
            def language(self, script: str, language: str) -> None:
                super().language(script, language)
                # No script-size variants: they have no character, so they could not be set
                # as text; the base letters read as well at script size.
                self.features["ssty"] = False

            def findglyph(self, char: str, variant: Any) -> Any:
                glyph = super().findglyph(char, variant)
                if glyph.index == 0 and char not in _IGNORABLE:
                    return owner.fallback(char, glyph)
                return glyph

        key = f"qadeck-svgmath-{id(text_font)}-{len(zmath.loadedfonts)}"
        owner = cls(key, Font(zmath.fontname), text_font, text_family)
        zmath.loadedfonts[key] = owner.font  # ziamath looks fonts up by this key
        return owner

    def prepare(self, latex: str) -> None:
        """Before typesetting: copy glyphs for the formula's characters the math font lacks."""
        need = sorted({c for c in latex if ord(c) > 127 and c not in self._covered and c not in _IGNORABLE
                       and self.font.glyphindex(c) == 0})
        if not need:
            return
        self._covered.update(need)
        found = (self.text_font, self.text_family) if self.text_font else _fontconfig_cjk()
        if found is None or found[0] is None:
            return
        source, family = found
        data = copy_glyphs(source, need)
        if data:
            font = font_from_bytes(data)
            self._extra.append(font)
            self._chars[id(font)] = (_css_family(family or CJK_FAMILIES), characters_in(data))

    def fallback(self, char: str, glyph: Any) -> Any:
        for font in self._extra:
            if font.glyphindex(char):
                return font.glyph(char)
        self.missing.add(char)
        return glyph


def _fontconfig_cjk() -> tuple[tuple[Path, int], str] | None:
    """The file, face index and family fontconfig picks for Chinese serif text, if any."""
    try:
        done = subprocess.run(["fc-match", "-f", "%{file}\\n%{index}\\n%{family[0]}", "serif:lang=zh-cn"],
                              capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    lines = done.stdout.splitlines()
    if done.returncode != 0 or len(lines) < 3 or not Path(lines[0]).is_file():
        return None
    return (Path(lines[0]), int(lines[1] or 0)), lines[2]


@functools.cache
def math_font_file() -> Path:
    """The OpenType math font ziamath lays formulas out with (STIX Two Math). Found in ziamath's
    folder without importing it (its import loads that font: half a second a build with no
    formula to typeset pays for nothing); a ziamath that keeps it elsewhere is asked."""
    from importlib.util import find_spec

    spec = find_spec("ziamath")
    for folder in (spec.submodule_search_locations or []) if spec is not None else []:
        bundled = Path(folder) / "fonts" / "STIXTwoMath-Regular.ttf"
        if bundled.is_file():
            return bundled
    from ziamath import zmath

    return Path(zmath.fontname)


@lru_cache(maxsize=8)
def _characters(path: Path) -> dict[int, str]:
    """Glyph id -> the character it draws, for the glyphs a character maps to."""
    return characters_in(path.read_bytes())


def _css_family(family: str) -> str:
    return family if "," in family else f"{family}, {CJK_FAMILIES}"
