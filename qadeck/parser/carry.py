"""Ids that follow the words: after each question got its plain id, a question new to the deck
takes the id of one the last build had and this one lost, when `qadeck.lineage` recognises it
(the same words moved to another note; a rewording in the same place). A pinned question and a
coding problem keep the id they have."""

from __future__ import annotations

from collections.abc import Mapping

from qadeck.lineage import Place, exact, in_place, places
from qadeck.parser.drafts import NoteDraft, QuestionDraft

_ROUNDS = 50  # rewordings next to each other are settled one neighbour per round


def carry_ids(drafts: list[NoteDraft], memory: Mapping[str, Place]) -> dict[str, str]:
    """Re-key the questions `lineage` recognises; returns new id -> the plain id it replaced."""
    ids = {q.id for draft in drafts for q in draft.questions}
    if not memory or memory.keys() <= ids or ids <= memory.keys():
        return {}  # nothing lost, or nothing new to take it: the usual rebuild pays no more
    replaced: dict[str, str] = {}
    successors: dict[str, set[str]] = {}
    for round_ in range(_ROUNDS):
        current, where = _places(drafts)
        gone = {qid: place for qid, place in memory.items() if qid not in current}
        fresh = {qid: place for qid, place in current.items()
                 if qid not in memory and _movable(where[qid][1])}
        found = exact(gone, fresh) if round_ == 0 else in_place(gone, fresh, successors)
        if round_ and not found:
            break
        for new_id, old_id in found.items():
            draft, question = where[new_id]
            successors.setdefault(memory[old_id].path, set()).add(draft.path)
            replaced[old_id] = replaced.pop(new_id, new_id)
            question.id = old_id
    return replaced


def _movable(question: QuestionDraft) -> bool:
    return question.kind != "problem" and not (question.pin is not None and question.id == question.pin)


def _places(drafts: list[NoteDraft]) -> tuple[dict[str, Place], dict[str, tuple[NoteDraft, QuestionDraft]]]:
    current: dict[str, Place] = {}
    where = {}
    for draft in drafts:
        rows = [(q.id, q.heading.text, draft.questions[q.parent].id if q.parent is not None else None,
                 q.answer) for q in draft.questions]
        current.update(places(draft.path, rows))
        where.update({q.id: (draft, q) for q in draft.questions})
    return current, where
