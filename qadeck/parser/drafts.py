"""What the parser makes of one note before the collection settles ids and links: a `NoteDraft`
holding its `QuestionDraft`s (mutable; `parser/collection.py` turns them into the frozen model)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from qadeck.model import Answer, DetailsPart, Footnote, Keyword, NoteMeta, Outline, Section
from qadeck.parser.heading import HeadingText
from qadeck.parser.problem import ProblemDraft
from qadeck.parser.source import LineDiagnostic


@dataclass
class QuestionDraft:
    heading: HeadingText
    answer: Answer
    line: int
    level: int
    anchor: str
    parent: int | None  # index into NoteDraft.questions
    section: tuple[str, ...]
    pin: str | None
    id: str = ""
    kind: str = "question"  # "problem": the one question of a problem note; "topic" (cards = "topics")
    context: tuple[str, ...] = ()  # a topic's headings above it, the note's title left out


@dataclass
class NoteDraft:
    path: str
    title: str
    meta: NoteMeta
    keywords: tuple[Keyword, ...]
    sections: list[Section] = field(default_factory=list)
    questions: list[QuestionDraft] = field(default_factory=list)
    references: DetailsPart | None = None
    intro: str = ""
    intro_line: int = 0
    digest: str = ""  # of the file's bytes
    mtime: int = 0
    footnotes: tuple[Footnote, ...] = ()
    template: bool = False  # placeholder content: makes nothing
    raw_links: list[tuple[int, str, bool]] = field(default_factory=list)  # line, href, is image
    anchors: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # -> heading, qindex
    diagnostics: list[LineDiagnostic] = field(default_factory=list)
    problem: ProblemDraft | None = None  # a coding-problem note
    outline: list[Outline] = field(default_factory=list)  # what each heading became

    def thawed(self) -> NoteDraft:
        """A copy whose parts the settle step changes (question ids, diagnostics, the mtime) are
        its own: a draft the build cache keeps in memory (`qadeck.session`) stays as it was read."""
        draft = copy.copy(self)
        draft.questions = [copy.copy(q) for q in self.questions]
        draft.diagnostics = list(self.diagnostics)
        return draft
