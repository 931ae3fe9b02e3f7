"""How a question is known again from one build to the next, whatever its note or its id.

A question's id starts as a hash of its note's file name and its words (`qadeck.parser.identity`);
this module holds what the build remembers beside it, its `Place` (its words, note, parent,
neighbours and answer, as plain strings), and `carry`: which new question takes the id of a
question the last build had and this one lost.

- The same words that left one note and appear in another (a renamed file, a split, a merge, a
  question cut and pasted) keep their id: `exact`.
- In the same note (or the note its questions went to), a reworded question in the place of the
  one that left it (same parent, a neighbour in common, similar words or a similar answer) keeps
  its id, when exactly one question fits either way: `in_place`.
Anything else is left alone: the report suggests a pin when a new question looks like a removed one.

Shared by the parser (which gives the ids) and the Anki exporter (which remembers the places).
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from qadeck.model import Answer

_DROP = re.compile(r"[\s*`_~]+")
_NOT_WORD = re.compile(r"[\W_]+")
ANSWER_CHARS = 200  # of an answer's words kept to compare: enough to tell answers apart
SIMILAR_WORDS = 0.4  # difflib ratio of two questions in the same place that read as a rewording
SIMILAR_ANSWER = 0.5  # ... or of their answers


def words(text: str) -> str:
    """A question's words as its id sees them: NFKC (full-width punctuation is half-width), case
    folded, spacing and emphasis marks left out."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text).lower())


def answer_words(answer: Answer) -> str:
    """The first words of an answer, letters and digits only: enough to see two answers are alike."""
    text = " ".join((answer.short, answer.body, *(part.markdown for part in answer.details)))
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())[:ANSWER_CHARS]


def similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


@dataclass(frozen=True)
class Place:
    path: str  # the note
    words: str  # `words(text)`
    parent: str = ""  # the id of the question it follows up ("" for none)
    before: str = ""  # the id of the question before it in its note ("" for the first)
    after: str = ""  # ... after it ("" for the last)
    answer: str = ""  # `answer_words(answer)`


def places(path: str, questions: Iterable[tuple[str, str, str | None, Answer]]) -> dict[str, Place]:
    """The places of one note's questions, given in note order as (id, text, parent id, answer)."""
    rows = list(questions)
    found = {}
    for index, (qid, text, parent, answer) in enumerate(rows):
        before = rows[index - 1][0] if index else ""
        after = rows[index + 1][0] if index + 1 < len(rows) else ""
        found[qid] = Place(path, words(text), parent or "", before, after, answer_words(answer))
    return found


def exact(gone: Mapping[str, Place], fresh: Mapping[str, Place]) -> dict[str, str]:
    """New id -> old id for the same words that left a note and appear again: one to one, or,
    where several share the words, those that kept their note; the rest is ambiguous."""
    by_words: dict[str, tuple[list[str], list[str]]] = {}
    for qid in sorted(gone):
        by_words.setdefault(gone[qid].words, ([], []))[0].append(qid)
    for qid in sorted(fresh):
        if fresh[qid].words in by_words:
            by_words[fresh[qid].words][1].append(qid)
    carried = {}
    for old_ids, new_ids in by_words.values():
        if len(old_ids) == len(new_ids) == 1:
            carried[new_ids[0]] = old_ids[0]
            continue
        for new_id in new_ids:  # several: only one that stayed in its note, alone there
            same = [o for o in old_ids if gone[o].path == fresh[new_id].path]
            rivals = [n for n in new_ids if fresh[n].path == fresh[new_id].path]
            if len(same) == 1 and len(rivals) == 1:
                carried[new_id] = same[0]
    return carried


def in_place(gone: Mapping[str, Place], fresh: Mapping[str, Place],
             successors: Mapping[str, set[str]]) -> dict[str, str]:
    """New id -> old id for a question reworded where it stood: the old one's note (or a note its
    questions went to: `successors`, old path -> new paths), the same parent, a neighbour in common,
    similar words or a similar answer; only pairs where each side has exactly one candidate."""
    candidates: dict[str, list[str]] = {}
    wanted: dict[str, list[str]] = {}
    for old_id, old in gone.items():
        notes = successors.get(old.path, set()) | {old.path}
        for new_id, new in fresh.items():
            if new.path in notes and _same_place(old, new) and _alike(old, new):
                candidates.setdefault(new_id, []).append(old_id)
                wanted.setdefault(old_id, []).append(new_id)
    return {new_id: olds[0] for new_id, olds in sorted(candidates.items())
            if len(olds) == 1 and len(wanted[olds[0]]) == 1}


def _same_place(old: Place, new: Place) -> bool:
    return old.parent == new.parent and (old.before == new.before or old.after == new.after)


def _alike(old: Place, new: Place) -> bool:
    if similarity(old.words, new.words) >= SIMILAR_WORDS:
        return True
    return bool(old.answer and new.answer) and similarity(old.answer, new.answer) >= SIMILAR_ANSWER
