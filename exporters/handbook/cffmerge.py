"""CID-keyed CFF programs (an OpenType font's `CFF ` table) read and written byte by byte, for
`sfntmerge`: one program holding the glyphs of several retain-gid subsets of one CJK font.

Why not fontTools: it reads a CFF INDEX offset by offset in Python, ~70 ms for one 63,000-glyph
CJK subset, seconds for a book's hundred subsets on every rebuild. A subset made by HarfBuzz (as
WeasyPrint makes them) is a narrow shape: one CID-keyed font, desubroutinized (no Subrs), so the
few structures it holds are read here with array slicing; any other shape is `Unmergeable`.

What is written (Adobe TN 5176): header, Name INDEX, Top DICT INDEX, String INDEX, an empty Global
Subr INDEX, charset, FDSelect, CharStrings INDEX, Font DICT INDEX, Private DICTs. The glyph of CID
c is glyph c (an identity charset, as WeasyPrint's codes assume: they are glyph ids of the font).
"""

from __future__ import annotations

import sys
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from itertools import accumulate, chain
from typing import NamedTuple

_U32 = "I" if array("I").itemsize == 4 else "L"
_SWAP = sys.byteorder == "little"  # CFF and sfnt numbers are big-endian
EMPTY = b"\x0e"  # endchar: how a retain-gid subset fills the glyphs it left out

# DICT operators (12 x written 1200 + x)
CHARSET, ENCODING, CHARSTRINGS, PRIVATE, SUBRS = 15, 16, 17, 18, 19
CHARSTRING_TYPE, ROS, CID_COUNT, FD_ARRAY, FD_SELECT, FONT_NAME = 1206, 1230, 1234, 1236, 1237, 1238
_STANDARD_STRINGS = 391  # SIDs below this name the spec's standard strings, not the String INDEX


class Unmergeable(Exception):
    """A program of a shape the merge does not handle: its font keeps one program per document."""


def uints(raw: bytes, size: int) -> array:
    """Big-endian unsigned integers of `size` bytes (1 to 4) as an array, without a Python loop."""
    count = len(raw) // size
    if size == 4:
        buffer = raw[:count * 4]
    else:
        buffer = bytearray(4 * count)
        for byte in range(size):
            buffer[4 - size + byte::4] = raw[byte:count * size:size]
    values = array(_U32)
    values.frombytes(buffer)
    if _SWAP:
        values.byteswap()
    return values


def pack_uints(values: Iterable[int], size: int) -> bytes:
    numbers = array(_U32, values)
    if _SWAP:
        numbers.byteswap()
    raw = numbers.tobytes()
    if size == 4:
        return raw
    out = bytearray(size * len(numbers))
    for byte in range(size):
        out[byte::size] = raw[4 - size + byte::4]
    return bytes(out)


class Index(NamedTuple):
    """An INDEX read in place: item i is data[base + offsets[i]:base + offsets[i + 1]]."""

    data: bytes
    offsets: array
    base: int
    end: int  # where the next structure starts

    def __len__(self) -> int:
        return max(0, len(self.offsets) - 1)

    def item(self, index: int) -> bytes:
        return self.data[self.base + self.offsets[index]:self.base + self.offsets[index + 1]]


def read_index(data: bytes, pos: int) -> Index:
    count = int.from_bytes(data[pos:pos + 2], "big")
    if count == 0:
        return Index(data, array(_U32), pos, pos + 2)
    size = data[pos + 2]
    if not 1 <= size <= 4:
        raise Unmergeable(f"INDEX offset size {size}")
    stop = pos + 3 + (count + 1) * size
    offsets = uints(data[pos + 3:stop], size)
    if len(offsets) != count + 1 or offsets[0] != 1 or stop - 1 + offsets[-1] > len(data):
        raise Unmergeable("INDEX out of bounds")
    return Index(data, offsets, stop - 1, stop - 1 + offsets[-1])


def write_index(items: list[bytes]) -> bytes:
    if not items:
        return b"\0\0"
    offsets = list(accumulate(map(len, items), initial=1))
    size = next(n for n in (1, 2, 3, 4) if offsets[-1] < 1 << (8 * n))
    return len(items).to_bytes(2, "big") + bytes([size]) + pack_uints(offsets, size) + b"".join(items)


