"""Glyphs for the characters the math font lacks (`\\text{中文}`), copied from a CJK text font into
a small TrueType font of their own that ziafont can read."""

from __future__ import annotations

import io
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any


def characters_in(data: bytes) -> dict[int, str]:
    """Glyph id -> the character it draws, for the glyphs a character maps to."""
    from fontTools.ttLib import TTFont

    with TTFont(io.BytesIO(data), lazy=True) as font:
        order = {name: index for index, name in enumerate(font.getGlyphOrder())}
        table: dict[int, str] = {}
        for point, name in sorted(font.getBestCmap().items(), reverse=True):
            table[order[name]] = chr(point)  # the lowest code point wins
    return table


def font_from_bytes(data: bytes) -> Any:
    """A ziafont Font of `data`. ziafont reads a font from a path, once, whole: on Linux the path is
    a memory file's (nothing on disk, nothing left behind by a killed build), elsewhere a temporary
    file removed as soon as it is read."""
    from ziafont import Font

    if hasattr(os, "memfd_create") and Path("/proc/self/fd").is_dir():
        descriptor = os.memfd_create("qadeck-mathfont")
        try:
            os.write(descriptor, data)
            return Font(f"/proc/self/fd/{descriptor}")
        finally:
            os.close(descriptor)
    with tempfile.NamedTemporaryFile(prefix="qadeck-mathfont-", suffix=".ttf") as handle:
        handle.write(data)
        handle.flush()
        return Font(handle.name)


@dataclass(frozen=True)
class _Source:
    """What copying reads from a text font: its character map, outlines and vertical metrics."""

    cmap: dict[int, str]
    glyphs: Any  # fontTools' glyph set (outlines read lazily, one glyph at a time)
    upem: int
    ascent: int
    descent: int


@lru_cache(maxsize=4)
def _source(path: Path, index: int, mtime_ns: int, size: int) -> _Source:
    """The font at `path`, read once a process while the file is unchanged: a CJK collection's
    character map and outline index take ~0.6 s to read, and a build copies glyphs from it
    each time a formula brings characters the earlier ones did not."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, fontNumber=index, lazy=True)  # kept open: its outlines are read on demand
    return _Source(font.getBestCmap() or {}, font.getGlyphSet(), font["head"].unitsPerEm,
                   font["hhea"].ascent, font["hhea"].descent)


def copy_glyphs(source: tuple[Path, int], chars: list[str]) -> bytes:
    """A TrueType font holding `chars` from `source`; b"" when it has none of them."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    found = source[0].stat()
    font = _source(source[0], source[1], found.st_mtime_ns, found.st_size)
    upem, ascent, descent = font.upem, font.ascent, font.descent
    order, mapping, outlines, metrics = [".notdef"], {}, {".notdef": TTGlyphPen(None).glyph()}, {}
    metrics[".notdef"] = (upem // 2, 0)
    for index, char in enumerate(chars):
        name = font.cmap.get(ord(char))
        if name is None:
            continue
        pen = TTGlyphPen(None)
        font.glyphs[name].draw(Cu2QuPen(pen, max_err=upem / 1000, reverse_direction=True))
        new = f"g{index}"
        order.append(new)
        mapping[ord(char)] = new
        outlines[new] = pen.glyph()
        metrics[new] = (font.glyphs[name].width, 0)
    if not mapping:
        return b""
    builder = FontBuilder(upem, isTTF=True)
    builder.setupGlyphOrder(order)
    builder.setupCharacterMap(mapping)
    builder.setupGlyf(outlines)  # computes each glyph's bounds
    glyf = builder.font["glyf"]
    builder.setupHorizontalMetrics({name: (width, getattr(glyf[name], "xMin", 0))
                                    for name, (width, _) in metrics.items()})
    builder.setupHorizontalHeader(ascent=ascent, descent=descent)
    builder.setupNameTable({"familyName": "qadeck math text", "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=ascent, sTypoDescender=descent, usWinAscent=ascent,
                     usWinDescent=-descent)
    builder.setupPost()
    target = io.BytesIO()
    builder.save(target)
    return target.getvalue()
