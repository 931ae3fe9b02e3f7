"""Every change this project makes to WeasyPrint's internals, in one place (known: 68 to 70, the
range pinned in pyproject.toml). `hooked` installs them for one print and counts in `fired` each
time one ran. All are optimisations: where WeasyPrint's internals are not the expected ones they
stand aside and WeasyPrint prints the usual way (slower, never different). Page numbers, the
contents' numbers and links between chapters need no change to WeasyPrint: chapters are printed
as documents of their own and joined (`join`).

- `lean-stylesheet` (`HTML._ua_stylesheets`, `html.UA`): WeasyPrint's user-agent stylesheet
  styles `::marker`, `::footnote-*`, `::note-*` for every element (six extra computed styles
  each: ~15% of the memory and style time at 1,000 questions). The handbook has no footnotes
  and only lists and summaries have markers, so those rules are narrowed or dropped.
- `svg-forms` (`SVGImage.draw`, `Stream._resources`): WeasyPrint draws an SVG image anew each
  time it appears (every glyph through Pango again); a book repeats the same formulas hundreds
  of times, a fifth of the build. The first drawing of a `data:` SVG at a size goes into a PDF
  form XObject (WeasyPrint's own `add_group`) and every later one only says `/xN Do`.
- `inline-backgrounds` (`draw.draw_background_image`): a background image that does not repeat
  is drawn inside a group of its own the size of the page, one form XObject per box. Each code
  line has one (the continuation mark, `codelines`): 6,000 forms in a chapter of code. A `data:`
  SVG background (no masks of its own) is drawn in place, clipped to the box as WeasyPrint clips
  it, and `svg-forms` makes that one `/xN Do`.
- `subset-at-join` (`pdf.fonts.Font.clean`): WeasyPrint subsets every font of every document
  (HarfBuzz, ~0.6 s a document). A static outline font's program becomes a small stand-in naming
  the font file and the glyphs shown (`fontjoin`), and the join subsets each font once for the
  whole book (a colour font's outlines emptied, as WeasyPrint does). Variable fonts, or a font
  WeasyPrint reads nothing of, are cleaned as usual. A font file's digest is hashed once a process.
- The changes that only save time and change no byte are in `weasyprint_speedups` (`hooked`
  enters them too): font files read once a process, quicker styles, emoji images and HTML parsing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from qadeck.exporters.handbook import weasyprint_speedups as speedups
from qadeck.exporters.handbook.weasyprint_speedups import swapped

LEAN_STYLESHEET = "lean-stylesheet"
SVG_FORMS = "svg-forms"
INLINE_BACKGROUNDS = "inline-backgrounds"
SUBSET_AT_JOIN = "subset-at-join"


@dataclass
class Hooks:
    html: Any  # the HTML class to print with (the lean one when it applies)
    fired: Counter[str]


@contextmanager
def hooked(weasyprint: Any, subset_at_join: bool = True) -> Iterator[Hooks]:
    """The changes for one print (`subset_at_join`: the fonts' stand-ins, for a join that
    subsets them)."""
    fired: Counter[str] = Counter()
    with _reused_svg_drawings(fired), _inline_backgrounds(fired), _subset_at_join(fired, subset_at_join), \
            speedups.active(fired):
        yield Hooks(_lean_html_class(weasyprint, fired), fired)


@contextmanager
def _subset_at_join(fired: Counter[str], active: bool) -> Iterator[None]:
    """While active, a static outline font's program is a stand-in for the join to subset."""
    from weasyprint.pdf.fonts import Font

    from qadeck.exporters.handbook.fontjoin import Stand, harfbuzz
    from qadeck.exporters.handbook.weasyprint_speedups import file_digest

    original = getattr(Font, "clean", None)
    if not active or not callable(original) or harfbuzz() is None:
        yield
        return

    def clean(self: Any, to_unicode: dict[int, str], hinting: bool) -> None:
        try:
            data, tables, index = self.file_content, self.tables, int(self.index)
            static = not self.bitmap and "fvar" not in tables
            blank = bool(self.png or self.svg or self.colr)
            family, notdef = str(self.family), bool(self.missing)
        except (AttributeError, TypeError, ValueError):
            return original(self, to_unicode, hinting)
        outlines = "CFF " in tables or "glyf" in tables
        if not (to_unicode and static and isinstance(data, bytes) and (outlines or blank)):
            return original(self, to_unicode, hinting)
        fired[SUBSET_AT_JOIN] += 1
        stand = Stand(family, index, file_digest(data), tuple(sorted(to_unicode)),
                      notdef, bool(hinting), "CFF " in tables, blank)
        self.file_content = stand.program()

    with swapped(Font, "clean", clean):
        yield


