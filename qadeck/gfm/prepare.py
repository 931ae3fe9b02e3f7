"""Markdown as the notes write it (GitHub's reading), made ready for Python-Markdown.

Math is cut out and held (so `_` and `*` inside formulas survive), nested lists re-indented the
way Python-Markdown needs them, and raw HTML blocks marked so Markdown inside them is read as on
GitHub. Code (fenced blocks and inline spans) is always left as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from qadeck.gfm.holding import MARK_CLOSE, MARK_OPEN, MATH_MARKS, Placeholders, unused_characters
from qadeck.gfm.lexical import DISPLAY_MATH, FENCE, INLINE_MATH, outside_code_spans, split_code

_QUOTE_IN_ITEM = re.compile(r"^ +>")
_LIST_ITEM = re.compile(r"^( *)([-*+]|\d+[.)])( +)")
MAX_DEPTH = 10  # levels of lists and quotes a piece keeps
_CONTAINER_MARK = re.compile(r"[ \t]*+(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))[ \t]*+")
_CONTAINER_MARKS = re.compile(f"(?:{_CONTAINER_MARK.pattern})*+")
_CONTAINER_STARTS = frozenset(">-*+0123456789")
_DETAILS = re.compile(r"<(/?)(details|table|tr)\b(?![^<>]*\bmarkdown=)", re.I)
_BRACKETS = {"[": re.compile(r"\\.|[\[\]]", re.S), "(": re.compile(r"\\.|[()]", re.S)}  # escaped: none
_MANY_BRACKETS = 64
_CELLS_ON_A_LINE = re.compile(r"(</t[dh]>)[ \t]*(<t[dh]\b)", re.I)
# A raw-HTML cell whose content starts after a blank line holds Markdown blocks (as on GitHub).
_BLOCK_CELL = re.compile(r"<(td|th)\b(?![^>]*\bmarkdown=)([^>]*)>(?=[ \t]*\n[ \t]*\n)", re.I)


def protect_math(text: str) -> tuple[str, list[tuple[str, bool]]]:
    """Replace `$…$` and `$$…$$` outside code with placeholders; return them in order.

    A placeholder is a number between two private-use characters, which are first taken out of
    the note: a note cannot forge one. The sanitizer drops placeholders from attribute values, so
    a formula is only ever put into text, never inside a tag."""
    text = text.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")
    maths: Placeholders[tuple[str, bool]] = Placeholders(text, MATH_MARKS)

    def hold(latex: str, display: bool) -> str:
        return maths.hold((latex.strip(), display))

    parts: list[str] = []
    for is_code, chunk in split_code(text):
        if is_code:
            parts.append(chunk)
            continue
        parts.append(_protect_chunk(chunk, hold))
    return "".join(parts), maths.pieces


def mark_html_blocks(text: str) -> str:
    """Let Markdown into raw HTML the way GitHub does (md_in_html's `markdown` attribute):
    `<details>`, and table cells whose content starts after a blank line. Code is left alone."""
    depth = 0  # of the containers marked: md_in_html reads each by recursion

    def container(match: re.Match[str]) -> str:
        nonlocal depth
        if match.group(1):
            depth = max(0, depth - 1)
            return match.group(0)
        depth += 1
        return f'<{match.group(2)} markdown="1"' if depth <= MAX_DEPTH else match.group(0)

    def mark(chunk: str) -> str:
        chunk = _DETAILS.sub(container, chunk)
        chunk = _CELLS_ON_A_LINE.sub("\\1\n\\2", chunk)  # md_in_html reads one cell a line
        return _BLOCK_CELL.sub(lambda m: f'<{m.group(1)} markdown="block"{m.group(2)}>', chunk)

    return "".join(outside_code_spans(chunk, mark) if not is_code and "<" in chunk else chunk
                   for is_code, chunk in split_code(text))


def hide_open_brackets(text: str) -> tuple[str, dict[str, str]]:
    """In a text with many `[`, each `[` that no later `]` closes and each `](` whose `(` no later
    `)` closes swapped for a character the text does not hold. Returns the text and {character:
    what it stands for}; the HTML gets them back.

    Python-Markdown looks for the `]` of every `[` and the `)` of every `](` up to the end of the
    text, and rebuilds the text for every escape it reads: a line of thousands of `[` or `[x](`
    took minutes either way. Such a bracket is text, and a character Markdown has no rule for
    costs nothing. Code is not told apart (Markdown and we may disagree on where a fence inside
    a list is): in code the character is given back as well."""
    if text.count("[") < _MANY_BRACKETS:
        return text, {}
    bracket, paren = unused_characters(text, 2)
    hidden = _hide(text, bracket, paren)
    return hidden, {c: o for c, o in ((bracket, "["), (paren, "(")) if c in hidden}


def _hide(text: str, bracket: str, paren: str) -> str:
    brackets = _unclosed(text, "[", "]")
    # A quote makes Python-Markdown read the rest as a link title, where parentheses count
    # otherwise: only a `(` after the last quote is sure to stay unclosed.
    after = max(text.rfind('"'), text.rfind("'"))
    parens = [at for at in _unclosed(text, "(", ")") if at > after and text[at - 1:at] == "]"]
    if not brackets and not parens:
        return text
    chars = list(text)
    for at in brackets:
        chars[at] = bracket
    for at in parens:
        chars[at] = paren
    return "".join(chars)


def _unclosed(text: str, opening: str, closing: str) -> list[int]:
    """Where each `opening` stands that no later `closing` closes (escaped ones do not count)."""
    unclosed: list[int] = []
    for match in _BRACKETS[opening].finditer(text):
        if match.group() == opening:
            unclosed.append(match.start())
        elif match.group() == closing and unclosed:
            unclosed.pop()
    return unclosed


def _protect_chunk(chunk: str, hold: Callable[[str, bool], str]) -> str:
    """Math outside inline code spans goes to `hold`; code spans are left as written."""
    def protect(text: str) -> str:
        text = DISPLAY_MATH.sub(lambda m: hold(m.group(1), True), text)
        return INLINE_MATH.sub(lambda m: hold(m.group(1), False), text)

    return outside_code_spans(chunk, protect) if "$" in chunk else chunk


def normalize_lists(text: str) -> str:
    """Re-indent nested list items to 4 spaces a level, as Python-Markdown requires (see
    `normalize_blocks`, which also bounds how deep lists and quotes nest)."""
    return normalize_blocks(text)[0]


def normalize_blocks(text: str) -> tuple[str, int | None]:
    """Lists re-indented for Python-Markdown, and lists and quotes nested at most MAX_DEPTH
    levels: deeper items stay at the deepest level, extra `>`/list marks at a line's start are
    dropped (Python-Markdown nests by recursion, and so does WeasyPrint's layout: a note nesting
    300 levels would stop both). Returns the text and the index of the first line flattened.

    The notes follow GitHub, where a sub-item needs only to sit under its parent's text
    (2 or 3 spaces), and a list may start right under a line of text; without this such
    items would be flattened into the line above.
    """
    out: list[str] = []
    stack: list[tuple[int, int]] = []  # (written indent, normalized indent)
    in_fence = False
    flattened: int | None = None
    for index, line in enumerate(text.split("\n")):
        if FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and line.lstrip(" \t")[:1] in _CONTAINER_STARTS:
            bounded = _bound_markers(line)
            if bounded != line:
                flattened = index if flattened is None else flattened
                line = bounded
        match = None if in_fence else _LIST_ITEM.match(line)
        if not match:
            if line.strip() and not line.startswith(" "):
                stack = []
            elif stack and not in_fence and _QUOTE_IN_ITEM.match(line) and out and out[-1].strip() \
                    and not _QUOTE_IN_ITEM.match(out[-1]):
                out.append("")  # `    > x` under an item quotes in it (GitHub); Python-Markdown wants a blank
            out.append(line)
            continue
        indent = len(match.group(1))
        if out and _QUOTE_IN_ITEM.match(out[-1]):
            out.append("")  # else the item would be read as the quote's lazy continuation
        while stack and stack[-1][0] > indent:
            stack.pop()
        if stack and (stack[-1][0] == indent or len(stack) >= MAX_DEPTH):
            flattened = index if flattened is None and stack[-1][0] != indent else flattened
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
    return "\n".join(out), flattened


def _bound_markers(line: str) -> str:
    """The line with at most MAX_DEPTH quote and list marks at its start (`> > - 1. text`)."""
    pos = 0
    for _ in range(MAX_DEPTH):
        mark = _CONTAINER_MARK.match(line, pos)
        if mark is None or mark.end() == pos:
            return line
        pos = mark.end()
    end = _CONTAINER_MARKS.match(line, pos).end()  # type: ignore[union-attr] (`*` always matches)
    return line if end == pos else line[:pos] + line[end:]
