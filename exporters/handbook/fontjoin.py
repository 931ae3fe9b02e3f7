"""Each font of the handbook subset once, at the join.

Every document of the book (cover, contents, chapters, units of the problems' part, page numbers)
is printed on its own. WeasyPrint would subset each font for each document (HarfBuzz, glyph ids
retained: a CJK subset weighs 80-230 KB however few glyphs it holds), and the book would carry one
program per font per document. Instead, while a document prints (`weasy`'s `subset-at-join`), a
font's program is a stand-in: the font's magic number, then `MAGIC` and one line of JSON naming the
font (family, face index, a digest of the font file's bytes) and the glyph ids the document shows.
The document's content streams, widths and ToUnicode maps are WeasyPrint's own, unchanged.

The join (`subset_fonts`) gathers each font's stand-ins, finds its file (the files the print reads,
then fontconfig's files of that family, by digest) and subsets it once for the union of the glyphs
with HarfBuzz, the way WeasyPrint does (same flags, glyph ids retained), so every code of every
document draws the glyph it drew. The subset is cached by its inputs (a rebuild that shows no new
glyph pays nothing). A font whose file is no longer the one the document was printed with raises
`FontSourceMissing`: the caller prints again rather than draw wrong glyphs.
"""

from __future__ import annotations

import hashlib
import json
import struct
import subprocess
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from qadeck.cache import Store, key, stat_of
from qadeck.errors import ExportError

MAGIC = b"qadeck subset-at-join 1\n"
_CFF, _TRUETYPE = b"OTTO", b"\0\1\0\0"  # what a subset starts with: its type for WeasyPrint
PROGRAMS = ("/FontFile2", "/FontFile3")


class FontSourceMissing(ExportError):
    """A stand-in whose font file is nowhere (or has changed since the document was printed)."""

    def __init__(self, families: list[str]) -> None:
        super().__init__("the font file of " + ", ".join(sorted(set(families)))
                         + " changed since the handbook's documents were printed")


@dataclass(frozen=True)
class Stand:
    """What a document's stand-in says about one font."""

    family: str
    index: int  # the face in the file (a collection holds several)
    digest: str  # sha256 of the font file's bytes
    gids: tuple[int, ...]  # the glyph ids shown, sorted
    notdef: bool  # the document drew .notdef for a missing character: keep its outline
    hinting: bool
    cff: bool
    blank: bool = False  # a colour font: its glyphs are drawn as images, its outlines left empty

    def program(self) -> bytes:
        ranges: list[list[int]] = []
        for gid in self.gids:
            if ranges and gid == ranges[-1][1] + 1:
                ranges[-1][1] = gid
            else:
                ranges.append([gid, gid])
        said = {"family": self.family, "index": self.index, "digest": self.digest, "gids": ranges,
                "notdef": self.notdef, "hinting": self.hinting, "blank": self.blank}
        return (_CFF if self.cff else _TRUETYPE) + MAGIC + json.dumps(said, sort_keys=True).encode()

    @classmethod
    def read(cls, data: bytes) -> Stand | None:
        """The stand-in `data` is, or None (a real program)."""
        if data[4:4 + len(MAGIC)] != MAGIC or data[:4] not in (_CFF, _TRUETYPE):
            return None
        try:
            said = json.loads(data[4 + len(MAGIC):])
            gids = tuple(g for first, last in said["gids"] for g in range(int(first), int(last) + 1))
            return cls(str(said["family"]), int(said["index"]), str(said["digest"]), gids,
                       bool(said["notdef"]), bool(said["hinting"]), data[:4] == _CFF, bool(said["blank"]))
        except (ValueError, KeyError, TypeError):
            return None


