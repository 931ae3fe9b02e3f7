"""Markdown to HTML, shared by every exporter.

Math is cut out before Markdown sees it (so `_` and `*` inside formulas survive) and put back
through a per-target engine (`qadeck.math`). Links and images pass through hooks so each
exporter decides what a cross-note link or a local image becomes. Order matters for safety:
the note's HTML is cleaned first (`qadeck.sanitize`), then the hooks rewrite links and images,
then the formulas go in, so what qadeck makes is never cleaned away and what a note holds is
never left uncleaned.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

import markdown

from qadeck import codes, depends
from qadeck.budget import Budget, OverBudget
from qadeck.highlight import use_cached_highlighter
from qadeck.math import MathEngine, MathError, engine, typeset
from qadeck.model import Diagnostic, Link, LinkKind, Note, Piece
from qadeck.prepare import MAX_DEPTH, hide_open_brackets, mark_html_blocks, normalize_blocks, protect_math
from qadeck.sanitize import MARK_CLOSE, MARK_OPEN, HtmlPolicy, clean, needs_cleaning

_HOLDER = re.compile(f"{MARK_OPEN}(\\d+){MARK_CLOSE}")
_DISPLAY_P = re.compile(f"<p>\\s*{MARK_OPEN}(\\d+){MARK_CLOSE}\\s*</p>")
_FOOTNOTE_REF = re.compile(r"\[\^([^\[\]\s]+)\]")
_TAG_SPLIT = re.compile(r"(<[^<>]*>)")  # no `<>` in a value: the sanitizer drops them
_TAG_NAME_OF = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)")
_A = re.compile(r"<a\b([^<>]*)>(.*?)</a>", re.S | re.I)
_IMG = re.compile(r"<img\b[^<>]*>", re.I)
_TAG_NAME = re.compile(r"^<[a-zA-Z][a-zA-Z0-9]*")
_TAG_ATTR = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
# What Renderer.inline may render without Markdown: text with no character Markdown or HTML
# gives a meaning to, and links whose words and href are as plain; nothing that opens a block.
_PLAIN = r"(?:[^\\`*_\[\]!<>&~\x00-\x1f]|!(?!\[))"
_HREF = r"[^\s()<>\"'\\&*`\[\]\x00-\x1f]+"
_SIMPLE_LINK = re.compile(rf"\[({_PLAIN}+)\]\(({_HREF})\)")
_SIMPLE_INLINE = re.compile(rf"(?:{_PLAIN}|{_SIMPLE_LINK.pattern})+")
_BLOCK_START = re.compile(r"[#=+|:-]|\d+[.)]")

# Deeper than this, WeasyPrint's layout (recursive, ~150 levels in all) could not print a chapter.
MAX_HTML_DEPTH = 64
FLATTENED = f"lists or quotes nested deeper than {MAX_DEPTH} levels; the deeper ones are shown at that level"
# Python-Markdown's own placeholders (or pieces of them), left behind in some tangles of inline markup
_LEAKED = re.compile(r"\x02(?:klzzwxh|wzxhzdk):\d+\x03?|[\x02\x03]")
_ANY_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*?(/?)>")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                   "track", "wbr"})

EXTENSIONS = ["tables", "md_in_html", "pymdownx.superfences", "pymdownx.highlight", "pymdownx.tilde",
              "sane_lists"]
EXTENSION_CONFIGS = {
    "pymdownx.highlight": {"use_pygments": True, "css_class": "highlight", "guess_lang": False},
    "pymdownx.tilde": {"subscript": False},
}


@dataclass(frozen=True)
class Made:
    """What a policy made of a link or an image: HTML (None: keep the tag as it is) and problems."""

    html: str | None
    problems: tuple[Diagnostic, ...] = ()


class Policy(Protocol):
    """One output's rule for links and images. `link` is always resolved: the model's, or one
    made from the href's form (`LinkKind.of_href`) when no note listed it; its `line` is where
    the href stands in the note."""

    def link(self, note: Note, link: Link, inner: str) -> Made: ...

    def image(self, note: Note, link: Link, tag: str) -> Made: ...

    def footnote(self, note: Note, number: int) -> str:
        """A reference to the note's footnote `number` (1-based, in definition order)."""
        ...


