"""One chapter per note: its sections, its numbered questions with their follow-ups set under
them, each answer's parts, and the note's references. Markdown goes through the shared renderer;
`PrintPolicy` decides what links and images become in print, and characters no installed font
has are reported at their `path:line` and printed as their code point.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from html import escape, unescape
from pathlib import Path

from qadeck import codes, depends
from qadeck.assets import local_file
from qadeck.exporters.handbook.article import Article, Recorder
from qadeck.exporters.handbook.codelines import split_lines
from qadeck.exporters.handbook.fonts import Coverage
from qadeck.exporters.handbook.options import PdfOptions
from qadeck.exporters.handbook.styles import CODE_STYLE
from qadeck.links import ImageSource, image_source
from qadeck.math import MathEngine
from qadeck.model import Collection, Diagnostic, Link, LinkKind, Note, Piece, Question, Section
from qadeck.render import Made, Renderer, Target, line_of, tag_attributes
from qadeck.sanitize import HtmlPolicy
from qadeck.strings import strings_for

WRITING_LINES = 4  # ruled lines left under an open question
# `file:` images pass the sanitizer so that the policy can show them as missing (never embedded).
TARGET = Target("pdf", math="svg",
                html=HtmlPolicy(image_schemes=frozenset({"http", "https", "data", "file"})),
                math_fallback="its source is printed instead", code_styles=(CODE_STYLE,))
_TAG = re.compile(r"<[^>]*>")
# A paragraph that is one image (a figure) is centred in print; CSS cannot tell it from a sentence
# holding one inline image or formula (`:only-child` ignores text), so the class says so.
_FIGURE = re.compile(r"<p>(\s*<img\b(?![^>]*\bclass=\"math-svg\")[^>]*>\s*)</p>")


def element_id(kind: str, key: str) -> str:
    """Stable ids: the same note or section keeps its id when others are added."""
    return f"{kind}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:10]}"


def flag_class(marker: str) -> str:
    """A flag's style goes by its marker (`flag-1f525` for 🔥): the label is the configured name,
    in any language, so it cannot be a class."""
    return "flag-" + "-".join(f"{ord(c):x}" for c in marker if c != "\ufe0f")


def footnote_id(note: Note, number: int) -> str:
    return element_id("f", f"{note.path}\x1f{number}")


class Chapters:
    """Writes the chapters of one book; `diagnostics` collects their diagnostics, each once, and
    `facts` hears every id, link and image written (`article`)."""

    def __init__(self, collection: Collection, options: PdfOptions, notes_root: Path, engine: MathEngine,
                 coverage: Coverage | None) -> None:
        self.coverage = coverage
        self.strings = strings_for(collection.language)
        self.answers = not options.questions_only
        self.notes = [n for n in collection.notes
                      if n.in_outputs and n.problem is None and (n.questions or self.answers)]
        self.problems = collection.problems()  # printed in a part of their own (`problems`)
        self._by_path = {n.path: n for n in self.notes + self.problems}
        with depends.recording() as self.setup:  # what every chapter is made with besides its note
            # The rest of the collection reaches a chapter only through `policy.landing` (asked).
            depends.note_value("chapters", "", (options, str(notes_root), coverage, self.strings))
            self.policy = PrintPolicy(notes_root, self)
            self.renderer = Renderer(TARGET, self.policy, engine)
        self.diagnostics: list[Diagnostic] = []
        self.facts = Recorder()
        self._reported: set[tuple[str, int, str]] = set()

    def in_book(self, path: str | None) -> Note | None:
        return self._by_path.get(path) if path else None

    def section_shown(self, note: Note, section: Section) -> bool:
        """In the questions-only book, sections without questions under them are left out."""
        if self.answers:
            return True
        return any(q.section[:len(section.path)] == section.path for q in note.questions)

    def section_id(self, note: Note, section: Section) -> str:
        return element_id("s", f"{note.path}\x1f{section.line}")

    # -- a chapter ----------------------------------------------------------------------------

    def chapter(self, number: int, note: Note) -> Article:
        """The note's chapter, numbered `number`."""
        with self.facts.recording() as said:
            html = self._chapter(number, note)
        title = f'{self.strings("chapter_no", n=number)} {note.title}'.strip()
        return Article(element_id("n", note.path), title, html, said.facts())

    def _chapter(self, number: int, note: Note) -> str:
        nid = self.facts.id(element_id("n", note.path))
        count = len(note.questions)
        meta = [escape(note.path)]
        if note.meta.date:
            meta.append(escape(note.meta.date[:10]))
        if count:
            meta.append(self.strings("chapter_questions", n=count))
        if note.meta.tags:
            meta.append(" ".join(f"#{escape(t)}" for t in note.meta.tags))
        out = [f'<article class="chapter" id="{nid}">', '<header class="chapter-head">',
               f'<p class="chapter-no">{self.strings("chapter_no", n=number)}</p>',
               f'<h1 class="chapter-title bm1" data-bm="{escape(note.title)}">'
               f'{self._text(note, note.title, 1)}</h1>',
               f'<p class="chapter-meta">{" · ".join(meta)}</p>']
        if note.keywords:
            words = " · ".join(self._md(note, Piece(f"[{k.text}]({k.href})" if k.href else k.text, 1, True))
                               for k in note.keywords)
            label = self.strings("keywords")
            out.append(f'<p class="keywords"><span class="label">{label}</span>{words}</p>')
        out.append("</header>")
        if self.answers and note.intro.strip():
            out.append(f'<div class="intro">{self._md(note, Piece(note.intro, note.intro_line or 1))}</div>')
        out.extend(self._body(note))
        if self.answers and note.footnotes:
            notes = self.renderer.footnote_list(note, range(1, len(note.footnotes) + 1),
                                                lambda number: self.facts.id(footnote_id(note, number)))
            for diagnostic in notes.diagnostics:
                self.report(diagnostic)
            out.append(f'<section class="footnotes"><h2 class="refs-title">{self.strings("footnotes")}</h2>'
                       f'{notes.html}</section>')
        references = note.references
        if self.answers and references is not None and references.markdown.strip():
            out.append(f'<section class="references"><h2 class="refs-title">{self.strings("references")}</h2>'
                       f'{self._md(note, Piece(references.markdown, references.line))}</section>')
        out.append("</article>")
        return "\n".join(out)

    def _body(self, note: Note) -> Iterator[str]:
        """Sections and top-level questions in document order; follow-ups go with their parent."""
        events: list[tuple[int, int, Section | Question]] = [(s.line, 0, s) for s in note.sections
                                                              if self.section_shown(note, s)]
        events += [(q.line, 1, q) for q in note.top_questions()]
        number = 0
        for _, _, item in sorted(events, key=lambda e: (e[0], e[1])):
            if isinstance(item, Section):
                yield self._section(note, item)
            else:
                number += 1
                level = min(len(item.section) + 2, 6) if item.section else 2
                yield self._question(note, item, str(number), level)

    def _section(self, note: Note, section: Section) -> str:
        depth = min(len(section.path), 4)
        level = min(depth + 1, 6)
        tag = f"h{depth + 1}"
        heading = self._md(note, Piece(section.heading, section.line, True)) or escape(section.title)
        sid = self.facts.id(self.section_id(note, section))
        out = [f'<{tag} class="section d{depth} bm{level}" id="{sid}" '
               f'data-bm="{escape(section.title)}">{heading}</{tag}>']
        if self.answers and section.intro.strip():
            intro = Piece(section.intro, section.intro_line or section.line + 1)
            out.append(f'<div class="section-intro">{self._md(note, intro)}</div>')
        return "\n".join(out)

    def _question(self, note: Note, q: Question, number: str, level: int) -> str:
        classes = ["question"] + ([] if q.parent is None else ["followup"]) + ([] if q.answered else ["open"])
        flags = "".join(f'<span class="flag {flag_class(m)}">{escape(f)}</span>'
                        for m, f in zip(q.markers, q.flags, strict=False))
        badge = "" if q.answered else f'<span class="open-badge">{self.strings("open")}</span>'
        follow_up = q.parent is not None and q.kind != "topic"  # a sub-topic is no follow-up
        prefix = self.strings("follow_up_no") if follow_up else ""
        heading = self._md(note, Piece(q.heading, q.line, True)) or escape(q.text)
        out = [f'<section class="{" ".join(classes)}" id="{self.facts.id(element_id("q", q.id))}">',
               f'<h4 class="q-head bm{level}" data-bm="{escape(number)}. {escape(q.text)}">'
               f'<span class="q-no">{prefix}{escape(number)}</span>{heading}'
               f'{badge}{flags}</h4>']
        if self.answers and q.answered:
            out.append(self._answer(note, q))
        if not q.answered or not self.answers:
            lines = WRITING_LINES if not q.answered else WRITING_LINES - 1
            out.append('<div class="write-space">' + '<div class="rule"></div>' * lines + "</div>")
        for index, child in enumerate(note.follow_ups(q), 1):
            out.append(self._question(note, child, f"{number}.{index}", min(level + 1, 6)))
        out.append("</section>")
        return "\n".join(out)

    def _answer(self, note: Note, q: Question) -> str:
        parts = q.parts()
        out = ['<div class="answer">']
        if parts.short.markdown.strip():
            out.append(f'<div class="short">{self._md(note, parts.short)}</div>')
        for piece in parts.see_also:
            out.append(f'<p class="see-also"><span class="label">{self.strings("see_also")}</span>'
                       f'{self._md(note, piece)}</p>')
        if parts.body.markdown.strip():
            out.append(f'<div class="body">{self._md(note, parts.body)}</div>')
        for part, piece in zip(q.answer.details, parts.details, strict=True):
            out.append(f'<div class="part"><p class="part-label">{self._text(note, part.name, part.line)}</p>'
                       f'{self._md(note, piece)}</div>')
        out.append("</div>")
        return "\n".join(out)

    # -- Markdown pieces ----------------------------------------------------------------------

    def _md(self, note: Note, piece: Piece) -> str:
        self.facts.weigh(piece.markdown)
        made = self.renderer.render(note, piece)
        for diagnostic in made.diagnostics:
            self.report(diagnostic)
        out = made.html
        if not piece.inline and "<img" in out:
            out = _FIGURE.sub(r'<p class="figure">\1</p>', out)
        if not piece.inline:
            out = split_lines(out)
        return self._glyphs(note, out, piece)

    def _text(self, note: Note, text: str, line: int) -> str:
        self.facts.weigh(text)
        return self._glyphs(note, escape(text), Piece(text, line))

    def _glyphs(self, note: Note, out: str, piece: Piece) -> str:
        """Characters no installed font has: reported, and printed as their code point."""
        if self.coverage is None:
            return out
        visible = unescape(_TAG.sub("", out))  # formulas are <img>: their text is drawn by the math font
        for char in self.coverage.missing(visible):
            code = f"U+{ord(char):04X}"
            self.report(Diagnostic(note.path, line_of(piece.markdown, piece.line, char), "warning",
                                   codes.GLYPH_MISSING,
                                   f"no installed font has {char!r} ({code}); printed as [{code}] "
                                   "(install a font that has it, e.g. fonts-noto-color-emoji for emoji)"))
            out = out.replace(char, f"[{code}]")
        return out

    def report(self, diagnostic: Diagnostic) -> None:
        key = (diagnostic.path, diagnostic.line, diagnostic.message)
        if key not in self._reported:
            self._reported.add(key)
            self.diagnostics.append(diagnostic)


