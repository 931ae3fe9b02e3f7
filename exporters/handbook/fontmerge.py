"""One font program per font in the joined handbook.

Each document of the book (cover, contents, chapters, page numbers) is printed on its own and
embeds its own subset of each font it uses. A subset keeps the font's glyph ids (WeasyPrint
subsets with RETAIN_GIDS), so a Noto CJK subset weighs 80-230 KB however few glyphs it holds,
once per chapter. WeasyPrint names a font by a digest of its description, so one font has one
/FontName in every document: the descriptors sharing a name are pointed at one program merged
from all their subsets (`sfntmerge`), while each document's font dictionaries (codes, /W widths,
ToUnicode) stay as they are: the merged program gives every code the glyph it had.

Fonts whose subsets cannot be merged safely keep them (`sfntmerge.merge` returns None). A merged
program is cached by the digests of its inputs (encoded stream bytes and codes shown), so a
rebuild whose documents did not change their subsets pays only for hashing those streams.
"""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

from qadeck.cache import Store, key
from qadeck.exporters.handbook import sfntmerge

PROGRAMS = ("/FontFile2", "/FontFile3")  # TrueType; CFF in OpenType (bare CFF is left alone)
_CID_FONTS = ("/CIDFontType0", "/CIDFontType2")


def merge_fonts(pdf: Any, store: Store | None = None) -> None:
    """Give the descriptors of each font in `pdf` (a pikepdf.Pdf) one program between them."""
    import pikepdf

    groups: dict[tuple[str, str], list[Any]] = {}
    shown: dict[tuple[int, int], set[int]] = {}  # descriptor -> the codes its CID fonts show
    for obj in pdf.objects:
        if not isinstance(obj, pikepdf.Dictionary):
            continue
        if obj.get("/Subtype") in _CID_FONTS and isinstance(obj.get("/FontDescriptor"), pikepdf.Dictionary):
            shown.setdefault(obj.FontDescriptor.objgen, set()).update(_codes(obj.get("/W")))
        elif obj.get("/Type") == "/FontDescriptor":
            for program in PROGRAMS:
                if isinstance(obj.get(program), pikepdf.Stream):
                    groups.setdefault((str(obj.get("/FontName")), program), []).append(obj)
    for (_, program), descriptors in groups.items():
        _merge_group(pdf, program, descriptors, shown, store)


def _merge_group(pdf: Any, program: str, descriptors: list[Any], shown: dict[tuple[int, int], set[int]],
                 store: Store | None) -> None:
    import pikepdf

    streams: dict[tuple[int, int], tuple[Any, set[int]]] = {}  # program -> (stream, codes shown)
    for descriptor in descriptors:
        if not shown.get(descriptor.objgen):
            return  # a descriptor no CID font uses, or one with no widths: nothing tells what it shows
        stream = descriptor[program]
        streams.setdefault(stream.objgen, (stream, set()))[1].update(shown[descriptor.objgen])
    firsts = [stream for stream, _ in streams.values()]
    if len(streams) < 2 or (program == "/FontFile3"
                            and any(stream.get("/Subtype") != "/OpenType" for stream in firsts)):
        return
    try:
        digests = {stream.objgen: _digest(stream) for stream in firsts}
        if len(set(digests.values())) == 1:
            shared = firsts[0]  # the same subset in every document: one copy serves them all
        else:
            inputs = {(digests[stream.objgen], tuple(sorted(codes))): (stream, frozenset(codes))
                      for stream, codes in streams.values()}
            merged = _merged(list(inputs.values()), key("font merge", sorted(inputs)), store)
            if merged is None:
                return
            length, deflated = merged
            shared = pdf.make_stream(deflated)  # written as it is: qpdf keeps a Flate stream's bytes
            for name, value in firsts[0].stream_dict.items():
                if name not in ("/Length", "/Filter", "/DecodeParms", "/Length1"):
                    shared.stream_dict[name] = value
            shared.Filter = pikepdf.Name.FlateDecode
            if program == "/FontFile2":
                shared.Length1 = length  # TrueType programs say their decoded length
    except pikepdf.PdfError:
        return  # a stream that does not decode: leave the font as it is
    for descriptor in descriptors:
        descriptor[program] = shared


def _digest(stream: Any) -> str:
    """A program, known without decoding it: its stream's encoded bytes and filters."""
    digest = hashlib.sha256(stream.read_raw_bytes())
    digest.update(repr((str(stream.get("/Filter")), str(stream.get("/DecodeParms")))).encode())
    return digest.hexdigest()


def _merged(inputs: list[tuple[Any, frozenset[int]]], entry: str,
            store: Store | None) -> tuple[int, bytes] | None:
    """The merged program's length and its bytes deflated, from the cache when these inputs were
    merged before ((0, b""): they cannot be). Deflated once here, not by qpdf at every build."""
    found = store.get(entry, tuple) if store is not None else None
    if found is None:
        merged = sfntmerge.merge([(stream.read_bytes(), codes) for stream, codes in inputs]) or b""
        found = (len(merged), zlib.compress(merged) if merged else b"")
        if store is not None:
            store.put(entry, found)
    return found if found[0] else None


def _codes(widths: Any) -> list[int]:
    """The codes a CID font's /W array gives widths (WeasyPrint writes one per glyph shown):
    entries are `c [w1 w2 ...]` or `c_first c_last w`; none when the array is not that shape."""
    import pikepdf

    if not isinstance(widths, pikepdf.Array):
        return []
    items, codes, i = list(widths), [], 0
    try:
        while i + 1 < len(items):
            listed = isinstance(items[i + 1], pikepdf.Array)
            first = int(items[i])
            last = first + len(items[i + 1]) - 1 if listed else int(items[i + 1])
            if first < 0 or last > 0xFFFF:  # codes are two bytes
                return []
            codes.extend(range(first, last + 1))
            i += 2 if listed else 3
    except (TypeError, ValueError):
        return []
    return codes
