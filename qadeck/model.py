"""The question model: plain, frozen data built by the parser and read by every exporter.

Nothing here renders, reads files or knows the notes dialect. Markdown is kept as source text;
turning it into HTML is the job of `qadeck.render`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

# The links of a note are part of the model, named here as well as in `qadeck.links`.
from qadeck.links import Link, LinkKind, scheme_of  # noqa: F401


def file_stem(path: str) -> str:
    """A note's file name without its suffix: `a/b/注意力.md` -> `注意力`."""
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


@dataclass(frozen=True)
class Diagnostic:
    """Something wrong or worth saying about a note, located by `path:line` (path relative to the
    notes root)."""

    path: str
    line: int
    severity: str  # "error" | "warning" | "info"
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: " if self.path else ""  # a build-wide message has no place
        return f"{where}{self.severity}: {self.message} [{self.code}]"


@dataclass(frozen=True)
class Keyword:
    text: str
    href: str | None = None


@dataclass(frozen=True)
class DetailsPart:
    """A named `<details>` part of an answer; its body is Markdown source."""

    name: str
    markdown: str
    line: int  # of the <details> (or <summary>) tag
    body_line: int = 0  # where `markdown` starts (0: as `line`)


@dataclass(frozen=True)
class Footnote:
    """A footnote definition `[^label]: text`; the `[^label]` references stay in the text."""

    label: str
    markdown: str
    line: int


@dataclass(frozen=True)
class Code:
    """A code block of an approach: the name of the `<details>` it is folded in (a language,
    or a variant: "Python: 动态规划"), the fence's language word, and its line."""

    name: str
    language: str
    line: int


