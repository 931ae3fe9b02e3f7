"""Note Markdown to safe HTML for the cheat sheet: render, sanitize, then put trusted pieces back.

Note HTML is untrusted. Each rendered fragment goes through an nh3 allow-list (no script, event
handlers, frames, `javascript:` URLs, ids or styles beyond `text-align`); only after that do the
exporter's own pieces, MathML and `data:` images, replace private-use placeholders. Links between
notes become in-page anchors; images are read only from inside the notes folder, through the model's
resolved `Link`s.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable
from pathlib import Path

from qadeck.assets import local_file
from qadeck.mathrender import MathMLMath
from qadeck.model import Diagnostic, Link, Note
from qadeck.render import Renderer, RenderOptions

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


class Content:
    """Renders one note at a time; `diagnostics` collects problems as `path:line`."""

    def __init__(self, root: Path, image_cap_kb: int, fragment: Callable[[Link], str | None]):
        self.root = root.resolve()
        self.image_cap_kb = image_cap_kb
        self.fragment = fragment  # in-page id for a note or anchor link, None when not on the page
        self.math = MathMLMath()
        self.renderer = Renderer(RenderOptions(engine=_HeldMath(self), link=self._link, image=self._image))
        self.diagnostics: list[Diagnostic] = []
        self.trusted: list[str] = []
        self.line = 0
        self._note: Note | None = None
        self._links: dict[str, Link] = {}
        self._images: dict[str, str] = {}

    def begin(self, note: Note) -> None:
        self._note = note
        self._links = {link.href: link for link in note.links}

    def block(self, markdown: str) -> str:
        return self._safe(self.renderer.block(self._untrusted(markdown), self._math_problem))

    def inline(self, markdown: str) -> str:
        return self._safe(self.renderer.inline(self._untrusted(markdown), self._math_problem))

    def font_css(self) -> str:
        """The subset math font as an @font-face rule, or nothing when the page has no formula."""
        woff2 = self.math.font_woff2()
        if not woff2:
            return ""
        font = base64.b64encode(woff2).decode("ascii")
        return (f'@font-face{{font-family:"QD Math";src:url(data:font/woff2;base64,{font}) format("woff2");'
                "font-display:block}")

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
        self.diagnostics.append(Diagnostic(path, line or self.line, severity, code, message))

    # -- links and images ------------------------------------------------------------------------

    def _link(self, href: str, inner: str) -> str | None:
        link = self._links.get(href)
        if link is None:
            if re.match(r"(?i)(https?|mailto):", href):
                return None  # the sanitizer checks the scheme
            return f'<span class="xref-off" title="{html.escape(href)}">{inner}</span>'
        if link.kind in ("web", "mail"):
            return None
        target = self.fragment(link)
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
            return self._images[link.target]
        path = local_file(self.root, link.target)
        if path is None:
            self._warn("image.outside", f"image not embedded, outside the notes folder: {link.href}",
                       link.line)
            return None
        mime = MIME.get(path.suffix.lower())
        if mime is None:
            self._warn("image.type", f"image type not embedded: {link.href}", link.line)
            return None
        try:
            data = path.read_bytes()
        except OSError as exc:
            self._warn("image.unreadable", f"cannot read image {link.href}: {exc.strerror}", link.line)
            return None
        if len(data) > self.image_cap_kb * 1024:
            self._warn("image.large", f"image {link.href} is {len(data) // 1024} KB, above image_cap_kb = "
                       f"{self.image_cap_kb}; embedded anyway", link.line)
        uri = f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
        self._images[link.target] = uri
        return uri


class _HeldMath:
    """MathML goes into the page only after the note HTML around it was sanitized."""

    def __init__(self, content: Content):
        self.content = content

    def render(self, latex: str, display: bool) -> str:
        return self.content.hold(self.content.math.render(latex, display))


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
