"""Markdown as the notes write it (GitHub's reading), made ready for Python-Markdown.

Math is cut out and held (so `_` and `*` inside formulas survive), nested lists re-indented the
way Python-Markdown needs them, and raw HTML blocks marked so Markdown inside them is read as on
GitHub. Code (fenced blocks and inline spans) is always left as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from qadeck.sanitize import MARK_CLOSE, MARK_OPEN
from qadeck.syntax import DISPLAY_MATH, FENCE, INLINE_MATH, closes

_CODE_SPAN = re.compile(r"(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
_QUOTE_IN_ITEM = re.compile(r"^ +>")
_LIST_ITEM = re.compile(r"^( *)([-*+]|\d+[.)])( +)")
_DETAILS = re.compile(r"<(details|table|tr)\b(?![^>]*\bmarkdown=)", re.I)
_CELLS_ON_A_LINE = re.compile(r"(</t[dh]>)[ \t]*(<t[dh]\b)", re.I)
# A raw-HTML cell whose content starts after a blank line holds Markdown blocks (as on GitHub).
_BLOCK_CELL = re.compile(r"<(td|th)\b(?![^>]*\bmarkdown=)([^>]*)>(?=[ \t]*\n[ \t]*\n)", re.I)


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
        text = DISPLAY_MATH.sub(lambda m: hold(m.group(1), True), text)
        return INLINE_MATH.sub(lambda m: hold(m.group(1), False), text)

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
        match = FENCE.match(line.rstrip("\n"))
        if fence is None and match:
            runs.append((False, "".join(buffer)))
            buffer, fence = [line], match.group(2)
        elif fence is not None:
            buffer.append(line)
            if closes(fence, line.rstrip("\n")):
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
        if FENCE.match(line):
            in_fence = not in_fence
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