class PrintPolicy:
    """Links between notes become links inside the book (or plain words when the target is not
    in it); local images are embedded by file URL for the book's fetcher, web images are not."""

    def __init__(self, notes_root: Path, chapters: Chapters) -> None:
        self.root = notes_root.resolve()
        self.chapters = chapters
        # Where a link lands in this book: a fact about other notes, recorded by the chapter asking.
        self.landing = depends.Asked("pdf landing", self._landing)

    def link(self, note: Note, link: Link, inner: str) -> Made:
        if link.kind in (LinkKind.WEB, LinkKind.MAIL):
            return Made(f'<a class="web" href="{escape(link.href)}">{inner}</a>')
        target = self.landing(link) if note.link(link.href) is not None else None
        if target is None:
            return Made(f'<span class="xref-out" title="{escape(link.target or link.href)}">{inner}</span>')
        return Made(f'<a class="xref" href="#{self.chapters.facts.link(target)}">{inner}</a>')

    def _landing(self, link: Link) -> str | None:
        """Where a link of a note lands in this book (None: outside it)."""
        return self._target(link) if link.kind in (LinkKind.NOTE, LinkKind.ANCHOR) else None

    def _target(self, link: Link) -> str | None:
        """The element id a note or anchor link points to in this book, if it is in the book."""
        target = self.chapters.in_book(link.target)
        if link.kind not in (LinkKind.NOTE, LinkKind.ANCHOR) or not link.ok or target is None:
            return None
        if link.target_id and target.question(link.target_id) is not None:
            return element_id("q", link.target_id)
        if link.anchor:
            anchor = link.anchor.lower()
            for section in target.sections:
                if (section.anchor == anchor or section.title == link.target_heading) \
                        and self.chapters.section_shown(target, section):
                    return self.chapters.section_id(target, section)
        return element_id("n", target.path)

    def footnote(self, note: Note, number: int) -> str:
        if not self.chapters.answers:  # the questions-only book prints no footnotes
            return ""
        target = self.chapters.facts.link(footnote_id(note, number))
        return f'<sup class="fn-ref"><a class="xref" href="#{target}">{number}</a></sup>'

    def image(self, note: Note, link: Link, tag: str) -> Made:
        label = tag_attributes(tag).get("alt") or link.href
        kind = image_source(link, note.link(link.href) is not None)
        if kind is ImageSource.DATA:
            self.chapters.facts.image(tag_attributes(tag).get("src", ""))
            return Made(tag)
        if kind is ImageSource.WEB:
            remote = Diagnostic(note.path, link.line, "info", codes.IMAGE_REMOTE,
                                f"web image not embedded (the handbook reads no network): {link.href}")
            shown = self.chapters.strings("image_off", label=escape(label))
            return Made(f'<span class="image-missing">{shown}</span>', (remote,))
        missing = self.chapters.strings("image_missing", label=escape(label))
        missing = f'<span class="image-missing">{missing}</span>'
        if kind is ImageSource.UNLISTED:
            return Made(missing, (Diagnostic(note.path, link.line, "warning", codes.IMAGE_MISSING,
                                             f"image not found: {link.href}"),))
        if kind is not ImageSource.LOCAL or link.target is None:
            return Made(missing)  # the parser reported it (missing, outside, a file: URL)
        path = local_file(self.root, link.target)
        if path is None:
            return Made(missing, (Diagnostic(note.path, link.line, "warning", codes.IMAGE_OUTSIDE,
                                             f"image outside the notes folder not embedded: {link.href}"),))
        # the cleaned tag's attributes, src replaced
        attributes = {**tag_attributes(tag), "src": self.chapters.facts.image(path.as_uri())}
        shown = " ".join(f'{name}="{escape(value)}"' for name, value in attributes.items())
        return Made(f"<img {shown}>")
