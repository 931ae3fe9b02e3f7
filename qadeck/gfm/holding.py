"""The one placeholder scheme: pieces of text held out while the rest is changed, then put back,
through stand-ins that the text itself cannot forge.

A stand-in is a number between an opening and a closing mark, and the marks are characters the
text does not hold, so every stand-in in the changed text is one made here: a note that writes
`\\x000\\x00` gets its text back, not someone else's formula. Two kinds of marks:

- a formula's stand-in (`MATH_MARKS`) is the same for every note, so the sanitizer can drop one
  that ended up in an attribute value (a formula only ever goes into text); the marks are first
  taken out of the note (`qadeck.gfm.prepare.protect_math`);
- any other stand-in uses a mark the text does not hold (NUL, else a private-use character).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from typing import Generic, TypeVar

MARK_OPEN, MARK_CLOSE = "\ue000", "\ue001"
MATH_MARKS = (MARK_OPEN, MARK_CLOSE)
Piece = TypeVar("Piece")


def _marks() -> Iterator[str]:
    yield "\x00"
    yield from _private_use()


def _private_use() -> Iterator[str]:
    yield from map(chr, range(0xE100, 0xF900))  # past the formula marks
    yield from map(chr, range(0xF0000, 0xFFFFE))  # plane 15


def unused_characters(text: str, count: int) -> list[str]:
    """`count` private-use characters `text` does not hold (text, unlike NUL, to every HTML tool)."""
    used = set(text)
    free = (c for c in _private_use() if c not in used)
    return [next(free) for _ in range(count)]


def _unused_mark(text: str) -> str:
    if "\x00" not in text:
        return "\x00"  # the common case: no scan of the text's characters
    used = set(text)
    # A text holding all ~70,000 candidates is not a note anyone writes; it gets NUL and loses
    # its NULs in the stand-ins' places (a character no output shows anyway).
    return next((c for c in _marks() if c not in used), "\x00")


@functools.lru_cache(maxsize=64)
def _stand_in(opening: str, closing: str) -> re.Pattern[str]:
    """A stand-in between these marks (made once: a Placeholders is made for every piece rendered)."""
    return re.compile(f"{re.escape(opening)}(\\d{{1,9}}){re.escape(closing)}")


class Placeholders(Generic[Piece]):
    """`hold(piece)` returns its stand-in; `restore(text)` puts every piece back (or what was made
    of each piece, `restore(text, made)`); `held_in(text)` lists the pieces a part of the changed
    text stands for. `text` is what the stand-ins go into (its marks are chosen not to be in it);
    `marks` fixes them instead (`MATH_MARKS`: the caller has taken them out of the text)."""

    def __init__(self, text: str, marks: tuple[str, str] | None = None) -> None:
        self.open, self.close = marks or (_unused_mark(text),) * 2
        self.pieces: list[Piece] = []
        self.pattern = _stand_in(self.open, self.close)

    def hold(self, piece: Piece) -> str:
        self.pieces.append(piece)
        return f"{self.open}{len(self.pieces) - 1}{self.close}"

    def restore(self, text: str, made: Sequence[str] | None = None) -> str:
        pieces = self.pieces if made is None else made
        if not pieces:
            return text
        return self.pattern.sub(lambda m: self._piece(m, pieces), text)

    def held_in(self, text: str) -> list[Piece]:
        """The pieces whose stand-ins `text` holds, in its order."""
        return [self.pieces[int(m.group(1))] for m in self.pattern.finditer(text)
                if int(m.group(1)) < len(self.pieces)]

    @staticmethod
    def _piece(match: re.Match[str], pieces: Sequence[object]) -> str:
        index = int(match.group(1))
        return str(pieces[index]) if index < len(pieces) else ""
