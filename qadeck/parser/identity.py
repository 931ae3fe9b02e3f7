"""Stable question ids: the note's file name plus the question's words.

Markers, numbering, emphasis, spacing, heading level, position and folder do not enter the
id, so editing them keeps a card's Anki history; changing the words makes a new question.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from qadeck.lineage import words as normalize

PIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
__all__ = ["PIN", "normalize", "question_id"]


def question_id(stem: str, text: str, salt: str = "", normalized: str | None = None) -> str:
    words = normalize(text) if normalized is None else normalized
    key = "\x1f".join((unicodedata.normalize("NFC", stem), words, salt))
    return "q" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:15]