Operand = tuple[int | None, bytes]  # (the value, None for a real number; its encoding)
Entry = tuple[int, list[Operand]]  # (operator, operands)


def read_dict(raw: bytes) -> list[Entry]:
    entries: list[Entry] = []
    operands: list[Operand] = []
    i = 0
    while i < len(raw):
        b0 = raw[i]
        if b0 <= 21:
            op, i = (1200 + raw[i + 1], i + 2) if b0 == 12 else (b0, i + 1)
            entries.append((op, operands))
            operands = []
            continue
        if 32 <= b0 <= 246:
            value, size = b0 - 139, 1
        elif 247 <= b0 <= 250:
            value, size = (b0 - 247) * 256 + raw[i + 1] + 108, 2
        elif 251 <= b0 <= 254:
            value, size = -(b0 - 251) * 256 - raw[i + 1] - 108, 2
        elif b0 in (28, 29):
            size = 3 if b0 == 28 else 5
            value = int.from_bytes(raw[i + 1:i + size], "big", signed=True)
        elif b0 == 30:  # a real: nibbles up to the one that is 0xf
            end = i + 1
            while raw[end] >> 4 != 0xF and raw[end] & 0xF != 0xF:
                end += 1
            value, size = None, end + 1 - i
        else:
            raise Unmergeable(f"DICT byte {b0}")
        operands.append((value, raw[i:i + size]))
        i += size
    if operands:
        raise Unmergeable("DICT ends with operands")
    return entries


def number(value: int) -> Operand:
    """An integer in the 5-byte form: a layout's offsets are known only once its sizes are."""
    return value, b"\x1d" + value.to_bytes(4, "big", signed=True)


def write_dict(entries: list[Entry]) -> bytes:
    out = bytearray()
    for op, operands in entries:
        for _, raw in operands:
            out += raw
        out += bytes([op]) if op < 1200 else bytes([12, op - 1200])
    return bytes(out)


class FontDict(NamedTuple):
    """A Font DICT with its Private DICT, comparable across subsets: its name as a string (or a
    standard SID), its other entries and its Private DICT as bytes (which hold no offsets)."""

    name: bytes | int | None
    rest: bytes
    private: bytes


