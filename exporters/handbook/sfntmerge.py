"""Subsets of one font (one per document of the handbook) merged into one program holding every
glyph any of them has, for `fontmerge`.

WeasyPrint's HarfBuzz subsets keep the font's glyph ids (the glyphs a document does not use are
left empty; `glyfmerge` tells which TrueType parts do get new ids), so the merge goes glyph by
glyph: glyph g of the merged font is glyph g of the first subset that has an outline for it (for
CFF, the glyph of CID g: see `cffmerge`), with that subset's metrics; where none has an outline,
the first that gives it an advance (a space), else an empty glyph. The tables holding an entry per
glyph are rebuilt (outlines, hmtx/vmtx, VORG, maxp, post without glyph names); cmap, OS/2 and name
are the largest subset's; the hinting programs must be equal in all; layout tables are dropped.
A glyph outlined in two subsets must be the same in both (outline, and Font DICT for CFF): that is
what tells they are subsets of one font. Any other shape is `Unmergeable`, and the merge returns None.
"""

from __future__ import annotations

import struct
import sys
from array import array
from collections.abc import Callable
from io import BytesIO
from itertools import compress
from typing import Any, NamedTuple

from qadeck.exporters.handbook import cffmerge, glyfmerge
from qadeck.exporters.handbook.cffmerge import Unmergeable

REBUILT = frozenset({"head", "hhea", "hmtx", "maxp", "post", "vhea", "vmtx", "VORG", "CFF ", "glyf", "loca"})
EQUAL = frozenset({"fpgm", "prep", "cvt "})  # the programs that glyph instructions call
KEPT = frozenset({"OS/2", "name", "cmap", "gasp", "meta"})
# Dropped from the merged font: a PDF reader never lays text out (WeasyPrint placed every glyph),
# and these name glyph ids as one subset numbered them.
LAYOUT = frozenset({"GDEF", "MATH", "BASE", "kern", "JSTF"})
DROPPED = frozenset({"hdmx", "LTSH", "VDMX", "DSIG"})  # optional, sized by the glyph count


def merge(programs: list[tuple[bytes, frozenset[int]]]) -> bytes | None:
    """One program for all of `programs` (subsets of one font, each with the codes its documents
    show: glyph ids, CIDs for CFF), or None if that is not safe."""
    try:
        return _merge([Subset(data, shown) for data, shown in programs])
    except Exception:  # noqa: BLE001 - any surprise in a font program leaves it as it is, never broken
        return None


Sources = dict[int, tuple[int, int]]  # glyph of the merged font -> (subset, its glyph there)