@contextmanager
def _inline_backgrounds(fired: Counter[str]) -> Iterator[None]:
    """While active, a `data:` SVG background that does not repeat is drawn without a group."""
    from weasyprint import draw as wp_draw
    from weasyprint.images import SVGImage

    original = getattr(wp_draw, "draw_background_image", None)
    if not callable(original):
        yield
        return

    def draw_background_image(stream: Any, layer: Any, style: Any) -> None:
        try:
            image, unbounded, repeat = layer.image, layer.unbounded, tuple(layer.repeat)
            painting, positioning, position = layer.painting_area, layer.positioning_area, layer.position
            size = layer.size
        except AttributeError:
            return original(stream, layer, style)
        if not isinstance(image, SVGImage) or unbounded or repeat != ("no-repeat", "no-repeat") \
                or not str(getattr(image, "_base_url", "")).startswith("data:") or 0 in size:
            return original(stream, layer, style)
        fired[INLINE_BACKGROUNDS] += 1
        with stream.artifact(), stream.stacked():
            stream.rectangle(*painting)
            stream.clip()
            stream.end()
            stream.transform(e=position[0] + positioning[0], f=position[1] + positioning[1])
            image.draw(stream, size[0], size[1], style)

    with swapped(wp_draw, "draw_background_image", draw_background_image):
        yield


@contextmanager
def _reused_svg_drawings(fired: Counter[str]) -> Iterator[None]:
    """While active, identical `data:` SVG images share one PDF drawing per size."""
    from weasyprint.images import SVGImage
    from weasyprint.pdf.stream import Stream

    original = getattr(SVGImage, "draw", None)
    if not (callable(original) and all(hasattr(Stream, name) for name in
                                       ("add_group", "draw_x_object", "clone"))):
        yield  # an unknown WeasyPrint: draw the usual way rather than guess its internals
        return

    def draw(self: Any, stream: Any, width: float, height: float, style: Any) -> None:
        resources = getattr(stream, "_resources", None)
        if not str(getattr(self, "_base_url", "")).startswith("data:") or resources is None:
            return original(self, stream, width, height, style)
        fired[SVG_FORMS] += 1
        forms: dict[tuple[int, float, float], tuple[Any, str]] = self.__dict__.setdefault(
            "_qadeck_forms", {})
        key = (id(resources), round(width, 4), round(height, 4))
        found = forms.get(key)
        if found is None or found[0] is not resources:  # first use in this PDF (or this group)
            # A generous box: the drawing is not clipped more than when drawn in place.
            group = stream.add_group(-width, -height, 3 * width, 3 * height)
            original(self, group, width, height, style)
            found = forms[key] = (resources, group.id)
        stream.draw_x_object(found[1])

    with swapped(SVGImage, "draw", draw):
        yield


def _lean_html_class(weasyprint: Any, fired: Counter[str]) -> Any:
    """`weasyprint.HTML` with the lean user-agent stylesheet (or plain `HTML` if its internals
    are not the expected ones)."""
    global _LEAN
    try:
        from weasyprint import html as wp_html
        from weasyprint.css.counters import CounterStyle

        ua = wp_html.UA
    except (ImportError, AttributeError):
        return weasyprint.HTML
    if not callable(getattr(weasyprint.HTML, "_ua_stylesheets", None)) or not isinstance(ua, str):
        return weasyprint.HTML
    if _LEAN is None:
        ua = ua.replace("\n::marker {", "\nli::marker, summary::marker {")
        ua = _FOOTNOTE_RULE.sub("", ua)
        # Its @counter-style rules are already in WeasyPrint's own UA counter styles, which
        # refuse a second definition of `disc` and `decimal` (one warning each): parse into a
        # throwaway set, as the document uses WeasyPrint's.
        _LEAN = weasyprint.CSS(string=ua, counter_style=CounterStyle())
    sheet = _LEAN

    class LeanHTML(weasyprint.HTML):
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            fired[LEAN_STYLESHEET] += 1
            return [sheet]

    return LeanHTML


_LEAN: Any = None
_FOOTNOTE_RULE = re.compile(r"(?m)^::(?:footnote|note)-[a-z]+ \{[^\n]*\}$")
