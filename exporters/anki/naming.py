"""How a card is named in Anki: its tags, its deck's levels and its source (shared by the Q&A
cards in `cards.py` and the coding-problem cards in `problems.py`)."""

from __future__ import annotations

import re
import unicodedata

from qadeck.model import Note, Question

_TAG_SPACE = re.compile(r"\s+")
_TAG_BAD = re.compile(r'["\x00-\x1f\x7f]')


def tag(text: str) -> str:
    """A valid Anki tag: no spaces or quotes; `::` keeps its meaning (a tag hierarchy)."""
    text = _TAG_BAD.sub("", _TAG_SPACE.sub("_", unicodedata.normalize("NFC", text).strip()))
    return "::".join(part for part in text.split("::") if part.strip("_:"))


def deck_part(text: str) -> str:
    """One level of a deck name: `::` would open a level of its own."""
    text = " ".join(unicodedata.normalize("NFC", text).replace("::", ":").split())
    return text or "_"


def source(note: Note, q: Question) -> str:
    """Where a card comes from: the note and the heading's anchor, never a line number (an edit
    above the question would change the card, and Anki would update it for nothing)."""
    return f"{note.path}#{q.anchor}" if q.anchor else note.path
