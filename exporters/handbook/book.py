"""The handbook as one HTML document, the input WeasyPrint prints (and the golden files hold).

Cover, contents, then one chapter per note: its sections, its numbered questions with their
follow-ups set under them, each answer's parts, and the note's references. Markdown goes
through the shared renderer; this module decides what links, images and missing glyphs
become in print and reports every problem at `path:line`.
"""

from __future__ import annotations

import hashlib
import html
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from string import Template
from urllib.parse import unquote

from qadeck.assets import local_file
from qadeck.context import BuildContext
from qadeck.exporters.handbook.fonts import Coverage
from qadeck.exporters.handbook.options import PdfOptions
from qadeck.math import MathEngine
from qadeck.model import Collection, Diagnostic, Link, Note, Question, Section
from qadeck.parser.heading import anchor_key
from qadeck.parser.source import decode
from qadeck.render import Renderer, RenderOptions, tag_attributes
from qadeck.sanitize import HtmlPolicy

FLAG_LABELS = {"hot": "高频", "important": "重点", "open-ended": "开放题", "mastered": "已掌握",
               "reviewed": "已复习", "unsure": "存疑", "caution": "注意", "pinned": "置顶", "key": "要点",
               "todo": "待办", "revisit": "再看", "wrong": "易错", "partial": "半懂", "compare": "对比",
               "memo": "备忘", "done": "完成", "minor": "次要"}
WRITING_LINES = 4  # ruled lines left under an open question
# Note images may name local files: the book's URL fetcher decides what is read, and reports the
# rest (`fetch`).
POLICY = HtmlPolicy(image_schemes=frozenset({"http", "https", "data", "file"}))
_TAG = re.compile(r"<[^>]*>")
_SVG = re.compile(r"<svg\b.*?</svg>", re.S)


@dataclass
class Book:
    """The handbook's HTML, kept in pieces so that it can also be printed in parts: the front
    matter (cover and contents) and each chapter as documents of their own (`parts`)."""

    head: str  # from the doctype to the opening of <body>
    cover: str
    toc: str
    chapters: list[str]
    tail: str = "\n</body>\n</html>\n"
    diagnostics: list[Diagnostic] = field(default_factory=list)
    notes: int = 0
    questions: int = 0

    @property
    def html(self) -> str:
        """The whole book as one document."""
        return self.document(self.cover + "\n" + self.toc, self.chapters)

    def document(self, front: str, chapters: list[str]) -> str:
        """A document with the same head: `front` matter, then `chapters` in <main>."""
        parts = [self.head, front] if front else [self.head]
        parts.append("<main>\n" + "\n".join(chapters) + "\n</main>")
        return "\n".join(parts) + self.tail

    def toc_with_pages(self, pages: dict[str, int]) -> str:
        """The contents with page numbers written in (`pages`: element id → page number), for a
        book printed in parts, where `target-counter()` cannot see the other parts."""
        def number(found: re.Match[str]) -> str:
            return f'{found.group(0)} data-page="{pages.get(found.group(1), "")}"'

        toc = self.toc.replace('<nav class="toc">', '<nav class="toc toc-fixed">', 1)
        return re.sub(r'<a href="#([^"]+)"', number, toc)


def build(collection: Collection, options: PdfOptions, context: BuildContext, engine: MathEngine,
          coverage: Coverage | None = None, font_faces: str = "") -> Book:
    """The handbook's HTML for `collection`; `coverage` enables the missing-glyph check,
    `font_faces` are `@font-face` rules for the document's head."""
    writer = _Writer(collection, options, context, engine, coverage, context.notes.resolve())
    return writer.book(font_faces)


def template() -> Template:
    """The document's head; the body is written here."""
    return Template(files("qadeck.styles").joinpath("handbook.html").read_text(encoding="utf-8"))


