"""Note Markdown to safe HTML for the cheat sheet.

Note HTML is untrusted: the shared renderer cleans it with the common allow-list
(`qadeck.sanitize`: no script, event handlers, frames, `javascript:` URLs, ids or styles beyond
`text-align`, and no `qd-` class that would pose as the page's own) before it puts in MathML and
what the hooks here make. Links between notes become in-page anchors; images are read only from
inside the notes folder, through the model's resolved `Link`s, and embedded as `data:` URIs.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Callable
from pathlib import Path

from qadeck import codes, svgclean
from qadeck.assets import read_local
from qadeck.links import ImageSource, image_source
from qadeck.math import MathMLMath
from qadeck.model import Diagnostic, Link, LinkKind, Note, Piece
from qadeck.render import Made, Renderer, Target, tag_attributes
from qadeck.sanitize import HtmlPolicy

MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
        ".webp": "image/webp", ".svg": "image/svg+xml", ".avif": "image/avif", ".bmp": "image/bmp"}
# The page's own classes start with qd-: a note must not pose as a question card.
TARGET = Target("html", math="mathml",
                html=HtmlPolicy(reserved_class_prefix="qd-", link_rel="noopener noreferrer"),
                math_fallback="the cheat sheet shows its source")


class Content:
    """Renders pieces of notes for the page; `diagnostics` collects their diagnostics, `formulas` the
    MathML of every formula on the page (the math font is cut down to them)."""

    def __init__(self, root: Path, image_cap_kb: int, fragment: Callable[[Link], str | None],
                 image_word: str):
        self.math = _Formulas(MathMLMath())
        self.policy = PagePolicy(root, image_cap_kb, fragment, image_word)
        self.renderer = Renderer(TARGET, self.policy, self.math)
        self.diagnostics: list[Diagnostic] = []

    def start_unit(self) -> None:
        """What follows is one unit (a note's section, kept by the build cache): its images are
        read and reported, its formulas noted, as if nothing came before."""
        self.policy.forget()
        self.math.unit = {}

    def add_unit(self, diagnostics: list[Diagnostic], formulas: dict[tuple[str, bool], str]) -> None:
        """A unit kept from an earlier build: its diagnostics and formulas join the page's."""
        self.diagnostics.extend(diagnostics)
        self.math.formulas.update(formulas)

    def html(self, note: Note, piece: Piece, footnotes: list[int] | None = None) -> str:
        made = self.renderer.render(note, piece)
        self.diagnostics.extend(made.diagnostics)
        if footnotes is not None:
            footnotes.extend(made.footnotes)
        return made.html

    def footnotes(self, note: Note, numbers: list[int]) -> str:
        """The footnotes an answer referenced, under it."""
        made = self.renderer.footnote_list(note, dict.fromkeys(numbers))
        self.diagnostics.extend(made.diagnostics)
        return made.html

    def font_css(self) -> str:
        """The subset math font as an @font-face rule, or nothing when the page has no formula."""
        from qadeck.math import mathml

        formulas = self.math.formulas
        woff2 = mathml.font_woff2(formulas[k] for k in sorted(formulas)) if formulas else b""
        if not woff2:
            return ""
        font = base64.b64encode(woff2).decode("ascii")
        return (f'@font-face{{font-family:"QD Math";src:url(data:font/woff2;base64,{font}) format("woff2");'
                "font-display:block}")


class PagePolicy:
    """Links between notes become in-page anchors; local images are embedded as `data:` URIs."""

    def __init__(self, root: Path, image_cap_kb: int, fragment: Callable[[Link], str | None],
                 image_word: str):
        self.root = root.resolve()
        self.image_word = image_word  # a web image's stand-in when it has no alt text
        self.image_cap_kb = image_cap_kb
        self.fragment = fragment  # in-page id for a note or anchor link, None when not on the page
        self._images: dict[str, tuple[str | None, tuple[Diagnostic, ...]]] = {}

    def forget(self) -> None:
        self._images = {}

    def link(self, note: Note, link: Link, inner: str) -> Made:
        if link.kind in (LinkKind.WEB, LinkKind.MAIL):
            return Made(None)
        target = self.fragment(link) if note.link(link.href) is not None else None
        if target is None:
            title = link.target_title or link.href
            return Made(f'<span class="xref-off" title="{html.escape(title)}">{inner}</span>')
        return Made(f'<a href="#{target}">{inner}</a>')

    def image(self, note: Note, link: Link, tag: str) -> Made:
        attrs = tag_attributes(tag)
        alt = attrs.get("alt", "")
        src = link.href
        kind = image_source(link, note.link(src) is not None)
        if kind in (ImageSource.DATA, ImageSource.WEB):
            remote = _diagnostic(note, link, codes.IMAGE_REMOTE,
                                 f"web image not embedded (the page loads nothing): {_short(src)}", "info")
            words = html.escape(alt or self.image_word)
            if kind is ImageSource.DATA:  # never a link: a data: page is a page of its own
                return Made(f'<span class="img-off">{words}</span>', (remote,))
            return Made(f'<a class="img-off" href="{html.escape(src)}">{words}</a>',
                        (remote,))
        if kind is ImageSource.UNLISTED:
            return Made(f'<span class="img-off">{html.escape(alt or src)}</span>',
                        (_diagnostic(note, link, codes.IMAGE_MISSING, f"image not embedded: {src}"),))
        uri, diagnostics = self._data_uri(note, link) if kind is ImageSource.LOCAL else (None, ())
        if uri is None:
            return Made(f'<span class="img-off" title="{html.escape(src)}">{html.escape(alt or src)}</span>',
                        diagnostics)
        size = "".join(f' {k}="{attrs[k]}"' for k in ("width", "height") if attrs.get(k, "").isdigit())
        return Made(f'<img src="{uri}" alt="{html.escape(alt)}"{size} decoding="async">', diagnostics)

    def footnote(self, note: Note, number: int) -> str:
        return f'<sup class="qd-fn">{number}</sup>'

    def _data_uri(self, note: Note, link: Link) -> tuple[str | None, tuple[Diagnostic, ...]]:
        """The image as a data: URI (once per file), with the diagnostics of its first use."""
        assert link.target is not None
        if link.target in self._images:
            return self._images[link.target][0], ()
        uri, diagnostics = self._read(note, link)
        self._images[link.target] = (uri, ())
        return uri, diagnostics

    def _read(self, note: Note, link: Link) -> tuple[str | None, tuple[Diagnostic, ...]]:
        assert link.target is not None
        mime = MIME.get(Path(link.target).suffix.lower())
        if mime is None:
            return None, (_diagnostic(note, link, codes.IMAGE_TYPE, f"image type not embedded: {link.href}"),)
        data = read_local(self.root, link.target)
        if data is None:
            why = f"image not embedded, unreadable or outside the notes folder: {link.href}"
            return None, (_diagnostic(note, link, codes.IMAGE_UNREADABLE, why),)
        data, said = svgclean.for_output(link.href, data) if mime == MIME[".svg"] else (data, None)
        if data is None:
            return None, (_diagnostic(note, link, codes.IMAGE_INVALID, said or link.href),)
        diagnostics = (_diagnostic(note, link, codes.HTML_UNSAFE, said),) if said else ()
        uri = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        if len(data) > self.image_cap_kb * 1024:
            size = f"image {link.href} is {len(data) // 1024} KB"
            diagnostics += (_diagnostic(note, link, codes.IMAGE_LARGE, f"{size}, above image_cap_kb = "
                                        f"{self.image_cap_kb}; embedded anyway"),)
        return uri, diagnostics


class _Formulas:
    """The math engine, noting each formula's MathML for the page (`formulas`) and for the unit
    being rendered (`unit`)."""

    def __init__(self, engine: MathMLMath) -> None:
        self.engine = engine
        self.formulas: dict[tuple[str, bool], str] = {}
        self.unit: dict[tuple[str, bool], str] = {}

    def render(self, latex: str, display: bool) -> str:
        made = self.engine.render(latex, display)
        self.formulas[(latex, display)] = self.unit[(latex, display)] = made
        return made


def _short(url: str) -> str:
    """A URL as a message shows it: a data: URL by its type, not its kilobytes."""
    return url.split(",", 1)[0] + ",…" if url.strip().lower().startswith("data:") and "," in url else url


def _diagnostic(note: Note, link: Link, code: str, message: str, severity: str = "warning") -> Diagnostic:
    return Diagnostic(note.path, link.line, severity, code, message)