@dataclass(frozen=True)
class Approach:
    """One named part of a problem's solution (思路1: 优先队列, 总结): its text and code in the
    order written, each code block still inside its `<details>`."""

    name: str
    markdown: str
    line: int  # of its <summary>
    body_line: int = 0  # where `markdown` starts (0: as `line`)
    code: tuple[Code, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.markdown.strip()


@dataclass(frozen=True)
class Answer:
    short: str = ""  # the leading blockquote, `>` removed, as Markdown
    see_also: tuple[str, ...] = ()  # `>>` lines, as inline Markdown
    details: tuple[DetailsPart, ...] = ()
    body: str = ""  # anything else under the heading, as Markdown
    short_line: int = 0  # where each part starts in the note (0: the part is empty)
    see_also_lines: tuple[int, ...] = ()  # see_also_lines[i] is the line of see_also[i]
    body_line: int = 0
    # A problem's card: the statement is its front, the approaches its back (empty otherwise).
    statement: str = ""
    statement_line: int = 0
    approaches: tuple[Approach, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.short.strip() or self.see_also or self.details or self.body.strip()
                    or any(not a.empty for a in self.approaches))


@dataclass(frozen=True)
class Question:
    id: str
    text: str  # plain text: markers, numbering and emphasis removed
    heading: str  # the heading's inline Markdown, markers and numbering removed
    markers: tuple[str, ...]  # marker emoji in heading order, each once
    flags: tuple[str, ...]  # flags[i] is the configured name of markers[i]
    answered: bool
    answer: Answer
    parent: str | None  # id of the question this one follows up
    children: tuple[str, ...]  # ids of its follow-ups
    section: tuple[str, ...]  # titles of the enclosing sections, outermost first
    line: int
    level: int  # heading level as written (1-6)
    anchor: str  # GitHub-style slug of the heading as written
    pinned: bool = False  # id fixed by a `<!-- qid: ... -->` comment
    kind: str = "question"  # "question" | "problem" (a coding problem: see Note.problem) | "topic"
    # A topic's headings above it, outermost first, the note's title left out (cards = "topics");
    # empty for a question, whose place is told by `section` and `parent`.
    context: tuple[str, ...] = ()

    def parts(self) -> AnswerParts:
        """This question's pieces of Markdown by part, each with the line it starts on."""
        answer, after = self.answer, self.line + 1
        lines = answer.see_also_lines
        return AnswerParts(
            heading=Piece(self.heading, self.line, inline=True),
            short=Piece(answer.short, answer.short_line or after),
            see_also=tuple(Piece(text, lines[index] if index < len(lines) else after, inline=True)
                           for index, text in enumerate(answer.see_also)),
            body=Piece(answer.body, answer.body_line or after),
            details=tuple(Piece(part.markdown, part.body_line or part.line) for part in answer.details),
            statement=Piece(answer.statement, answer.statement_line or after) if answer.statement else None,
            approaches=tuple(Piece(a.markdown, a.body_line or a.line) for a in answer.approaches),
        )

    def pieces(self) -> Iterator[Piece]:
        """Every piece of Markdown of this question in note order (see `AnswerParts.all`)."""
        return self.parts().all()


@dataclass(frozen=True)
class Piece:
    """A piece of a note's Markdown and the line it starts on: what a renderer is handed."""

    markdown: str
    line: int
    inline: bool = False


@dataclass(frozen=True)
class AnswerParts:
    """A question's heading and answer as pieces, by part (`Question.parts`): what an exporter
    renders part by part, each piece at the line it starts on."""

    heading: Piece
    short: Piece
    see_also: tuple[Piece, ...]  # see_also[i] is answer.see_also[i]
    body: Piece
    details: tuple[Piece, ...]  # details[i] is the text of answer.details[i]
    statement: Piece | None  # a coding problem's statement (None for other questions)
    approaches: tuple[Piece, ...]  # approaches[i] is the text of answer.approaches[i]

    def all(self) -> Iterator[Piece]:
        """Heading, short, see-also lines, body, details; then a problem's statement and approaches."""
        yield self.heading
        yield self.short
        yield from self.see_also
        yield self.body
        yield from self.details
        if self.statement is not None:
            yield self.statement
        yield from self.approaches


@dataclass(frozen=True)
class Outline:
    """One heading of a note and what it became (title, section, question, topic, part), with
    why it makes no card when that has a reason (`structural: only links`): `qadeck inspect`."""

    line: int
    level: int
    text: str  # plain text
    became: str
    why: str = ""


@dataclass(frozen=True)
class Section:
    title: str  # plain text
    heading: str  # inline Markdown, markers and numbering removed
    level: int
    line: int
    path: tuple[str, ...]  # titles from the outermost section down to this one
    anchor: str
    intro: str = ""  # Markdown written under the section heading before its first child
    intro_line: int = 0  # where the intro starts (0: no intro)


@dataclass(frozen=True)
class Related:
    """A related problem listed under a topic (the notes' generated `relate` block)."""

    topic: str
    text: str  # the link's words, inline Markdown
    href: str  # as written: `Note.link(href)` is where it points
    line: int


@dataclass(frozen=True)
class ProblemMeta:
    """What a coding-problem note says about its problem (its info block and link line), tags
    normalised through the repository's tag list (aliases, priority order) when it has one."""

    name: str
    level: str = ""  # 简单 | 中等 | 困难, as normalised
    source: str = ""  # 牛客, LeetCode, ...
    number: str = ""
    tags: tuple[str, ...] = ()  # every tag, normalised, in the tag list's order
    topics: tuple[str, ...] = ()  # the tags that name a data structure, algorithm or trick
    companies: tuple[str, ...] = ()
    url: str | None = None
    related: tuple[Related, ...] = ()

    @property
    def topic(self) -> str | None:
        """The problem's first topic: where it is filed."""
        return self.topics[0] if self.topics else None


@dataclass(frozen=True)
class ProblemTerms:
    """The order problems are listed in across the collection: levels, sources and topics, each
    in the tag list's order (data structures, then algorithms, ...), unlisted ones after."""

    levels: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class NoteMeta:
    date: str | None = None
    tags: tuple[str, ...] = ()
    draft: bool = False
    hidden: bool = False
    toc_title: str | None = None
    extra: tuple[tuple[str, str], ...] = ()  # other info keys, as text


@dataclass(frozen=True)
class Note:
    path: str  # POSIX path relative to the notes root
    title: str
    meta: NoteMeta
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]  # document order, follow-ups included
    keywords: tuple[Keyword, ...] = ()
    references: DetailsPart | None = None  # the note's closing 参考 part
    links: tuple[Link, ...] = ()
    intro: str = ""  # Markdown before the first heading (generated blocks removed)
    intro_line: int = 0  # where the intro starts (0: no intro)
    digest: str = ""  # sha256 of the note file's bytes
    mtime: int = 0  # the note file's modification time, whole seconds

    def question(self, qid: str) -> Question | None:
        return self._questions_by_id.get(qid)

    def top_questions(self) -> tuple[Question, ...]:
        """Questions that are not follow-ups, in document order."""
        return tuple(q for q in self.questions if q.parent is None)

    def follow_ups(self, question: Question) -> tuple[Question, ...]:
        return tuple(q for q in (self.question(c) for c in question.children) if q is not None)

    def pieces(self) -> Iterator[Piece]:
        """Every piece of Markdown in the note with the line it starts on, in no promised order."""
        yield Piece(self.intro, self.intro_line or 1)
        for section in self.sections:
            yield Piece(section.heading, section.line, inline=True)
            yield Piece(section.intro, section.intro_line or section.line + 1)
        for q in self.questions:
            yield from q.pieces()
        if self.references is not None:
            yield Piece(self.references.markdown, self.references.body_line or self.references.line)
        if self.problem is not None:
            for related in self.problem.related:
                yield Piece(related.text, related.line, inline=True)
    footnotes: tuple[Footnote, ...] = ()
    # Enters the deck, the handbook and the cheat sheet: the note holds questions (or knowledge
    # notes were asked for). Other notes are still parsed and checked; exporters skip them.
    in_outputs: bool = True
    problem: ProblemMeta | None = None  # a coding-problem note: its one question is the problem
    outline: tuple[Outline, ...] = ()  # every heading in document order, and what it became

    @property
    def stem(self) -> str:
        return file_stem(self.path)

    @property
    def folder(self) -> str:
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""

    def link(self, href: str) -> Link | None:
        """The resolved link for an href written in this note, if the parser saw it."""
        return self._links_by_href.get(href)

    @cached_property
    def _questions_by_id(self) -> dict[str, Question]:  # an index, not data: built on first use
        return {q.id: q for q in self.questions}

    @cached_property
    def _links_by_href(self) -> dict[str, Link]:  # an index, not data: built on first use
        by_href: dict[str, Link] = {}
        for link in self.links:
            by_href.setdefault(link.href, link)
        return by_href


