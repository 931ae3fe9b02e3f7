"""Markdown to HTML, shared by every exporter.

The note's Markdown is read as GitHub reads it through one Python-Markdown extension
(`qadeck.gfm`): formulas are held out before Markdown sees them (so `_` and `*` inside them
survive) and put back through a per-target engine (`qadeck.math`). Links, images and footnote
references pass through hooks so each exporter decides what a cross-note link, a local image or a
reference becomes. Order matters for
safety: the note's HTML is cleaned first (`qadeck.sanitize`), then the hooks rewrite links and
images, then the formulas go in, so what qadeck makes is never cleaned away and what a note holds
is never left uncleaned.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import markdown

from qadeck import codes, depends
from qadeck.budget import Budget, OverBudget
from qadeck.gfm.extension import GitHubExtension
from qadeck.gfm.finish import (
    MAX_HTML_DEPTH,
    Held,
    KeepPolicy,
    Made,
    Place,
    Policy,
    line_of,
    links_and_images,
    put_back,
    tag_attributes,
    too_deep,
)
from qadeck.gfm.prepare import MAX_DEPTH, protect_math
from qadeck.highlight import use_cached_highlighter
from qadeck.math import MathEngine, MathError, engine, typeset
from qadeck.model import Diagnostic, Note, Piece
from qadeck.sanitize import HtmlPolicy, clean, needs_cleaning

# What exporters import from here (the hooks' types and helpers live in `qadeck.gfm.finish`).
__all__ = ["EXTENSIONS", "EXTENSION_CONFIGS", "FLATTENED", "MAX_HTML_DEPTH", "KeepPolicy", "Made", "Policy",
           "Rendered", "Renderer", "Target", "line_of", "tag_attributes"]

# What Renderer.inline may render without Markdown: text with no character Markdown or HTML
# gives a meaning to, and links whose words and href are as plain; nothing that opens a block.
_PLAIN = r"(?:[^\\`*_\[\]!<>&~\x00-\x1f]|!(?!\[))"
_HREF = r"[^\s()<>\"'\\&*`\[\]\x00-\x1f]+"
_SIMPLE_LINK = re.compile(rf"\[({_PLAIN}+)\]\(({_HREF})\)")
_SIMPLE_INLINE = re.compile(rf"(?:{_PLAIN}|{_SIMPLE_LINK.pattern})+")
_BLOCK_START = re.compile(r"[#=+|:-]|\d+[.)]")

FLATTENED = f"lists or quotes nested deeper than {MAX_DEPTH} levels; the deeper ones are shown at that level"

EXTENSIONS = ["tables", "md_in_html", "pymdownx.superfences", "pymdownx.highlight", "pymdownx.tilde",
              "sane_lists"]
EXTENSION_CONFIGS = {
    "pymdownx.highlight": {"use_pygments": True, "css_class": "highlight", "guess_lang": False},
    "pymdownx.tilde": {"subscript": False},
}


@dataclass(frozen=True)
class Target:
    """What differs between outputs when a note is rendered: nothing else does."""

    name: str  # "anki" | "pdf" | "html": named in diagnostics
    math: str = "mathjax"  # "mathjax" | "mathml" | "svg"
    html: HtmlPolicy = HtmlPolicy()  # what a note's own HTML may keep
    math_fallback: str = "its source is shown instead"  # what a formula that fails becomes
    # The Pygments styles the output colours code with: a token they all draw as plain text gets
    # no span (`qadeck.highlight`). Empty: every token keeps its span (a stylesheet may colour it).
    code_styles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rendered:
    html: str
    diagnostics: tuple[Diagnostic, ...] = ()
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
        self._md, self._github = _markdown(self.target.code_styles)

    def render(self, note: Note, piece: Piece) -> Rendered:
        """One piece of a note to HTML, with the diagnostics found in it at their lines; a note that
        ran out of time is shown as its source from there on."""
        try:
            with self.budget.running(note.path):
                if piece.inline:
                    return self.inline(note, piece.markdown, piece.line)
                return self.block(note, piece.markdown, piece.line)
        except OverBudget:
            # A parse cut short may have left the Markdown instance half-way.
            self._md, self._github = _markdown(self.target.code_styles)
            return self._too_slow(note, piece)

    def _too_slow(self, note: Note, piece: Piece) -> Rendered:
        text = html.escape(piece.markdown)
        made = text if piece.inline else f'<pre class="too-slow">{text}</pre>'
        return Rendered(made, self.budget.cut(note.path, piece.line, self.target.name))

    def block(self, note: Note, text: str, line: int) -> Rendered:
        """A Markdown document (an answer part) to HTML."""
        if not text.strip():
            return Rendered("")
        self._github.use_footnotes({f.label: n for n, f in enumerate(note.footnotes, 1)})
        out = self._md.reset().convert(text)
        prepared = self._github.prepared
        place = Place(note, text, line)
        if prepared.flattened is not None:
            place.report(line + prepared.flattened, codes.NESTING_DEEP, FLATTENED)
        return self._finish(out, prepared.held.pieces, place)

    def inline(self, note: Note, text: str, line: int) -> Rendered:
        """One line of inline Markdown (a heading) to HTML without the enclosing <p>."""
        fast = self._simple_inline(note, text, line)
        if fast is not None:
            return fast
        made = self.block(note, text, line)
        return Rendered(_unwrap_p(made.html), made.diagnostics, made.footnotes)

    def footnote_list(self, note: Note, numbers: Iterable[int],
                      item_id: Callable[[int], str] | None = None) -> Rendered:
        """The note's footnotes `numbers` as an ordered list keeping their numbers (empty: "")."""
        items, diagnostics = [], []
        for number in numbers:
            footnote = note.footnotes[number - 1]
            made = self.block(note, footnote.markdown, footnote.line)
            diagnostics.extend(made.diagnostics)
            anchor = f' id="{item_id(number)}"' if item_id else ""
            items.append(f'<li value="{number}"{anchor}>{made.html}</li>')
        return Rendered(f'<ol class="footnotes">{"".join(items)}</ol>' if items else "", tuple(diagnostics))

    def _simple_inline(self, note: Note, text: str, line: int) -> Rendered | None:
        """Fast path, same output: a line of plain words, math and `[words](href)` links needs no
        Markdown parse (most headings and see-also lines; a parse costs ~0.3 ms). None otherwise."""
        if not text or text != text.strip() or "\n" in text:
            return None
        protected, maths = protect_math(text)
        if not _SIMPLE_INLINE.fullmatch(protected) or _BLOCK_START.match(protected):
            return None
        out = _SIMPLE_LINK.sub(r'<a href="\2">\1</a>', protected)
        made = self._finish(f"<p>{out}</p>", maths, Place(note, text, line))
        return Rendered(_unwrap_p(made.html), made.diagnostics, made.footnotes)

    def _finish(self, out: str, held: Sequence[Held], place: Place) -> Rendered:
        """What Python-Markdown made, cleaned, then qadeck's own markup put in (see the module)."""
        if needs_cleaning(place.source):
            out = clean(out, self.target.html)
        out = links_and_images(out, place, self.policy)
        out = put_back(out, held, place, self.policy, lambda latex, shown: self._math(latex, shown, place))
        if too_deep(out):
            place.report(place.line, codes.NESTING_DEEP, f"elements nested more than {MAX_HTML_DEPTH} "
                         "levels deep (raw HTML?); this part is shown as plain text")
            out = '<div class="too-deep">' + html.escape(place.source).replace("\n", "<br>\n") + "</div>"
        return Rendered(out, tuple(place.diagnostics), tuple(dict.fromkeys(place.footnotes)))

    def _math(self, latex: str, display: bool, place: Place) -> str:
        try:
            body = typeset(self.engine, latex, display)
        except MathError as exc:
            place.report(place.line_of(latex), codes.MATH_INVALID, f"{exc}; {self.target.math_fallback}")
            source = html.escape(f"$${latex}$$" if display else f"${latex}$")
            return f'<code class="math-error">{source}</code>'
        if display and not body.lstrip().startswith("<"):
            return f'<div class="math display">{body}</div>'
        return body


def _markdown(code_styles: tuple[str, ...] = ()) -> tuple[markdown.Markdown, GitHubExtension]:
    github = GitHubExtension()
    made = markdown.Markdown(extensions=[github, *EXTENSIONS], extension_configs=EXTENSION_CONFIGS)
    use_cached_highlighter(made, code_styles=code_styles)
    return made, github


def _unwrap_p(out: str) -> str:
    if out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        out = out[3:-4]
    return out
