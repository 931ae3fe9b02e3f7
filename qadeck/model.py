"""The question model: plain, frozen data built by the parser and read by every exporter.

Nothing here renders, reads files or knows the notes dialect. Markdown is kept as source text;
turning it into HTML is the job of `qadeck.render`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True)
class Diagnostic:
    """A problem found in a note, located by `path:line` (path relative to the notes root)."""

    path: str
    line: int
    severity: str  # "error" | "warning" | "info"
    code: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}: " if self.path else ""  # a build-wide message has no place
        return f"{where}{self.severity}: {self.message} [{self.code}]"


@dataclass(frozen=True)
class Link:
    """A link or image reference found in a note, with what it points to once resolved.

    kind: "note" (another note of the collection), "anchor" (a heading of the same note),
    "web", "image", "file" (a local file that is not a note), "mail".
    """

    href: str
    line: int
    kind: str
    target: str | None = None  # note or file path relative to the notes root
    anchor: str | None = None  # the #fragment as written
    target_title: str | None = None  # target note's title
    target_heading: str | None = None  # plain text of the heading the anchor names
    target_id: str | None = None  # question id or section anchor of that heading
    ok: bool = True


@dataclass(frozen=True)
class Keyword:
    text: str
    href: str | None = None


@dataclass(frozen=True)
class DetailsPart:
    """A named `<details>` part of an answer; its body is Markdown source."""

    name: str
    markdown: str
    line: int


@dataclass(frozen=True)
class Answer:
    short: str = ""  # the leading blockquote, `>` removed, as Markdown
    see_also: tuple[str, ...] = ()  # `>>` lines, as inline Markdown
    details: tuple[DetailsPart, ...] = ()
    body: str = ""  # anything else under the heading, as Markdown

    @property
    def empty(self) -> bool:
        return not (self.short.strip() or self.see_also or self.details or self.body.strip())


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


@dataclass(frozen=True)
class Section:
    title: str  # plain text
    heading: str  # inline Markdown, markers and numbering removed
    level: int
    line: int
    path: tuple[str, ...]  # titles from the outermost section down to this one
    anchor: str
    intro: str = ""  # Markdown written under the section heading before its first child


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
    references: str = ""  # Markdown of the note's closing 参考 part
    links: tuple[Link, ...] = ()
    intro: str = ""  # Markdown before the first heading (generated blocks removed)

    @property
    def stem(self) -> str:
        return self.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]

    @property
    def folder(self) -> str:
        return self.path.rsplit("/", 1)[0] if "/" in self.path else ""

    def link(self, href: str) -> Link | None:
        """The resolved link for an href written in this note, if the parser saw it."""
        return self._links_by_href.get(href)

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

    def questions(self) -> list[Question]:
        return [q for note in self.notes for q in note.questions]

    def note(self, path: str) -> Note | None:
        for note in self.notes:
            if note.path == path:
                return note
        return None

    def count(self, severity: str) -> int:
        return sum(1 for d in self.diagnostics if d.severity == severity)