class Cff:
    """One subset's CFF program."""

    def __init__(self, data: bytes) -> None:
        if data[0] != 1:
            raise Unmergeable("not CFF version 1")
        names = read_index(data, data[2])
        tops = read_index(data, names.end)
        strings = read_index(data, tops.end)
        if len(tops) != 1 or len(read_index(data, strings.end)):
            raise Unmergeable("several fonts, or global subroutines")
        self.data, self.names = data, data[data[2]:names.end]
        self.strings = [strings.item(i) for i in range(len(strings))]
        self.top = read_dict(tops.item(0))
        ops = {op: [value for value, _ in operands] for op, operands in self.top}
        if ROS not in ops or ENCODING in ops or PRIVATE in ops or ops.get(CHARSTRING_TYPE, [2]) != [2]:
            raise Unmergeable("not a CID-keyed Type 2 font")
        self.charstrings = read_index(data, _offset(ops, CHARSTRINGS))
        self.count = len(self.charstrings)
        self.cids = _charset(data, _offset(ops, CHARSET), self.count)
        self.fd_of = _fdselect(data, _offset(ops, FD_SELECT), self.count)
        fdarray = read_index(data, _offset(ops, FD_ARRAY))
        self.fds = [self._font_dict(fdarray.item(i)) for i in range(len(fdarray))]
        if not self.fds or self.fd_of.translate(None, bytes(range(min(256, len(self.fds))))):
            raise Unmergeable("FDSelect names a missing Font DICT")
        self.cid_count = ops.get(CID_COUNT, [8720])[0] or 0  # 8720: the spec's default
        self._gids: dict[int, int] | None = None

    def filled(self) -> list[int]:
        """The glyphs with an outline: a charstring longer than a lone endchar. Each empty glyph
        adds one byte, so offsets[g] - g grows exactly at the filled glyphs, and binary searches
        find them without visiting the 60,000 empty ones of a CJK subset. (A zero-length
        charstring, which CFF does not allow, could hide one: `sfntmerge` checks the glyphs shown.)"""
        offsets, count, found, gid = self.charstrings.offsets, self.count, [], 0
        excess = range(count + 1)

        def key(g: int) -> int:
            return offsets[g] - g

        while gid < count:
            gid = bisect_right(excess, offsets[gid] - gid, lo=gid + 1, key=key) - 1
            if gid >= count:
                break
            found.append(gid)
            gid += 1
        return found

    def identity(self, gid: int) -> tuple[bytes, FontDict]:
        return self.charstrings.item(gid), self.fds[self.fd_of[gid]]

    def gid(self, cid: int) -> int | None:
        """The glyph of `cid`, None if this subset has none."""
        if isinstance(self.cids, range):
            return cid if 0 <= cid < self.count else None
        if self._gids is None:
            self._gids = {c: g for g, c in enumerate(self.cids)}
        return self._gids.get(cid)

    def marks(self) -> list[tuple[int, int, tuple[bytes, FontDict]]]:
        """(CID, glyph, identity) of each glyph with an outline, in one comprehension: the merge
        looks at every glyph of every subset."""
        data, base, offsets = self.data, self.charstrings.base, self.charstrings.offsets
        cids, fds, fd_of = self.cids, self.fds, self.fd_of
        return [(cids[g], g, (data[base + offsets[g]:base + offsets[g + 1]], fds[fd_of[g]]))
                for g in self.filled()]

    def _font_dict(self, raw: bytes) -> FontDict:
        name: bytes | int | None = None
        rest: list[Entry] = []
        private = b""
        for op, operands in read_dict(raw):
            if op == PRIVATE and len(operands) == 2 and None not in (operands[0][0], operands[1][0]):
                size, offset = operands[0][0], operands[1][0]
                private = self.data[offset:offset + size]
                if len(private) != size or any(op == SUBRS for op, _ in read_dict(private)):
                    raise Unmergeable("Private DICT with local subroutines")
            elif op == FONT_NAME and len(operands) == 1 and operands[0][0] is not None:
                sid = operands[0][0]
                name = sid if sid < _STANDARD_STRINGS else self.strings[sid - _STANDARD_STRINGS]
            elif op in (PRIVATE, FONT_NAME):
                raise Unmergeable("malformed Font DICT")
            else:
                rest.append((op, operands))
        return FontDict(name, write_dict(rest), private)


def _offset(ops: dict[int, list[int | None]], op: int) -> int:
    values = ops.get(op)
    if not values or values[-1] is None:
        raise Unmergeable(f"no DICT entry {op}")
    return values[-1]


def _charset(data: bytes, pos: int, count: int) -> Sequence[int]:
    """The CID of each glyph: a range when it is the glyph's own id (nearly always; fast to hold)."""
    form, i = data[pos], pos + 1
    if form == 0:
        cids: Sequence[int] = [0, *uints(data[i:i + 2 * (count - 1)], 2)]
    elif form in (1, 2):  # ranges; nLeft is one byte in format 1, two in format 2
        ranges, total = [], 1
        while total < count and i < len(data):
            first = int.from_bytes(data[i:i + 2], "big")
            left = int.from_bytes(data[i + 2:i + 2 + form], "big")
            ranges.append(range(first, first + left + 1))
            total, i = total + left + 1, i + 2 + form
        starts = accumulate(map(len, ranges), initial=1)
        identity = all(r.start == start for r, start in zip(ranges, starts, strict=False))
        cids = range(total) if identity else [0, *chain.from_iterable(ranges)]
    else:
        raise Unmergeable(f"charset format {form}")
    if len(cids) != count:
        raise Unmergeable("charset length")
    return cids if isinstance(cids, range) or cids != list(range(count)) else range(count)


