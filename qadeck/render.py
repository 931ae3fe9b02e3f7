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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import markdown
from pymdownx import highlight as _highlight_module
from pymdownx.highlight import Highlight as _Highlight

from qadeck.math import MathEngine, MathError, engine
from qadeck.sanitize import MARK_CLOSE, MARK_OPEN, HtmlPolicy, clean, needs_cleaning

LinkHook = Callable[[str, str], str | None]  # (href, inner html) -> replacement html or None
ImageHook = Callable[[str, str], str | None]  # (src, whole tag) -> replacement html or None
ProblemHook = Callable[[str], None]

_FENCE = re.compile(r"^(\s*(?:>\s*)*)(`{3,}|~{3,})(.*)$")
_CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_DISPLAY = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$", re.S)
_INLINE = re.compile(r"(?<![\\$])\$(?=[^\s$])([^$\n]*?[^\s\\$])\$(?!\d)")
_HOLDER = re.compile(f"{MARK_OPEN}(\\d+){MARK_CLOSE}")
_DISPLAY_P = re.compile(f"<p>\\s*{MARK_OPEN}(\\d+){MARK_CLOSE}\\s*</p>")
_LIST_ITEM = re.compile(r"^( *)([-*+]|\d+[.)])( +)")
_DETAILS = re.compile(r"<(details|table|tr)\b(?![^>]*\bmarkdown=)", re.I)
_CELLS_ON_A_LINE = re.compile(r"(</t[dh]>)[ \t]*(<t[dh]\b)", re.I)
# A raw-HTML cell whose content starts after a blank line holds Markdown blocks (as on GitHub).
_BLOCK_CELL = re.compile(r"<(td|th)\b(?![^>]*\bmarkdown=)([^>]*)>(?=[ \t]*\n[ \t]*\n)", re.I)
_A = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S | re.I)
_IMG = re.compile(r"<img\b[^>]*>", re.I)
_TAG_NAME = re.compile(r"^<[a-zA-Z][a-zA-Z0-9]*")
_TAG_ATTR = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""")
# What Renderer.inline may render without Markdown: text with no character Markdown or HTML
# gives a meaning to, and links whose words and href are as plain; nothing that opens a block.
_PLAIN = r"(?:[^\\`*_\[\]!<>&~\x00-\x1f]|!(?!\[))"
_HREF = r"[^\s()<>\"'\\&*`\[\]\x00-\x1f]+"
_SIMPLE_LINK = re.compile(rf"\[({_PLAIN}+)\]\(({_HREF})\)")
_SIMPLE_INLINE = re.compile(rf"(?:{_PLAIN}|{_SIMPLE_LINK.pattern})+")
_BLOCK_START = re.compile(r"[#=+|:-]|\d+[.)]")

EXTENSIONS = ["tables", "md_in_html", "pymdownx.superfences", "pymdownx.highlight", "pymdownx.tilde",
              "sane_lists"]
EXTENSION_CONFIGS = {
    "pymdownx.highlight": {"use_pygments": True, "css_class": "highlight", "guess_lang": False},
    "pymdownx.tilde": {"subscript": False},
}


@dataclass
class RenderOptions:
    math: str = "mathjax"  # "mathjax" | "mathml" | "svg"
    link: LinkHook | None = None
    image: ImageHook | None = None
    problem: ProblemHook | None = None  # told about formulas that fail to render
    engine: MathEngine | None = field(default=None, repr=False)
    policy: HtmlPolicy = HtmlPolicy()  # what a note's own HTML may keep


class Renderer:
    """One Markdown instance reused for every call (building one costs more than a render)."""

    def __init__(self, options: RenderOptions | None = None):
        self.options = options or RenderOptions()
        self.engine = self.options.engine or engine(self.options.math)
        self._md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
        _use_cached_highlighter(self._md)

    def block(self, text: str, problem: ProblemHook | None = None) -> str:
        """A Markdown document (an answer part) to HTML."""
        if not text.strip():
            return ""
        protected, maths = protect_math(normalize_lists(text))
        if "<" in protected:
            protected = mark_html_blocks(protected)
        out = self._md.reset().convert(protected)
        return self._finish(out, maths, problem, text)

    def inline(self, text: str, problem: ProblemHook | None = None) -> str:
        """One line of inline Markdown (a heading) to HTML without the enclosing <p>."""
        fast = self._simple_inline(text, problem)
        return fast if fast is not None else _unwrap_p(self.block(text, problem))

    def _simple_inline(self, text: str, problem: ProblemHook | None) -> str | None:
        """Fast path, same output: a line of plain words, math and `[words](href)` links needs no
        Markdown parse (most headings and see-also lines; a parse costs ~0.3 ms). None otherwise."""
        if not text or text != text.strip() or "\n" in text:
            return None
        protected, maths = protect_math(text)
        if not _SIMPLE_INLINE.fullmatch(protected) or _BLOCK_START.match(protected):
            return None
        out = _SIMPLE_LINK.sub(r'<a href="\2">\1</a>', protected)
        return _unwrap_p(self._finish(f"<p>{out}</p>", maths, problem, text))

    def _finish(self, out: str, maths: list[tuple[str, bool]], problem: ProblemHook | None,
                source: str) -> str:
        if needs_cleaning(source):
            out = clean(out, self.options.policy)
        if self.options.link is not None:
            out = _A.sub(self._link, out)
        if self.options.image is not None:
            out = _IMG.sub(self._image, out)
        if not maths:
            return out
        report = problem or self.options.problem
        rendered = [self._math(latex, display, report) for latex, display in maths]
        out = _DISPLAY_P.sub(
            lambda m: rendered[int(m.group(1))] if maths[int(m.group(1))][1] else m.group(0), out)
        return _HOLDER.sub(lambda m: rendered[int(m.group(1))], out)

    def _math(self, latex: str, display: bool, report: ProblemHook | None) -> str:
        try:
            body = self.engine.render(latex, display)
        except MathError as exc:
            if report is not None:
                report(str(exc))
            source = html.escape(f"$${latex}$$" if display else f"${latex}$")
            return f'<code class="math-error">{source}</code>'
        if display and not body.lstrip().startswith("<"):
            return f'<div class="math display">{body}</div>'
        return body

    def _link(self, match: re.Match[str]) -> str:
        href = tag_attributes(match.group(1)).get("href")
        if href is None:
            return match.group(0)
        new = self.options.link(href, match.group(2))
        return match.group(0) if new is None else new

    def _image(self, match: re.Match[str]) -> str:
        src = tag_attributes(match.group(0)).get("src")
        if src is None:
            return ""  # nothing to show (or an address the sanitizer took out)
        new = self.options.image(src, match.group(0))
        return match.group(0) if new is None else new


def _use_cached_highlighter(md: markdown.Markdown) -> None:
    """Code blocks through `_CachedHighlight` (for this Markdown instance only)."""
    for ext in md.registeredExtensions:
        if hasattr(ext, "get_pymdownx_highlighter"):
            ext.get_pymdownx_highlighter = lambda: _CachedHighlight  # type: ignore[method-assign]


class _CachedHighlight(_Highlight):
    """pymdownx's highlighter, minus the per-block cost of a new Pygments lexer and formatter
    (~0.5 ms, most of a code block's time): a plain block (no line numbers, marked lines, title,
    classes, id or attributes) reuses them, with the same output; anything else goes the
    original way."""

    _lexers: dict[tuple[str, bool, str], tuple[Any, str]] = {}
    _formatters: dict[tuple[str, str, bool], Any] = {}

    def highlight(self, src: str, language: str, css_class: str = "highlight", hl_lines: Any = None,
                  linestart: int = -1, linestep: int = -1, linespecial: int = -1, inline: bool = False,
                  classes: Any = None, id_value: str = "", attrs: Any = None, title: Any = None,
                  code_block_count: int = 0) -> Any:
        plain = (not inline and self.use_pygments and _highlight_module.pygments and not hl_lines
                 and not classes and not id_value and not attrs and not title and linestart <= 0
                 and not self.linenums and not self.guess_lang and not self.extend_pygments_lang
                 and not self.pygments_lang_class and not self.auto_title and not self.line_spans
                 and not self.line_anchors and not self.anchor_linenums)
        if not plain:
            return super().highlight(src, language, css_class, hl_lines, linestart, linestep, linespecial,
                                     inline, classes, id_value, attrs, title, code_block_count)
        language = language or self.default_lang
        key = (language, bool(self.stripnl), self.default_lang)
        if key not in self._lexers:
            self._lexers[key] = self.get_lexer(src, language, False, self.stripnl)
        style = (css_class, str(self.pygments_style), bool(self.noclasses))
        if style not in self._formatters:
            self._formatters[style] = _highlight_module.BlockHtmlFormatter(
                cssclass=css_class, linenos=False, linenostart=1, linenostep=1, linenospecial=0,
                style=self.pygments_style, noclasses=self.noclasses, hl_lines=[], wrapcode=True,
                filename="", linespans="", lineanchors="", anchorlinenos=False)
        code = _highlight_module.highlight(src, self._lexers[key][0], self._formatters[style])
        match = _highlight_module.RE_PYG_CODE.match(code)
        if match is not None:
            classes_attr = " " + match.group(2).lstrip() if match.group(2) else ""
            code = f"{code[:match.start(0)]}<{match.group(1)}{classes_attr}>{code[match.end(0):]}"
        return code.strip()


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


def protect_math(text: str) -> tuple[str, list[tuple[str, bool]]]:
    """Replace `$…$` and `$$…$$` outside code with placeholders; return them in order.

    A placeholder is a number between two private-use characters, which are first taken out of
    the note: a note cannot forge one. The sanitizer drops placeholders from attribute values, so
    a formula is only ever put into text, never inside a tag."""
    maths: list[tuple[str, bool]] = []
    text = text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")

    def hold(latex: str, display: bool) -> str:
        maths.append((latex.strip(), display))
        return f"{MARK_OPEN}{len(maths) - 1}{MARK_CLOSE}"

    parts: list[str] = []
    for is_code, chunk in _split_code(text):
        if is_code:
            parts.append(chunk)
            continue
        parts.append(_protect_chunk(chunk, hold))
    return "".join(parts), maths


def mark_html_blocks(text: str) -> str:
    """Let Markdown into raw HTML the way GitHub does (md_in_html's `markdown` attribute):
    `<details>`, and table cells whose content starts after a blank line. Code is left alone."""
    def mark(chunk: str) -> str:
        chunk = _DETAILS.sub(lambda m: f'<{m.group(1)} markdown="1"', chunk)
        chunk = _CELLS_ON_A_LINE.sub("\\1\n\\2", chunk)  # md_in_html reads one cell a line
        return _BLOCK_CELL.sub(lambda m: f'<{m.group(1)} markdown="block"{m.group(2)}>', chunk)

    return "".join(_outside_code_spans(chunk, mark) if not is_code and "<" in chunk else chunk
                   for is_code, chunk in _split_code(text))


def _protect_chunk(chunk: str, hold: Callable[[str, bool], str]) -> str:
    """Math outside inline code spans goes to `hold`; code spans are left as written."""
    def protect(text: str) -> str:
        text = _DISPLAY.sub(lambda m: hold(m.group(1), True), text)
        return _INLINE.sub(lambda m: hold(m.group(1), False), text)

    return _outside_code_spans(chunk, protect) if "$" in chunk else chunk


def _outside_code_spans(chunk: str, change: Callable[[str], str]) -> str:
    """`change` applied to `chunk` with its inline code spans left as written."""
    if "`" not in chunk:
        return change(chunk)
    spans: list[str] = []

    def keep_span(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return f"\x00{len(spans) - 1}\x00"

    changed = change(_CODE_SPAN.sub(keep_span, chunk))
    return re.sub(r"\x00(\d+)\x00", lambda m: spans[int(m.group(1))], changed) if spans else changed


def _split_code(text: str) -> list[tuple[bool, str]]:
    """Split into (is fenced code, text) runs, keeping line ends."""
    runs: list[tuple[bool, str]] = []
    fence: str | None = None
    buffer: list[str] = []
    for line in text.splitlines(keepends=True):
        match = _FENCE.match(line.rstrip("\n"))
        if fence is None and match:
            runs.append((False, "".join(buffer)))
            buffer, fence = [line], match.group(2)
        elif fence is not None:
            buffer.append(line)
            if match and match.group(2)[0] == fence[0] and len(match.group(2)) >= len(fence) \
                    and not match.group(3).strip():
                runs.append((True, "".join(buffer)))
                buffer, fence = [], None
        else:
            buffer.append(line)
    runs.append((fence is not None, "".join(buffer)))
    return runs


def normalize_lists(text: str) -> str:
    """Re-indent nested list items to 4 spaces a level, as Python-Markdown requires.

    The notes follow GitHub, where a sub-item needs only to sit under its parent's text
    (2 or 3 spaces), and a list may start right under a line of text; without this such
    items would be flattened into the line above.
    """
    out: list[str] = []
    stack: list[tuple[int, int]] = []  # (written indent, normalized indent)
    in_fence = False
    for line in text.split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _LIST_ITEM.match(line)
        if not match:
            if line.strip() and not line.startswith(" "):
                stack = []
            out.append(line)
            continue
        indent = len(match.group(1))
        while stack and stack[-1][0] > indent:
            stack.pop()
        if stack and stack[-1][0] == indent:
            level = stack[-1][1]
        elif stack:
            level = stack[-1][1] + 4
            stack.append((indent, level))
        else:
            level = 0 if indent < 4 else indent
            stack.append((indent, level))
            if out and out[-1].strip():
                out.append("")  # a list starting under text: Python-Markdown needs a blank line
        out.append(" " * level + line[indent:])
    return "\n".join(out)


def pygments_css(style: str = "default", selector: str = ".highlight") -> str:
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style=style).get_style_defs(selector)
