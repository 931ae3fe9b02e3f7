"""`qadeck inspect`'s tree: every heading of a note with what it became (a question, a topic, a
section, a part of an answer) and, for a heading that makes no card, why (`structural: only links`)."""

from __future__ import annotations

from collections.abc import Iterator

from qadeck.model import Note, Outline, Question


def note_lines(note: Note) -> Iterator[tuple[str, bool]]:
    """The note's tree as (line, is a card) pairs, in document order: cards first-class, the other
    headings dimmed by the caller. Questions that are no heading (list items) sit at their line."""
    by_line = {q.line: q for q in note.questions}
    shown = {o.line for o in note.outline if o.became in ("question", "topic") and o.line in by_line}
    items: list[tuple[int, Outline | Question]] = [(o.line, o) for o in note.outline]
    items += [(q.line, q) for q in note.questions if q.line not in shown]
    levels = [o.level for o in note.outline if o.became != "title"] or [1]
    top = min(levels)
    for _, item in sorted(items, key=lambda pair: (pair[0], isinstance(pair[1], Question))):
        if isinstance(item, Question):
            yield _card(note, item, 1 + _depth(note, item)), True
        elif item.line in shown:
            yield _card(note, by_line[item.line], 1 + max(item.level - top, 0)), True
        else:
            indent = "  " * (1 + max(item.level - top, 0))
            why = f": {item.why}" if item.why else ""
            yield f"{indent}  {'#' * item.level} {item.text}  :{item.line}  ({item.became}{why})", False


def _card(note: Note, q: Question, depth: int) -> str:
    mark = "✓" if q.answered else "·"
    flags = f"  [{', '.join(q.flags)}]" if q.flags else ""
    if q.kind == "problem" and note.problem is not None:
        about = (note.problem.level, note.problem.source, note.problem.topic or "")
        flags = f"  [{' · '.join(p for p in about if p)}]"
    kind = "  (topic)" if q.kind == "topic" else ""
    return f"{'  ' * (depth + 1)}{mark} {q.text}  :{q.line}{flags}{kind}"


def _depth(note: Note, q: Question) -> int:
    depth = 0
    while q.parent is not None and (parent := note.question(q.parent)) is not None:
        q, depth = parent, depth + 1
    return depth
