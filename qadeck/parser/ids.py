"""Question ids across the collection: a pin, else the note's file name and the question's words
(`identity.question_id`); a coding problem by its source and number. Repeats and collisions are
told apart and reported here."""

from __future__ import annotations

from collections.abc import Mapping

from qadeck import codes
from qadeck.model import file_stem
from qadeck.parser.drafts import NoteDraft
from qadeck.parser.identity import PIN, normalize, question_id
from qadeck.parser.source import LineDiagnostic


def assign_ids(drafts: list[NoteDraft], owners: Mapping[str, str] | None = None) -> None:
    """Each question's id: its pin, else its note's file name and words. When two notes share a
    name and a question, the note that held the id in the last build (`owners`: id -> note path,
    from the build's memory) keeps it; without that memory, the first note in path order does."""
    held = _held(drafts, owners or {})
    used: dict[str, str] = {}  # id -> "path:line" of its owner
    for draft in drafts:
        seen: dict[str, list[int]] = {}
        repeats = _repeats(draft)
        for q in draft.questions:
            if q.pin is not None and _take_pin(draft, q, used):
                continue
            if q.kind == "problem" and draft.problem is not None:
                _problem_id(draft, q, used)
                continue
            qid, salt, first = _plain_id(draft, q, seen, repeats)
            if salt:
                draft.diagnostics.append(LineDiagnostic(q.line, "warning", codes.QUESTION_DUPLICATE,
                                                        f"same question as line {first}; given its own id"))
            holder = held.get(qid)
            if qid in used or (holder is not None and holder[0] != draft.path):
                owner = used.get(qid) or f"{holder[0]}:{holder[1]}, which had this id in the last build"
                draft.diagnostics.append(LineDiagnostic(q.line, "warning", codes.QUESTION_ID_COLLISION,
                                                        f"same note name and question as {owner}; "
                                                        "its id includes the folder "
                                                        "(pin it with <!-- qid: ... -->)"))
                qid = question_id(draft.path, q.heading.text, salt)
            q.id = qid
            used[qid] = f"{draft.path}:{q.line}"


def _problem_key(draft: NoteDraft) -> tuple[str, str]:
    """A problem's identity: its source and number (a renamed file keeps its card), else the file
    name and the problem's name."""
    problem = draft.problem
    assert problem is not None
    number = problem.number.lstrip("0") or problem.number
    if problem.source and number:
        return "problem:" + normalize(problem.source), number
    return "problem:" + file_stem(draft.path), normalize(problem.name)


def _problem_id(draft: NoteDraft, q, used: dict[str, str]) -> None:
    qid = question_id(*_problem_key(draft))
    if qid in used:
        draft.diagnostics.append(LineDiagnostic(q.line, "warning", codes.PROBLEM_DUPLICATE,
                                                f"same source and number as {used[qid]}; "
                                                "given an id by its file"))
        qid = question_id("problem:" + draft.path, normalize(draft.problem.name if draft.problem else ""))
    q.id = qid
    used[qid] = f"{draft.path}:{q.line}"


def _plain_id(draft: NoteDraft, q, seen: dict[str, list[int]], repeats: set[str]) -> tuple[str, str, int]:
    """The id from the note's file name and the words; the salt ("#2", ...) that sets apart a
    repeat of words asked earlier in this note, and the line where they were first asked. A topic
    whose words repeat in its note (`背景` under two headings) is told apart by its context first,
    so each keeps its id when the others move."""
    norm = normalize(q.heading.text)
    context = _topic_context(q, norm, repeats)
    lines = seen.setdefault(norm + context, [])
    lines.append(q.line)
    salt = f"#{len(lines)}" if len(lines) > 1 else ""
    words = norm + context
    return question_id(file_stem(draft.path), q.heading.text, salt, words), salt, lines[0]


def _topic_context(q, norm: str, repeats: set[str]) -> str:
    """For a topic whose words another card of its note shares: its context, as part of its words."""
    if q.kind != "topic" or not q.context or norm not in repeats:
        return ""
    return "\x1e" + "\x1f".join(normalize(c) for c in q.context)


def _repeats(draft: NoteDraft) -> set[str]:
    """The words more than one card of the note has."""
    counts: dict[str, int] = {}
    for q in draft.questions:
        key = normalize(q.heading.text)
        counts[key] = counts.get(key, 0) + 1
    return {key for key, count in counts.items() if count > 1}


def _held(drafts: list[NoteDraft], owners: Mapping[str, str]) -> dict[str, tuple[str, int]]:
    """Ids the last build gave to a note that still asks that question: id -> (path, line)."""
    held: dict[str, tuple[str, int]] = {}
    if not owners:
        return held
    for draft in drafts:
        seen: dict[str, list[int]] = {}
        repeats = _repeats(draft)
        for q in draft.questions:
            if (q.pin is not None and PIN.match(q.pin)) or q.kind == "problem":
                continue
            qid = _plain_id(draft, q, seen, repeats)[0]
            if owners.get(qid) == draft.path:
                held.setdefault(qid, (draft.path, q.line))
    return held


def _take_pin(draft: NoteDraft, q, used: dict[str, str]) -> bool:
    if not PIN.match(q.pin):
        draft.diagnostics.append(LineDiagnostic(q.line + 1, "warning", codes.QUESTION_PIN_INVALID,
                                                f"qid {q.pin!r} must be letters, digits and _.:- ; ignored"))
        return False
    if q.pin in used:
        draft.diagnostics.append(LineDiagnostic(q.line + 1, "error", codes.QUESTION_PIN_DUPLICATE,
                                                f"qid {q.pin!r} is already used at {used[q.pin]}; ignored"))
        return False
    q.id = q.pin
    used[q.pin] = f"{draft.path}:{q.line}"
    return True
