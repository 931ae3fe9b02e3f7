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
import re
from collections.abc import Callable
from pathlib import Path

from qadeck.assets import local_file
from qadeck.math import MathMLMath
from qadeck.model import Diagnostic, Link, Note
from qadeck.render import Renderer, RenderOptions, tag_attributes
from qadeck.sanitize import HtmlPolicy, risky

MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
        ".webp": "image/webp", ".svg": "image/svg+xml", ".avif": "image/avif", ".bmp": "image/bmp"}
# The page's own classes start with qd-: a note must not pose as a question card.
POLICY = HtmlPolicy(reserved_class_prefix="qd-", link_rel="noopener noreferrer")


class Content:
    """Renders one note at a time; `diagnostics` collects problems as `path:line`."""

    def __init__(self, root: Path, image_cap_kb: int, fragment: Callable[[Link], str | None]):
        self.root = root.resolve()
        self.image_cap_kb = image_cap_kb
        self.fragment = fragment  # in-page id for a note or anchor link, None when not on the page
        self.math = MathMLMath()
        self.renderer = Renderer(RenderOptions(engine=self.math, link=self._link, image=self._image,
                                               policy=POLICY))
        self.diagnostics: list[Diagnostic] = []
        self.line = 0
        self._note: Note | None = None
        self._links: dict[str, Link] = {}
        self._images: dict[str, str] = {}

    def begin(self, note: Note) -> None:
        self._note = note
        self._links = {link.href: link for link in note.links}

    def block(self, markdown: str) -> str:
        self._check(markdown)
        return self.renderer.block(markdown, self._math_problem)

    def inline(self, markdown: str) -> str:
        self._check(markdown)
        return self.renderer.inline(markdown, self._math_problem)

    def font_css(self) -> str:
        """The subset math font as an @font-face rule, or nothing when the page has no formula."""
        woff2 = self.math.font_woff2()
        if not woff2:
            return ""
        font = base64.b64encode(woff2).decode("ascii")
        return (f'@font-face{{font-family:"QD Math";src:url(data:font/woff2;base64,{font}) format("woff2");'
                "font-display:block}")

    def _check(self, markdown: str) -> None:
        if risky(markdown):
            self._warn("html.unsafe", "raw HTML that could run script or load content was removed")

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
                return None  # a web link the sanitizer let through
            return f'<span class="xref-off" title="{html.escape(href)}">{inner}</span>'
        if link.kind in ("web", "mail"):
            return None
        target = self.fragment(link)
        if target is None:
            title = link.target_title or link.href
            return f'<span class="xref-off" title="{html.escape(title)}">{inner}</span>'
        return f'<a href="#{target}">{inner}</a>'

    def _image(self, src: str, tag: str) -> str:
        attrs = tag_attributes(tag)
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
        return f'<img src="{uri}" alt="{html.escape(alt)}"{size} decoding="async">'

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
