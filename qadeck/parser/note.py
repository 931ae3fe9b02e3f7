"""One note's text to its sections and questions (ids and links are settled collection-wide)."""

from __future__ import annotations

import re
from bisect import bisect_right

from qadeck import codes
from qadeck.gfm.lexical import INLINE_LINK, MATH, link_target
from qadeck.model import Footnote, NoteMeta, Section, file_stem
from qadeck.parser.answer import first_line, markdown_of, split_closing
from qadeck.parser.drafts import NoteDraft, QuestionDraft
from qadeck.parser.heading import HeadingText, github_anchor, read_heading
from qadeck.parser.lists import list_questions
from qadeck.parser.meta import read_keywords, read_meta
from qadeck.parser.outline import (
    Node,
    classify,
    context_of,
    lone_top,
    outline_of,
    own_lines,
    question_parent,
    section_path,
    tree,
    visible,
)
from qadeck.parser.problem import is_problem, read_problem
from qadeck.parser.scan import RawHeading, Scan, scan
from qadeck.parser.source import LineDiagnostic
from qadeck.parser.template import is_template
from qadeck.parser.topics import CARDS, QUESTIONS, TOPICS, front_page

_QA_STEM = re.compile(r"(?:^|[_\-\s])(?:qa|q&a|面试题?)$", re.I)
# A link target: `<with spaces>`, or text whose parentheses balance (`./链表相加(二).md`).
# Link words may hold one level of brackets: `[[中等, 牛客] 链表相加(二)](./链表相加(二).md)`.
_DEFINITION = re.compile(r"^ {0,3}\[(?!\^)[^\[\]\n]+\]:\s*<?([^\s>]+)>?", re.M)  # [ref]: url, not [^1]: note
# Math is never a link: `$S[\pi_\theta](s_t)$` reads like one.
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^\s<>]+)>", re.I)
_HTML_REF = re.compile(r"<(img|a)\b[^<>]*?\b(src|href)\s*=\s*['\"]([^'\"<>]+)['\"]", re.I)
_CODE_SPAN = re.compile(r"`[^`\n]*`")


def read_note(path: str, text: str, diagnostics: list[LineDiagnostic], cards: str = QUESTIONS) -> NoteDraft:
    scanned = scan(text)
    diagnostics.extend(scanned.diagnostics)
    stem = file_stem(path)
    nodes = tree(scanned.headings)
    meta = read_meta(scanned, diagnostics)
    title = _title(scanned, nodes, stem, meta)
    pins = _pins(scanned, nodes)
    topics = own_lines(scanned, nodes) if _cards(meta, cards, scanned, diagnostics) == TOPICS else None
    classify(nodes, bool(_QA_STEM.search(stem)), pins, topics, front_page(path))
    draft = NoteDraft(path, title, meta, read_keywords(scanned), template=is_template(stem, scanned))
    if draft.template:
        return draft
    if is_problem(scanned):
        if not _problem(draft, scanned, text, nodes, pins, diagnostics):
            draft.template = True  # the problem template: placeholders only
            return draft
    else:
        _fill(draft, scanned, nodes, pins)
        if not draft.questions:
            list_questions(draft, scanned)
    draft.footnotes = tuple(Footnote(label, markdown_of([(line, t) for t in text]), line)
                            for label, line, text in scanned.footnotes)
    draft.diagnostics = diagnostics
    return draft


def _problem(draft: NoteDraft, scanned: Scan, text: str, nodes: list[Node], pins: dict[int, str],
             diagnostics: list[LineDiagnostic]) -> bool:
    """A coding-problem note: one question, the problem (see `problem`). False for the template."""
    if scanned.title:
        after, level, title = scanned.title[1] + 1, 1, read_heading(scanned.title[0]).text
    elif nodes:  # the first heading, at any level, names the problem
        after, level, title = nodes[0].raw.line, nodes[0].raw.level, nodes[0].head.text
    else:
        after, level, title = 0, 1, draft.title
    read = read_problem(scanned, text.split("\n"), title, after, diagnostics)
    if read is None:
        return False
    draft.problem, answer = read
    name = draft.problem.name
    draft.title = title or name
    slugs = _slugs(scanned)
    anchor = slugs.get(after, github_anchor(name))
    heading = HeadingText(as_markdown(name), name, (), "")
    pin = pins.get(0) if nodes and not scanned.title else None
    draft.questions.append(QuestionDraft(heading, answer, max(after, 1), level, anchor, None, (), pin,
                                         kind="problem"))
    draft.anchors[anchor] = (name, "0")
    for raw in _all_headings(scanned):
        draft.anchors.setdefault(slugs[raw.line], (read_heading(raw.text).text, None))
    draft.raw_links = _keyword_links(scanned) + _links(scanned)
    return True


_MD_SPECIAL = re.compile(r"([\\`*_\[\]])")


def as_markdown(text: str) -> str:
    """Plain text as inline Markdown that shows it as written (`<b>` too, not as a tag)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", escaped)


def _title(scanned: Scan, nodes: list[Node], stem: str, meta: NoteMeta) -> str:
    """The setext title, else a `#` heading first in the file, else a first heading alone at the
    top of the outline (`## 链表相加(二)` over `###` parts), else the info block's name/title."""
    named = dict(meta.extra)
    fallback = named.get("name") or named.get("title") or stem
    if scanned.title:
        return read_heading(scanned.title[0]).text or fallback
    if nodes and (nodes[0].raw.level == 1 or lone_top(nodes)):
        nodes[0].kind = "title"
        return nodes[0].head.text or fallback
    return fallback


