"""TrueType outlines (glyf and loca) of several subsets of one font merged, for `sfntmerge`.

WeasyPrint subsets a font twice with HarfBuzz: first keeping the glyph ids (RETAIN_GIDS), then
keeping glyphs 0..L (L the largest glyph id the document shows) without RETAIN_GIDS. Glyphs 0..L
keep their ids; the parts of composite glyphs beyond L (the pieces of a stretched bracket, say)
are renumbered after L, in that subset only. So glyph g <= L of a subset is the font's glyph g,
shared by all subsets; a glyph beyond L is private to its subset: it gets an id after the shared
ones in the merged font (one id per distinct glyph), and the composites naming it are rewritten.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable
from itertools import accumulate, compress
from operator import gt, sub

from qadeck.exporters.handbook.cffmerge import Unmergeable, pack_uints, uints

_MORE, _WORDS, _SCALE, _XY_SCALE, _TWO_BY_TWO = 0x20, 0x01, 0x08, 0x40, 0x80
_DEPTH = 16  # nested composites deeper than this are a cycle or a malformed font


class Glyf:
    """One subset's outlines: glyph g is glyf[offsets[g]:offsets[g + 1]]; `limit` is its L."""

    def __init__(self, glyf: bytes, loca: bytes, long: bool, count: int, limit: int) -> None:
        offsets = uints(loca, 4) if long else array(uints(loca, 2).typecode, (2 * o for o in uints(loca, 2)))
        if len(offsets) < count + 1:
            raise Unmergeable("loca")
        offsets = offsets[:count + 1]
        if offsets[-1] > len(glyf) or any(map(gt, offsets[:-1], offsets[1:])):
            raise Unmergeable("loca out of order")
        self.glyf, self.offsets, self.count = glyf, offsets, count
        self.limit = min(limit, count - 1)
        self.cids = range(count)  # a TrueType font's codes are its glyph ids

    def filled(self) -> compress:
        """The shared glyphs (ids up to the limit) that have an outline."""
        return compress(range(self.limit + 1), map(sub, self.offsets[1:], self.offsets[:-1]))

    def gid(self, code: int) -> int | None:
        """The glyph a code shows: the same id, among the shared glyphs."""
        return code if 0 <= code <= self.limit else None

    def data(self, gid: int) -> bytes:
        data = self.glyf[self.offsets[gid]:self.offsets[gid + 1]]
        return data + b"\0" * (-len(data) % 4)  # a subset pads to 2 or 4 bytes: compare both padded


def components(data: bytes) -> list[tuple[int, int]]:
    """(position of the glyph id, glyph id) of each part of a composite glyph; [] for a simple one."""
    if len(data) < 10 or int.from_bytes(data[:2], "big", signed=True) >= 0:
        return []
    found, pos, flags = [], 10, _MORE
    while flags & _MORE:
        flags = int.from_bytes(data[pos:pos + 2], "big")
        if pos + 4 > len(data):
            raise Unmergeable("composite glyph cut short")
        found.append((pos + 2, int.from_bytes(data[pos + 2:pos + 4], "big")))
        pos += 4 + (4 if flags & _WORDS else 2)
        pos += 2 if flags & _SCALE else 4 if flags & _XY_SCALE else 8 if flags & _TWO_BY_TWO else 0
    return found


class Builder:
    """The merged outlines: shared glyphs keep their ids, private ones are numbered from `shared`."""

    def __init__(self, fonts: list[Glyf], shared: int, metrics: Callable[[int, int], object]) -> None:
        self.fonts = fonts
        self.metrics = metrics  # (subset, glyph) -> what besides its outline makes two glyphs one
        self.next = shared
        self.memo: dict[tuple[int, int], bytes] = {}
        self.private: dict[tuple[int, int], int] = {}  # (subset, its glyph) -> merged id
        self.ids: dict[tuple[bytes, object], int] = {}  # (outline, metrics) -> merged id
        self.glyphs: dict[int, bytes] = {}  # merged id -> outline, the private glyphs
        self.sources: dict[int, tuple[int, int]] = {}  # merged id -> (subset, glyph), the private ones

    def glyph(self, font: int, gid: int, depth: int = 0) -> bytes:
        """Glyph `gid` of subset `font` as the merged font holds it (private parts renumbered)."""
        found = self.memo.get((font, gid))
        if found is not None:
            return found
        if depth > _DEPTH:
            raise Unmergeable("composite glyphs nested too deep")
        data = self.fonts[font].data(gid)
        parts = [(pos, part) for pos, part in components(data) if part > self.fonts[font].limit]
        if parts:
            patched = bytearray(data)
            for pos, part in parts:
                if part >= self.fonts[font].count:
                    raise Unmergeable("composite names a missing glyph")
                patched[pos:pos + 2] = self._private_id(font, part, depth + 1).to_bytes(2, "big")
            data = bytes(patched)
        self.memo[(font, gid)] = data
        return data

    def _private_id(self, font: int, gid: int, depth: int) -> int:
        merged = self.private.get((font, gid))
        if merged is None:
            data = self.glyph(font, gid, depth)
            merged = self.ids.setdefault((data, self.metrics(font, gid)), self.next)
            if merged == self.next:
                self.next += 1
                self.glyphs[merged], self.sources[merged] = data, (font, gid)
            self.private[(font, gid)] = merged
        return merged


def write(glyphs: dict[int, bytes], count: int) -> tuple[bytes, bytes, bool]:
    """glyf, loca and whether loca is the long form, for `count` glyphs (missing ones empty)."""
    ordered = [glyphs.get(gid, b"") for gid in range(count)]
    offsets = list(accumulate(map(len, ordered), initial=0))
    long = offsets[-1] > 0x1FFFE
    loca = pack_uints(offsets, 4) if long else pack_uints([offset // 2 for offset in offsets], 2)
    return b"".join(ordered), loca, long
