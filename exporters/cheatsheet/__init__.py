"""The HTML cheat sheet: one self-contained page to skim and search before an interview.

Everything is inline (CSS, JS, images as data: URIs, a subset math font), so the file opens offline
from a release download and makes no network request. Notes are grouped by note and section, each
question a card with its short answer and folded details. Note HTML is sanitized
(`cheatsheet_content`), and a Content-Security-Policy allows only the page's own script.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
import time
from dataclasses import dataclass, replace
from pathlib import Path

from qadeck import depends
from qadeck.atomic import write_text
from qadeck.cache import Store
from qadeck.context import BuildContext
from qadeck.exporters.cheatsheet.content import Content
from qadeck.exporters.cheatsheet.options import HtmlOptions
from qadeck.exporters.cheatsheet.problems import ProblemsSection
from qadeck.highlight import pygments_css
from qadeck.isolate import isolated
from qadeck.model import Collection, Diagnostic, Link, LinkKind, Note, Piece, Question, Section
from qadeck.strings import Strings, fill, strings_for

NAME = "html"
SUFFIX = ".html"

_SLOT = re.compile(r"\{\{(\w+)\}\}")


def export(collection: Collection, out_path: Path, options: HtmlOptions,
           context: BuildContext) -> list[Diagnostic]:
    page = CheatSheet(collection, options, context)
    write_text(out_path, page.html())
    return page.diagnostics


@dataclass
class Unit:
    """A note's section as the build cache keeps it, with its diagnostics and formulas."""

    html: str
    diagnostics: list[Diagnostic]
    formulas: dict[tuple[str, bool], str]


@dataclass
class Group:
    """A run of top-level questions under one section, in document order."""

    path: tuple[str, ...]
    section: Section | None
    questions: list[Question]
    id: str | None = None