@dataclass(frozen=True)
class Collection:
    title: str
    notes: tuple[Note, ...]
    diagnostics: tuple[Diagnostic, ...] = field(default=())
    language: str = "en"  # "zh" or "en": what the questions are written in (default flag names)
    problem_terms: ProblemTerms = ProblemTerms()

    def problems(self) -> list[Note]:
        """The coding-problem notes that enter the outputs, in note order."""
        return [note for note in self.notes if note.problem is not None and note.in_outputs]

    def by_topic(self, problems: Iterable[Note], no_topic: str) -> list[tuple[str, list[Note]]]:
        """Coding-problem notes under their first topic, topics in the collection's order, unfiled
        ones last (under `no_topic`, the words the output shows)."""
        order = {topic: index for index, topic in enumerate(self.problem_terms.topics)}
        groups: dict[str, list[Note]] = {}
        for note in problems:
            assert note.problem is not None
            groups.setdefault(note.problem.topic or no_topic, []).append(note)
        return sorted(groups.items(), key=lambda item: (order.get(item[0], len(order)), item[0] == no_topic))

    def questions(self) -> list[Question]:
        return [q for note in self.notes for q in note.questions]

    def note(self, path: str) -> Note | None:
        return self._notes_by_path.get(path)

    @cached_property
    def _notes_by_path(self) -> dict[str, Note]:  # an index, not data: built on first use
        return {note.path: note for note in self.notes}

    def count(self, severity: str) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)