def _fdselect(data: bytes, pos: int, count: int) -> bytes:
    """The Font DICT of each glyph."""
    form = data[pos]
    if form == 0 and len(data) >= pos + 1 + count:
        return data[pos + 1:pos + 1 + count]
    if form != 3:
        raise Unmergeable(f"FDSelect format {form}")
    ranges = int.from_bytes(data[pos + 1:pos + 3], "big")
    table = data[pos + 3:pos + 3 + 3 * ranges + 2]
    firsts = [int.from_bytes(table[3 * k:3 * k + 2], "big") for k in range(ranges + 1)]
    if len(table) != 3 * ranges + 2 or not ranges or firsts[0] != 0 or firsts[-1] != count:
        raise Unmergeable("FDSelect ranges")
    out = bytearray(count)
    for k in range(ranges):
        if firsts[k + 1] <= firsts[k]:
            raise Unmergeable("FDSelect ranges out of order")
        out[firsts[k]:firsts[k + 1]] = bytes([table[3 * k + 2]]) * (firsts[k + 1] - firsts[k])
    return bytes(out)


def write(base: Cff, fonts: list[Cff], sources: dict[int, tuple[int, int]], count: int) -> bytes:
    """One program of `count` glyphs, glyph c (= CID c) being glyph `sources[c]` = (font, gid)
    of `fonts` and an empty one where `sources` has none; `base` gives the names and Top DICT."""
    charstrings = [EMPTY] * count
    fds: dict[FontDict, int] = {}
    ranges: list[tuple[int, int]] = []  # (first glyph, Font DICT), one per change of Font DICT
    for cid in sorted(sources):
        font, gid = sources[cid]
        charstring, fd = fonts[font].identity(gid)
        charstrings[cid] = charstring
        index = fds.setdefault(fd, len(fds))
        if not ranges or ranges[-1][1] != index:
            ranges.append((cid, index))
    if not ranges:
        fds[base.fds[0]] = 0
        ranges.append((0, 0))
    ranges[0] = (0, ranges[0][1])  # the empty glyphs before the first filled one join its range
    strings = list(base.strings)
    sids = {text: _STANDARD_STRINGS + i for i, text in enumerate(strings)}
    for fd in fds:
        if isinstance(fd.name, bytes) and fd.name not in sids:
            sids[fd.name] = _STANDARD_STRINGS + len(strings)
            strings.append(fd.name)
    charset = b"\0" if count < 2 else b"\x02\x00\x01" + (count - 2).to_bytes(2, "big")
    fdselect = (b"\x03" + len(ranges).to_bytes(2, "big")
                + b"".join(first.to_bytes(2, "big") + bytes([fd]) for first, fd in ranges)
                + count.to_bytes(2, "big"))
    charstrings_index = write_index(charstrings)
    head = bytes([1, base.data[1], 4, 4]) + base.names
    tail = write_index(strings) + write_index([])

    def top(charset_at: int) -> bytes:
        at = {CHARSET: charset_at, FD_SELECT: charset_at + len(charset),
              CHARSTRINGS: charset_at + len(charset) + len(fdselect),
              FD_ARRAY: charset_at + len(charset) + len(fdselect) + len(charstrings_index)}
        entries = [(op, [number(at[op])] if op in at else operands) for op, operands in base.top
                   if op != CID_COUNT]
        entries.append((CID_COUNT, [number(max(count, base.cid_count))]))
        return write_index([write_dict(entries)])

    charset_at = len(head) + len(top(0)) + len(tail)  # the 5-byte offsets keep the Top DICT's size
    fdarray_at = charset_at + len(charset) + len(fdselect) + len(charstrings_index)
    fd_dicts = [_fd_dict(fd, sids, 0) for fd in fds]
    private_at = fdarray_at + len(write_index(fd_dicts))
    fd_dicts = []
    for fd in fds:
        fd_dicts.append(_fd_dict(fd, sids, private_at))
        private_at += len(fd.private)
    return b"".join([head, top(charset_at), tail, charset, fdselect, charstrings_index,
                     write_index(fd_dicts), *(fd.private for fd in fds)])


def _fd_dict(fd: FontDict, sids: dict[bytes, int], private_at: int) -> bytes:
    name = [] if fd.name is None else [
        (FONT_NAME, [number(fd.name if isinstance(fd.name, int) else sids[fd.name])])]
    private = [(PRIVATE, [number(len(fd.private)), number(private_at)])]
    return write_dict(name) + fd.rest + write_dict(private)
