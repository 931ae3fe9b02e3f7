"""Reading one heading line: numbering, marker emoji, plain text, GitHub anchor."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from qadeck.gfm.holding import Placeholders
from qadeck.gfm.lexical import MATH

# Markers seen in the notes and listed in the seed's legend. 🏷️ and 🔖 mark sections.
KNOWN_MARKERS = (
    "🔥", "✅", "❌", "⭕", "❓", "✔️", "☑️", "⚠️", "⏳", "🔄", "⬆️", "⬇️", "⬅️", "➡️", "↔️",
    "📌", "📍", "🔖", "🏷️", "💡", "📝",
)
SECTION_MARKERS = frozenset({"🏷️", "🔖"})
_VS16 = "\ufe0f"
_MARKER_CHARS = frozenset("".join(KNOWN_MARKERS).replace(_VS16, ""))
# Numbering: `1. `, `1.1 `, `1.2.3. `, `1) `; and as other notes write it: `1.概述` (a dot, then no
# digit), `1.2总结` (CJK right after), `（1）`, `(1)`, `1）`, `1、`, `一、`, `1-1 `, `Q1:`. A bare
# number (`2021 年`) or a decimal (`1.5B`) is no numbering.
_NUMBER = (r"(?:\d+(?:\.\d+)*\.(?=\s)|\d+(?:\.\d+)+(?=\s)|\d+(?:\.\d+)*\.(?=[^\d\s.])"
           r"|\d+(?:\.\d+)+(?=[\u3400-\u9fff*_])|[（(]\d{1,3}[)）]|\d{1,3}[)）、]|[一二三四五六七八九十]{1,3}、"
           r"|\d{1,3}(?:-\d{1,3})+(?=[\s\u3400-\u9fffA-Za-z])|Q\d{1,3}[.:：、])")
_NUMBERING = re.compile(rf"^{_NUMBER}\s*")
# Numbering inside emphasis: `**1. 概述**` or `**1.** 概述` (the emphasis stays, the number goes).
_EMPHASIZED_NUMBERING = re.compile(rf"^(\*\*|__|\*|_)({_NUMBER})(?:(?P<closed>\1)\s*|\s*)")
# A Q&A label before the words: `QA：`, `Q:` (`8.3 QA：` alone names the group "QA").
_LABEL = re.compile(r"^(QA|Q&A|Q)\s*[:：]\s*")
_QUESTION_END = re.compile(r"[?？]\s*+(?:\([^()]*\)|（[^（）]*）)?\s*$")
_LINK = re.compile(r"!?\[([^\[\]]*)\]\((?:[^()]|\([^()]*\))*\)")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")
# Emphasis, code and strike marks that open and close around text; a lone `*` as in `(*)` stays.
_EMPHASIS = re.compile(r"(\*\*|__|~~|\*|`)(?=\S)(.+?)(?<=\S)\1")
# Chinese question words: a heading that holds one asks, unless it names a part (`第三部分：…`).
_ASKS = re.compile(r"哪些|哪个|哪种|如何|为什么|为何|怎么|怎样|是否|是什么|什么是|有什么|有何|[吗呢]\s*$")
_PART_LABEL = re.compile(r"^第\s*[\d一二三四五六七八九十百]+\s*[部分章节篇讲课]")
_MARKUP_CHARS = frozenset("*_`~[]<$&\\")
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


@dataclass(frozen=True)
class HeadingText:
    markdown: str  # inline Markdown without numbering and markers
    text: str  # plain text
    markers: tuple[str, ...]
    numbering: str


def read_heading(raw: str) -> HeadingText:
    rest = raw.strip()
    markers: list[str] = []
    numbering = ""
    while True:
        number = _NUMBERING.match(rest)
        if number:
            numbering = numbering or number.group(0).strip()
            rest = rest[number.end():]
            continue
        number = _EMPHASIZED_NUMBERING.match(rest)
        if number and (number.group("closed") or rest[number.end():]):
            numbering = numbering or number.group(2)
            rest = ("" if number.group("closed") else number.group(1)) + rest[number.end():]
            continue
        label = _LABEL.match(rest)
        if label:
            rest = rest[label.end():] or label.group(1)
            continue
        marker = _leading_marker(rest)
        if marker:
            markers.append(_canonical(marker))
            rest = rest[len(marker):].lstrip()
            continue
        break
    return HeadingText(rest, plain_text(rest), tuple(markers), numbering)


def _leading_marker(text: str) -> str:
    if not text:
        return ""
    char = text[0]
    if char not in _MARKER_CHARS and unicodedata.category(char) != "So":
        return ""
    end = 1
    while end < len(text) and text[end] in (_VS16, "\u200d"):
        end += 2 if text[end] == "\u200d" else 1  # a joiner glues the next emoji on
    return text[:end]


def _canonical(marker: str) -> str:
    core = marker.strip(" *_").replace(_VS16, "")
    for known in KNOWN_MARKERS:
        if known.replace(_VS16, "") == core:
            return known
    return core


def plain_text(markdown: str) -> str:
    """Inline Markdown to plain text: links to their text, emphasis, code marks and tags gone."""
    if not _MARKUP_CHARS.intersection(markdown):
        return " ".join(markdown.split())
    maths = Placeholders(markdown)
    text = MATH.sub(lambda m: maths.hold(m.group(0)), markdown) if "$" in markdown else markdown
    if "\\" in text:  # `\_`, `\*`: the character itself, never a mark
        text = _ESCAPED.sub(lambda m: maths.hold(m.group(1)), text)
    if "[" in text:
        text = _LINK.sub(r"\1", text)
    if "<" in text:
        text = _TAG.sub("", text)
    while True:  # nested marks (`***x***`, `**a *b***`) come off one pair at a time
        text, count = _EMPHASIS.subn(r"\2", text)
        if not count:
            break
    if "&" in text:
        text = html.unescape(text)  # `&#x20;`, `&amp;` as the words they stand for
    return " ".join(maths.restore(text).split())


def reads_as_question(text: str) -> bool:
    """Ends in ?/？ (a trailing parenthesis allowed), or asks one mid-heading: `…? 与…的优劣`, or
    asks without the mark: `LangChain 包含哪些核心模块`, `如何…`, `为什么…`, `…吗`."""
    if _QUESTION_END.search(text):
        return True
    if "?" in MATH.sub("", re.sub(r"`[^`]*`", "", text)) or "？" in text:
        return True
    return bool(_ASKS.search(text)) and not _PART_LABEL.match(text)


_ANCHOR_DROP = re.compile(r"[^\w\- \u0300-\u036f\u20d0-\u20ff\ufe00-\ufe0f]")


def github_anchor(raw: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to '-'."""
    text = _LINK.sub(r"\1", raw.strip()) if "](" in raw else raw.strip()  # a link counts by its words
    return _ANCHOR_DROP.sub("", _TAG.sub("", text).lower()).replace(" ", "-")


def anchor_key(anchor: str) -> str:
    """A loose form of an anchor for matching links written by other tools."""
    return "".join(ch for ch in anchor.lower() if unicodedata.category(ch)[0] in "LN")
