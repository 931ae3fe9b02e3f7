"""Markdown's lexical rules as GitHub reads them, which more than one reader needs: code fences,
code spans, `$` math and inline links.

One rule each, so the parser (which finds headings, links and formulas in a note) and the renderer
(which hands the note to Python-Markdown) never disagree on what is code or a formula.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from qadeck.gfm.holding import Placeholders

# A fence line, also inside blockquotes: (quote prefix, the fence, the info string).
FENCE = re.compile(r"^(\s*(?:>\s*)*)(`{3,}|~{3,})(.*)$")
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.S)
# `$$…$$` may span lines; `$…$` stays on one line, opens before a non-space, closes after one, and is
# not followed by a digit (so `$10 和 $5` are prices, not a formula).
DISPLAY_MATH = re.compile(r"(?<!\\)\$\$(.+?)(?<!\\)\$\$", re.S)
INLINE_MATH = re.compile(r"(?<![\\$])\$(?=[^\s$])([^$\n]*?[^\s\\$])\$(?!\d)")
MATH = re.compile(f"{DISPLAY_MATH.pattern}|{INLINE_MATH.pattern}", re.S)
# An inline link `[words](target "title")`: (!, words, <target>, target). Words may hold one level of
# brackets (`[[中等, 牛客] 链表相加(二)](…)`), a bare target balanced parentheses (`./链表相加(二).md`).
INLINE_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]"
                         r"\(\s*(?:<([^<>\n]+)>|((?:[^()\s<>]|\([^()\s]*\))*))(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)")


def link_target(match: re.Match[str]) -> str:
    """The target of an INLINE_LINK match, written `<…>` or bare ("" when empty)."""
    return match.group(3) or match.group(4) or ""


def closes(fence: str, line: str) -> bool:
    """Whether `line` closes a code block opened by `fence` (same character, at least as long,
    no info string)."""
    match = FENCE.match(line)
    return bool(match and match.group(2)[0] == fence[0] and len(match.group(2)) >= len(fence)
                and not match.group(3).strip())


def split_code(text: str) -> list[tuple[bool, str]]:
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


def outside_code_spans(chunk: str, change: Callable[[str], str]) -> str:
    """`change` applied to `chunk` with its inline code spans left as written."""
    if "`" not in chunk:
        return change(chunk)
    spans: Placeholders[str] = Placeholders(chunk)
    return spans.restore(change(CODE_SPAN.sub(lambda m: spans.hold(m.group(0)), chunk)))
