"""Two adjustments to WeasyPrint for long books, both measured on a 1,000-question book.

Lean user-agent stylesheet: WeasyPrint's default one styles `::marker`, `::footnote-call`,
`::footnote-marker`, `::note-*` for *every* element, so each element of the book carried six
extra computed styles (180,000 for 1,000 questions: ~15% of the memory and of the style time).
The handbook has no footnotes and only lists and summaries have markers, so those rules are
narrowed or dropped; the rest of the stylesheet is WeasyPrint's own.

Formula drawings reused: WeasyPrint parses an `<img>` once per URL, but draws an SVG image
anew every time it appears: every `<text>` glyph goes through Pango again and lands in the
page's content stream again. A book repeats the same formulas hundreds of times ($x_0$,
$\\mathcal{L}$, ...), so drawing was a fifth of the build. Here the first drawing of a `data:`
SVG at a given size goes into a PDF form XObject (WeasyPrint's own `add_group`, the way it
draws opacity groups), and every later occurrence only says `/xN Do`. The patch lives
only while one handbook is printed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def reused_svg_drawings() -> Iterator[None]:
    """While active, identical `data:` SVG images share one PDF drawing per size."""
    from weasyprint.images import SVGImage

    original = SVGImage.draw
    if not _supported(original):
        yield  # an unknown WeasyPrint: draw the usual way rather than guess its internals
        return

    def draw(self: Any, stream: Any, width: float, height: float, style: Any) -> None:
        resources = getattr(stream, "_resources", None)
        if not str(getattr(self, "_base_url", "")).startswith("data:") or resources is None:
            return original(self, stream, width, height, style)
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

    SVGImage.draw = draw
    try:
        yield
    finally:
        SVGImage.draw = original


def _supported(original: Any) -> bool:
    from weasyprint.pdf.stream import Stream

    return (callable(original) and hasattr(Stream, "add_group") and hasattr(Stream, "draw_x_object")
            and hasattr(Stream, "clone"))


def lean_html_class(weasyprint: Any) -> Any:
    """`weasyprint.HTML` with the lean user-agent stylesheet (or plain `HTML` if its internals
    are not the expected ones)."""
    global _LEAN
    try:
        from weasyprint import html as wp_html
        from weasyprint.css.counters import CounterStyle

        ua = wp_html.UA
    except (ImportError, AttributeError):
        return weasyprint.HTML
    if not hasattr(weasyprint.HTML, "_ua_stylesheets"):
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
            return [sheet]

    return LeanHTML


_LEAN: Any = None
_FOOTNOTE_RULE = re.compile(r"(?m)^::(?:footnote|note)-[a-z]+ \{[^\n]*\}$")
