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
_OPEN = re.compile(r"<details\b", re.I)
_CLOSE = re.compile(r"</details\s*>", re.I)

Lines = list[tuple[int, str]]  # (1-based line number, text)


def is_filler(text: str) -> bool:
    """Blank lines and `---` rules: separators that carry no answer."""
    return not text.strip() or bool(_RULE.match(text))


def split_answer(lines: Lines) -> Answer:
    lines = _trim(lines)
    short, see_also, rest = _blockquote(lines)
    details: list[DetailsPart] = []
    body: list[str] = []
    index = 0
    while index < len(rest):
        number, text = rest[index]
        if _DETAILS_OPEN.match(text):
            part, index = _details(rest, index)
            details.append(part)
            continue
        body.append(text)
        index += 1
    return Answer(
        short="\n".join(short).strip("\n"),
        see_also=tuple(see_also),
        details=tuple(details),
        body=_join(body),
    )


def take_references(answer: Answer) -> tuple[Answer, str]:
    """Move a closing 参考/参考资料 part out of the last answer of a file."""
    if not answer.details or answer.body.strip():
        last_is_reference = False
    else:
        last_is_reference = answer.details[-1].name.strip().lower() in REFERENCE_NAMES
    if not last_is_reference:
        return answer, ""
    refs = answer.details[-1].markdown
    return Answer(answer.short, answer.see_also, answer.details[:-1], answer.body), refs


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
        depth += len(_OPEN.findall(text)) - len(_CLOSE.findall(text))
        collected.append(text)
        index += 1
        if depth <= 0:
            break
    block = "\n".join(collected)
    summary = _SUMMARY.search(block)
    name = plain_text(summary.group(1)) if summary else ""
    inner = block[summary.end():] if summary else _DETAILS_OPEN.sub("", block, count=1)
    close = list(_CLOSE.finditer(inner))
    if close and depth <= 0:
        inner = inner[: close[-1].start()] + inner[close[-1].end():]
    return DetailsPart(name or DEFAULT_DETAILS_NAME, _join(inner.split("\n")), number), index


def _join(lines: list[str]) -> str:
    text = textwrap.dedent("\n".join(lines))
    return text.strip("\n")
