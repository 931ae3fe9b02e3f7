"""Coding-problem notes: an info block naming the problem (`source`, `level`, `number`, `name`,
`tags`, `companies`), a `> [title](url)` line, a `<summary><b>问题简述</b></summary>` statement and
one `<summary>` per approach (思路1: ..., 总结), code folded in `<details>` by language, and a
generated `relate` block listing related problems by topic.

The `<summary>` lines stand alone (no `<details>` around them): they split the note into parts.
An approach may also be written as a whole `<details><summary>思路</summary>...</details>`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from qadeck import codes
from qadeck.gfm.lexical import INLINE_LINK, link_target
from qadeck.model import Answer, Approach, Code, Related
from qadeck.parser.answer import first_line, markdown_of
from qadeck.parser.heading import plain_text
from qadeck.parser.scan import Scan
from qadeck.parser.source import LineDiagnostic
from qadeck.parser.yamlsafe import YAML_ERRORS, bounded, load_yaml

_SUMMARY = re.compile(r"^\s*<summary\b[^>]*>(.*?)</summary>\s*$", re.I)
_WRAPPED = re.compile(r"^\s*<details\b[^>]*>\s*<summary\b[^>]*>(.*?)</summary>\s*$", re.I)
_OPEN = re.compile(r"<details\b", re.I)
_CLOSE = re.compile(r"</details\s*>", re.I)
_FENCE = re.compile(r"^\s*(?:`{3,}|~{3,})\s*([\w+#.-]*)")
_FENCE_END = re.compile(r"^\s*(?:`{3,}|~{3,})\s*$")
# `> [牛客网](https://...)`: the problem online. Link words may hold one level of brackets.
_URL_LINE = re.compile(r"^\s*>\s*\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?(https?://[^\s<>]+?)>?\s*\)\s*$")
_RELATE_START = re.compile(r"<!--\s*START_SECTION:relate\s*-->")
_RELATE_END = re.compile(r"<!--\s*END_SECTION:relate\s*-->")
_EMPTY_QUOTE = re.compile(r"^\s*>\s*$")
STATEMENT_NAMES = frozenset({"问题简述", "题目", "题目描述", "问题描述", "问题", "描述",
                             "problem", "statement"})
_APPROACH_NAME = re.compile(r"^(?:思路|解法|方法|题解|approach|solution)", re.I)
LEVEL_WORDS = ("简单", "中等", "困难", "easy", "medium", "hard")

Lines = list[tuple[int, str]]


@dataclass
class ProblemDraft:
    """A problem as written; tags are normalised collection-wide (`taginfo`)."""

    name: str
    level: str
    source: str
    number: str
    tags: list[str]
    companies: list[str]
    url: str | None = None
    related: list[Related] = field(default_factory=list)


def is_problem(scanned: Scan) -> bool:
    """An info block (or front matter) that names a problem's `source` and `level`."""
    info = _info(scanned)
    return bool(info.get("source") is not None and info.get("level") is not None)


def read_problem(scanned: Scan, raw: list[str], title: str, after: int,
                 diagnostics: list[LineDiagnostic]) -> tuple[ProblemDraft, Answer] | None:
    """The problem and its answer (statement and approaches) from the lines after the title
    heading (`after`, 1-based); None when the note is the empty template (placeholders only)."""
    info = _info(scanned)
    start, end = _relate_block(raw)
    lines = [(n, scanned.lines[n - 1]) for n in range(after + 1, len(raw) + 1)
             if not scanned.hidden[n - 1] and not (start <= n <= end)]
    parts = _Parts(scanned)
    for number, text in lines:
        parts.add(number, text)
    level = _text(info.get("level"))
    name = _text(info.get("name")) or title
    statement = parts.statement()
    approaches = tuple(_approach(scanned, name_, body, line) for name_, line, body in parts.approaches)
    if _placeholder_level(level) or (not _text(info.get("name")) and not statement.strip()
                                      and all(a.empty for a in approaches)):
        return None
    draft = ProblemDraft(name, level, _text(info.get("source")), _text(info.get("number")),
                         _texts(info.get("tags")), _texts(info.get("companies")), parts.url,
                         _related(raw, start, end))
    answer = Answer(statement=statement, statement_line=parts.statement_line(), approaches=approaches)
    if not approaches:
        diagnostics.append(LineDiagnostic(after, "info", codes.PROBLEM_NO_APPROACH,
                                          "problem has no approach (<summary><b>思路</b></summary>) yet"))
    return draft, answer


