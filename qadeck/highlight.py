"""Code blocks: pymdownx's highlighter with a fast path for plain blocks, a lexer that gives up
on colours rather than draw error boxes, and, for an output that names its code styles, no span
around a token those styles draw as plain text.

Besides Pygments' styles there is our own `print` style (`style_by_name`): Pygments' friendly with
operators, numbers and built-in names in plain black. Those are most of a page's tokens and the
least telling colours on paper (friendly greys the operators), and each span is a box to lay out.

The fast path repeats what pymdownx's `Highlight.highlight` does for a plain block, reading its
attributes and module globals; when a pymdownx release renames or drops one of them, the fast path
steps aside and pymdownx's own method does the work (the same output, only slower).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import markdown
from pygments.lexer import Lexer
from pygments.lexers.special import TextLexer
from pygments.style import Style
from pygments.styles import get_style_by_name
from pygments.styles.friendly import FriendlyStyle
from pygments.token import Error, Name, Number, Operator, Text, Whitespace, _TokenType
from pymdownx import highlight as _highlight_module
from pymdownx.highlight import Highlight as _Highlight


class PrintStyle(Style):
    """Friendly's colours for keywords, comments, strings and definitions; operators, numbers
    and built-in names (`len`, `self`) as plain text."""

    name = "print"
    background_color = FriendlyStyle.background_color
    styles = {**FriendlyStyle.styles, Operator: "", Number: "", Name.Builtin: ""}


OWN_STYLES: dict[str, type[Style]] = {PrintStyle.name: PrintStyle}


def style_by_name(name: str) -> type[Style]:
    """One of our own styles (`OWN_STYLES`) or Pygments' style of that name."""
    return OWN_STYLES.get(name) or get_style_by_name(name)


def use_cached_highlighter(md: markdown.Markdown, highlighter: type[_Highlight] | None = None,
                           code_styles: tuple[str, ...] = ()) -> None:
    """Code blocks through `highlighter` (`_CachedHighlight` unless given), for this Markdown
    instance only; with `code_styles`, a token all of them draw as plain text is written without
    a span of its own (see `_PlainTokens`)."""
    chosen = highlighter or (_plain_in(code_styles) if code_styles else _CachedHighlight)
    for ext in md.registeredExtensions:
        if hasattr(ext, "get_pymdownx_highlighter"):
            ext.get_pymdownx_highlighter = lambda: chosen  # type: ignore[method-assign]


class _PlainTokens:
    """The token types every style in `styles` draws as plain text: no colour, weight, slant,
    underline, background or border of their own (whitespace: no background, underline or border,
    since a colour shows nothing on a space). Given as plain `Text`, such tokens run together
    without spans: a page of code in print is a third fewer boxes to lay out and draw, and looks
    the same."""

    def __init__(self, styles: tuple[str, ...]) -> None:
        self.styles = [style_by_name(name) for name in styles]
        self.known: dict[_TokenType, bool] = {}

    def __contains__(self, kind: _TokenType) -> bool:
        found = self.known.get(kind)
        if found is None:
            found = self.known[kind] = all(self._plain(style, kind) for style in self.styles)
        return found

    @staticmethod
    def _plain(style: Any, kind: _TokenType) -> bool:
        drawn, text = style.style_for_token(kind), style.style_for_token(Text)
        ignored = ("color",) if kind in Whitespace else ()
        return all(drawn[key] == text[key] for key in drawn if key not in ignored)


class _PlainOnError(Lexer):
    """A lexer that gives the block as plain text when its own lexer marks an error token (`$` in
    SQL, a full-width comma in Python): the style draws errors as red boxes, which only say that
    the lexer lost track, never that the code is wrong. Tokens in `plain` come out as `Text`."""

    def __init__(self, inner: Lexer, plain: _PlainTokens | None = None) -> None:
        super().__init__(**inner.options)
        self.inner = inner
        self.plain = plain
        self.name, self.aliases = inner.name, inner.aliases

    def get_tokens(self, text: str, unfiltered: bool = False) -> Any:
        tokens = list(self.inner.get_tokens(text, unfiltered))
        if any(kind in Error for kind, _ in tokens):
            return TextLexer(**self.inner.options).get_tokens(text, unfiltered)
        plain = self.plain
        if plain is not None:
            tokens = [(Text if kind in plain else kind, value) for kind, value in tokens]
        return iter(tokens)


class _CachedHighlight(_Highlight):
    """pymdownx's highlighter, minus the per-block cost of a new Pygments lexer and formatter
    (~0.5 ms, most of a code block's time): a plain block (no line numbers, marked lines, title,
    classes, id or attributes) reuses them, with the same output; anything else goes the
    original way."""

    _lexers: dict[tuple[str, bool, str], tuple[Any, str]] = {}
    _formatters: dict[tuple[str, str, bool], Any] = {}
    plain: _PlainTokens | None = None  # tokens written without a span (`_plain_in`)

    def get_lexer(self, src: str, language: str, inline: bool, stripnl: bool) -> tuple[Any, str]:
        lexer, name = super().get_lexer(src, language, inline, stripnl)
        return _PlainOnError(lexer, self.plain), name

    def highlight(self, src: str, language: str, css_class: str = "highlight", hl_lines: Any = None,
                  linestart: int = -1, linestep: int = -1, linespecial: int = -1, inline: bool = False,
                  classes: Any = None, id_value: str = "", attrs: Any = None, title: Any = None,
                  code_block_count: int = 0) -> Any:
        try:
            fast = None if (inline or hl_lines or classes or id_value or attrs or title or linestart > 0) \
                else self._plain(src, language, css_class)
        except (AttributeError, TypeError):  # pymdownx's internals changed: its own way, unchanged
            fast = None
        if fast is not None:
            return fast
        return super().highlight(src, language, css_class, hl_lines, linestart, linestep, linespecial,
                                 inline, classes, id_value, attrs, title, code_block_count)

    def _plain(self, src: str, language: str, css_class: str) -> str | None:
        """A block pymdownx would highlight with its plain settings, made with a cached lexer and
        formatter; None when a setting asks for more."""
        if not (self.use_pygments and _highlight_module.pygments) or self.linenums or self.guess_lang \
                or self.extend_pygments_lang or self.pygments_lang_class or self.auto_title \
                or self.line_spans or self.line_anchors or self.anchor_linenums:
            return None
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


@cache
def _plain_in(styles: tuple[str, ...]) -> type[_CachedHighlight]:
    """`_CachedHighlight` writing the tokens `styles` draw as plain text without spans (one class,
    with its own lexers, per set of styles)."""
    return type("_PlainHighlight", (_CachedHighlight,), {"plain": _PlainTokens(styles), "_lexers": {}})


def pygments_css(style: str = "default", selector: str = ".highlight") -> str:
    """The CSS of a `style` (`style_by_name`) for the highlighted blocks under `selector`."""
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(style=style_by_name(style)).get_style_defs(selector)
