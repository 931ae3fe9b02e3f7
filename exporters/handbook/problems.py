"""The handbook's part of coding problems: the coding problems after the Q&A chapters, grouped by topic in the
collection's order (data structures, then algorithms...), each headed with its level, source and
number and the link to it online; its approaches and code as written; then an index of the
problems by level and by source. The questions-only book prints the statements with ruled space.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass

from qadeck import depends
from qadeck.cache import Store
from qadeck.exporters.handbook.chapters import Chapters, element_id
from qadeck.exporters.handbook.options import PdfOptions
from qadeck.model import Collection, Diagnostic, Note, Piece, ProblemMeta

PART_ID = "part-problems"
SOLVE_LINES = 8  # ruled lines under a statement in the questions-only book
INDEX_ID = "problem-index"
# Related problems printed under a problem: a real note lists up to ~50 (a third of a page), the
# rest is counted (the cheat sheet and the cards keep the whole list).
RELATED_SHOWN = 8
# Problems in one print unit: about 10 pages of real problems (~3 s of CPU), so that an edited
# problem reprints a few seconds' worth; each unit's fixed cost (a document, its font subsets:
# ~1 s of CPU) is paid ~40 times for the ~290 problems of a real repository.
UNIT_PROBLEMS = 8

Group = list[tuple[str, list[Note], bool]]  # (topic, its problems here, whether its heading is here)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def problem_id(note: Note) -> str:
    return element_id("q", note.questions[0].id)


def topic_id(topic: str) -> str:
    return element_id("t", topic)


def by_topic(collection: Collection, notes: list[Note], no_topic: str) -> list[tuple[str, list[Note]]]:
    """Problems under their first topic, topics in the collection's order, unfiled ones last
    (under `no_topic`)."""
    order = {topic: index for index, topic in enumerate(collection.problem_terms.topics)}
    groups: dict[str, list[Note]] = {}
    for note in notes:
        assert note.problem is not None
        groups.setdefault(note.problem.topic or no_topic, []).append(note)
    return sorted(groups.items(), key=lambda item: (order.get(item[0], len(order)), item[0] == no_topic))


def unit_groups(groups: list[tuple[str, list[Note]]], most: int = UNIT_PROBLEMS) -> list[Group]:
    """Topics into print units by their problem counts only (an edit moves no boundary): small
    topics that follow each other share a unit up to `most` problems; a larger topic is cut in
    equal runs of at most `most`, each a unit of its own."""
    units: list[Group] = []
    size = most  # the open unit's problems: full, so that the first topic opens a unit
    for topic, notes in groups:
        if len(notes) > most:
            runs = -(-len(notes) // most)
            step = -(-len(notes) // runs)
            units.extend([(topic, notes[i:i + step], i == 0)] for i in range(0, len(notes), step))
            size = most
        elif size + len(notes) > most:
            units.append([(topic, notes, True)])
            size = len(notes)
        else:
            units[-1].append((topic, notes, True))
            size += len(notes)
    return units


def _continued(name: str, title: str, depth: int, body: list[str], running: str) -> str:
    """A unit that goes on with the part: the running header says the part's title (`part-cont`)."""
    return "\n".join([f'<article class="part-cont problems" id="{name}" data-unit="{_e(title)}" '
                      f'data-depth="{depth}" data-running="{running}">', *body, "</article>"])


@dataclass
class _CachedProblem:
    html: str
    diagnostics: list[Diagnostic]