class _Parts:
    """Splits the lines at standalone `<summary>` lines (outside `<details>` and code)."""

    def __init__(self, scanned: Scan) -> None:
        self.code = scanned.code
        self.depth = 0
        self.url: str | None = None
        self.before: Lines = []  # under the title, before the first <summary>
        self.statement_lines: Lines = []
        self.approaches: list[tuple[str, int, Lines]] = []  # name, line, lines
        self.current: Lines = self.before
        self.wrapped = 0  # depth of the <details> an approach is wrapped in (0: none)

    def add(self, number: int, text: str) -> None:
        if self.code[number - 1]:
            self.current.append((number, text))
            return
        if self.depth == 0 and self._starts_part(number, text):
            return
        if self.depth == 0 and not self.approaches and self.url is None:
            found = _URL_LINE.match(text)
            if found:
                self.url = found.group(1)
                return
        if self.depth == 0 and not self.approaches and _EMPTY_QUOTE.match(text):
            return  # the template's `> <url/>` left empty
        opened, closed = len(_OPEN.findall(text)), len(_CLOSE.findall(text))
        self.depth = max(0, self.depth + opened - closed)
        if self.wrapped and self.depth < self.wrapped:  # the wrapped approach's </details>
            self.wrapped = 0
            rest = _CLOSE.sub("", text, count=1).strip()
            if rest:
                self.current.append((number, rest))
            return
        self.current.append((number, text))

    def _starts_part(self, number: int, text: str) -> bool:
        if "<summary" not in text.lower():
            return False
        bare = _SUMMARY.match(text)
        wrapped = None if bare else _WRAPPED.match(text)
        name = plain_text((bare or wrapped).group(1)) if (bare or wrapped) else ""
        if wrapped and not _APPROACH_NAME.match(name):
            return False  # a folded part (详细描述, a language) inside the current part
        if not bare and not wrapped:
            return False
        if bare and name.lower() in STATEMENT_NAMES and not self.statement_lines and not self.approaches:
            self.current = self.statement_lines
            self.statement_lines.append((number, ""))  # marks the statement as begun
            return True
        self.current = []
        self.approaches.append((name, number, self.current))
        if wrapped:
            self.depth, self.wrapped = 1, 1
        return True

    def statement(self) -> str:
        return markdown_of(self.before + self.statement_lines)

    def statement_line(self) -> int:
        return first_line(self.before + self.statement_lines)


def _approach(scanned: Scan, name: str, lines: Lines, line: int) -> Approach:
    return Approach(name, markdown_of(lines), line, first_line(lines), tuple(_code(scanned, lines)))


def _code(scanned: Scan, lines: Lines) -> list[Code]:
    """Each fenced block and the name of the `<details>` it is folded in."""
    names: list[str] = []
    found: list[Code] = []
    in_fence = False
    for number, text in lines:
        if scanned.code[number - 1]:
            if not in_fence:
                fence = _FENCE.match(text)
                language = fence.group(1).lower() if fence else ""
                found.append(Code(names[-1] if names else "", language, number))
                in_fence = True
            elif _FENCE_END.match(text):
                in_fence = False
            continue
        in_fence = False
        for _ in _CLOSE.findall(text):
            if names:
                names.pop()
        wrapped = _WRAPPED.match(text)
        if wrapped:
            names.append(plain_text(wrapped.group(1)))
        elif _OPEN.search(text):
            names.append("")
    return found


def _relate_block(raw: list[str]) -> tuple[int, int]:
    """First and last line (1-based) of the generated `relate` block; (0, -1) when none."""
    start = next((i for i, text in enumerate(raw, 1) if _RELATE_START.search(text)), 0)
    if not start:
        return 0, -1
    end = next((i for i, text in enumerate(raw[start - 1:], start) if _RELATE_END.search(text)), len(raw))
    return start, end


def _related(raw: list[str], start: int, end: int) -> list[Related]:
    """Related problems by topic: `<summary>` lines name the topic, `> [words](href)` the problems."""
    found: list[Related] = []
    topic = ""
    for number in range(start, end + 1) if start else ():
        text = raw[number - 1]
        summary = re.search(r"<summary\b[^>]*>(.*?)</summary>", text, re.I)
        if summary:
            topic = plain_text(summary.group(1))
            continue
        if text.lstrip().startswith(">"):
            found.extend(Related(topic, m.group(2).strip(), link_target(m), number)
                         for m in INLINE_LINK.finditer(text) if link_target(m) and not m.group(1))
    return found


def _info(scanned: Scan) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for block in (scanned.front_matter, scanned.info):
        if block is None:
            continue
        try:
            data = load_yaml(block[0])
        except YAML_ERRORS:
            continue  # `meta` reports broken YAML
        if isinstance(data, dict) and bounded(data):
            values.update(data)
    return values


def _placeholder_level(level: str) -> bool:
    """`简单/中等/困难`: the template's list of choices, not a level."""
    parts = [p.strip().lower() for p in re.split(r"[/|,，、]", level)]
    return len(parts) > 1 and all(p in LEVEL_WORDS for p in parts)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _texts(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = re.split(r"[,，、;；|]", value)
    if not isinstance(value, (list, tuple)):
        value = [value]
    return list(dict.fromkeys(str(v).strip() for v in value if v is not None and str(v).strip()))