class KeepPolicy:
    """Links and images as Markdown made them (after cleaning); footnote references as numbers."""

    def link(self, note: Note, link: Link, inner: str) -> Made:
        return Made(None)

    def image(self, note: Note, link: Link, tag: str) -> Made:
        return Made(None)

    def footnote(self, note: Note, number: int) -> str:
        return f'<sup class="footnote-ref">{number}</sup>'


@dataclass(frozen=True)
class Target:
    """What differs between outputs when a note is rendered: nothing else does."""

    name: str  # "anki" | "pdf" | "html": named in problems
    math: str = "mathjax"  # "mathjax" | "mathml" | "svg"
    html: HtmlPolicy = HtmlPolicy()  # what a note's own HTML may keep
    math_fallback: str = "its source is shown instead"  # what a formula that fails becomes


@dataclass(frozen=True)
class Rendered:
    html: str
    problems: tuple[Diagnostic, ...] = ()
    footnotes: tuple[int, ...] = ()  # numbers of the note's footnotes referenced, in order, once each


class Renderer:
    """One Markdown instance reused for every call (building one costs more than a render)."""

    def __init__(self, target: Target | None = None, policy: Policy | None = None,
                 math_engine: MathEngine | None = None):
        self.target = target or Target("html")
        self.policy: Policy = policy or KeepPolicy()
        self.engine = math_engine or engine(self.target.math)
        self.budget = Budget()  # CPU time per note (`qadeck.budget`)
        # What every render depends on besides the note: recorded for the units made with it.
        depends.note_value("renderer", self.target.name,
                           (depends.stable(self.target), type(self.policy).__qualname__,
                            type(self.engine).__qualname__))
        depends.versions("markdown", "pymdown-extensions", "pygments", "latex2mathml", "ziamath", "ziafont")
        self._md = _markdown()

    def render(self, note: Note, piece: Piece) -> Rendered:
        """One piece of a note to HTML, with the problems found in it at their lines; a note that
        ran out of time is shown as its source from there on."""
        try:
            with self.budget.running(note.path):
                if piece.inline:
                    return self.inline(note, piece.markdown, piece.line)
                return self.block(note, piece.markdown, piece.line)
        except OverBudget:
            self._md = _markdown()  # a parse cut short may have left it half-way
            return self._too_slow(note, piece)

    def _too_slow(self, note: Note, piece: Piece) -> Rendered:
        text = html.escape(piece.markdown)
        made = text if piece.inline else f'<pre class="too-slow">{text}</pre>'
        return Rendered(made, self.budget.cut(note.path, piece.line, self.target.name))

    def block(self, note: Note, text: str, line: int) -> Rendered:
        """A Markdown document (an answer part) to HTML."""
        if not text.strip():
            return Rendered("")
        normalized, flattened = normalize_blocks(text)
        protected, maths = protect_math(normalized)
        protected, hidden = hide_open_brackets(protected)
        if "<" in protected and not _too_deep(protected):  # md_in_html reads marked blocks by recursion
            protected = mark_html_blocks(protected)
        place = _Place(note, text, line)
        if flattened is not None:
            place.report(line + flattened, codes.NESTING_DEEP, FLATTENED)
        out = self._md.reset().convert(protected)
        for mark, original in hidden.items():
            out = out.replace(mark, original)
        return self._finish(out, maths, place)

    def inline(self, note: Note, text: str, line: int) -> Rendered:
        """One line of inline Markdown (a heading) to HTML without the enclosing <p>."""
        fast = self._simple_inline(note, text, line)
        if fast is not None:
            return fast
        made = self.block(note, text, line)
        return Rendered(_unwrap_p(made.html), made.problems, made.footnotes)

    def footnote_list(self, note: Note, numbers: Iterable[int],
                      item_id: Callable[[int], str] | None = None) -> Rendered:
        """The note's footnotes `numbers` as an ordered list keeping their numbers (empty: "")."""
        items, problems = [], []
        for number in numbers:
            footnote = note.footnotes[number - 1]
            made = self.block(note, footnote.markdown, footnote.line)
            problems.extend(made.problems)
            anchor = f' id="{item_id(number)}"' if item_id else ""
            items.append(f'<li value="{number}"{anchor}>{made.html}</li>')
        return Rendered(f'<ol class="footnotes">{"".join(items)}</ol>' if items else "", tuple(problems))

    def _simple_inline(self, note: Note, text: str, line: int) -> Rendered | None:
        """Fast path, same output: a line of plain words, math and `[words](href)` links needs no
        Markdown parse (most headings and see-also lines; a parse costs ~0.3 ms). None otherwise."""
        if not text or text != text.strip() or "\n" in text:
            return None
        protected, maths = protect_math(text)
        if not _SIMPLE_INLINE.fullmatch(protected) or _BLOCK_START.match(protected):
            return None
        out = _SIMPLE_LINK.sub(r'<a href="\2">\1</a>', protected)
        made = self._finish(f"<p>{out}</p>", maths, _Place(note, text, line))
        return Rendered(_unwrap_p(made.html), made.problems, made.footnotes)

    def _finish(self, out: str, maths: list[tuple[str, bool]], place: _Place) -> Rendered:
        if "\x02" in out or "\x03" in out:  # a note holds none (qadeck.parser.source drops them)
            out = _LEAKED.sub("", out)
        if needs_cleaning(place.source):
            out = clean(out, self.target.html)
        if "<a" in out:
            out = _A.sub(lambda m: self._link(m, place), out)
        if "<img" in out:
            out = _IMG.sub(lambda m: self._image(m, place), out)
        if "[^" in out and place.note.footnotes:
            out = self._footnote_refs(out, place)
        if maths:
            rendered = [self._math(latex, display, place) for latex, display in maths]
            out = _DISPLAY_P.sub(
                lambda m: rendered[int(m.group(1))] if maths[int(m.group(1))][1] else m.group(0), out)
            out = _HOLDER.sub(lambda m: rendered[int(m.group(1))], out)
        if _too_deep(out):
            place.report(place.line, codes.NESTING_DEEP, f"elements nested more than {MAX_HTML_DEPTH} "
                         "levels deep (raw HTML?); this part is shown as plain text")
            out = '<div class="too-deep">' + html.escape(place.source).replace("\n", "<br>\n") + "</div>"
        return Rendered(out, tuple(place.problems), tuple(dict.fromkeys(place.footnotes)))

    def _footnote_refs(self, out: str, place: _Place) -> str:
        """`[^label]` in text (not in code, not in a tag) for a footnote the note defines."""
        numbers = {f.label: index for index, f in enumerate(place.note.footnotes, 1)}

        in_link = 0

        def ref(match: re.Match[str]) -> str:
            number = numbers.get(html.unescape(match.group(1)))
            if number is None:
                return match.group(0)
            place.footnotes.append(number)
            if in_link:  # a link cannot hold another: the number alone
                return f'<sup class="footnote-ref">{number}</sup>'
            return self.policy.footnote(place.note, number)

        parts = _TAG_SPLIT.split(out)
        in_code = 0
        for index, part in enumerate(parts):
            if index % 2:  # a tag
                name = _TAG_NAME_OF.match(part)
                kind = name.group(2).lower() if name else ""
                step = -1 if name and name.group(1) else 1
                if kind in ("code", "pre"):
                    in_code += step
                elif kind == "a":
                    in_link = max(0, in_link + step)
            elif not in_code and "[^" in part:
                parts[index] = _FOOTNOTE_REF.sub(ref, part)
        return "".join(parts)

    def _math(self, latex: str, display: bool, place: _Place) -> str:
        try:
            body = typeset(self.engine, latex, display)
        except MathError as exc:
            place.report(place.line_of(latex), codes.MATH_INVALID, f"{exc}; {self.target.math_fallback}")
            source = html.escape(f"$${latex}$$" if display else f"${latex}$")
            return f'<code class="math-error">{source}</code>'
        if display and not body.lstrip().startswith("<"):
            return f'<div class="math display">{body}</div>'
        return body

    def _link(self, match: re.Match[str], place: _Place) -> str:
        href = tag_attributes(match.group(1)).get("href")
        if href is None:
            return match.group(0)
        made = self.policy.link(place.note, place.link(href), match.group(2))
        place.problems.extend(made.problems)
        return match.group(0) if made.html is None else made.html

    def _image(self, match: re.Match[str], place: _Place) -> str:
        src = tag_attributes(match.group(0)).get("src")
        if src is None:
            return ""  # nothing to show (or an address the sanitizer took out)
        made = self.policy.image(place.note, place.link(src, image=True), match.group(0))
        place.problems.extend(made.problems)
        return match.group(0) if made.html is None else made.html


