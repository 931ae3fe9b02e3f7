"""Every change this project makes to WeasyPrint's internals, in one place (known: 68 to 70, the
range pinned in pyproject.toml). `hooked` installs them for one print and counts in `fired` each
time one ran. Both are optimisations: where WeasyPrint's internals are not the expected ones they
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
- `font-files` (`pdf.fonts.get_hb_object_data`): a font file's bytes are copied out of HarfBuzz
  once a process, not once a document.
- `quick-styles` (`ComputedStyle.__missing__`): a property no rule of the element sets takes its
  parent's value (inherited) or its initial one at once, without WeasyPrint's general path.
- `emoji-images` (`draw.text.RasterImage`, `RasterImage._get_png_data`): a colour emoji's bitmap
  is made into an image once a process, not at each occurrence and for each document.
- `parser-patterns` (`tinyhtml5`'s `chars_until`): its character patterns found in its table
  instead of built again on every call (a bug of tinyhtml5 2.0-2.1: they are stored under the wrong key).
The last four change no byte of the PDF; each saves 2-5% of the time printing takes.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

LEAN_STYLESHEET = "lean-stylesheet"
SVG_FORMS = "svg-forms"
INLINE_BACKGROUNDS = "inline-backgrounds"
SUBSET_AT_JOIN = "subset-at-join"
QUICK_STYLES = "quick-styles"
EMOJI_IMAGES = "emoji-images"
PARSER_PATTERNS = "parser-patterns"
FONT_FILES = "font-files"


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
            _quick_styles(fired), _kept_emoji_images(fired), _parser_patterns(fired), _font_files(fired):
        yield Hooks(_lean_html_class(weasyprint, fired), fired)


@contextmanager
def _subset_at_join(fired: Counter[str], active: bool) -> Iterator[None]:
    """While active, a static outline font's program is a stand-in for the join to subset."""
    from weasyprint.pdf.fonts import Font

    from qadeck.exporters.handbook.fontjoin import Stand, harfbuzz

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

    with _swapped(Font, "clean", clean):
        yield


def file_digest(data: bytes) -> str:
    """sha256 of a font file's bytes, hashed once a process: every document hands over the same
    files again (a CJK font is ~20 MB, ~8 ms each time; 2.4 s of CPU over sspace's 49
    documents)."""
    entry = _FILES[_probe(kept_file(data))]
    if entry[1] is None:
        entry[1] = hashlib.sha256(data).hexdigest()
    return entry[1]


def kept_file(data: Any) -> bytes:
    """The bytes of a font file (`data`: bytes or a buffer), as the same bytes object each time
    this process meets the same file: known by its length and ends, then compared whole (~1 ms;
    copying it out of HarfBuzz again takes ~7 ms)."""
    probe = _probe(data)
    entry = _FILES.get(probe)
    if entry is not None and (entry[0] is data or data == entry[0]):
        return entry[0]
    if len(_FILES) >= _KEPT:
        _FILES.clear()  # a handful of font files in a book: more means fonts changed under a session
    kept = data if isinstance(data, bytes) else bytes(data)
    _FILES[probe] = [kept, None]
    return kept


def _probe(data: Any) -> tuple[int, bytes, bytes]:
    size = len(data)
    return size, bytes(data[:_PROBE]), bytes(data[max(0, size - _PROBE):size])


def forget_files() -> None:
    """Let go of the font files kept (~80 MB for a CJK book) and the emoji images: for a process
    that waits idle between builds."""
    _FILES.clear()
    _IMAGES.clear()
    _PNGS.clear()


_PROBE = 4096
_KEPT = 32
_FILES: dict[tuple[int, bytes, bytes], list[Any]] = {}  # probe -> [the file's bytes, their sha256]
_IMAGES: dict[tuple[str, bytes], Any] = {}  # (WeasyPrint's image id, the glyph's PNG) -> RasterImage
_PNGS: dict[tuple[str, tuple[int, int], bytes], Any] = {}  # a bitmap -> its PNG data for the PDF


@contextmanager
def _quick_styles(fired: Counter[str]) -> Iterator[None]:
    """While active, a property an element's rules do not set takes its parent's value (inherited)
    or its initial one straight away, as WeasyPrint's own `ComputedStyle.__missing__` ends up
    doing after its general path; every other property goes that general path."""
    try:
        from weasyprint.css import ComputedStyle
        from weasyprint.css.computed_values import PHYSICAL_FUNCTIONS
        from weasyprint.css.properties import INHERITED, INITIAL_NOT_COMPUTED, INITIAL_VALUES
    except ImportError:
        yield
        return
    original = ComputedStyle.__dict__.get("__missing__")
    if not callable(original):
        yield
        return
    # The properties its general path treats apart: logical ones, those computed from others.
    special = {*PHYSICAL_FUNCTIONS, "page", "position", "float", "display",
               *(name for name in INITIAL_VALUES if name.startswith("text_decoration_"))}
    inherited = frozenset(INHERITED) - special
    initial = frozenset(INITIAL_VALUES) - special - set(INHERITED) - set(INITIAL_NOT_COMPUTED)
    ran = [0]

    def __missing__(self: Any, key: str) -> Any:
        if key not in self.cascaded:
            if key in inherited:
                parent = self.parent_style
                if parent is not None:  # the root's "inherit" is its initial value
                    ran[0] += 1
                    value = self[key] = parent[key]
                    return value
            elif key in initial:
                ran[0] += 1
                value = self[key] = INITIAL_VALUES[key]
                return value
        return original(self, key)

    try:
        with _swapped(ComputedStyle, "__missing__", __missing__):
            yield
    finally:
        if ran[0]:
            fired[QUICK_STYLES] += ran[0]


