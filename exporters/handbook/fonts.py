"""Fonts for the handbook: is there a CJK font at all, and which characters has no font.

WeasyPrint (through Pango and fontconfig) silently draws a box for a character no installed
font covers. The handbook refuses to start without a CJK font, and checks its text against the
installed fonts' character sets before rendering, so a missing glyph becomes a diagnostic with
the note and line instead of a box on paper.
"""

from __future__ import annotations

import bisect
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from qadeck import depends
from qadeck.errors import ConfigError, MissingDependency

INSTALL_HINT = ("install a CJK font (Debian/Ubuntu: sudo apt-get install fonts-noto-cjk; "
                "Fedora: sudo dnf install google-noto-serif-cjk-fonts; macOS: brew install --cask "
                "font-noto-serif-cjk-sc) or pass --font FILE")


@dataclass(frozen=True)
class FontSetup:
    """What the stylesheet needs to know: an extra font file (from config) and the families."""

    families: tuple[str, ...]  # installed CJK families, for the report
    font_file: Path | None  # the config/--font file, declared with @font-face
    coverage: Coverage


def setup(font_file: Path | None) -> FontSetup:
    """Check that Chinese text can be set; raise MissingDependency with one sentence if not."""
    if font_file is not None:
        if not font_file.is_file():  # a mistake in the settings or the command, not a missing part
            raise ConfigError(f"font file not found: {font_file}")
        font_file = font_file.resolve()
        depends.read_file_recorded(font_file)  # the book is set in it: its bytes are an input
        coverage = Coverage.of_file(font_file)
        if not coverage.covers("中文字"):
            raise MissingDependency(f"font file {font_file} has no Chinese characters; {INSTALL_HINT}")
        return FontSetup((), font_file, coverage.union(Coverage.system()))
    families = cjk_families()
    if not families:
        raise MissingDependency(f"no font with Chinese characters is installed; {INSTALL_HINT}")
    return FontSetup(families, None, Coverage.system())


@lru_cache(maxsize=1)
def cjk_families() -> tuple[str, ...]:
    if shutil.which("fc-list") is None:
        raise MissingDependency("fontconfig's fc-list is not installed, so qadeck cannot check for a "
                                f"CJK font; install fontconfig, or {INSTALL_HINT}")
    output = _run(["fc-list", ":lang=zh", "family"])
    names = {name.strip() for line in output.splitlines() for name in line.split(",")[:1] if name.strip()}
    return tuple(sorted(names))


def _run(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout if done.returncode == 0 else ""


class Coverage:
    """A set of code points as sorted, merged ranges (fontconfig's `%{charset}` format)."""

    def __init__(self, ranges: list[tuple[int, int]]):
        merged: list[tuple[int, int]] = []
        for low, high in sorted(ranges):
            if merged and low <= merged[-1][1] + 1:
                merged[-1] = (merged[-1][0], max(merged[-1][1], high))
            else:
                merged.append((low, high))
        self._lows = [low for low, _ in merged]
        self._ranges = merged
        self._repr: str | None = None

    def __repr__(self) -> str:  # what the installed fonts cover: part of a cached chapter's key
        if self._repr is None:  # written once: each chapter's key holds it
            self._repr = f"Coverage({self._ranges!r})"
        return self._repr

    @classmethod
    @lru_cache(maxsize=1)
    def system(cls) -> Coverage:
        return cls.parse(_run(["fc-list", "--format", "%{charset}\n"]))

    @classmethod
    def of_file(cls, path: Path) -> Coverage:
        return cls.parse(_run(["fc-query", "--format", "%{charset}\n", str(path)]))

    @classmethod
    def parse(cls, text: str) -> Coverage:
        ranges = []
        for token in set(text.split()):  # the faces of a collection repeat the same ranges
            low, _, high = token.partition("-")
            try:
                ranges.append((int(low, 16), int(high or low, 16)))
            except ValueError:
                continue
        return cls(ranges)

    def union(self, other: Coverage) -> Coverage:
        return Coverage(self._ranges + other._ranges)

    def covers(self, text: str) -> bool:
        return not self.missing(text)

    def missing(self, text: str) -> list[str]:
        """Characters of `text` no font has, in order of first appearance."""
        out: dict[str, None] = {}
        for char in set(text):
            if char.isascii() or _invisible(char):
                continue
            point = ord(char)
            index = bisect.bisect_right(self._lows, point) - 1
            if index < 0 or self._ranges[index][1] < point:
                out[char] = None
        return sorted(out, key=text.index)


def _invisible(char: str) -> bool:
    """Control characters and Unicode's default-ignorable ones (ZWJ, variation selectors, BOM, bidi
    marks) are never drawn. Other format characters are: U+0600–U+0605 (Arabic number signs) and
    their kind print a glyph, or a box when no font has one."""
    point = ord(char)
    if unicodedata.category(char) == "Cc":
        return True
    index = bisect.bisect_right(_IGNORABLE_LOWS, point) - 1
    return index >= 0 and point <= _IGNORABLE[index][1]


# Default_Ignorable_Code_Point, from Unicode's DerivedCoreProperties.txt (15.1)
_IGNORABLE = [(0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160), (0x17B4, 0x17B5),
              (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164),
              (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3),
              (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF)]
_IGNORABLE_LOWS = [low for low, _ in _IGNORABLE]

