"""The handbook's part of coding problems: the coding problems after the Q&A chapters, grouped by topic in the
collection's order (data structures, then algorithms...), each headed with its level, source and
number and the link to it online; its approaches and code as written; then an index of the
problems by level and by source. The questions-only book prints the statements with ruled space.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from html import escape

from qadeck import depends
from qadeck.cache import Store
from qadeck.exporters.handbook.article import Article, Facts
from qadeck.exporters.handbook.chapters import Chapters, element_id
from qadeck.exporters.handbook.contents import Entry
from qadeck.exporters.handbook.options import PdfOptions
from qadeck.model import Collection, Diagnostic, Note, Piece, ProblemMeta

PART_ID = "part-problems"
SOLVE_LINES = 8  # ruled lines under a statement in the questions-only book
INDEX_ID = "problem-index"
INDEX_ARTICLE_ID = "problem-index-unit"  # the index's article (a named destination in every book made)
# Related problems printed under a problem: a real note lists up to ~50 (a third of a page), the
# rest is counted (the cheat sheet and the cards keep the whole list).
RELATED_SHOWN = 8
# Problems in one article (printed as a document of its own): about 5 pages of real problems
# (~1 s of CPU), so that an edited problem reprints about a second's worth; each document's fixed
# cost (~0.1 s of CPU since the fonts are subset once at the join) is paid ~75 times for the ~290
# problems of a real repository.
ARTICLE_PROBLEMS = 4

Group = list[tuple[str, list[Note], bool]]  # (topic, its problems here, whether its heading is here)


def problem_id(note: Note) -> str:
    return element_id("q", note.questions[0].id)


def topic_id(topic: str) -> str:
    return element_id("t", topic)


def article_groups(groups: list[tuple[str, list[Note]]], most: int = ARTICLE_PROBLEMS) -> list[Group]:
    """Topics into articles by their problem counts only (an edit moves no boundary): small
    topics that follow each other share an article up to `most` problems; a larger topic is cut
    in equal runs of at most `most`, each an article of its own."""
    articles: list[Group] = []
    size = most  # the open article's problems: full, so that the first topic opens one
    for topic, notes in groups:
        if len(notes) > most:
            runs = -(-len(notes) // most)
            step = -(-len(notes) // runs)
            articles.extend([(topic, notes[i:i + step], i == 0)] for i in range(0, len(notes), step))
            size = most
        elif size + len(notes) > most:
            articles.append([(topic, notes, True)])
            size = len(notes)
        else:
            articles[-1].append((topic, notes, True))
            size += len(notes)
    return articles


def _continued(name: str, body: list[str], running: str) -> str:
    """An article that goes on with the part: the running header says the part's title (`part-cont`)."""
    return "\n".join([f'<article class="part-cont problems" id="{name}" data-running="{running}">',
                      *body, "</article>"])