class CheatSheet:
    def __init__(self, collection: Collection, options: HtmlOptions, context: BuildContext):
        self.title = collection.title
        self.context = context
        self.options = options
        self.collection = collection
        self.diagnostics: list[Diagnostic] = []
        self.failures: list[Diagnostic] = []  # notes left out: qadeck failed on them
        # Where a link lands on the page: asked by a note's section, and asked again to check it.
        self.landing = depends.Asked("html landing", lambda link: self.anchors.fragment(link))
        with depends.recording() as self.setup:  # what every note's section is made with
            self.strings = depends.construct(strings_for, collection.language)
            self._page_of(set())

    def _page_of(self, left_out: set[str]) -> None:
        """The page's notes and anchors, without the notes qadeck failed on (`left_out`)."""
        notes = [n for n in self.collection.notes if n.path not in left_out]
        self.notes = [n for n in notes if n.in_outputs and n.questions and n.problem is None]  # cards only
        problems = [n for n in self.collection.problems() if n.path not in left_out]  # their own section
        self.groups = {n.path: _groups(n) for n in self.notes + problems}
        self.anchors = Anchors(self.notes + problems, self.groups)
        self.content = depends.construct(Content, Path(self.context.notes), self.options.image_cap_kb,
                                         self.landing, self.strings("image"))
        self.problems = ProblemsSection(replace(self.collection, notes=tuple(notes)), self.content.html,
                                        self.anchors.fragment)

    # -- the page --------------------------------------------------------------------------------

    def html(self) -> str:
        main = self._main()
        script = _style_file("cheatsheet.js", self.strings)
        css = "\n".join([self.content.font_css(), _style_file("cheatsheet.css", self.strings),
                         _highlight_css()])
        questions = [q for n in self.notes for q in n.questions]
        answered = sum(q.answered for q in questions)
        problems = len(self.problems.notes)
        counts = [self.strings("count_notes", n=len(self.notes)),
                  self.strings("chapter_questions", n=len(questions)), self.strings("answered", n=answered)]
        if problems:
            counts.append(self.strings("count_problems", n=problems))
        page = _fill(_style_file("cheatsheet.html", self.strings), {
            "title": html.escape(self.title),
            "subtitle": html.escape(self.context.subtitle),
            "stats": " · ".join(counts),
            "csp": _csp(script),
            "css": css,
            "script": script,
            "flags": self._flag_buttons(questions),
            "problem_filters": self.problems.filters(),
            "toc": "\n".join([*(self._toc_item(n) for n in self.notes), self.problems.toc_item()]).strip(),
            "main": main or f'<p class="qd-empty">{self.strings("no_questions")}</p>',
            "footer": html.escape(_footer(self.context)),
        })
        self.diagnostics = list(dict.fromkeys(self.content.diagnostics)) + self.failures
        return page

    def _main(self) -> str:
        """Every note's cards, then the problems. A note qadeck fails on is left out, and the page
        is made again without it, so that no link on the page points to a note it lacks."""
        failed: list[Diagnostic] = []
        sections = self._note_sections(failed)
        if failed:
            self.failures.extend(failed)
            self._page_of({d.path for d in self.failures})
            return self._main()
        problems = isolated("", self.problems.html, self.failures, "the cheat sheet")  # None: left out
        return "\n".join([*sections, problems or ""]).strip()

    def _note_sections(self, failed: list[Diagnostic]) -> list[str]:
        """Each note's section, kept in the build cache with what it read (`qadeck.depends`)."""
        units = depends.Units(Store(self.context.cache, "html"), self.setup, self.landing)
        sections = []
        for note in self.notes:
            entry = units.entry(note)
            unit = units.get(entry, Unit)
            if unit is None:
                self.content.start_unit()
                mark = len(self.content.diagnostics)
                with depends.recording() as records:
                    section = isolated(note.path, lambda note=note: self._note_html(note), failed,
                                       "the cheat sheet")
                if section is None:
                    del self.content.diagnostics[mark:]
                    continue
                unit = Unit(section, self.content.diagnostics[mark:], dict(self.content.math.unit))
                units.put(entry, records.records(), unit)
            else:
                self.content.add_unit(unit.diagnostics, unit.formulas)
            sections.append(unit.html)
        units.prune()
        return sections

    def _toc_item(self, note: Note) -> str:
        return (f'<li><a href="#{self.anchors.note_ids[note.path]}">{html.escape(note.title)}</a>'
                f' <span class="qd-n">{len(note.questions)}</span></li>')

    def _flag_buttons(self, questions: list[Question]) -> str:
        found: dict[str, str] = {}
        for q in questions:
            for marker, flag in zip(q.markers, q.flags, strict=False):
                found.setdefault(flag, marker)
        buttons = []
        for flag, marker in found.items():
            count = sum(flag in q.flags for q in questions)
            label = marker if flag == marker else f"{marker} {flag}"
            buttons.append(f'<button type="button" class="qd-f" data-flag="{html.escape(flag)}" '
                           f'aria-pressed="false">{html.escape(label)} '
                           f'<span class="qd-n">{count}</span></button>')
        return "".join(buttons)

    def _note_html(self, note: Note) -> str:
        note_id = self.anchors.note_ids[note.path]
        answered = sum(q.answered for q in note.questions)
        groups = "\n".join(self._group_html(note, g) for g in self.groups[note.path])
        count = (f'{self.strings("chapter_questions", n=len(note.questions))}'
                 f' · {self.strings("answered", n=answered)}')
        return (f'<section class="qd-note" id="{note_id}" aria-labelledby="{note_id}-h">\n'
                f'<h2 id="{note_id}-h"><a href="#{note_id}">{html.escape(note.title)}</a> '
                f'<span class="qd-c" data-total="{len(note.questions)}">'
                f'{count}</span> <small class="qd-path">{html.escape(note.path)}</small></h2>\n'
                f'{groups}\n</section>')

    def _group_html(self, note: Note, group: Group) -> str:
        cards = "\n".join(self._question_html(note, q, 4) for q in group.questions)
        count = sum(1 + _descendants(note, q) for q in group.questions)
        heading = ""
        if group.section is not None:
            trail = "".join(f'<span class="qd-trail">{html.escape(t)} › </span>' for t in group.path[:-1])
            title = self.content.html(note, Piece(group.section.heading, group.section.line, inline=True))
            # A section split by a subsection comes back as a second group: only the first gets the id.
            text = f'<a href="#{group.id}">{trail}{title}</a>' if group.id else f"{trail}{title}"
            anchor = f' id="{group.id}"' if group.id else ""
            heading = f'<h3 class="qd-sh"{anchor}>{text} <span class="qd-n">{count}</span></h3>\n'

        return f'<section class="qd-sec">\n{heading}<div class="qd-grid">\n{cards}\n</div>\n</section>'

    def _question_html(self, note: Note, q: Question, level: int) -> str:
        tag = f"h{min(level, 6)}"
        badges = "".join(_badge(m, f) for m, f in zip(q.markers, q.flags, strict=False))
        heading = self.content.html(note, Piece(q.heading, q.line, inline=True))
        answer = self._answer_html(note, q)  # before the follow-ups: diagnostics stay in note order
        follow = "".join(self._question_html(note, c, level + 1) for c in note.follow_ups(q))
        follow = f'<div class="qd-fu">{follow}</div>' if follow else ""
        state = ("" if q.answered else " qd-open") + (" qd-topic" if q.kind == "topic" else "")
        flags = html.escape("|".join(q.flags))  # flag names are configurable and may hold spaces
        link = self.strings("question_link")
        return (f'<article class="qd-q{state}" id="{q.id}" data-flags="{flags}">'
                f'<{tag} class="qd-qh"><a class="qd-a" href="#{q.id}" aria-label="{link}">#</a>'
                f'{badges}<span class="qd-qt">{heading}</span></{tag}>'
                f'<div class="qd-ans">{answer}</div>{follow}</article>')

    def _answer_html(self, note: Note, q: Question) -> str:
        answer = q.answer
        if answer.empty:
            return f'<p class="qd-none">{self.strings("open")}</p>'
        pieces = q.parts()
        cited: list[int] = []  # footnotes referenced: listed under the answer
        parts = []
        if answer.short.strip():
            parts.append(f'<div class="qd-short">{self.content.html(note, pieces.short, cited)}</div>')
        for piece in pieces.see_also:
            parts.append(f'<p class="qd-also">↪ {self.content.html(note, piece, cited)}</p>')
        if answer.body.strip():
            body_html = self.content.html(note, pieces.body, cited)
            # Without a short answer the body is the answer; with one it is extra, so it folds away.
            folded = f'<details class="qd-d"><summary>{self.strings("more")}</summary>{body_html}</details>'
            parts.append(folded if answer.short.strip() else f'<div class="qd-body">{body_html}</div>')
        for part, piece in zip(answer.details, pieces.details, strict=True):
            name = html.escape(part.name or self.strings("details"))
            parts.append(f'<details class="qd-d"><summary>{name}</summary>'
                         f"{self.content.html(note, piece, cited)}</details>")
        if cited:
            parts.append(f'<div class="qd-notes">{self.content.footnotes(note, cited)}</div>')
        return "".join(parts)


