"""What the book's writers make: an `Article` is one chapter (or one piece of a part) as HTML
together with the facts about that HTML, recorded by the code that wrote it: the element ids it
holds, the ids its links point to, the note images it shows and its share of the printing work.

Nothing reads the facts back out of the HTML. The writers say each fact as they write it, to a
`Recorder`; `Recorder.recording` collects what is said while a piece is written (a recording
inside another also counts in the outer one, so a problem kept in the cache with its facts can
give them again to the article it lands in).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

DEST_SCHEME = "qadeck-dest:"  # a link to another document's element id, resolved by the join


@dataclass(frozen=True)
class Facts:
    """What a piece of the book's HTML holds, as its writer said it."""

    ids: tuple[str, ...] = ()  # element ids written (`id="…"`)
    links: tuple[str, ...] = ()  # element ids its links point to (`href="#…"`)
    images: tuple[str, ...] = ()  # the `src` of each note image shown (formulas are not note images)
    weight: int = 0  # characters of the notes' text written into it: its share of the printing work


@dataclass(frozen=True)
class Article:
    """One chapter, or one piece of a part printed as a document of its own (`documents`): `name`
    is its element id (stable across builds), `title` what the progress line shows, `depth` the
    outline level of its first bookmarks (1: a chapter's; more: a piece going on with a part,
    whose bookmarks the join sets under the part's)."""

    name: str
    title: str
    html: str
    facts: Facts = Facts()
    depth: int = 1


@dataclass
class _Draft:
    ids: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    weight: int = 0

    def add(self, facts: Facts) -> None:
        self.ids.extend(facts.ids)
        self.links.extend(facts.links)
        self.images.extend(facts.images)
        self.weight += facts.weight

    def facts(self) -> Facts:
        return Facts(tuple(self.ids), tuple(self.links), tuple(self.images), self.weight)


class Recorder:
    """Where the writers say what they write; said outside any recording, a fact is not kept."""

    def __init__(self) -> None:
        self._open: list[_Draft] = []

    @contextmanager
    def recording(self) -> Iterator[_Draft]:
        """The facts said inside (`.facts()` once it is left); they count in the enclosing
        recording too. A piece whose writing fails gives none."""
        draft = _Draft()
        self._open.append(draft)
        try:
            yield draft
        finally:
            self._open.pop()
        self.add(draft.facts())

    def add(self, facts: Facts) -> None:
        if self._open:
            self._open[-1].add(facts)

    def id(self, name: str) -> str:
        """`name`, an element id being written."""
        self.add(Facts(ids=(name,)))
        return name

    def link(self, name: str) -> str:
        """`name`, the element id a link being written points to."""
        self.add(Facts(links=(name,)))
        return name

    def image(self, src: str) -> str:
        """`src`, the address of a note image being written."""
        self.add(Facts(images=(src,)))
        return src

    def weigh(self, text: str) -> None:
        """`text` of a note is being written."""
        self.add(Facts(weight=len(text)))
