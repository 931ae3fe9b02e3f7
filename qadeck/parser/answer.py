"""Splitting the lines under a question heading into the parts of its answer."""

from __future__ import annotations

import re
import textwrap

from qadeck.model import Answer, DetailsPart
from qadeck.parser.heading import plain_text

REFERENCE_NAMES = frozenset({"参考", "参考资料", "参考文献", "引用", "references", "reference"})
DEFAULT_DETAILS_NAME = "详述"

_RULE = re.compile(r"^ {0,3}([-*_])(?:\s*\1){2,}\s*$")
_DETAILS_OPEN = re.compile(r"^\s*<details\b[^>]*>", re.I)
_SUMMARY = re.compile(r"<summary\b[^>]*>(.*?)</summary>", re.I | re.S)
_CLOSE = re.compile(r"</details\s*>", re.I)

Lines = list[tuple[int, str]]  # (1-based line number, text)


def is_filler(text: str) -> bool:
    """Blank lines and `---` rules: separators that carry no answer."""
    stripped = text.strip()
    return not stripped or (stripped[0] in "-*_" and bool(_RULE.match(text)))


def split_closing(lines: Lines, closing: bool = True) -> tuple[Answer, DetailsPart | None]:
    """Split an answer; for the file's last one (`closing`), also take a 参考 part that ends
    the file out as the note's references."""
    lines = _trim(lines)
    short, see_also, rest = _blockquote(lines)
    short_line = lines[0][0] if short else 0
    see_also_lines = tuple(n for n, text in lines[: len(lines) - len(rest)]
                           if text.lstrip().startswith(">>") and text.lstrip()[2:].strip())
    details: list[DetailsPart] = []
    body: list[str] = []
    body_line = 0
    index = 0
    last_is_details = False
    while index < len(rest):
        text = rest[index][1]
        if "<" in text[:8] and _DETAILS_OPEN.match(text):
            part, index = _details(rest, index)
            details.append(part)
            last_is_details = True
            continue
        if not body_line and not is_filler(text):
            body_line = rest[index][0]
        body.append(text)
        last_is_details = last_is_details and is_filler(text)
        index += 1
    references = None
    if closing and last_is_details and details[-1].name.strip().lower() in REFERENCE_NAMES:
        references = details.pop()
    body_text = _join(_trim_texts(body))
    answer = Answer(short="\n".join(short).strip("\n"), see_also=tuple(see_also),
                    details=tuple(details), body=body_text, short_line=short_line,
                    see_also_lines=see_also_lines, body_line=body_line if body_text else 0)
    return answer, references


def first_line(lines: Lines) -> int:
    """The line the Markdown of `lines` starts on (0 when there is none)."""
    trimmed = _trim(lines)
    return trimmed[0][0] if trimmed else 0


def markdown_of(lines: Lines) -> str:
    """Lines as one Markdown text, separator lines at either end dropped."""
    return _join([text for _, text in _trim(lines)])


def _trim_texts(texts: list[str]) -> list[str]:
    start, end = 0, len(texts)
    while start < end and is_filler(texts[start]):
        start += 1
    while end > start and is_filler(texts[end - 1]):
        end -= 1
    return texts[start:end]


def _trim(lines: Lines) -> Lines:
    start, end = 0, len(lines)
    while start < end and is_filler(lines[start][1]):
        start += 1
    while end > start and is_filler(lines[end - 1][1]):
        end -= 1
    return lines[start:end]


def _blockquote(lines: Lines) -> tuple[list[str], list[str], Lines]:
    short: list[str] = []
    see_also: list[str] = []
    index = 0
    while index < len(lines) and lines[index][1].lstrip().startswith(">"):
        text = lines[index][1].lstrip()
        if text.startswith(">>"):
            aside = text[2:].strip()
            if aside:
                see_also.append(aside)
        else:
            short.append(text[2:] if text.startswith("> ") else text[1:])
        index += 1
    return short, see_also, lines[index:]


def _details(lines: Lines, start: int) -> tuple[DetailsPart, int]:
    number, first = lines[start]
    depth = 0
    collected: list[str] = []
    index = start
    while index < len(lines):
        text = lines[index][1]
        if "<" in text:
            lower = text.lower()
            depth += lower.count("<details") - lower.count("</details")
        collected.append(text)
        index += 1
        if depth <= 0:
            break
    block = "\n".join(collected)
    summary = _SUMMARY.search(block)
    name = plain_text(summary.group(1)) if summary else ""
    inner = block[summary.end():] if summary else _DETAILS_OPEN.sub("", block, count=1)
    # the content's first line: after the summary, past the blank lines `_join` drops
    skipped = block[: len(block) - len(inner)].count("\n") + _leading_blank_lines(inner)
    close = list(_CLOSE.finditer(inner))
    if close and depth <= 0:
        inner = inner[: close[-1].start()] + inner[close[-1].end():]
    body_line = lines[min(start + skipped, index - 1)][0]
    return DetailsPart(name or DEFAULT_DETAILS_NAME, _join(inner.split("\n")), number, body_line), index


def _leading_blank_lines(text: str) -> int:
    """Line breaks before the first non-blank line of `text` (what `_join` strips)."""
    stripped = text.lstrip(" \t\n")
    return text[: len(text) - len(stripped)].count("\n")


def _join(lines: list[str]) -> str:
    text = "\n".join(lines)
    if any(line[:1] in (" ", "\t") for line in lines):  # dedent is slow; most parts need none
        text = textwrap.dedent(text)
    return text.strip("\n")
