"""Question lists: a note that collects interview questions as list items under headings
(`## Transformer` / `- 详述**多头注意力机制**`) rather than as headings with answers.

The rule, so that an ordinary note whose sections hold lists of facts is never read as one:
- the note has no heading questions;
- every section with content holds one list and nothing else: top-level items of one line
  each (no text, code, nested items or continuation lines; blank lines and rules allowed);
- at least half of the items read as prompts: they ask (`?`), or use a prompting word
  (详述, 原理, 区别, 怎么, vs, explain...), and do not end like a sentence (`。`, `；`).
Then each item is an unanswered question in the section above it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace

from qadeck.model import Answer
from qadeck.parser.answer import is_filler
from qadeck.parser.drafts import NoteDraft, QuestionDraft
from qadeck.parser.heading import github_anchor, read_heading, reads_as_question
from qadeck.parser.scan import Scan

_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d+[.)])[ \t]+(\S.*?)\s*$")
_PROMPT = re.compile(
    r"详述|简述|概述|介绍|解释|说明|说说|谈谈|讲讲|讲一下|描述|比较|对比|区别|异同|原理|作用|为什么|为何|"
    r"怎么|怎样|如何|什么|哪些|是否|能否|推导|手写|实现|优缺点|优劣|演进"
    r"|\bvs\.?\b|\bexplain\b|\bdescribe\b|\bcompare\b|\bwhy\b|\bhow\b|\bwhat\b|\bdifference", re.I)
_SENTENCE_END = re.compile(r"[。；;.!！]\s*$")
MAX_PROMPT = 80  # characters: a prompt is short; a longer item is a statement


def reads_as_prompt(text: str) -> bool:
    plain = read_heading(text).text
    if not plain or len(plain) > MAX_PROMPT or _SENTENCE_END.search(plain):
        return False
    return reads_as_question(plain) or bool(_PROMPT.search(plain))


def list_questions(draft: NoteDraft, scanned: Scan) -> None:
    """Turn the items of a question list into questions (see the module's rule); else nothing."""
    if draft.questions or not draft.sections:
        return
    starts = sorted(h.line for h in scanned.headings)
    found: list[tuple[int, list[tuple[int, str]]]] = []  # section index, its items
    for index, section in enumerate(draft.sections):
        following = bisect_right(starts, section.line)
        end = starts[following] - 1 if following < len(starts) else len(scanned.lines)
        items = _items(scanned, section.line + 1, end)
        if items is None:
            return
        if items:
            found.append((index, items))
    every = [text for _, items in found for _, text in items]
    if not every or 2 * sum(reads_as_prompt(t) for t in every) < len(every):
        return
    for index, items in found:
        section = draft.sections[index]
        draft.sections[index] = replace(section, intro="", intro_line=0)  # the items are the content now
        level = min(section.level + 1, 6)
        for line, text in items:
            draft.questions.append(QuestionDraft(read_heading(text), Answer(), line, level,
                                                 github_anchor(text), None, section.path, None))


def _items(scanned: Scan, first: int, last: int) -> list[tuple[int, str]] | None:
    """The one-line items of a section made of a list alone; None when it holds anything else."""
    items: list[tuple[int, str]] = []
    for number in range(first, last + 1):
        if scanned.hidden[number - 1]:
            continue
        text = scanned.lines[number - 1]
        if is_filler(text):
            continue
        item = _ITEM.match(text)
        if scanned.code[number - 1] or item is None:
            return None
        items.append((number, item.group(1)))
    return items
