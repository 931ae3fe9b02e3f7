"""The changes to WeasyPrint's internals (and one to tinyhtml5's, its HTML parser) that only save
time: each gives the same PDF, byte for byte (`tests/test_handbook_weasyprint_patches.py`), and
stands aside where the internals are not the expected ones. `active` installs them for one print;
`weasyprint_patches.hooked` enters it with the changes that make the book's PDF different.

- `font-files` (`pdf.fonts.get_hb_object_data`): a font file's bytes are copied out of HarfBuzz
  once a process, not once a document; its digest (for the join's stand-ins) is kept beside them.
- `quick-styles` (`ComputedStyle.__missing__`): a property no rule of the element sets takes its
  parent's value (inherited) or its initial one at once, without WeasyPrint's general path.
- `emoji-images` (`draw.text.RasterImage`, `RasterImage._get_png_data`): a colour emoji's bitmap
  is made into an image once a process, not at each occurrence and for each document.
- `parser-patterns` (`tinyhtml5`'s `chars_until`): its character patterns found in its table
  instead of built again on every call (a bug of tinyhtml5 2.0-2.1: they are stored under the wrong key).
Each saves 2-9% of the time printing takes (sspace's documents, one process).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

QUICK_STYLES = "quick-styles"
EMOJI_IMAGES = "emoji-images"
PARSER_PATTERNS = "parser-patterns"
FONT_FILES = "font-files"


@contextmanager
def active(fired: Counter[str]) -> Iterator[None]:
    """The changes for one print, each counting in `fired` the times it ran."""
    with _font_files(fired), _quick_styles(fired), _kept_emoji_images(fired), _parser_patterns(fired):
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
    ran = [0]  # a list bumped on every call, not the Counter: it is WeasyPrint's busiest call

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

    with _tallied(fired, QUICK_STYLES, ran), swapped(ComputedStyle, "__missing__", __missing__):
        yield


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

    with swapped(wp_text, "RasterImage", raster_image), \
            swapped(RasterImage, "_get_png_data", staticmethod(png_data)):
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

    with _tallied(fired, PARSER_PATTERNS, ran), swapped(stream, "chars_until", chars_until):
        yield


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

    with swapped(pdf_fonts, "get_hb_object_data", get_hb_object_data):
        yield


@contextmanager
def _tallied(fired: Counter[str], name: str, ran: list[int]) -> Iterator[None]:
    """`ran[0]` (a change's calls, counted where a Counter costs too much) added to `fired` after."""
    try:
        yield
    finally:
        if ran[0]:
            fired[name] += ran[0]


@contextmanager
def swapped(owner: Any, name: str, new: Any) -> Iterator[None]:
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