def _cards(meta: NoteMeta, cards: str, scanned: Scan, diagnostics: list[LineDiagnostic]) -> str:
    """The note's `cards` setting: its front matter's, else the configured one."""
    own = dict(meta.extra).get("cards")
    if own is None:
        return cards
    if own.strip().lower() in CARDS:
        return own.strip().lower()
    line = (scanned.front_matter or scanned.info or ("", 1))[1]
    diagnostics.append(LineDiagnostic(line, "warning", codes.META_CARDS,
                                      f'cards must be "questions" or "topics", not {own!r}; '
                                      f'"{cards}" is used'))
    return cards


def _pins(scanned: Scan, nodes: list[Node]) -> dict[int, str]:
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


def _fill(draft: NoteDraft, scanned: Scan, nodes: list[Node], pins: dict[int, str]) -> None:
    structural = [i for i, n in enumerate(nodes) if n.kind != "part"]
    bounds = [nodes[i].raw.line for i in structural] + [len(scanned.lines) + 1]
    first = bounds[0] if structural else len(scanned.lines) + 1
    head = visible(scanned, 1, first - 1)
    draft.intro, draft.intro_line = markdown_of(head), first_line(head)
    slugs = _slugs(scanned)
    qindex: dict[int, int] = {}
    for position, index in enumerate(structural):
        node = nodes[index]
        lines = visible(scanned, node.raw.line + 1, bounds[position + 1] - 1)
        anchor = slugs[node.raw.line]
        if node.kind == "title":
            continue
        path = section_path(nodes, index)
        answer, references = split_closing(lines, closing=position == len(structural) - 1)
        draft.references = draft.references or references
        if node.kind == "section":
            own = lines if not references else lines[: _before_refs(lines)]
            draft.sections.append(Section(node.head.text, node.head.markdown, node.raw.level,
                                          node.raw.line, path + (node.head.text,), anchor,
                                          markdown_of(own), first_line(own)))
            continue
        parent = question_parent(nodes, index)
        qindex[index] = len(draft.questions)
        draft.anchors[anchor] = (node.head.text, str(len(draft.questions)))
        topic = node.kind == "topic"
        draft.questions.append(QuestionDraft(
            node.head, answer, node.raw.line, node.raw.level, anchor,
            qindex.get(parent) if parent is not None else None, path, pins.get(index),
            kind="topic" if topic else "question", context=context_of(nodes, index) if topic else ()))
    for heading in _all_headings(scanned):
        draft.anchors.setdefault(slugs[heading.line], (read_heading(heading.text).text, None))
    draft.raw_links = _keyword_links(scanned) + _links(scanned)
    draft.outline = outline_of(scanned, nodes)


def _all_headings(scanned: Scan) -> list[RawHeading]:
    """Every heading GitHub renders, in document order: title, outline, and the ones in raw HTML."""
    title = [RawHeading(scanned.title[1], 1, scanned.title[0])] if scanned.title else []
    return sorted(title + scanned.headings + scanned.anchor_headings, key=lambda h: h.line)


def _slugs(scanned: Scan) -> dict[int, str]:
    """Heading line -> its GitHub anchor; a repeated heading gets `-1`, `-2` as on GitHub."""
    seen: dict[str, int] = {}
    slugs: dict[int, str] = {}
    for heading in _all_headings(scanned):
        base = slug = github_anchor(heading.text)
        while slug in seen:
            seen[base] += 1
            slug = f"{base}-{seen[base]}"
        seen[slug] = 0
        slugs[heading.line] = slug
    return slugs


def _before_refs(lines: list[tuple[int, str]]) -> int:
    """Index of the last `<details>` opening line: where a closing 参考 part starts."""
    return max(i for i, (_, text) in enumerate(lines) if text.lstrip().lower().startswith("<details"))



def _keyword_links(scanned: Scan) -> list[tuple[int, str, bool]]:
    return [(number, link_target(m), False)
            for number, text in scanned.keywords for m in INLINE_LINK.finditer(text) if link_target(m)]


def _links(scanned: Scan) -> list[tuple[int, str, bool]]:
    """Links and images in visible text outside code, with their line numbers."""
    footnotes = scanned.footnote_lines
    lines = ["" if (hidden and index not in footnotes) or code else line
             for index, (line, hidden, code) in enumerate(zip(scanned.lines, scanned.hidden, scanned.code,
                                                              strict=True))]
    text = "\n".join(lines)
    if "](" not in text and "<" not in text and "]:" not in text:
        return []
    text = _CODE_SPAN.sub(_blank, text)  # keep offsets, drop code spans
    if "$" in text:
        text = MATH.sub(_blank, text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    found = [(bisect_right(starts, m.start()), link_target(m), bool(m.group(1)))
             for m in INLINE_LINK.finditer(text) if link_target(m)]
    found += [(bisect_right(starts, m.start()), m.group(3), m.group(1).lower() == "img")
              for m in _HTML_REF.finditer(text)]
    found += [(bisect_right(starts, m.start()), m.group(1), False)
              for pattern in (_DEFINITION, _AUTOLINK) for m in pattern.finditer(text)]
    return sorted(found, key=lambda item: item[0])


def _blank(match: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", match.group(0))
