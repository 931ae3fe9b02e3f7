"""The cheat sheet's coding problems section: problems by topic, each card its statement with the approaches
folded away, and filter buttons by level, source, topic and company (the page's script combines
them with the search). Filter values travel in `data-` attributes, escaped like any text."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable
from html import escape

from qadeck.model import Collection, Link, Note, Piece, ProblemMeta
from qadeck.strings import strings_for

SECTION_ID = "qd-problems"
# Each filter's data attribute / URL key (and its label's key in the strings), in the order shown
DIMENSIONS = ("level", "source", "topic", "company")

Render = Callable[[Note, Piece], str]
Fragment = Callable[[Link], str | None]
# Link words Markdown would leave as they are (the `[中等, 牛客] 接雨水 🔥` of a related list): shown
# escaped, without a Markdown parse each (a full-size repository lists ~15,000 of them).
_LITERAL = re.compile(r"(?:[^\\`*_<>&~!$\]\x00-\x1f]|\](?![(\[:]))+")
_BLOCK_START = re.compile(r"\s|[#=+|:>-]|\d+[.)]")  # a line that would open a block


def _literal(text: str) -> bool:
    return bool(_LITERAL.fullmatch(text)) and not _BLOCK_START.match(text) and text == text.rstrip()


def values(problem: ProblemMeta, dimension: str) -> tuple[str, ...]:
    """A problem's values for one filter."""
    if dimension == "level":
        return (problem.level,) if problem.level else ()
    if dimension == "source":
        return (problem.source,) if problem.source else ()
    if dimension == "topic":
        return problem.topics
    return problem.companies


def _key(value: str) -> str:
    """A filter value as the page's script compares it: it splits a card's values on `|` and the
    URL's on `,`, so those two never stand inside one value (shown as written all the same)."""
    return value.replace("|", "\uff5c").replace(",", "\uff0c")