class ProblemsPart:
    """Writes the part with the chapters' renderer (links between problems stay links); each
    problem's HTML, with its diagnostics, is kept in `store` (rendering the code of ~290 problems
    again took most of a rebuild after one edit)."""

    def __init__(self, collection: Collection, chapters: Chapters, options: PdfOptions | None = None,
                 store: Store | None = None) -> None:
        self.collection = collection
        self.chapters = chapters
        self.options = options
        # The collection's levels rank a badge's colour: a fact a problem asks for.
        self.levels = depends.Asked("pdf problem levels", lambda _: self.collection.problem_terms.levels)
        self.kept = None if store is None else \
            depends.Units(store, chapters.setup, chapters.policy.landing, self.levels)
        self.notes = chapters.problems
        self.strings = chapters.strings
        self.title = self.strings("problems")
        self.groups = by_topic(collection, self.notes, self.strings("no_topic"))
        self.counts = {topic: len(notes) for topic, notes in self.groups}

    def html(self) -> str:
        """The whole part as one piece of HTML (the units one after another)."""
        return "\n".join(self.units())

    def units(self) -> list[str]:
        """The part in print units of at most `UNIT_PROBLEMS` problems each (`unit_groups`): the
        first opens the part, a later one is an `<article class="part-cont">` that says what
        it holds and the outline level of its first bookmark (`units.chapters` reads both); the
        index is a unit of its own. An edited problem reprints its unit only."""
        if not self.notes:
            return []
        out = []
        for index, group in enumerate(unit_groups(self.groups, UNIT_PROBLEMS)):
            body = []
            for topic, notes, opens in group:
                if opens:
                    body.append(self._topic_head(topic, notes[0]))
                body.extend(self._kept(note) for note in notes)
            if index == 0:
                out.append(self._opening(body))
                continue
            topic, notes, opens = group[0]
            title = f"{self.title} · {topic}" + ("" if opens else f" · {notes[0].title}")
            name = element_id("u", f"{topic}\x1f{notes[0].path}")
            out.append(_continued(name, title, 2 if opens else 3, body, self.title))
        if self.chapters.answers:
            out.append(_continued(INDEX_ID + "-unit", f"{self.title} · {self.strings('problem_index')}", 2,
                                  [self._index()], self.title))
        return out

    def _opening(self, body: list[str]) -> str:
        levels = self.collection.problem_terms.levels
        counts = " · ".join(f"{level} {n}" for level in levels
                            if (n := sum(p.problem.level == level for p in self.notes if p.problem)))
        head = [f'<article class="chapter problems" id="{PART_ID}">', '<header class="chapter-head">']
        number = self.strings("part_problems", n=len(self.notes))
        return "\n".join([*head, f'<p class="chapter-no">{number}</p>',
                          f'<h1 class="chapter-title bm1" data-bm="{self.title}">{self.title}</h1>',
                          f'<p class="chapter-meta">{_e(counts)}</p>', "</header>", *body, "</article>"])

    def _topic_head(self, topic: str, first: Note) -> str:
        count = f'<span class="topic-count">{self.counts[topic]}</span>'
        return (f'<h2 class="section d1 bm2 topic" id="{topic_id(topic)}" data-bm="{_e(topic)}">'
                f"{self.chapters._text(first, topic, 1)}{count}</h2>")

    def toc(self) -> str:
        if not self.notes:
            return ""
        inner = "".join(f'<li class="toc-section"><a href="#{topic_id(topic)}">{_e(topic)}</a></li>'
                        for topic, _ in self.groups)
        if self.chapters.answers:
            inner += f'<li class="toc-section"><a href="#{INDEX_ID}">{self.strings("problem_index")}</a></li>'
        appendix = self.strings("appendix")
        return (f'<li class="toc-note"><a href="#{PART_ID}"><span class="toc-no">{appendix}</span>'
                f'{self.title}</a>'
                f"<ul>{inner}</ul></li>")

    def _kept(self, note: Note) -> str:
        """A problem's HTML from the store when everything it read is unchanged: its note, the
        chapters' setup, where its links land, the collection's levels (its badge's colour)."""
        if self.kept is None or self.options is None:
            return self._problem(note)
        entry = self.kept.entry(note)
        found = self.kept.get(entry, _CachedProblem)
        if found is not None:
            for problem in found.diagnostics:
                self.chapters.report(problem)
            return found.html
        mark = len(self.chapters.diagnostics)
        with depends.recording() as records:
            text = self._problem(note)
        self.kept.put(entry, records.records(), _CachedProblem(text, self.chapters.diagnostics[mark:]))
        return text

    def _problem(self, note: Note) -> str:
        problem, q = note.problem, note.questions[0]
        assert problem is not None
        md = self.chapters._md
        # The note's own id on the title: an empty <a> before it is a line of its own, which
        # WeasyPrint could leave at a page's foot under the topic's heading.
        out = [f'<section class="problem" id="{problem_id(note)}">',
               f'<h3 class="p-head bm3" data-bm="{_e(problem.name)}" id="{element_id("n", note.path)}">'
               f'{md(note, Piece(q.heading, q.line, True))}{"".join(self._badges(problem))}</h3>']
        if problem.url:
            out.append(f'<p class="p-link"><a class="web" href="{_e(problem.url)}">{_e(problem.url)}</a></p>')
        if q.answer.statement.strip():
            statement = Piece(q.answer.statement, q.answer.statement_line or q.line)
            out.append(f'<div class="statement">{md(note, statement)}</div>')
        if not self.chapters.answers:
            out.append('<div class="write-space">' + '<div class="rule"></div>' * SOLVE_LINES + "</div>")
            out.append("</section>")
            return "\n".join(out)
        for approach in q.answer.approaches:
            if approach.empty:
                continue
            label = self.chapters._text(note, approach.name, approach.line)
            body = md(note, Piece(approach.markdown, approach.body_line or approach.line))
            out.append(f'<div class="approach"><p class="part-label">{label}</p>{body}</div>')
        related = list(self._related(note))
        if related:
            links = " · ".join(related[:RELATED_SHOWN])
            if len(related) > RELATED_SHOWN:
                more = self.strings("related_more", n=len(related) - RELATED_SHOWN)
                links += f' <span class="more">{more}</span>'
            label = self.strings("related_short")
            out.append(f'<p class="see-also related"><span class="label">{label}</span>{links}</p>')
        out.append("</section>")
        return "\n".join(out)

    def _related(self, note: Note) -> Iterator[str]:
        """Related problems that are in this book, as links; the others are not printed."""
        assert note.problem is not None
        seen: set[str] = set()
        for related in note.problem.related:
            link = note.link(related.href)
            if link is None or not link.ok or self.chapters.in_book(link.target) is None \
                    or link.target in seen or link.target == note.path:
                continue
            seen.add(link.target or "")
            yield self.chapters._md(note, Piece(f"[{related.text}]({related.href})", related.line, True))

    def _badges(self, problem: ProblemMeta) -> Iterator[str]:
        """Level (coloured by its rank among the collection's levels), source and number."""
        levels = self.levels(None)
        if problem.level:
            rank = min(levels.index(problem.level) + 1, 3) if problem.level in levels else 0
            yield f'<span class="badge level level-{rank}">{_e(problem.level)}</span>'
        if problem.source:
            yield f'<span class="badge source">{_e(problem.source)}</span>'
        if problem.number:
            yield f'<span class="badge number">#{_e(problem.number)}</span>'

    def _index(self) -> str:
        """The problems by level and by source, each a link to its page."""
        terms = self.collection.problem_terms
        index = self.strings("problem_index")
        out = [f'<section class="problem-index" id="{INDEX_ID}">',
               f'<h2 class="section d1 bm2" data-bm="{index}">{index}</h2>']
        for label, values, key in ((self.strings("by_level"), terms.levels, "level"),
                                   (self.strings("by_source"), terms.sources, "source")):
            out.append(f'<h3 class="section d2">{label}</h3><dl class="index">')
            for value in values:
                listed = [n for n in self.notes if n.problem and getattr(n.problem, key) == value]
                if not listed:
                    continue
                links = " · ".join(f'<a class="xref" href="#{problem_id(n)}">{_e(n.problem.name)}</a>'
                                   for n in listed if n.problem)
                count = f'<span class="topic-count">{len(listed)}</span>'
                out.append(f"<dt>{_e(value)} {count}</dt><dd>{links}</dd>")
            out.append("</dl>")
        out.append("</section>")
        return "\n".join(out)


