"""The HTML cheat sheet: one self-contained page to skim and search before an interview.

Everything is inline (CSS, JS, images as data: URIs, a subset math font), so the file opens offline
from a release download and makes no network request. Note HTML is untrusted: each rendered fragment
is sanitized with an allow-list before the exporter's own trusted pieces (MathML, images) are put back
in through placeholders, and a Content-Security-Policy allows only the page's own script.
"""

from __future__ import annotations

import base64
import hashlib
import html
import importlib.resources
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

from qadeck import __version__
from qadeck.atomic import write_text
from qadeck.config import Config
from qadeck.mathrender import MathMLMath
from qadeck.model import Collection, Diagnostic, Link, Note, Question, Section
from qadeck.render import Renderer, RenderOptions, pygments_css

NAME = "html"
SUFFIX = ".html"

MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
        ".webp": "image/webp", ".svg": "image/svg+xml", ".avif": "image/avif", ".bmp": "image/bmp"}
TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "center", "code", "col", "colgroup", "dd", "del",
    "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href"}, "td": {"colspan", "rowspan", "align", "style"},
    "th": {"colspan", "rowspan", "align", "style"},
    "div": {"align"}, "p": {"align"}, "ol": {"start", "type"}, "details": {"open"}, "col": {"span"},
}
# Placeholders for trusted HTML: private-use characters, removed from note text and attribute values.
_OPEN, _CLOSE = "\ue000", "\ue001"
_TOKEN = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
_UNSAFE = re.compile(r"<\s*(?:script|iframe|object|embed|style|form)\b|\son[a-z]+\s*=|javascript\s*:", re.I)
_IMG_ATTR = re.compile(r"""\b(alt|width|height)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_SLOT = re.compile(r"\{\{(\w+)\}\}")


def export(collection: Collection, out_path: Path, config: Config) -> list[Diagnostic]:
    page = CheatSheet(collection, config)
    write_text(out_path, page.html())
    return page.diagnostics


@dataclass
class Group:
    """A run of top-level questions under one section, in document order."""

    path: tuple[str, ...]
    section: Section | None
    questions: list[Question]
    id: str | None = None


class CheatSheet:
    def __init__(self, collection: Collection, config: Config):
        self.collection = collection
        self.config = config
        self.root = Path(config.notes).resolve()
        self.notes = [n for n in collection.notes if n.questions]
        self.diagnostics: list[Diagnostic] = []
        self.trusted: list[str] = []
        self.math = MathMLMath()
        self.renderer = Renderer(RenderOptions(engine=_HeldMath(self), link=self._link, image=self._image))
        self.groups = {n.path: _groups(n) for n in self.notes}
        self.anchors = Anchors(self.notes, self.groups)
        self._note: Note | None = None
        self._line = 0
        self._links: dict[str, Link] = {}
        self._by_id: dict[str, Question] = {}
        self._images: dict[str, tuple[str, int]] = {}

    # -- the page --------------------------------------------------------------------------------

    def html(self) -> str:
        main = "\n".join(self._note_html(note) for note in self.notes)
        script = _style_file("cheatsheet.js")
        css = "\n".join([_font_css(self.math), _style_file("cheatsheet.css"), _highlight_css()])
        questions = [q for n in self.notes for q in n.questions]
        answered = sum(q.answered for q in questions)
        page = _fill(_style_file("cheatsheet.html"), {
            "title": html.escape(self.config.title),
            "subtitle": html.escape(self.config.subtitle),
            "stats": f"{len(self.notes)} 篇笔记 · {len(questions)} 题 · {answered} 已答",
            "csp": _csp(script),
            "css": css,
            "script": script,
            "flags": self._flag_buttons(questions),
            "toc": "\n".join(self._toc_item(n) for n in self.notes),
            "main": main or '<p class="qd-empty">没有问题。</p>',
            "footer": html.escape(_footer()),
        })
        self.diagnostics = list(dict.fromkeys(self.diagnostics))
        return page

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
        self._note = note
        self._links = {link.href: link for link in note.links}
        self._by_id = {q.id: q for q in note.questions}
        note_id = self.anchors.note_ids[note.path]
        answered = sum(q.answered for q in note.questions)
        groups = "\n".join(self._group_html(g) for g in self.groups[note.path])
        return (f'<section class="qd-note" id="{note_id}" aria-labelledby="{note_id}-h">\n'
                f'<h2 id="{note_id}-h"><a href="#{note_id}">{html.escape(note.title)}</a> '
                f'<span class="qd-c" data-total="{len(note.questions)}">{len(note.questions)} 题'
                f' · {answered} 已答</span> <small class="qd-path">{html.escape(note.path)}</small></h2>\n'
                f'{groups}\n</section>')

    def _group_html(self, group: Group) -> str:
        cards = "\n".join(self._question_html(q, 4) for q in group.questions)
        count = sum(1 + self._descendants(q) for q in group.questions)
        heading = ""
        if group.section is not None:
            self._line = group.section.line
            trail = "".join(f'<span class="qd-trail">{html.escape(t)} › </span>' for t in group.path[:-1])
            title = self._inline(group.section.heading)
            anchor = f' id="{group.id}"' if group.id else ""
            link = f'href="#{group.id}"' if group.id else ""
            heading = (f'<h3 class="qd-sh"{anchor}><a {link}>{trail}{title}</a> '
                       f'<span class="qd-n">{count}</span></h3>\n')
        return f'<section class="qd-sec">\n{heading}<div class="qd-grid">\n{cards}\n</div>\n</section>'

    def _question_html(self, q: Question, level: int) -> str:
        self._line = q.line
        tag = f"h{min(level, 6)}"
        badges = "".join(f'<span class="qd-flag" title="{html.escape(f)}" aria-label="{html.escape(f)}">'
                         f"{html.escape(m)}</span>" for m, f in zip(q.markers, q.flags, strict=False))
        flags = html.escape(" ".join(q.flags))
        children = [self._by_id[cid] for cid in q.children if cid in self._by_id]
        follow = "".join(self._question_html(c, level + 1) for c in children)
        follow = f'<div class="qd-fu">{follow}</div>' if follow else ""
        state = "" if q.answered else " qd-open"
        return (f'<article class="qd-q{state}" id="{q.id}" data-flags="{flags}">'
                f'<{tag} class="qd-qh"><a class="qd-a" href="#{q.id}" aria-label="本题链接">#</a>'
                f'{badges}<span class="qd-qt">{self._inline(q.heading)}</span></{tag}>'
                f'<div class="qd-ans">{self._answer_html(q)}</div>{follow}</article>')

    def _answer_html(self, q: Question) -> str:
        answer = q.answer
        if answer.empty:
            return '<p class="qd-none">待补充</p>'
        parts = []
        if answer.short.strip():
            parts.append(f'<div class="qd-short">{self._block(answer.short)}</div>')
        for line in answer.see_also:
            parts.append(f'<p class="qd-also">↪ {self._inline(line)}</p>')
        if answer.body.strip():
            body = self._block(answer.body)
            # Without a short answer the body is the answer; with one it is extra, so it folds away.
            folded = f'<details class="qd-d"><summary>更多</summary>{body}</details>'
            parts.append(folded if answer.short.strip() else f'<div class="qd-body">{body}</div>')
        for part in answer.details:
            self._line = part.line
            parts.append(f'<details class="qd-d"><summary>{html.escape(part.name or "详述")}</summary>'
                         f"{self._block(part.markdown)}</details>")
        self._line = q.line
        return "".join(parts)

    def _descendants(self, q: Question) -> int:
        return sum(1 + self._descendants(self._by_id[c]) for c in q.children if c in self._by_id)

    # -- Markdown, sanitized ---------------------------------------------------------------------

    def _block(self, markdown: str) -> str:
        return self._safe(self.renderer.block(self._untrusted(markdown), self._math_problem))

    def _inline(self, markdown: str) -> str:
        return self._safe(self.renderer.inline(self._untrusted(markdown), self._math_problem))

    def _untrusted(self, markdown: str) -> str:
        if _UNSAFE.search(markdown):
            self._warn("html.unsafe", "raw HTML that could run script or load content was removed")
        return markdown.replace(_OPEN, "").replace(_CLOSE, "")

    def _safe(self, fragment: str) -> str:
        return _TOKEN.sub(lambda m: self.trusted[int(m.group(1))], sanitize(fragment))

    def hold(self, trusted_html: str) -> str:
        self.trusted.append(trusted_html)
        return f"{_OPEN}{len(self.trusted) - 1}{_CLOSE}"

    def _math_problem(self, message: str) -> None:
        self._warn("math.invalid", f"{message}; the cheat sheet shows its source")

    def _warn(self, code: str, message: str, line: int | None = None, severity: str = "warning") -> None:
        path = self._note.path if self._note else ""
        self.diagnostics.append(Diagnostic(path, line or self._line, severity, code, message))

    # -- links and images ------------------------------------------------------------------------

    def _link(self, href: str, inner: str) -> str | None:
        link = self._links.get(href)
        if link is None:
            if re.match(r"(?i)(https?|mailto):", href):
                return None  # the sanitizer checks the scheme
            return f'<span class="xref-off" title="{html.escape(href)}">{inner}</span>'
        if link.kind in ("web", "mail"):
            return None
        target = self.anchors.fragment(link)
        if target is None:
            title = link.target_title or link.href
            return f'<span class="xref-off" title="{html.escape(title)}">{inner}</span>'
        return f'<a href="#{target}">{inner}</a>'

    def _image(self, src: str, tag: str) -> str:
        attrs = _img_attrs(tag)
        alt = attrs.get("alt", "")
        link = self._links.get(src)
        if link is None or link.kind == "web":
            remote = link is not None or re.match(r"(?i)https?:", src)
            if remote:
                self._warn("image.remote", f"web image not embedded (the page loads nothing): {src}",
                           severity="info")
                return f'<a class="img-off" href="{html.escape(src)}">{html.escape(alt or "图片")}</a>'
            self._warn("image.unresolved", f"image not embedded: {src}")
            return f'<span class="img-off">{html.escape(alt or src)}</span>'
        uri = self._data_uri(link) if link.ok and link.kind == "image" and link.target else None
        if uri is None:
            return f'<span class="img-off" title="{html.escape(src)}">{html.escape(alt or src)}</span>'
        size = "".join(f' {k}="{attrs[k]}"' for k in ("width", "height") if attrs.get(k, "").isdigit())
        return self.hold(f'<img src="{uri}" alt="{html.escape(alt)}"{size} decoding="async">')

    def _data_uri(self, link: Link) -> str | None:
        if link.target in self._images:
            return self._images[link.target][0]
        path = (self.root / link.target).resolve()
        mime = MIME.get(path.suffix.lower())
        if not path.is_relative_to(self.root) or not path.is_file():
            self._warn("image.outside", f"image not embedded, outside the notes folder: {link.href}",
                       link.line)
            return None
        if mime is None:
            self._warn("image.type", f"image type not embedded: {link.href}", link.line)
            return None
        data = path.read_bytes()
        if len(data) > self.config.image_cap_kb * 1024:
            self._warn("image.large", f"image {link.href} is {len(data) // 1024} KB, above image_cap_kb = "
                       f"{self.config.image_cap_kb}; embedded anyway", link.line)
        uri = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        self._images[link.target] = (uri, len(data))
        return uri


class _HeldMath:
    """MathML goes into the page only after the note HTML around it was sanitized."""

    def __init__(self, sheet: CheatSheet):
        self.sheet = sheet

    def render(self, latex: str, display: bool) -> str:
        return self.sheet.hold(self.sheet.math.render(latex, display))


class Anchors:
    """In-page ids: notes and sections by a short hash of their path, questions by their model id."""

    def __init__(self, notes: list[Note], groups: dict[str, list[Group]]):
        self.note_ids = {n.path: "n-" + _digest(n.path) for n in notes}
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
        if link.kind not in ("note", "anchor") or not link.ok or link.target is None:
            return None
        if link.target_id in self.question_ids:
            return link.target_id
        if link.anchor:
            found = self.sections.get((link.target, link.anchor.lower())) or \
                self.sections.get((link.target, f"title:{link.target_heading}"))
            if found:
                return found
        return self.note_ids.get(link.target)


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


# -- sanitizing ----------------------------------------------------------------------------------

def sanitize(fragment: str) -> str:
    """Note HTML through the allow-list: no script, handlers, frames, javascript: URLs or ids."""
    import nh3

    return nh3.clean(fragment, tags=TAGS, attributes=ATTRIBUTES, attribute_filter=_attribute_filter,
                     clean_content_tags={"script", "style", "textarea", "noscript", "template"},
                     url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer",
                     filter_style_properties={"text-align"}, strip_comments=True)


def _attribute_filter(tag: str, attribute: str, value: str) -> str | None:
    value = value.replace(_OPEN, "").replace(_CLOSE, "")  # a placeholder never lands in an attribute
    if attribute == "class":
        # The page's own classes start with qd-; a note must not pose as a question card.
        return " ".join(c for c in value.split() if not c.startswith("qd-")) or None
    return value


def _img_attrs(tag: str) -> dict[str, str]:
    found = {}
    for match in _IMG_ATTR.finditer(tag):
        value = next(v for v in match.groups()[1:] if v is not None)
        found[match.group(1).lower()] = html.unescape(value)
    return found


# -- page parts ----------------------------------------------------------------------------------

def _style_file(name: str) -> str:
    return (importlib.resources.files("qadeck.styles") / name).read_text(encoding="utf-8")


def _fill(template: str, values: dict[str, str]) -> str:
    return _SLOT.sub(lambda m: values[m.group(1)], template)


def _csp(script: str) -> str:
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return ("default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; "
            f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'")


def _font_css(math: MathMLMath) -> str:
    woff2 = math.font_woff2()
    if not woff2:
        return ""
    font = base64.b64encode(woff2).decode("ascii")
    return (f'@font-face{{font-family:"QD Math";src:url(data:font/woff2;base64,{font}) format("woff2");'
            "font-display:block}")


def _highlight_css() -> str:
    dark = pygments_css("github-dark", ':root[data-theme="dark"] .highlight')
    auto = pygments_css("github-dark", ':root:not([data-theme="light"]) .highlight')
    return (pygments_css("default", ".highlight") + f"\n@media screen {{\n{dark}\n}}\n"
            f"@media screen and (prefers-color-scheme: dark) {{\n{auto}\n}}")


def _footer() -> str:
    text = f"qadeck {__version__}"
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    if epoch.isdigit():  # a date only where the build is pinned to one, so output stays reproducible
        text += " · " + time.strftime("%Y-%m-%d", time.gmtime(int(epoch)))
    return text


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]
