"""One note's text to its sections and questions (ids and links are settled collection-wide)."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from qadeck.model import Answer, Keyword, NoteMeta, Section
from qadeck.parser.answer import markdown_of, split_closing
from qadeck.parser.heading import SECTION_MARKERS, HeadingText, github_anchor, read_heading, reads_as_question
from qadeck.parser.meta import read_keywords, read_meta
from qadeck.parser.scan import RawHeading, Scan, scan
from qadeck.parser.source import Problem

_QA_STEM = re.compile(r"(?:^|[_\-\s])(?:qa|q&a|面试题?)$", re.I)
_HREF = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?", re.M)  # [ref]: url
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^\s<>]+)>", re.I)
_HTML_REF = re.compile(r"<(img|a)\b[^>]*?\b(src|href)\s*=\s*['\"]([^'\"]+)['\"]", re.I)
_CODE_SPAN = re.compile(r"`[^`\n]*`")


@dataclass
class QuestionDraft:
    heading: HeadingText
    answer: Answer
    line: int
    level: int
    anchor: str
    parent: int | None  # index into NoteDraft.questions
    section: tuple[str, ...]
    pin: str | None
    id: str = ""


@dataclass
class NoteDraft:
    path: str
    title: str
    meta: NoteMeta
    keywords: tuple[Keyword, ...]
    sections: list[Section] = field(default_factory=list)
    questions: list[QuestionDraft] = field(default_factory=list)
    references: str = ""
    intro: str = ""
    raw_links: list[tuple[int, str, bool]] = field(default_factory=list)  # line, href, is image
    anchors: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # -> heading, qindex
    problems: list[Problem] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return self.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


@dataclass
class _Node:
    raw: RawHeading
    head: HeadingText
    parent: int | None
    children: list[int] = field(default_factory=list)
    kind: str = ""  # title | section | question | part


def read_note(path: str, text: str, problems: list[Problem]) -> NoteDraft:
    scanned = scan(text)
    problems.extend(scanned.problems)
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    nodes = _tree(scanned.headings)
    title = _title(scanned, nodes, stem)
    pins = _pins(scanned, nodes)
    _classify(nodes, bool(_QA_STEM.search(stem)), pins)
    draft = NoteDraft(path, title, read_meta(scanned, problems), read_keywords(scanned))
    _fill(draft, scanned, nodes, pins)
    draft.problems = problems
    return draft


def _tree(headings: list[RawHeading]) -> list[_Node]:
    nodes: list[_Node] = []
    stack: list[int] = []
    for raw in headings:
        while stack and nodes[stack[-1]].raw.level >= raw.level:
            stack.pop()
        parent = stack[-1] if stack else None
        nodes.append(_Node(raw, read_heading(raw.text), parent))
        if parent is not None:
            nodes[parent].children.append(len(nodes) - 1)
        stack.append(len(nodes) - 1)
    return nodes


def _title(scanned: Scan, nodes: list[_Node], stem: str) -> str:
    if scanned.title:
        return read_heading(scanned.title[0]).text or stem
    if nodes and nodes[0].raw.level == 1:
        nodes[0].kind = "title"
        return nodes[0].head.text or stem
    return stem


def _definite(node: _Node, pinned: bool) -> str:
    if reads_as_question(node.head.text):
        return "question"
    if set(node.head.markers) & SECTION_MARKERS:
        return "section"
    if node.head.markers or pinned:
        return "question"
    return ""


def _classify(nodes: list[_Node], qa_note: bool, pins: dict[int, str]) -> None:
    """Sections, questions and sub-headings of answers; see README.md, "The notes dialect"."""
    definite = [_definite(n, i in pins) if n.kind != "title" else "title" for i, n in enumerate(nodes)]
    levels = [n.raw.level for n, d in zip(nodes, definite, strict=True) if d == "question"]
    qa_level = min(levels) if levels else None
    for index, node in enumerate(nodes):
        if node.kind == "title":
            continue
        node.kind = definite[index] or _ambiguous(nodes, definite, index, qa_note, qa_level)


def _ambiguous(nodes: list[_Node], definite: list[str], index: int, qa_note: bool,
               qa_level: int | None) -> str:
    node = nodes[index]
    siblings = nodes[node.parent].children if node.parent is not None else [
        i for i, n in enumerate(nodes) if n.parent is None]
    if any(definite[s] == "question" for s in siblings if s != index):
        return "question"
    parent_kind = nodes[node.parent].kind if node.parent is not None else ""
    if parent_kind in ("question", "part"):
        return "question" if _has_question_below(nodes, definite, index) else "part"
    if qa_note and not node.children and qa_level is not None and node.raw.level >= qa_level:
        return "question"  # a bare heading among the questions of a Q&A note
    return "section"


def _has_question_below(nodes: list[_Node], definite: list[str], index: int) -> bool:
    return any(definite[c] == "question" or _has_question_below(nodes, definite, c)
               for c in nodes[index].children)


def _pins(scanned: Scan, nodes: list[_Node]) -> dict[int, str]:
    """Heading index -> pinned id, for a `<!-- qid: ... -->` right under the heading."""
    found: dict[int, str] = {}
    for index, node in enumerate(nodes):
        line = node.raw.line + 1
        while line <= len(scanned.lines) and not scanned.hidden[line - 1] \
                and not scanned.lines[line - 1].strip():
            line += 1
        if line in scanned.pins:
            found[index] = scanned.pins[line]
    return found


def _fill(draft: NoteDraft, scanned: Scan, nodes: list[_Node], pins: dict[int, str]) -> None:
    structural = [i for i, n in enumerate(nodes) if n.kind != "part"]
    bounds = [nodes[i].raw.line for i in structural] + [len(scanned.lines) + 1]
    first = bounds[0] if structural else len(scanned.lines) + 1
    draft.intro = markdown_of(_visible(scanned, 1, first - 1))
    qindex: dict[int, int] = {}
    for position, index in enumerate(structural):
        node = nodes[index]
        lines = _visible(scanned, node.raw.line + 1, bounds[position + 1] - 1)
        anchor = github_anchor(node.raw.text)
        draft.anchors.setdefault(anchor, (node.head.text, None))
        if node.kind == "title":
            continue
        path = _section_path(nodes, index)
        answer, references = split_closing(lines, closing=position == len(structural) - 1)
        draft.references = draft.references or references
        if node.kind == "section":
            intro = markdown_of(lines) if not references else markdown_of(lines[: _before_refs(lines)])
            draft.sections.append(Section(node.head.text, node.head.markdown, node.raw.level,
                                          node.raw.line, path + (node.head.text,), anchor, intro))
            continue
        parent = _question_parent(nodes, index)
        qindex[index] = len(draft.questions)
        draft.anchors[anchor] = (node.head.text, str(len(draft.questions)))
        draft.questions.append(QuestionDraft(
            node.head, answer, node.raw.line, node.raw.level, anchor,
            qindex.get(parent) if parent is not None else None, path, pins.get(index)))
    for node in nodes:
        if node.kind == "part":
            draft.anchors.setdefault(github_anchor(node.raw.text), (node.head.text, None))
    draft.raw_links = _keyword_links(scanned) + _links(scanned)


def _before_refs(lines: list[tuple[int, str]]) -> int:
    """Index of the last `<details>` opening line: where a closing 参考 part starts."""
    return max(i for i, (_, text) in enumerate(lines) if text.lstrip().lower().startswith("<details"))


def _visible(scanned: Scan, first: int, last: int) -> list[tuple[int, str]]:
    return [(n, scanned.lines[n - 1]) for n in range(first, last + 1) if not scanned.hidden[n - 1]]


def _section_path(nodes: list[_Node], index: int) -> tuple[str, ...]:
    path: list[str] = []
    parent = nodes[index].parent
    while parent is not None:
        if nodes[parent].kind == "section":
            path.append(nodes[parent].head.text)
        parent = nodes[parent].parent
    return tuple(reversed(path))


def _question_parent(nodes: list[_Node], index: int) -> int | None:
    parent = nodes[index].parent
    while parent is not None and nodes[parent].kind != "question":
        if nodes[parent].kind == "section":
            return None
        parent = nodes[parent].parent
    return parent


def _keyword_links(scanned: Scan) -> list[tuple[int, str, bool]]:
    return [(number, m.group(1), False) for number, text in scanned.keywords for m in _HREF.finditer(text)]


def _links(scanned: Scan) -> list[tuple[int, str, bool]]:
    """Links and images in visible text outside code, with their line numbers."""
    lines = ["" if hidden or code else line
             for line, hidden, code in zip(scanned.lines, scanned.hidden, scanned.code, strict=True)]
    text = "\n".join(lines)
    if "](" not in text and "<" not in text and "]:" not in text:
        return []
    text = _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text)  # keep offsets, drop code spans
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    found = [(bisect_right(starts, m.start()), m.group(1), m.group(0).startswith("!"))
             for m in _HREF.finditer(text)]
    found += [(bisect_right(starts, m.start()), m.group(3), m.group(1).lower() == "img")
              for m in _HTML_REF.finditer(text)]
    found += [(bisect_right(starts, m.start()), m.group(1), False)
              for pattern in (_DEFINITION, _AUTOLINK) for m in pattern.finditer(text)]
    return sorted(found, key=lambda item: item[0])