class ProblemsSection:
    def __init__(self, collection: Collection, render: Render, fragment: Fragment) -> None:
        self.collection = collection
        self.notes = collection.problems()
        self.render = render
        self.fragment = fragment  # the in-page id a link lands on, None when off the page
        self.strings = strings_for(collection.language)
        self.title = self.strings("problems")
        self.groups = collection.by_topic(self.notes, self.strings("no_topic"))

    def filters(self) -> str:
        """The filter rows: one group of buttons per dimension that has values."""
        if not self.notes:
            return ""
        rows = []
        for dimension in DIMENSIONS:
            label = self.strings(dimension)
            counts = Counter(v for n in self.notes if n.problem for v in values(n.problem, dimension))
            if not counts:
                continue
            buttons = "".join(
                f'<button type="button" class="qd-pf" data-dim="{dimension}" '
                f'data-value="{escape(_key(value))}" '
                f'aria-pressed="false">{escape(value)} <span class="qd-n">{counts[value]}</span></button>'
                for value in self._ordered(dimension, counts))
            rows.append(f'<span class="qd-pfl" role="group" aria-label="{label}">'
                        f'<span class="qd-pfn">{label}</span>{buttons}</span>')
        label = self.strings("problem_filters", title=self.title)
        return f'<div class="qd-row qd-pfs" aria-label="{label}">{"".join(rows)}</div>'

    def _ordered(self, dimension: str, counts: Counter[str]) -> list[str]:
        terms = self.collection.problem_terms
        listed = {"level": terms.levels, "source": terms.sources, "topic": terms.topics}.get(dimension)
        if listed:
            return [v for v in listed if v in counts]
        return sorted(counts, key=lambda v: (-counts[v], v))  # companies: the most asked first

    def toc_item(self) -> str:
        if not self.notes:
            return ""
        count = len(self.notes)
        return f'<li><a href="#{SECTION_ID}">{self.title}</a> <span class="qd-n">{count}</span></li>'

    def html(self) -> str:
        if not self.notes:
            return ""
        groups = "\n".join(self._group(topic, notes) for topic, notes in self.groups)
        total = len(self.notes)
        count = self.strings("section_problems", n=total)
        return (f'<section class="qd-note qd-problems" id="{SECTION_ID}" aria-labelledby="{SECTION_ID}-h">\n'
                f'<h2 id="{SECTION_ID}-h"><a href="#{SECTION_ID}">{self.title}</a> '
                f'<span class="qd-c" data-total="{total}">{count}</span></h2>\n'
                f'{groups}\n</section>')

    def _group(self, topic: str, notes: list[Note]) -> str:
        anchor = "t-" + hashlib.sha1(topic.encode("utf-8")).hexdigest()[:10]
        cards = "\n".join(self._card(note) for note in notes)
        heading = f'<a href="#{anchor}">{escape(topic)}</a> <span class="qd-n">{len(notes)}</span>'
        return (f'<section class="qd-sec">\n<h3 class="qd-sh" id="{anchor}">{heading}</h3>\n'
                f'<div class="qd-grid">\n{cards}\n</div>\n</section>')

    def _card(self, note: Note) -> str:
        problem, q = note.problem, note.questions[0]
        assert problem is not None
        data = "".join(f' data-{dimension}="{escape("|".join(map(_key, values(problem, dimension))))}"'
                       for dimension in DIMENSIONS)
        levels = self.collection.problem_terms.levels
        rank = min(levels.index(problem.level) + 1, 3) if problem.level in levels else 0
        badges = "".join([
            f'<span class="qd-lv qd-lv-{rank}">{escape(problem.level)}</span>' if problem.level else "",
            f'<span class="qd-src">{escape(problem.source)}</span>' if problem.source else ""])
        heading = self.render(note, Piece(q.heading, q.line, inline=True))
        parts = []
        if q.answer.statement.strip():
            statement = self.render(note, Piece(q.answer.statement, q.answer.statement_line or q.line))
            parts.append(f'<div class="qd-stmt">{statement}</div>')
        if problem.url:
            parts.append(f'<p class="qd-plink"><a href="{escape(problem.url)}" rel="noopener noreferrer">'
                         f"{escape(problem.url)}</a></p>")
        for approach in q.answer.approaches:
            if approach.empty:
                continue
            body = self.render(note, Piece(approach.markdown, approach.body_line or approach.line))
            parts.append(f'<details class="qd-d"><summary>{escape(approach.name)}</summary>{body}</details>')
        if problem.companies:
            companies = self.strings("companies", companies=escape(" · ".join(problem.companies)))
            parts.append(f'<p class="qd-also">{companies}</p>')
        parts.append(self._related(note, problem))
        link = self.strings("question_link")
        return (f'<article class="qd-q qd-p" id="{q.id}" data-flags=""{data}>'
                f'<h4 class="qd-qh"><a class="qd-a" href="#{q.id}" aria-label="{link}">#</a>'
                f'{badges}<span class="qd-qt">{heading}</span></h4>'
                f'<div class="qd-ans">{"".join(parts)}</div></article>')

    def _related(self, note: Note, problem: ProblemMeta) -> str:
        """The related problems, folded: each once, a link to its card when it is on the page. Their
        words are searched like the rest of the card (a search opens the fold it matches in)."""
        items: dict[str, str] = {}
        for related in problem.related:
            if related.href in items:
                continue
            words = (escape(related.text, quote=False) if _literal(related.text)
                     else self.render(note, Piece(related.text, related.line, inline=True)))
            link = note.link(related.href)
            target = self.fragment(link) if link is not None else None
            items[related.href] = (f'<a href="#{target}">{words}</a>' if target else
                                   f'<span class="xref-off">{words}</span>')
        if not items:
            return ""
        related = self.strings("related")
        return (f'<details class="qd-d qd-rel"><summary>{related} <span class="qd-n">{len(items)}</span>'
                f'</summary><p>{" · ".join(items.values())}</p></details>')
