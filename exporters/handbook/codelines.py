"""Code blocks in print: one block per source line, so a long line wraps under itself.

WeasyPrint wraps `white-space: pre-wrap` text back to the left edge, which reads as dedented
code. Here each line of a `<pre><code>` becomes `<span class="cl">` and carries its indentation:
the first row starts at the margin (the line's own spaces indent it, and copy the same), and the
rows it wraps into hang two columns further in, where the stylesheet draws a continuation mark
(handbook.css, `.cl.wraps`, on lines long enough to wrap; not `w`, Pygments' class of
whitespace, whose grey the whole line took). Line blocks also let the stylesheet keep
a block's first and last lines together (no code line left alone at the top or bottom of a
page), and a short block whole.

A line's indentation is a class (`i4`: 4 columns, `indent_rules`), not a `style` attribute:
WeasyPrint parses a style attribute per element, and a book's ~6,000 code lines took ~15% of
their print time in it. A line indented deeper than `MOST_INDENT` keeps a style attribute.

The empty `<span></span>` pygments writes before the code goes: inside `<pre>` it is a line of
its own, which WeasyPrint could leave alone at the foot of a page (an empty grey box under its
label, the code on the next page).
"""

from __future__ import annotations

import html
import re
import unicodedata

_BLOCK = re.compile(r"<pre\b([^>]*)>(?:<span></span>)?(<code\b[^>]*>)(.*?)(</code></pre>)", re.S)
_CLASS = re.compile(r'\bclass="([^"]*)"')
SHORT = 12  # a block of fewer lines is never cut across pages (`pre.short` in handbook.css)
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*?(/?)>")
_VOID = frozenset({"br", "img", "wbr"})
TAB = 4
HANG = 2  # columns a wrapped row sits further in than its line (the mark's room)
ROW = "1.45em"  # the height of one row: `pre`'s line-height in handbook.css
# A line of at most this many columns never wraps: code has ~95 columns on A4 and ~60 on A5, less
# inside lists and quotes. Only longer lines carry the continuation mark (`.cl.wraps`): drawing it on
# every line made pages of code slow to render.
NEVER_WRAPS = 44
MOST_INDENT = 64  # columns of indentation with a class of their own (`indent_rules`)


def split_lines(page: str) -> str:
    """Every code block of `page` with its lines as blocks (a block whose markup crosses a line
    end, which pygments never writes but a note's raw `<pre>` might, is left as it was)."""
    return _BLOCK.sub(_block, page) if "<pre" in page else page


def _block(match: re.Match[str]) -> str:
    attributes, code, text, end = match.groups()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not all(_balanced(line) for line in lines):
        return match.group(0)
    if len(lines) < SHORT:
        attributes = (_CLASS.sub(r'class="\1 short"', attributes, count=1) if _CLASS.search(attributes)
                      else attributes + ' class="short"')
    return f"<pre{attributes}>{code}" + "".join(_line(line) for line in lines) + end


def _line(line: str) -> str:
    text = html.unescape(_TAG.sub("", line))
    spaces = text[:len(text) - len(text.lstrip(" \t"))]
    indent = sum(TAB if c == "\t" else 1 for c in spaces)
    classes = "cl wraps" if columns(text) > NEVER_WRAPS else "cl"
    if not indent:
        return f'<span class="{classes}">{line}</span>'
    if indent <= MOST_INDENT:
        return f'<span class="{classes} i{indent}">{line}</span>'
    return f'<span class="{classes}" style="{_indented(indent)}">{line}</span>'


def indent_rules() -> str:
    """The stylesheet of the lines' indentation classes: a line indented `n` columns starts there
    and its wrapped rows hang `HANG` further in, behind the continuation mark (handbook.css `.cl.wraps`)."""
    return "\n".join(f".cl.i{n} {{ {_indented(n)} }}" for n in range(1, MOST_INDENT + 1))


def _indented(indent: int) -> str:
    hang = indent + HANG
    return f"padding-left:{hang}ch;text-indent:-{hang}ch;background-position:{indent}ch {ROW}"


def columns(text: str) -> int:
    """The columns `text` takes in a monospaced face (a CJK character two, a tab to the next stop)."""
    width = 0
    for char in text:
        if char == "\t":
            width += TAB - width % TAB
        else:
            width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return width


def _balanced(line: str) -> bool:
    open_tags: list[str] = []
    for closing, name, self_closing in _TAG.findall(line):
        name = name.lower()
        if self_closing or name in _VOID:
            continue
        if not closing:
            open_tags.append(name)
        elif not open_tags or open_tags.pop() != name:
            return False
    return not open_tags