def _descendants(note: Note, q: Question) -> int:
    return sum(1 + _descendants(note, c) for c in note.follow_ups(q))


class Anchors:
    """In-page ids: notes and sections by a short hash of their path, questions (and problems) by their
    model id."""

    def __init__(self, notes: list[Note], groups: dict[str, list[Group]]):
        # a coding problem is one card on the page: a link to its note lands on the card
        self.note_ids = {n.path: n.questions[0].id if n.problem is not None and n.questions
                         else "n-" + _digest(n.path) for n in notes}
        self.question_ids = {q.id for n in notes for q in n.questions}
        self.sections: dict[tuple[str, str], str] = {}
        for note in notes:
            self._sections(note, groups[note.path])

    def _sections(self, note: Note, groups: list[Group]) -> None:
        seen: set[str] = set()
        for group in groups:
            if group.section is not None and group.path not in seen and group.id is None:
                seen.add(group.path)
                group.id = "s-" + _digest(f"{note.path}#{'/'.join(group.path)}")
        for section in note.sections:
            target = next((g.id for g in groups if g.id and g.path[:len(section.path)] == section.path), None)
            if target is not None:
                self.sections.setdefault((note.path, section.anchor.lower()), target)
                self.sections.setdefault((note.path, "title:" + section.title), target)

    def fragment(self, link: Link) -> str | None:
        """The in-page id a note or anchor link should jump to, or None when it is not on the page."""
        if link.kind not in (LinkKind.NOTE, LinkKind.ANCHOR) or not link.ok or link.target is None:
            return None
        if link.target_id in self.question_ids:
            return link.target_id
        if link.anchor:
            found = self.sections.get((link.target, link.anchor.lower())) or \
                self.sections.get((link.target, f"title:{link.target_heading}"))
            if found:
                return found
        return self.note_ids.get(link.target)


def _badge(marker: str, flag: str) -> str:
    name = html.escape(flag)
    return f'<span class="qd-flag" role="img" title="{name}" aria-label="{name}">{html.escape(marker)}</span>'


def _groups(note: Note) -> list[Group]:
    by_path: dict[tuple[str, ...], Section] = {}
    for section in note.sections:
        by_path.setdefault(section.path, section)
    ids = {q.id for q in note.questions}
    groups: list[Group] = []
    for q in note.questions:
        if q.parent in ids:
            continue  # follow-ups are drawn inside their parent's card
        if not groups or groups[-1].path != q.section:
            groups.append(Group(q.section, by_path.get(q.section), []))
        groups[-1].questions.append(q)
    return groups


# -- page parts ----------------------------------------------------------------------------------

def _style_file(name: str, strings: Strings) -> str:
    """A style file with its interface strings in the notes' language (`qadeck.strings.fill`)."""
    return fill(depends.style_text(name), strings)


def _fill(template: str, values: dict[str, str]) -> str:
    return _SLOT.sub(lambda m: values[m.group(1)], template)


def _csp(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return ("default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; "
            f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'")


def _highlight_css() -> str:
    dark = pygments_css("github-dark", ':root[data-theme="dark"] .highlight')
    auto = pygments_css("github-dark", ':root:not([data-theme="light"]) .highlight')
    return (pygments_css("default", ".highlight") + f"\n@media screen {{\n{dark}\n}}\n"
            f"@media screen and (prefers-color-scheme: dark) {{\n{auto}\n}}")


def _footer(context: BuildContext) -> str:
    text = f"qadeck {context.version}"
    if context.epoch is not None:  # a date only where the build is pinned to one: reproducible
        text += " · " + time.strftime("%Y-%m-%d", time.gmtime(context.epoch))
    return text


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