def _shorts(raw: bytes) -> array:
    values = array("h")
    values.frombytes(raw[:len(raw) // 2 * 2])
    if sys.byteorder == "little":
        values.byteswap()
    return values


def _raw(values: array) -> bytes:
    if sys.byteorder == "little":
        values = array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


class Metrics(NamedTuple):
    """hmtx or vmtx, one advance and one side bearing per glyph (as int16: the bits round-trip)."""

    advances: array
    sides: array

    @classmethod
    def read(cls, raw: bytes, header: bytes, count: int) -> Metrics:
        longs = int.from_bytes(header[34:36], "big")
        if not 1 <= longs <= count or len(raw) < 2 * (count + longs):
            raise Unmergeable("metrics")
        pairs = _shorts(raw[:4 * longs])
        advances = pairs[0::2]
        advances.extend(array("h", [advances[-1]]) * (count - longs))
        return cls(advances, pairs[1::2] + _shorts(raw[4 * longs:2 * (count + longs)]))

    def at(self, gid: int) -> tuple[int, int]:
        return self.advances[gid], self.sides[gid]


def write_metrics(metrics: list[Metrics], sources: Sources, count: int) -> bytes:
    pairs = array("h", bytes(4 * count))
    for key, (font, gid) in sources.items():
        pairs[2 * key], pairs[2 * key + 1] = metrics[font].at(gid)
    return _raw(pairs)


class Vorg:
    """The vertical origins of a CFF font's glyphs: a default and exceptions."""

    def __init__(self, raw: bytes) -> None:
        self.head = raw[:4]
        self.default, count = struct.unpack(">hH", raw[4:8])
        self.origins = dict(struct.iter_unpack(">Hh", raw[8:8 + 4 * count]))

    def at(self, gid: int) -> int:
        return self.origins.get(gid, self.default)


def write_vorg(vorgs: list[Vorg], base: Vorg, sources: Sources) -> bytes:
    origins = sorted((key, y) for key, (font, gid) in sources.items()
                     if (y := vorgs[font].at(gid)) != base.default)
    return (base.head + struct.pack(">hH", base.default, len(origins))
            + b"".join(struct.pack(">Hh", key, y) for key, y in origins))


class Subset:
    """One subset program, read table by table (fontTools' SFNT reader: the container only)."""

    def __init__(self, data: bytes, shown: frozenset[int]) -> None:
        from fontTools.ttLib.sfnt import SFNTReader

        reader = SFNTReader(BytesIO(data))
        if reader.flavor:
            raise Unmergeable("WOFF")
        self.version = reader.sfntVersion
        self.tables = tables = {str(tag): reader[tag] for tag in reader.keys()}
        if set(tables) - REBUILT - EQUAL - KEPT - LAYOUT - DROPPED:
            raise Unmergeable(f"tables {sorted(set(tables) - REBUILT - EQUAL - KEPT - LAYOUT - DROPPED)}")
        self.head, self.shown = tables["head"], shown
        self.count = int.from_bytes(tables["maxp"][4:6], "big")
        self.outlines: cffmerge.Cff | glyfmerge.Glyf
        if "CFF " in tables and "glyf" not in tables:
            self.outlines = cffmerge.Cff(tables["CFF "])
            cids = self.outlines.cids  # the merged font needs a glyph per CID
            self.size = len(cids) if isinstance(cids, range) else max(cids) + 1
        elif "glyf" in tables and "CFF " not in tables:
            self.outlines = glyfmerge.Glyf(tables["glyf"], tables["loca"], self.head[50:52] != b"\0\0",
                                           self.count, max(shown, default=-1))
            self.size = self.outlines.limit + 1  # the shared glyphs; private ones come after
        else:
            raise Unmergeable("no outlines")
        if self.outlines.count != self.count or not self.count:
            raise Unmergeable("glyph counts differ")
        self.h = Metrics.read(tables["hmtx"], tables["hhea"], self.count)
        self.v = Metrics.read(tables["vmtx"], tables["vhea"], self.count) if "vmtx" in tables else None
        self.vorg = Vorg(tables["VORG"]) if "VORG" in tables else None

    def metrics(self, gid: int) -> tuple[Any, ...]:
        return self.h.at(gid), self.v and self.v.at(gid), self.vorg and self.vorg.at(gid)

    def shape(self) -> tuple[Any, ...]:
        """What all subsets of one font share."""
        return (self.version, sorted(set(self.tables) - DROPPED), self.head[18:20],
                [self.tables.get(tag) for tag in sorted(EQUAL)], type(self.outlines))


def _merge(subsets: list[Subset]) -> bytes:
    if any(subset.shape() != subsets[0].shape() for subset in subsets):
        raise Unmergeable("subsets of different fonts")
    builder = None
    if isinstance(subsets[0].outlines, cffmerge.Cff):
        # the base's cmap names glyph ids: they must be its CIDs, as they are in the merged font
        bases = [s for s in subsets if isinstance(s.outlines.cids, range)]
        empty: Any = (cffmerge.EMPTY, None)

        def marks(index: int) -> list[tuple[int, int, Any]]:
            return subsets[index].outlines.marks()

        def outline(index: int, gid: int) -> Any:
            charstring, fd = subsets[index].outlines.identity(gid)
            return charstring, fd if len(charstring) > 1 else None  # an empty glyph's Font DICT draws nothing
    else:
        bases, empty = subsets, b""
        builder = glyfmerge.Builder([s.outlines for s in subsets],
                                    max(s.size for s in subsets), lambda i, gid: subsets[i].metrics(gid))
        outline = builder.glyph

        def marks(index: int) -> list[tuple[int, int, Any]]:
            return [(gid, gid, builder.glyph(index, gid)) for gid in subsets[index].outlines.filled()]
    if not bases:
        raise Unmergeable("no subset to take the other tables from")
    sources: Sources = {}
    outlines: dict[int, Any] = {}  # glyph of the merged font -> its outline, as the first subset has it
    for index in range(len(subsets)):
        for cid, gid, mark in marks(index):
            first = outlines.get(cid)
            if first is None:
                sources[cid], outlines[cid] = (index, gid), mark
            elif first != mark:
                raise Unmergeable(f"glyph {cid} differs between subsets")
    for index, subset in enumerate(subsets):  # glyphs with an advance but no outline: spaces
        cids = subset.outlines.cids
        for gid in compress(range(subset.size if builder else subset.count), subset.h.advances):
            sources.setdefault(cids[gid], (index, gid))
    count = max(s.size for s in subsets)
    if builder is not None:
        sources.update(builder.sources)
        outlines.update(builder.glyphs)
        count = builder.next
    if count > 0xFFFF:
        raise Unmergeable("too many glyphs")
    _check_shown(subsets, sources, outline, empty)
    return _write(max(bases, key=lambda s: s.count), subsets, sources, count, outlines)


def _check_shown(subsets: list[Subset], sources: Sources, outline: Callable[[int, int], Any],
                 empty: Any) -> None:
    """Every code a document shows is drawn by the merged font as by the document's own subset."""
    for index, subset in enumerate(subsets):
        for code in subset.shown:
            gid = subset.outlines.gid(code)
            if gid is None:
                continue  # the document shows .notdef there, and a missing glyph fails the build
            if outline(index, gid) != (outline(*sources[code]) if code in sources else empty):
                raise Unmergeable(f"the glyph of code {code} would change")


def _write(base: Subset, subsets: list[Subset], sources: Sources, count: int,
           outlines: dict[int, bytes]) -> bytes:
    from fontTools.ttLib.sfnt import SFNTWriter

    tables = {tag: data for tag, data in base.tables.items() if tag in KEPT | EQUAL}
    head = bytearray(base.head)
    if isinstance(base.outlines, cffmerge.Cff):
        tables["CFF "] = cffmerge.write(base.outlines, [s.outlines for s in subsets], sources, count)
    else:
        tables["glyf"], tables["loca"], long = glyfmerge.write(outlines, count)
        head[50:52] = b"\0\1" if long else b"\0\0"
        if base.count > base.size and "cmap" in tables:  # the base's private glyphs have new ids
            tables["cmap"] = _cmap(tables["cmap"], base.count, base.size)
    boxes = [struct.unpack(">4h", s.head[36:44]) for s in subsets]
    head[8:12] = bytes(4)  # checkSumAdjustment: the writer computes it
    head[36:44] = struct.pack(">4h", *(min(b[0] for b in boxes), min(b[1] for b in boxes),
                                       max(b[2] for b in boxes), max(b[3] for b in boxes)))
    tables["head"] = bytes(head)
    tables["maxp"] = _maxp([s.tables["maxp"] for s in subsets], base.tables["maxp"], count)
    tables["hmtx"] = write_metrics([s.h for s in subsets], sources, count)
    tables["hhea"] = _metrics_header([s.tables["hhea"] for s in subsets], base.tables["hhea"], count)
    if base.v is not None:
        tables["vmtx"] = write_metrics([s.v for s in subsets], sources, count)
        tables["vhea"] = _metrics_header([s.tables["vhea"] for s in subsets], base.tables["vhea"], count)
    if base.vorg is not None:
        tables["VORG"] = write_vorg([s.vorg for s in subsets], base.vorg, sources)
    post = base.tables["post"]
    tables["post"] = post if post[:4] == b"\0\3\0\0" else b"\0\3\0\0" + post[4:32]  # names are per glyph
    out = BytesIO()
    writer = SFNTWriter(out, len(tables), base.version)
    for tag in sorted(tables):
        writer[tag] = tables[tag]
    writer.close()
    return out.getvalue()


def _cmap(raw: bytes, count: int, shared: int) -> bytes:
    """A cmap without its mappings to glyphs from `shared` on (private to its subset)."""
    from fontTools.ttLib import TTFont, newTable

    font = TTFont()
    font.setGlyphOrder([f"g{gid}" for gid in range(count)])
    table = newTable("cmap")
    table.decompile(raw, font)
    table.tables = [sub for sub in table.tables if sub.format != 14]  # variation sequences: none here
    for sub in table.tables:
        sub.cmap = {code: name for code, name in sub.cmap.items() if font.getGlyphID(name) < shared}
    return table.compile(font)


def _maxp(all_maxp: list[bytes], base: bytes, count: int) -> bytes:
    """numGlyphs = count; version 1.0's limits (points, contours, zones, stack...) the largest."""
    if base[:4] != b"\0\1\0\0" or any(len(m) < 32 for m in all_maxp):
        return base[:4] + count.to_bytes(2, "big") + base[6:]
    limits = [max(values) for values in zip(*(struct.unpack(">13H", m[6:32]) for m in all_maxp), strict=True)]
    return base[:4] + count.to_bytes(2, "big") + struct.pack(">13H", *limits) + base[32:]


def _metrics_header(headers: list[bytes], base: bytes, count: int) -> bytes:
    """hhea or vhea (one layout): the extremes over all subsets, a long metric per glyph."""
    values = [struct.unpack(">Hhhh", h[10:18]) for h in headers]
    extremes = struct.pack(">Hhhh", max(v[0] for v in values), min(v[1] for v in values),
                           min(v[2] for v in values), max(v[3] for v in values))
    return base[:10] + extremes + base[18:34] + count.to_bytes(2, "big") + base[36:]