@contextmanager
def _kept_emoji_images(fired: Counter[str]) -> Iterator[None]:
    """While active, a colour emoji's bitmap becomes an image once a process, not once each time
    it is drawn: WeasyPrint re-encodes the glyph's PNG on every occurrence (its palette becomes
    RGBA) and again, colour and alpha apart, for every document that shows it."""
    try:
        from weasyprint.draw import text as wp_text
        from weasyprint.images import RasterImage
    except ImportError:
        yield
        return
    original, encode = getattr(wp_text, "RasterImage", None), RasterImage.__dict__.get("_get_png_data")
    if original is not RasterImage or not isinstance(encode, staticmethod):
        yield
        return

    def raster_image(pillow_image: Any, image_id: str, image_data: Any, *args: Any, **kwargs: Any) -> Any:
        if args or kwargs or not isinstance(image_data, bytes):
            return original(pillow_image, image_id, image_data, *args, **kwargs)
        fired[EMOJI_IMAGES] += 1
        key = (image_id, image_data)
        if key not in _IMAGES:
            _IMAGES[key] = original(pillow_image, image_id, image_data)
        return _IMAGES[key]

    def png_data(pillow_image: Any) -> Any:
        key = (pillow_image.mode, pillow_image.size, pillow_image.tobytes())
        if key not in _PNGS:
            _PNGS[key] = encode.__func__(pillow_image)
        return _PNGS[key]

    with _swapped(wp_text, "RasterImage", raster_image), \
            _swapped(RasterImage, "_get_png_data", staticmethod(png_data)):
        yield


@contextmanager
def _parser_patterns(fired: Counter[str]) -> Iterator[None]:
    """While active, the HTML parser finds its character-class patterns in its own table: tinyhtml5
    (2.0, 2.1) stores each one under the wrong key (`characters = table[key] = regex` binds
    `characters` first), so every call builds it again, 40% of the time the parse takes."""
    try:
        from tinyhtml5 import inputstream
    except ImportError:
        yield
        return
    stream = getattr(inputstream, "HTMLUnicodeInputStream", None)
    table = getattr(inputstream, "characters_until_regex", None)
    original = getattr(stream, "chars_until", None)
    if not callable(original) or not isinstance(table, dict):
        yield
        return

    ran = [0]

    def chars_until(self: Any, characters: Any, opposite: bool = False) -> str:
        ran[0] += 1
        if (characters, opposite) not in table:
            regex = "".join(f"\\x{ord(character):02x}" for character in characters)
            table[(characters, opposite)] = re.compile(f"[{regex}]+" if opposite else f"[^{regex}]+")
        return original(self, characters, opposite)

    try:
        with _swapped(stream, "chars_until", chars_until):
            yield
    finally:
        if ran[0]:
            fired[PARSER_PATTERNS] += ran[0]


@contextmanager
def _font_files(fired: Counter[str]) -> Iterator[None]:
    """While active, the bytes of a font's file are read out of HarfBuzz once a process (`kept_file`):
    every document WeasyPrint prints copies each font file it uses (~20 MB for a CJK one)."""
    try:
        from weasyprint.pdf import fonts as pdf_fonts
        from weasyprint.text.ffi import ffi, harfbuzz
    except ImportError:
        yield
        return
    original = getattr(pdf_fonts, "get_hb_object_data", None)
    if not callable(original):
        yield
        return

    def get_hb_object_data(hb_object: Any, ot_color: Any = None, glyph: Any = None) -> Any:
        if ot_color is not None or glyph is not None:
            return original(hb_object, ot_color, glyph)
        fired[FONT_FILES] += 1
        blob = harfbuzz.hb_face_reference_blob(hb_object)
        try:
            length = ffi.new("unsigned int *")
            data = harfbuzz.hb_blob_get_data(blob, length)
            return None if data == ffi.NULL else kept_file(ffi.buffer(data, int(length[0])))
        finally:
            harfbuzz.hb_blob_destroy(blob)

    with _swapped(pdf_fonts, "get_hb_object_data", get_hb_object_data):
        yield


@contextmanager
def _swapped(owner: Any, name: str, new: Any) -> Iterator[None]:
    """`owner.name` is `new` while active, and what it was again after."""
    # The attribute itself, not what reading it gives (a class's staticmethod reads as a function);
    # one `owner` only inherits is removed again after.
    own = vars(owner)
    original = own.get(name, _INHERITED)
    setattr(owner, name, new)
    try:
        yield
    finally:
        if original is _INHERITED:
            delattr(owner, name)
        else:
            setattr(owner, name, original)


_INHERITED = object()


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

    with _swapped(wp_draw, "draw_background_image", draw_background_image):
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

    with _swapped(SVGImage, "draw", draw):
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
