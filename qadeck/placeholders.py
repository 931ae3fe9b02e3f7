"""Pieces of text held out while the rest is changed, then put back, through stand-ins that the
text itself cannot forge.

A stand-in is a number between two marks, and the mark is a character the text does not hold
(NUL, else a private-use character), so every stand-in in the changed text is one made here:
a note that writes `\\x000\\x00` gets its text back, not someone else's formula.
"""

from __future__ import annotations

import re
from collections.abc import Iterator


def _marks() -> Iterator[str]:
    yield "\x00"
    yield from _private_use()


def _private_use() -> Iterator[str]:
    yield from map(chr, range(0xE100, 0xF900))  # past the formula marks (qadeck.sanitize)
    yield from map(chr, range(0xF0000, 0xFFFFE))  # plane 15


def unused_characters(text: str, count: int) -> list[str]:
    """`count` private-use characters `text` does not hold (text, unlike NUL, to every HTML tool)."""
    used = set(text)
    free = (c for c in _private_use() if c not in used)
    return [next(free) for _ in range(count)]


class Placeholders:
    """`hold(piece)` returns its stand-in; `restore(text)` puts every piece back; `held_in(text)`
    lists the pieces a part of the changed text stands for."""

    def __init__(self, text: str) -> None:
        if "\x00" not in text:
            self.mark = "\x00"  # the common case: no scan of the text's characters
        else:
            used = set(text)
            # A text holding all ~70,000 candidates is not a note anyone writes; it gets NUL
            # and loses its NULs in the stand-ins' places (a character no output shows anyway).
            self.mark = next((c for c in _marks() if c not in used), "\x00")
        self.pieces: list[str] = []
        self._stand_in = re.compile(f"{re.escape(self.mark)}(\\d{{1,9}}){re.escape(self.mark)}")

    def hold(self, piece: str) -> str:
        self.pieces.append(piece)
        return f"{self.mark}{len(self.pieces) - 1}{self.mark}"

    def restore(self, text: str) -> str:
        if not self.pieces:
            return text
        return self._stand_in.sub(self._piece, text)

    def held_in(self, text: str) -> list[str]:
        """The pieces whose stand-ins `text` holds, in its order."""
        return [self.pieces[int(m.group(1))] for m in self._stand_in.finditer(text)
                if int(m.group(1)) < len(self.pieces)]

    def _piece(self, match: re.Match[str]) -> str:
        index = int(match.group(1))
        return self.pieces[index] if index < len(self.pieces) else ""