def build_date(collection: Collection, epoch: int | None) -> tuple[str, str] | None:
    """(display date, W3C timestamp): SOURCE_DATE_EPOCH (`epoch`), else the newest note date, else None."""
    if epoch is not None:
        stamp = time.gmtime(epoch)
        shown = _cn_date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday)
        return shown, time.strftime("%Y-%m-%dT%H:%M:%SZ", stamp)
    dates = sorted(d for d in (_note_date(n) for n in collection.notes) if d)
    if not dates:
        return None
    newest = dates[-1]
    year, month, day = (int(x) for x in newest[:10].split("-"))
    return _cn_date(year, month, day), newest


def _note_date(note: Note) -> str | None:
    found = re.match(r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?", note.meta.date or "")
    if not found:
        return None
    year, month, day, hour, minute, second = found.groups()
    return f"{year}-{month}-{day}T{hour or '00'}:{minute or '00'}:{second or '00'}Z"


def _cn_date(year: int, month: int, day: int) -> str:
    return f"{year} 年 {month} 月 {day} 日"


def element_id(kind: str, key: str) -> str:
    """Stable ids: the same note or section keeps its id when others are added."""
    return f"{kind}-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:10]}"


def _e(text: str) -> str:
    return html.escape(text, quote=True)


class _Writer:
    def __init__(self, collection: Collection, options: PdfOptions, context: BuildContext,
                 engine: MathEngine, coverage: Coverage | None, root: Path) -> None:
        self.collection = collection
        self.title = collection.title
        self.context = context
        self.coverage = coverage
        self.root = root
        self.answers = not options.questions_only
        self.notes = [n for n in collection.notes if n.questions or self.answers]
        self.in_book = {n.path: n for n in self.notes}
        self.renderer = Renderer(RenderOptions(math="svg", engine=engine, link=self._link, image=self._image,
                                               policy=POLICY))
        self.diagnostics: list[Diagnostic] = []
        self._reported: set[tuple[str, int, str]] = set()
        self._sources: dict[str, list[str]] = {}
        self.note: Note | None = None
        self.line = 1

    # -- the document -------------------------------------------------------------------------

    def book(self, font_faces: str) -> Book:
        chapters = [self._chapter(i, note) for i, note in enumerate(self.notes, 1)]
        questions = [q for n in self.notes for q in n.questions]
        date = build_date(self.collection, self.context.epoch)
        keywords = sorted({t for n in self.notes for t in n.meta.tags}
                          | {k.text for n in self.notes for k in n.keywords})[:40]
        page = template().substitute(
            title=_e(self.title), author=_e(self.context.author),
            keywords=_e(", ".join(keywords)), created=_e(date[1] if date else ""),
            generator=_e(f"qadeck {self.context.version}"),
            edition="questions" if not self.answers else "full", fonts=font_faces).rstrip("\n")
        if not date:  # WeasyPrint would write an empty date; leave the tag out instead
            page = page.replace('<meta name="dcterms.created" content="">\n', "")
        if not self.context.author:
            page = page.replace('<meta name="author" content="">\n', "")
        if not keywords:
            page = page.replace('<meta name="keywords" content="">\n', "")
        return Book(page, self._cover(questions, date[0] if date else ""), self._toc(), chapters,
                    diagnostics=self.diagnostics, notes=len(self.notes), questions=len(questions))

    def _cover(self, questions: list[Question], date: str) -> str:
        open_count = sum(not q.answered for q in questions)
        kicker = "面试手册" if self.answers else "模拟面试 · 题目版"
        counts = [f"{len(self.notes)} 篇笔记", f"{len(questions)} 道题"]
        if open_count:
            counts.append(f"{open_count} 道待补充")
        parts = [f'<p class="kicker">{kicker}</p>', f'<h1 class="book-title">{_e(self.title)}</h1>']
        if self.context.subtitle:
            parts.append(f'<p class="subtitle">{_e(self.context.subtitle)}</p>')
        bottom = [f'<p class="counts">{" · ".join(counts)}</p>']
        if self.context.author:
            bottom.append(f'<p class="author">{_e(self.context.author)}</p>')
        if date:
            bottom.append(f'<p class="date">{date}</p>')
        return ('<section class="cover">\n<div class="cover-top">\n' + "\n".join(parts)
                + '\n</div>\n<div class="cover-bottom">\n' + "\n".join(bottom) + "\n</div>\n</section>")

    def _toc(self) -> str:
        items = []
        for number, note in enumerate(self.notes, 1):
            sections = [s for s in note.sections if len(s.path) == 1 and self._section_shown(note, s)]
            inner = "".join(f'<li class="toc-section"><a href="#{self._section_id(note, s)}">'
                            f"{_e(s.title)}</a></li>" for s in sections)
            sub = f'<ul>{inner}</ul>' if inner else ""
            items.append(f'<li class="toc-note"><a href="#{element_id("n", note.path)}">'
                         f'<span class="toc-no">第 {number} 章</span>{_e(note.title)}</a>{sub}</li>')
        return ('<nav class="toc">\n<h1 class="toc-title">目录</h1>\n<ul>\n' + "\n".join(items)
                + "\n</ul>\n</nav>")

    def _chapter(self, number: int, note: Note) -> str:
        self.note = note
        nid = element_id("n", note.path)
        count = len(note.questions)
        meta = [_e(note.path)]
        if note.meta.date:
            meta.append(_e(note.meta.date[:10]))
        if count:
            meta.append(f"{count} 题")
        if note.meta.tags:
            meta.append(" ".join(f"#{_e(t)}" for t in note.meta.tags))
        out = [f'<article class="chapter" id="{nid}">', '<header class="chapter-head">',
               f'<p class="chapter-no">第 {number} 章</p>',
               f'<h1 class="chapter-title bm1" data-bm="{_e(note.title)}">{self._text(note.title, 1)}</h1>',
               f'<p class="chapter-meta">{" · ".join(meta)}</p>']
        if note.keywords:
            words = " · ".join(self._md(f"[{k.text}]({k.href})" if k.href else k.text, 1, inline=True)
                               for k in note.keywords)
            out.append(f'<p class="keywords"><span class="label">关键词</span>{words}</p>')
        out.append("</header>")
        if self.answers and note.intro.strip():
            out.append(f'<div class="intro">{self._md(note.intro, 1)}</div>')
        out.extend(self._body(note))
        if self.answers and note.references.strip():
            out.append('<section class="references"><h2 class="refs-title">参考</h2>'
                       f'{self._md(note.references, self._references_line(note))}</section>')
        out.append("</article>")
        return "\n".join(out)

    def _body(self, note: Note) -> Iterator[str]:
        """Sections and top-level questions in document order; follow-ups go with their parent."""
        events: list[tuple[int, int, Section | Question]] = [(s.line, 0, s) for s in note.sections
                                                              if self._section_shown(note, s)]
        events += [(q.line, 1, q) for q in note.questions if q.parent is None]
        by_id = {q.id: q for q in note.questions}
        number = 0
        for _, _, item in sorted(events, key=lambda e: (e[0], e[1])):
            if isinstance(item, Section):
                yield self._section(note, item)
            else:
                number += 1
                level = min(len(item.section) + 2, 6) if item.section else 2
                yield self._question(item, str(number), level, by_id)

    def _section_shown(self, note: Note, section: Section) -> bool:
        """In the questions-only book, sections without questions under them are left out."""
        if self.answers:
            return True
        return any(q.section[:len(section.path)] == section.path for q in note.questions)

    def _section(self, note: Note, section: Section) -> str:
        depth = min(len(section.path), 4)
        level = min(depth + 1, 6)
        tag = f"h{depth + 1}"
        heading = self._md(section.heading, section.line, inline=True) or _e(section.title)
        out = [f'<{tag} class="section d{depth} bm{level}" id="{self._section_id(note, section)}" '
               f'data-bm="{_e(section.title)}">{heading}</{tag}>']
        if self.answers and section.intro.strip():
            out.append(f'<div class="section-intro">{self._md(section.intro, section.line + 1)}</div>')
        return "\n".join(out)

    def _question(self, q: Question, number: str, level: int, by_id: dict[str, Question]) -> str:
        classes = ["question"] + ([] if q.parent is None else ["followup"]) + ([] if q.answered else ["open"])
        flags = "".join(f'<span class="flag flag-{_e(f)}">{_e(FLAG_LABELS.get(f, f))}</span>'
                        for f in q.flags)
        badge = "" if q.answered else '<span class="open-badge">待补充</span>'
        prefix = "追问 " if q.parent is not None else ""
        heading = self._md(q.heading, q.line, inline=True) or _e(q.text)
        out = [f'<section class="{" ".join(classes)}" id="{element_id("q", q.id)}">',
               f'<h4 class="q-head bm{level}" data-bm="{_e(number)}. {_e(q.text)}">'
               f'<span class="q-no">{prefix}{_e(number)}</span>{heading}'
               f'{badge}{flags}</h4>']
        if self.answers and q.answered:
            out.append(self._answer(q))
        if not q.answered or not self.answers:
            lines = WRITING_LINES if not q.answered else WRITING_LINES - 1
            out.append('<div class="write-space">' + '<div class="rule"></div>' * lines + "</div>")
        for index, child_id in enumerate(q.children, 1):
            child = by_id.get(child_id)
            if child is not None:
                out.append(self._question(child, f"{number}.{index}", min(level + 1, 6), by_id))
        out.append("</section>")
        return "\n".join(out)

    def _answer(self, q: Question) -> str:
        answer = q.answer
        out = ['<div class="answer">']
        if answer.short.strip():
            out.append(f'<div class="short">{self._md(answer.short, q.line + 1)}</div>')
        for line in answer.see_also:
            out.append(f'<p class="see-also"><span class="label">参见</span>'
                       f'{self._md(line, q.line + 1, inline=True)}</p>')
        if answer.body.strip():
            out.append(f'<div class="body">{self._md(answer.body, q.line + 1)}</div>')
        for part in answer.details:
            out.append(f'<div class="part"><p class="part-label">{self._text(part.name, part.line)}</p>'
                       f'{self._md(part.markdown, part.line)}</div>')
        out.append("</div>")
        return "\n".join(out)

    def _section_id(self, note: Note, section: Section) -> str:
        return element_id("s", f"{note.path}\x1f{section.line}")

    def _references_line(self, note: Note) -> int:
        lines = self._source(note.path)
        found = [i for i, text in enumerate(lines, 1) if re.search(r"<summary>.*参考", text)]
        return found[-1] if found else max(len(lines), 1)

    # -- Markdown pieces ----------------------------------------------------------------------

    def _md(self, text: str, line: int, inline: bool = False) -> str:
        """Render one piece of a note; problems are reported at the piece's line or below."""
        assert self.note is not None
        self.line = line
        note = self.note

        def problem(message: str) -> None:
            latex = re.search(r"\$(.+?)\$", message)
            at = self._locate(note.path, line, latex.group(1).splitlines()[0] if latex else "")
            self._report(note.path, at, "warning", "pdf.math", message + "; its source is printed instead")

        out = (self.renderer.inline if inline else self.renderer.block)(text, problem)
        return self._glyphs(out, note.path, line)

    def _text(self, text: str, line: int) -> str:
        assert self.note is not None
        return self._glyphs(_e(text), self.note.path, line)

    def _glyphs(self, out: str, path: str, line: int) -> str:
        """Characters no installed font has: reported, and printed as their code point."""
        if self.coverage is None:
            return out
        visible = html.unescape(_TAG.sub("", _SVG.sub("", out)))
        for char in self.coverage.missing(visible):
            at = self._locate(path, line, char)
            code = f"U+{ord(char):04X}"
            self._report(path, at, "warning", "pdf.glyph-missing",
                         f"no installed font has {char!r} ({code}); printed as [{code}] "
                         "(install a font that has it, e.g. fonts-noto-color-emoji for emoji)")
            out = out.replace(char, f"[{code}]")
        return out

    def _report(self, path: str, line: int, severity: str, code: str, message: str) -> None:
        key = (path, line, message)
        if key not in self._reported:
            self._reported.add(key)
            self.diagnostics.append(Diagnostic(path, line, severity, code, message))

    def _source(self, path: str) -> list[str]:
        if path not in self._sources:
            try:
                text = decode((self.root / path).read_bytes()).text or ""
            except OSError:
                text = ""
            self._sources[path] = text.split("\n")
        return self._sources[path]

    def _locate(self, path: str, start: int, needle: str) -> int:
        """The first line at or after `start` holding `needle` (else before it, else `start`)."""
        if not needle:
            return start
        lines = self._source(path)
        for number in list(range(start, len(lines) + 1)) + list(range(1, start)):
            if needle in lines[number - 1]:
                return number
        return start

    # -- links and images ---------------------------------------------------------------------

    def _link(self, href: str, inner: str) -> str:
        note = self.note
        link = note.link(href) if note is not None else None
        if link is None:
            link = Link(href, self.line, "web" if re.match(r"(?i)(https?|mailto):", href) else "file")
        if link.kind in ("web", "mail"):
            return f'<a class="web" href="{_e(href)}">{inner}</a>'
        target = self._target(link)
        if target is None:
            title = f' title="{_e(link.target or href)}"'
            return f'<span class="xref-out"{title}>{inner}</span>'
        return f'<a class="xref" href="#{target}">{inner}</a>'

    def _target(self, link: Link) -> str | None:
        """The element id a note or anchor link points to in this book, if it is in the book."""
        if link.kind not in ("note", "anchor") or not link.ok or link.target not in self.in_book:
            return None
        target = self.in_book[link.target]
        if link.target_id and any(q.id == link.target_id for q in target.questions):
            return element_id("q", link.target_id)
        if link.anchor:
            key = anchor_key(link.anchor)
            for section in target.sections:
                if anchor_key(section.anchor) == key and self._section_shown(target, section):
                    return self._section_id(target, section)
        return element_id("n", target.path)

    def _image(self, src: str, tag: str) -> str:
        note = self.note
        assert note is not None
        label = tag_attributes(tag).get("alt") or src
        if src.startswith("data:"):
            return tag
        link = note.link(src)
        if src.lower().startswith("file:"):  # never read by any output; the parser says "not followed"
            if link is None:
                self._report(note.path, self._locate(note.path, self.line, src), "warning",
                             "pdf.file-image", f"file: image not embedded: {src}")
            return f'<span class="image-missing">[图片: {_e(label)}]</span>'
        web = re.match(r"(?i)[a-z][a-z0-9+.-]*:", src) or (link is not None and link.kind == "web")
        if web:
            self._report(note.path, self._locate(note.path, self.line, src), "info", "pdf.web-image",
                         f"web image not embedded (the handbook reads no network): {src}")
            return f'<span class="image-missing">[图片: {_e(label)}]</span>'
        path = self._local(note, src, link)
        if path is None:
            return f'<span class="image-missing">[图片缺失: {_e(label)}]</span>'
        attributes = {**tag_attributes(tag), "src": path.as_uri()}  # the cleaned tag's, src replaced
        return "<img " + " ".join(f'{name}="{_e(value)}"' for name, value in attributes.items()) + ">"

    def _local(self, note: Note, src: str, link: Link | None) -> Path | None:
        """The image file inside the notes folder, resolved; None if it is missing or outside."""
        if link is not None and link.target:
            candidate = self.root / link.target
        else:
            candidate = self.root / note.folder / unquote(src.split("#", 1)[0].split("?", 1)[0])
        if not candidate.exists():  # the parser reports a missing relative file
            return None
        path = local_file(self.root, candidate)
        if path is not None:
            return path
        at = self._locate(note.path, self.line, src)
        self._report(note.path, at, "warning", "pdf.image-outside",
                     f"image outside the notes folder not embedded: {src}")
        return None
