"""A note's headings as a tree, and what each one is: the title, a section, a question, a part of
an answer, or (cards = "topics") a topic card or a heading that says why it makes none."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qadeck.model import Outline
from qadeck.parser.heading import SECTION_MARKERS, HeadingText, read_heading, reads_as_question
from qadeck.parser.scan import RawHeading, Scan
from qadeck.parser.topics import FRONT_PAGE, verdict


@dataclass
class Node:
    raw: RawHeading
    head: HeadingText
    parent: int | None
    children: list[int] = field(default_factory=list)
    kind: str = ""  # title | section | question | part | topic
    why: str = ""  # why a heading makes no card (cards = "topics")


def tree(headings: list[RawHeading]) -> list[Node]:
    """The headings as a tree by their levels; where the numbering says a heading comes after the
    one its level puts it under (`# 4.XLNet` … `### 5.AR和AE`), it is that heading's sibling."""
    nodes: list[Node] = []
    stack: list[int] = []
    for raw in headings:
        head = read_heading(raw.text)
        number = _number(head.numbering)
        while stack and (nodes[stack[-1]].raw.level >= raw.level
                         or _follows(number, _number(nodes[stack[-1]].head.numbering))):
            stack.pop()
        parent = stack[-1] if stack else None
        nodes.append(Node(raw, head, parent))
        if parent is not None:
            nodes[parent].children.append(len(nodes) - 1)
        stack.append(len(nodes) - 1)
    return nodes


_DOTTED = re.compile(r"^(\d+(?:\.\d+)*)\.?$")


def _number(numbering: str) -> tuple[int, ...]:
    """`1.2.` as (1, 2); () for no numbering or another style (`（1）`)."""
    match = _DOTTED.match(numbering)
    return tuple(int(part) for part in match.group(1).split(".")) if match else ()


def _follows(number: tuple[int, ...], above: tuple[int, ...]) -> bool:
    """Whether a heading numbered `number` comes after one numbered `above` at its own depth
    (`5.` after `4.`, `2.3` after `2.2`), so it cannot sit under it. Numbering that starts over
    (`1.` under `2.`) can."""
    depth = len(number)
    if not number or len(above) < depth:
        return False
    return number[:-1] == above[:depth - 1] and number[-1] > above[depth - 1]


def lone_top(nodes: list[Node]) -> bool:
    first = nodes[0]
    return not reads_as_question(first.head.text) and not first.head.markers \
        and not any(n.raw.level <= first.raw.level for n in nodes[1:])


def _definite(node: Node, pinned: bool) -> str:
    if reads_as_question(node.head.text):
        return "question"
    if set(node.head.markers) & SECTION_MARKERS:
        return "section"
    if node.head.markers or pinned:
        return "question"
    return ""


Own = dict[int, tuple[list[tuple[int, str]], set[int]]]  # node index -> its own lines, code lines


def own_lines(scanned: Scan, nodes: list[Node]) -> Own:
    """Each heading's own visible lines, up to the next heading of any level, and which are code."""
    bounds = [n.raw.line for n in nodes] + [len(scanned.lines) + 1]
    own: Own = {}
    for index, node in enumerate(nodes):
        lines = visible(scanned, node.raw.line + 1, bounds[index + 1] - 1)
        own[index] = (lines, {n for n, _ in lines if scanned.code[n - 1]})
    return own


def classify(nodes: list[Node], qa_note: bool, pins: dict[int, str], topics: Own | None = None,
             front: bool = False) -> None:
    """Sections, questions and sub-headings of answers; see README.md, "The notes dialect". With
    `topics` (each heading's own lines), a heading that is no question for sure becomes a topic
    when its own section explains something, else a section that says why it makes no card."""
    definite = [_definite(n, i in pins) if n.kind != "title" else "title" for i, n in enumerate(nodes)]
    levels = [n.raw.level for n, d in zip(nodes, definite, strict=True) if d == "question"]
    qa_level = min(levels) if levels else None
    for index, node in enumerate(nodes):
        if node.kind == "title":
            continue
        node.kind = definite[index] or _ambiguous(nodes, definite, index, qa_note, qa_level)
        if topics is not None and not definite[index] and node.kind != "part":
            lines, code = topics[index]
            node.why = FRONT_PAGE if front else verdict(node.head.text, lines, code, bool(node.children))
            node.kind = "section" if node.why else "topic"


def _ambiguous(nodes: list[Node], definite: list[str], index: int, qa_note: bool,
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


def _has_question_below(nodes: list[Node], definite: list[str], index: int) -> bool:
    return any(definite[c] == "question" or _has_question_below(nodes, definite, c)
               for c in nodes[index].children)


def outline_of(scanned: Scan, nodes: list[Node]) -> list[Outline]:
    """What each heading became, and why a heading makes no card."""
    title = scanned.title
    out = [Outline(title[1], 1, read_heading(title[0]).text, "title")] if title else []
    for index, node in enumerate(nodes):
        why = node.why
        if node.kind == "part":
            above = question_parent(nodes, index)
            why = f"part of the answer to: {nodes[above].head.text}" if above is not None else ""
        elif node.kind == "section" and not why:
            why = "marked as a section" if set(node.head.markers) & SECTION_MARKERS else ""
        out.append(Outline(node.raw.line, node.raw.level, node.head.text, node.kind, why))
    return out


def section_path(nodes: list[Node], index: int) -> tuple[str, ...]:
    path: list[str] = []
    parent = nodes[index].parent
    while parent is not None:
        if nodes[parent].kind == "section":
            path.append(nodes[parent].head.text)
        parent = nodes[parent].parent
    return tuple(reversed(path))


def context_of(nodes: list[Node], index: int) -> tuple[str, ...]:
    """The headings above a heading, outermost first, the note's title left out."""
    path: list[str] = []
    parent = nodes[index].parent
    while parent is not None:
        if nodes[parent].kind != "title":
            path.append(nodes[parent].head.text)
        parent = nodes[parent].parent
    return tuple(reversed(path))


def question_parent(nodes: list[Node], index: int) -> int | None:
    parent = nodes[index].parent
    while parent is not None and nodes[parent].kind not in ("question", "topic"):
        if nodes[parent].kind == "section":
            return None
        parent = nodes[parent].parent
    return parent

def visible(scanned: Scan, first: int, last: int) -> list[tuple[int, str]]:
    return [(n, scanned.lines[n - 1]) for n in range(first, last + 1) if not scanned.hidden[n - 1]]