@dataclass
class _Place:
    """The note and lines one render call is for, and the problems it found (per call)."""

    note: Note
    source: str
    line: int
    problems: list[Diagnostic] = field(default_factory=list)
    footnotes: list[int] = field(default_factory=list)

    def line_of(self, needle: str) -> int:
        return line_of(self.source, self.line, needle)

    def link(self, href: str, image: bool = False) -> Link:
        known = self.note.link(href)
        if known is not None:
            return known
        kind = LinkKind.of_href(href)
        if image and kind is LinkKind.FILE and not href.lower().startswith("file:"):
            kind = LinkKind.IMAGE
        return Link(href, self.line_of(href), kind, ok=False)

    def report(self, line: int, code: str, message: str, severity: str = "warning") -> None:
        self.problems.append(Diagnostic(self.note.path, line, severity, code, message))


def _too_deep(text: str) -> bool:
    return text.count("<") > MAX_HTML_DEPTH and html_depth(text) > MAX_HTML_DEPTH  # few tags: quick no


def html_depth(out: str) -> int:
    """How deep elements nest in `out` (void elements and `<x/>` do not nest; a stray closing
    tag does not go below zero)."""
    depth = deepest = 0
    for match in _ANY_TAG.finditer(out):
        if match.group(1):
            depth = max(0, depth - 1)
        elif not match.group(3) and match.group(2).lower() not in _VOID:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def line_of(source: str, first_line: int, needle: str) -> int:
    """The line of `source` (which starts on `first_line`) where `needle` first stands, else
    the first line. Lines of a piece map to the note's lines one to one, except where the
    parser dropped hidden lines (comments, generated blocks) inside it."""
    at = source.find(needle.splitlines()[0]) if needle.strip() else -1
    return first_line + (source.count("\n", 0, at) if at > 0 else 0)


def _markdown() -> markdown.Markdown:
    made = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
    use_cached_highlighter(made)
    return made


def _unwrap_p(out: str) -> str:
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return out


def tag_attributes(tag: str) -> dict[str, str]:
    """The attributes of an HTML start tag (or of its attribute text), unescaped, names in lower
    case, the first of each name: what the link and image hooks read (`src`, `alt`, `width`...)."""
    found: dict[str, str] = {}
    for match in _TAG_ATTR.finditer(_TAG_NAME.sub("", tag, count=1)):
        value = next(v for v in match.groups()[1:] if v is not None)
        found.setdefault(match.group(1).lower(), html.unescape(value))
    return found