@dataclass
class _CachedProblem:
    html: str
    facts: Facts
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
        self._entries: dict[str, str] = {}  # note path -> its entry in the store (a digest of the note)
        self.facts = chapters.facts
        self.title = self.strings("problems")
        self.groups = collection.by_topic(self.notes, self.strings("no_topic"))
        self.counts = {topic: len(notes) for topic, notes in self.groups}

    def articles(self) -> list[Article]:
        """The part in articles of at most `ARTICLE_PROBLEMS` problems each (`article_groups`):
        the first opens the part, a later one is an `<article class="part-cont">` whose first
        bookmarks go under the part's; the index is an article of its own. An edited problem
        reprints its article only."""
        if not self.notes:
            return []
        out = []
        for index, group in enumerate(article_groups(self.groups, ARTICLE_PROBLEMS)):
            with self.facts.recording() as said:
                body = []
                for topic, notes, opens in group:
                    if opens:
                        body.append(self._topic_head(topic, notes[0]))
                    body.extend(self._kept(note) for note in notes)
                if index == 0:
                    number = self.strings("part_problems", n=len(self.notes))
                    name, title, depth = PART_ID, f"{number} {self.title}", 1
                    text = self._opening(number, body)
                else:
                    topic, notes, opens = group[0]
                    title = f"{self.title} · {topic}" + ("" if opens else f" · {notes[0].title}")
                    name, depth = element_id("u", f"{topic}\x1f{notes[0].path}"), 2 if opens else 3
                    text = _continued(self.facts.id(name), body, self.title)
            out.append(Article(name, title, text, said.facts(), depth))
        if self.chapters.answers:
            with self.facts.recording() as said:
                text = _continued(self.facts.id(INDEX_ARTICLE_ID), [self._index()], self.title)
            out.append(Article(INDEX_ARTICLE_ID, f"{self.title} · {self.strings('problem_index')}", text,
                               said.facts(), 2))
        return out

    def _opening(self, number: str, body: list[str]) -> str:
        levels = self.collection.problem_terms.levels
        counts = " · ".join(f"{level} {n}" for level in levels
                            if (n := sum(p.problem.level == level for p in self.notes if p.problem)))
        head = [f'<article class="chapter problems" id="{self.facts.id(PART_ID)}">',
                '<header class="chapter-head">']
        return "\n".join([*head, f'<p class="chapter-no">{number}</p>',
                          f'<h1 class="chapter-title bm1" data-bm="{self.title}">{self.title}</h1>',
                          f'<p class="chapter-meta">{escape(counts)}</p>', "</header>", *body, "</article>"])

    def _topic_head(self, topic: str, first: Note) -> str:
        count = f'<span class="topic-count">{self.counts[topic]}</span>'
        tid = self.facts.id(topic_id(topic))
        return (f'<h2 class="section d1 bm2 topic" id="{tid}" data-bm="{escape(topic)}">'
                f"{self.chapters._text(first, topic, 1)}{count}</h2>")

    def toc(self) -> Entry | None:
        """The part's entry in the contents: its topics, then its index."""
        if not self.notes:
            return None
        sections = [Entry(topic_id(topic), escape(topic), chapter=False) for topic, _ in self.groups]
        if self.chapters.answers:
            sections.append(Entry(INDEX_ID, self.strings("problem_index"), chapter=False))
        return Entry(PART_ID, self.title, self.strings("appendix"), tuple(sections))

    def _kept(self, note: Note) -> str:
        """A problem's HTML from the store when everything it read is unchanged: its note, the
        chapters' setup, where its links land, the collection's levels (its badge's colour)."""
        if self.kept is None or self.options is None:
            return self._problem(note)
        entry = self._entry(note)
        found = self.kept.get(entry, _CachedProblem)
        if found is not None:
            for diagnostic in found.diagnostics:
                self.chapters.report(diagnostic)
            self.facts.add(found.facts)
            return found.html
        mark = len(self.chapters.diagnostics)
        with self.facts.recording() as said, depends.recording() as records:
            text = self._problem(note)
        self.kept.put(entry, records.records(),
                      _CachedProblem(text, said.facts(), self.chapters.diagnostics[mark:]))
        return text

    def unkept(self) -> list[Note]:
        """The problems the store holds no entry for (to be rendered: `prerender`)."""
        if self.kept is None or self.options is None:
            return []
        return [note for note in self.notes if not self.kept.has(self._entry(note))]

    def keep(self, note: Note) -> None:
        """Render `note` into the store (in a process that renders ahead: `prerender`)."""
        self._kept(note)

    def _entry(self, note: Note) -> str:
        assert self.kept is not None
        if note.path not in self._entries:
            self._entries[note.path] = self.kept.entry(note)
        return self._entries[note.path]

    def _problem(self, note: Note) -> str:
        problem, q = note.problem, note.questions[0]
        assert problem is not None
        md = self.chapters._md
        # The note's own id on the title: an empty <a> before it is a line of its own, which
        # WeasyPrint could leave at a page's foot under the topic's heading.
        nid = self.facts.id(element_id("n", note.path))
        out = [f'<section class="problem" id="{self.facts.id(problem_id(note))}">',
               f'<h3 class="p-head bm3" data-bm="{escape(problem.name)}" id="{nid}">'
               f'{md(note, Piece(q.heading, q.line, True))}{"".join(self._badges(problem))}</h3>']
        if problem.url:
            url = escape(problem.url)
            out.append(f'<p class="p-link"><a class="web" href="{url}">{url}</a></p>')
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
            links = " · ".join(md(note, piece) for piece in related[:RELATED_SHOWN])  # the rest: counted
            if len(related) > RELATED_SHOWN:
                more = self.strings("related_more", n=len(related) - RELATED_SHOWN)
                links += f' <span class="more">{more}</span>'
            label = self.strings("related_short")
            out.append(f'<p class="see-also related"><span class="label">{label}</span>{links}</p>')
        out.append("</section>")
        return "\n".join(out)

    def _related(self, note: Note) -> Iterator[Piece]:
        """Related problems that are in this book, as Markdown links; the others are not printed."""
        assert note.problem is not None
        seen: set[str] = set()
        for related in note.problem.related:
            link = note.link(related.href)
            if link is None or not link.ok or self.chapters.in_book(link.target) is None \
                    or link.target in seen or link.target == note.path:
                continue
            seen.add(link.target or "")
            yield Piece(f"[{related.text}]({related.href})", related.line, True)

    def _badges(self, problem: ProblemMeta) -> Iterator[str]:
        """Level (coloured by its rank among the collection's levels), source and number."""
        levels = self.levels(None)
        if problem.level:
            rank = min(levels.index(problem.level) + 1, 3) if problem.level in levels else 0
            yield f'<span class="badge level level-{rank}">{escape(problem.level)}</span>'
        if problem.source:
            yield f'<span class="badge source">{escape(problem.source)}</span>'
        if problem.number:
            yield f'<span class="badge number">#{escape(problem.number)}</span>'

    def _weighed(self, text: str) -> str:
        self.facts.weigh(text)
        return text

    def _index(self) -> str:
        """The problems by level and by source, each a link to its page."""
        terms = self.collection.problem_terms
        index = self.strings("problem_index")
        out = [f'<section class="problem-index" id="{self.facts.id(INDEX_ID)}">',
               f'<h2 class="section d1 bm2" data-bm="{index}">{index}</h2>']
        for label, values, key in ((self.strings("by_level"), terms.levels, "level"),
                                   (self.strings("by_source"), terms.sources, "source")):
            out.append(f'<h3 class="section d2">{label}</h3><dl class="index">')
            for value in values:
                listed = [n for n in self.notes if n.problem and getattr(n.problem, key) == value]
                if not listed:
                    continue
                links = " · ".join(f'<a class="xref" href="#{self.facts.link(problem_id(n))}">'
                                   f'{escape(self._weighed(n.problem.name))}</a>'
                                   for n in listed if n.problem)
                count = f'<span class="topic-count">{len(listed)}</span>'
                out.append(f"<dt>{escape(value)} {count}</dt><dd>{links}</dd>")
            out.append("</dl>")
        out.append("</section>")
        return "\n".join(out)