def subset_fonts(pdf: Any, store: Store | None = None, files: tuple[Path, ...] = ()) -> None:
    """Give the stand-ins of each font in `pdf` (a pikepdf.Pdf) one subset of its file; real
    programs (a font WeasyPrint subset itself) are left as they are. `files`: font files the
    documents may have read by @font-face."""
    import pikepdf

    groups: dict[tuple[str, int, bool], list[tuple[Any, str, Stand]]] = {}
    for obj in pdf.objects:
        if not (isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"):
            continue
        for program in PROGRAMS:
            stream = obj.get(program)
            if not isinstance(stream, pikepdf.Stream) or len(stream.read_raw_bytes()) > 1 << 16:
                continue
            stand = Stand.read(stream.read_bytes())
            if stand is not None:
                found = groups.setdefault((stand.digest, stand.index, stand.hinting), [])
                found.append((obj, program, stand))
    sources = Sources(store, files)
    for found in groups.values():
        _subset_group(pdf, found, sources, store)


def _subset_group(pdf: Any, found: list[tuple[Any, str, Stand]], sources: Sources,
                  store: Store | None) -> None:
    import pikepdf

    first = found[0][2]
    gids = sorted({gid for _, _, stand in found for gid in stand.gids})
    notdef = any(stand.notdef for _, _, stand in found)
    entry = key("font subset", first.digest, first.index, gids, notdef, first.hinting, first.blank)
    cached = store.get(entry, tuple) if store is not None else None
    if cached is None:
        data = sources.read(first)
        program = subset(data, first.index, gids, notdef, first.hinting) if data is not None else None
        if program is not None and first.blank:
            program = blanked(program)
        if program is not None:
            program = _in_table_order(program)
        if program is None or program[:4] != (_CFF if first.cff else _TRUETYPE):
            raise FontSourceMissing([stand.family for _, _, stand in found])
        cached = (len(program), zlib.compress(program))
        if store is not None:
            store.put(entry, cached)
    length, deflated = cached
    shared = pdf.make_stream(deflated)  # written as it is: qpdf keeps a Flate stream's bytes
    descriptor, program_key, _ = found[0]
    for name, value in descriptor[program_key].stream_dict.items():
        if name not in ("/Length", "/Filter", "/DecodeParms", "/Length1"):
            shared.stream_dict[name] = value
    shared.Filter = pikepdf.Name.FlateDecode
    if program_key == "/FontFile2":
        shared.Length1 = length  # TrueType programs say their decoded length
    for descriptor, program_key, _ in found:
        descriptor[program_key] = shared


class Sources:
    """Font files by the digest of their bytes: those given, then fontconfig's files of a family.
    A file's digest is kept in `store` under its size and time, so a rebuild reads none."""

    def __init__(self, store: Store | None, files: tuple[Path, ...]) -> None:
        self.store = store
        self.files = files

    def read(self, stand: Stand) -> bytes | None:
        for path in (*self.files, *_family_files(stand.family)):
            if self._digest(path) == stand.digest:
                data = _read(path)
                if data is not None and hashlib.sha256(data).hexdigest() == stand.digest:
                    return data
        return None

    def _digest(self, path: Path) -> str | None:
        stat = stat_of(path)
        if stat is None:
            return None
        entry = key("font file digest", str(path), stat)
        known = self.store.get(entry, str) if self.store is not None else None
        if known is None:
            data = _read(path)
            if data is None:
                return None
            known = hashlib.sha256(data).hexdigest()
            if self.store is not None:
                self.store.put(entry, known)
        return known


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


@lru_cache(maxsize=64)
def _family_files(family: str) -> tuple[Path, ...]:
    """The files fontconfig knows for `family` (none when fc-list is missing or fails)."""
    escaped = "".join("\\" + char if char in "\\-:," else char for char in family)
    try:
        done = subprocess.run(["fc-list", "--format", "%{file}\n", escaped], capture_output=True,
                              text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return tuple(sorted({Path(line) for line in done.stdout.splitlines() if line.strip()}))


def _in_table_order(program: bytes) -> bytes:
    """The program with its tables' data in the order fontTools writes (head first, CFF before
    the metrics), as WeasyPrint's subsets are not: poppler reads a HarfBuzz-ordered program about
    about eight times slower (`pdffonts` of the sample book: 0.2 s of CPU became 1.7 s)."""
    from io import BytesIO

    from fontTools.ttLib import TTFont, TTLibError

    try:
        out = BytesIO()
        TTFont(BytesIO(program), recalcTimestamp=False).save(out)  # no clock in the bytes
    except (TTLibError, ValueError, KeyError, AssertionError, struct.error):
        return program
    return out.getvalue()


def blanked(program: bytes) -> bytes | None:
    """A colour font's subset as WeasyPrint embeds it: every glyph empty (it draws them as
    images), its colour tables dropped."""
    from io import BytesIO

    from fontTools.ttLib import TTFont, TTLibError, getTableClass, getTableModule

    try:
        font = TTFont(BytesIO(program), recalcTimestamp=False)  # no clock in the bytes
        empty = getTableModule("glyf").Glyph
        if "loca" not in font or "glyf" not in font:
            font["loca"] = getTableClass("loca")()
            font["glyf"] = getTableClass("glyf")()
            font["glyf"].glyphOrder = font.getGlyphOrder()
            font["glyf"].glyphs = {name: empty() for name in font["glyf"].glyphOrder}
        else:
            for name in font["glyf"].glyphs:
                font["glyf"][name] = empty()
        for table in ("CBDT", "CBLC", "SVG ", "COLR"):
            if table in font:
                del font[table]
        out = BytesIO()
        font.save(out)
    except (TTLibError, ValueError, KeyError, AssertionError):
        return None
    return out.getvalue()


# HarfBuzz's subsetter, the library WeasyPrint subsets with, through bindings of our own:
# WeasyPrint's do not declare how to make a face from bytes.
_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
typedef uint32_t hb_tag_t;
typedef int hb_bool_t;
hb_bool_t hb_version_atleast (unsigned int major, unsigned int minor, unsigned int micro);
hb_blob_t * hb_blob_create (const char *data, unsigned int length, int mode, void *user_data, void *destroy);
void hb_blob_destroy (hb_blob_t *blob);
const char * hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t * hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t * hb_face_reference_blob (hb_face_t *face);
hb_tag_t hb_tag_from_string (const char *str, int len);
void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
void hb_set_add_range (hb_set_t *set, hb_codepoint_t first, hb_codepoint_t last);
hb_subset_input_t * hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t * hb_subset_input_glyph_set (hb_subset_input_t *input);
hb_set_t * hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned value);
hb_face_t * hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""
_READONLY = 1  # HB_MEMORY_MODE_READONLY
_NO_HINTING, _RETAIN_GIDS, _DESUBROUTINIZE = 0x1, 0x2, 0x4
_PASSTHROUGH_UNRECOGNIZED, _NOTDEF_OUTLINE = 0x20, 0x40
_DROP_TABLE_TAG = 3  # HB_SUBSET_SETS_DROP_TABLE_TAG
# The tables WeasyPrint drops from its subsets
_DROPPED = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")


@lru_cache(maxsize=1)
def harfbuzz() -> tuple[Any, Any, Any] | None:
    """(ffi, harfbuzz, harfbuzz-subset), or None when they cannot load (then WeasyPrint subsets
    each document itself, as it does by default)."""
    try:
        from cffi import FFI

        ffi = FFI()
        ffi.cdef(_CDEF)
        hb = _dlopen(ffi, "libharfbuzz.so.0", "libharfbuzz.0.dylib", "libharfbuzz-0.dll", "harfbuzz")
        hb_subset = _dlopen(ffi, "libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib",
                            "libharfbuzz-subset-0.dll", "harfbuzz-subset")
        if hb is None or hb_subset is None or not hb.hb_version_atleast(4, 1, 0):
            return None
        hb_subset.hb_subset_input_create_or_fail  # noqa: B018 - present, or AttributeError
    except (ImportError, AttributeError, OSError):
        return None
    return ffi, hb, hb_subset


def _dlopen(ffi: Any, *names: str) -> Any:
    for name in names:
        try:
            return ffi.dlopen(name)
        except OSError:
            continue
    return None


def subset(data: bytes, index: int, gids: list[int], notdef: bool, hinting: bool) -> bytes | None:
    """Face `index` of the font file `data` cut to the glyphs `gids` (sorted), their ids kept:
    WeasyPrint's two passes (glyph ids retained, then the glyphs past the last one dropped)."""
    loaded = harfbuzz()
    if loaded is None or not gids:
        return None
    ffi, hb, hbs = loaded
    buffer = ffi.from_buffer(data)  # the blob reads these bytes in place: kept alive below
    blob = ffi.gc(hb.hb_blob_create(buffer, len(data), _READONLY, ffi.NULL, ffi.NULL), hb.hb_blob_destroy)
    face = ffi.gc(hb.hb_face_create(blob, index), hb.hb_face_destroy)
    request = ffi.gc(hbs.hb_subset_input_create_or_fail(), hbs.hb_subset_input_destroy)
    if request == ffi.NULL:
        return None
    glyphs = hbs.hb_subset_input_glyph_set(request)
    for gid in gids:
        hb.hb_set_add(glyphs, gid)
    dropped = hbs.hb_subset_input_set(request, _DROP_TABLE_TAG)
    for tag in _DROPPED:
        hb.hb_set_add(dropped, hb.hb_tag_from_string(tag, -1))
    outline = _NOTDEF_OUTLINE if notdef else 0
    kept = _PASSTHROUGH_UNRECOGNIZED | _DESUBROUTINIZE | outline
    hbs.hb_subset_input_set_flags(request, _RETAIN_GIDS | kept)
    retained = hbs.hb_subset_or_fail(face, request)
    if retained == ffi.NULL:
        return None
    retained = ffi.gc(retained, hb.hb_face_destroy)
    hb.hb_set_add_range(glyphs, 0, gids[-1])
    hbs.hb_subset_input_set_flags(request, kept | (0 if hinting else _NO_HINTING))
    cut = hbs.hb_subset_or_fail(retained, request)
    if cut == ffi.NULL:
        return None
    cut = ffi.gc(cut, hb.hb_face_destroy)
    out = ffi.gc(hb.hb_face_reference_blob(cut), hb.hb_blob_destroy)
    length = ffi.new("unsigned int *")
    pointer = hb.hb_blob_get_data(out, length)
    program = bytes(ffi.buffer(pointer, length[0])) if length[0] else None
    del buffer  # `data` was read in place until here
    return program
