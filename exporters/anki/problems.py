"""Coding problems to cards of their own note type: the statement and the link to the problem
online on the front, each approach under its name with its code folded by language on the back.

Tags file a problem by level, source, topic and company (`level::<level>`, `topic::<topic>`);
the deck goes by its first topic (`<title>::<coding problems>::<topic>`, the middle word in the
notes' language) unless the `decks` setting says otherwise.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from qadeck.model import Note, Piece, ProblemMeta, Question
from qadeck.strings import Strings

from .naming import deck_part, source, tag

if TYPE_CHECKING:
    from .cards import CardRenderer

# The problem note type's fields: its own schema (see cards.FIELDS on why they never change).
FIELDS = ("Title", "Label", "Statement", "Link", "Approaches", "Related", "Level", "Origin", "Number",
          "Topics", "Companies", "Source", "Id", "Extra")
RELATED_OPEN = 12  # more related problems than this fold away


def problem_deck(title: str, note: Note, decks: str, strings: Strings) -> str:
    """`title::<coding problems>::<first topic>` ("folder", the default, and "tag"; the middle
    part is the deck the problems are filed in, named in `strings`' language); "flat" and "note"
    as for any note; "path" the note's folders."""
    problem = note.problem
    assert problem is not None
    if decks == "flat":
        parts: list[str] = []
    elif decks == "note":
        parts = [note.title]
    elif decks == "path":
        parts = [*(note.folder.split("/") if note.folder else []), note.title]
    else:
        parts = [strings("problems"), *([problem.topic] if problem.topic else [])]
    return "::".join(deck_part(p) for p in [title, *parts])


def problem_tags(problem: ProblemMeta) -> tuple[str, ...]:
    tags = []
    if problem.level:
        tags.append(tag(f"level::{problem.level}"))
    if problem.source:
        tags.append(tag(f"source::{problem.source}"))
    tags += [tag(f"topic::{t}") for t in problem.topics]
    plain = (problem.level, problem.source, *problem.topics)
    tags += [tag(t) for t in problem.tags if t not in plain]
    tags += [tag(f"company::{c}") for c in problem.companies]
    return tuple(dict.fromkeys(t for t in tags if t))


def label(problem: ProblemMeta) -> str:
    """`<level> · <source>`: what the front shows in brackets before the name."""
    return " · ".join(p for p in (problem.level, problem.source) if p)


def problem_fields(cards: CardRenderer, note: Note, q: Question) -> tuple[str, ...]:
    """The card's fields in FIELDS order; the renderer cleans the note's own HTML."""
    problem = note.problem
    assert problem is not None
    answer = q.answer
    footnotes: list[int] = []
    statement = cards.html(note, Piece(answer.statement, answer.statement_line or q.line), footnotes)
    approaches = "".join(
        f'<section class="qd-approach"><h3 class="qd-approach-name">{html.escape(a.name)}</h3>'
        f"{cards.html(note, Piece(a.markdown, a.body_line or a.line), footnotes)}</section>"
        for a in answer.approaches if not a.empty)
    link = (f'<a class="qd-problem-link" href="{html.escape(problem.url)}">{html.escape(problem.url)}</a>'
            if problem.url else "")
    notes = cards.renderer.footnote_list(note, dict.fromkeys(footnotes))
    cards.out.diagnostics.extend(notes.diagnostics)
    values = {
        "Title": cards.html(note, Piece(q.heading, q.line, inline=True)),
        "Label": html.escape(label(problem)), "Statement": statement, "Link": link,
        "Approaches": approaches, "Related": _related(cards, note, problem),
        "Level": html.escape(problem.level), "Origin": html.escape(problem.source),
        "Number": html.escape(problem.number),
        "Topics": "".join(f'<span class="qd-topic">{html.escape(t)}</span>' for t in problem.topics),
        "Companies": html.escape(" · ".join(problem.companies)),
        "Source": html.escape(source(note, q)), "Id": html.escape(q.id), "Extra": notes.html,
    }
    return tuple(values[name] for name in FIELDS)


def _related(cards: CardRenderer, note: Note, problem: ProblemMeta) -> str:
    """The related problems as one line (folded when long), by their words: a card cannot follow
    a link to another note."""
    if not problem.related:
        return ""
    items = [f'<span class="qd-ref">{cards.html(note, Piece(r.text, r.line, inline=True))}</span>'
             for r in problem.related]
    line = " · ".join(dict.fromkeys(items))
    if len(items) <= RELATED_OPEN:
        label = cards.strings("related")
        return f'<p class="qd-related"><span class="qd-related-label">{label}</span> {line}</p>'
    return (f'<details class="qd-related"><summary>{cards.strings("related_count", n=len(items))}</summary>'
            f"<p>{line}</p></details>")
