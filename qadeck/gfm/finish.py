"""What is done to the HTML Python-Markdown made, after the sanitizer cleaned it: links and images
through each output's policy, the held pieces put back (formulas typeset, footnote references as the
policy writes them), nesting bounded.

Links and images are rewritten over the finished HTML, not inside Python-Markdown: a link or image the
note wrote as raw HTML exists only there (Python-Markdown keeps raw HTML as text). What the policies and
the math engine make goes in after the cleaning, so it is never cleaned away.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from qadeck.gfm.holding import MARK_CLOSE, MARK_OPEN
from qadeck.model import Diagnostic, Link, LinkKind, Note

_HOLDER = re.compile(f"{MARK_OPEN}(\\d+){MARK_CLOSE}")
_DISPLAY_P = re.compile(f"<p>\\s*{MARK_OPEN}(\\d+){MARK_CLOSE}\\s*</p>")
_A = re.compile(r"<a\b([^<>]*)>(.*?)</a>", re.S | re.I)
_IMG = re.compile(r"<img\b[^<>]*>", re.I)
_TAG_NAME = re.compile(r"^<[a-zA-Z][a-zA-Z0-9]*")
_TAG_ATTR = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
_ANY_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)[^<>]*?(/?)>")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                   "track", "wbr"})
# Deeper than this, WeasyPrint's layout (recursive, ~150 levels in all) could not print a chapter.
MAX_HTML_DEPTH = 64


@dataclass(frozen=True)
class FootnoteRef:
    """A `[^label]` reference to the note's footnote `number`, read by Python-Markdown
    (`qadeck.gfm.extension`) and held until the HTML is clean."""

    number: int
    in_link: bool  # inside a link's words


Held = tuple[str, bool] | FootnoteRef  # what a stand-in holds: a formula (LaTeX, display) or a reference


@dataclass(frozen=True)
class Made:
    """What a policy made of a link or an image: HTML (None: keep the tag as it is) and diagnostics."""

    html: str | None
    diagnostics: tuple[Diagnostic, ...] = ()


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


@dataclass
class Place:
    """The note and lines one render call is for, and the diagnostics it found (per call)."""

    note: Note
    source: str
    line: int
    diagnostics: list[Diagnostic] = field(default_factory=list)
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
        self.diagnostics.append(Diagnostic(self.note.path, line, severity, code, message))


def links_and_images(out: str, place: Place, policy: Policy) -> str:
    """Each `<a href>` and `<img src>` (the note's Markdown or its raw HTML) as `policy` makes it."""
    if "<a" in out:
        out = _A.sub(lambda m: _link(m, place, policy), out)
    if "<img" in out:
        out = _IMG.sub(lambda m: _image(m, place, policy), out)
    return out


def _link(match: re.Match[str], place: Place, policy: Policy) -> str:
    href = tag_attributes(match.group(1)).get("href")
    if href is None:
        return match.group(0)
    made = policy.link(place.note, place.link(href), match.group(2))
    place.diagnostics.extend(made.diagnostics)
    return match.group(0) if made.html is None else made.html


def _image(match: re.Match[str], place: Place, policy: Policy) -> str:
    src = tag_attributes(match.group(0)).get("src")
    if src is None:
        return ""  # nothing to show (or an address the sanitizer took out)
    made = policy.image(place.note, place.link(src, image=True), match.group(0))
    place.diagnostics.extend(made.diagnostics)
    return match.group(0) if made.html is None else made.html


def put_back(out: str, held: Sequence[Held], place: Place, policy: Policy,
             typeset: Callable[[str, bool], str]) -> str:
    """The stand-ins (`qadeck.gfm.holding`) in the cleaned HTML replaced by what qadeck makes of each
    piece: a formula typeset (a display formula alone in a paragraph takes the paragraph's place),
    a footnote reference as `policy` writes it (the number alone inside a link, which cannot hold
    another). Footnotes are recorded in the order they stand."""
    if not held:
        return out
    made = ["" if isinstance(piece, FootnoteRef) else typeset(*piece) for piece in held]

    def display(match: re.Match[str]) -> str:
        piece = held[int(match.group(1))]
        alone = not isinstance(piece, FootnoteRef) and piece[1]
        return made[int(match.group(1))] if alone else match.group(0)

    def one(match: re.Match[str]) -> str:
        piece = held[int(match.group(1))]
        if not isinstance(piece, FootnoteRef):
            return made[int(match.group(1))]
        place.footnotes.append(piece.number)
        if piece.in_link:
            return f'<sup class="footnote-ref">{piece.number}</sup>'
        return policy.footnote(place.note, piece.number)

    return _HOLDER.sub(one, _DISPLAY_P.sub(display, out))


def too_deep(text: str) -> bool:
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


def tag_attributes(tag: str) -> dict[str, str]:
    """The attributes of an HTML start tag (or of its attribute text), unescaped, names in lower
    case, the first of each name: what the link and image hooks read (`src`, `alt`, `width`...)."""
    found: dict[str, str] = {}
    for match in _TAG_ATTR.finditer(_TAG_NAME.sub("", tag, count=1)):
        value = next(v for v in match.groups()[1:] if v is not None)
        found.setdefault(match.group(1).lower(), html.unescape(value))
    return found
