"""Line scan of one note: what is visible content, where the headings are, and the
metadata blocks (info comment, front matter, keywords) that are not content.

Generated blocks (badge, toc, paper_title) and HTML comments are hidden; code fences and
`<details>`/`<table>` containers shield `#` lines from being read as headings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qadeck import codes
from qadeck.gfm.lexical import FENCE, closes
from qadeck.parser.source import LineDiagnostic

GENERATED = {"badge", "toc", "paper_title", "keywords"}
CONTAINERS = ("details", "table")
_UNCLOSED = {"details": codes.DETAILS_UNCLOSED, "table": codes.TABLE_UNCLOSED}  # one code per container

_SPECIAL = re.compile(r"[<`~#]|\[\^")
_FOOTNOTE = re.compile(r"^ {0,3}\[\^([^\]\s]+)\]:[ \t]?(.*)$")
# CommonMark HTML blocks that end only at a blank line: a block-level tag (type 6), or a lone tag
# on its line (type 7). Markdown inside them (a `### heading`) stays raw text.
_HTML_BLOCK = re.compile(
    r"^ {0,3}(?:</?(?:address|article|aside|blockquote|body|caption|center|col|colgroup|dd|details|"
    r"dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|h[1-6]|header|hr|html|iframe|"
    r"legend|li|main|menu|nav|ol|optgroup|option|p|section|summary|table|tbody|td|tfoot|th|thead|"
    r"tr|ul)(?:\s|/?>|$)|</?[A-Za-z][\w-]*(?:\s[^<>]*)?/?>\s*$)", re.I)
_NEW_BLOCK = re.compile(r"^ {0,3}(?:[#>|<]|[-*+][ \t]|\d+[.)][ \t]|```|~~~|\[\^[^\]\s]+\]:)")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_H1 = re.compile(r"^ {0,3}=+[ \t]*$")
_START = re.compile(r"^\s*START_SECTION:(\w+)\s*$")
_END = re.compile(r"^\s*END_SECTION:(\w+)\s*$")
_PIN = re.compile(r"^\s*qid:\s*(\S*)\s*$")
# Tables of contents other tools keep in a note: `<!-- TOC -->` … `<!-- /TOC -->` (or a second
# `<!-- TOC -->`), markdown-toc's `<!-- toc -->` … `<!-- tocstop -->`, doctoc's START/END, and a
# `[toc]` line that a renderer replaces. Never content.
_TOC_OPEN = re.compile(r"^\s*(?:TOC\b|START doctoc\b)", re.I)
_TOC_CLOSE = re.compile(r"^\s*(?:/TOC\b|TOC\b|tocstop\b|END doctoc\b)", re.I)
_TOC_COMMENT = re.compile(r"<!--\s*(?:/?TOC\b|tocstop\b|END doctoc\b)", re.I)
_TOC_LINE = re.compile(r"^ {0,3}\[\[?_?toc_?\]?\]\s*$", re.I)
# A setext underline: `Title` over `===` is a heading of level 1, over `---` of level 2.
_UNDERLINE = re.compile(r"^ {0,3}(={2,}|-{2,})[ \t]*$")
# A line that cannot be the words of a setext heading: a list item, quote, table, heading, tag,
# fence or formula opens a block of its own (a `---` under it is a rule).
_NOT_PARAGRAPH = re.compile(r"^ {0,3}(?:[-*+>|#<]|\d+[.)](?:\s|$)|\$\$|```|~~~|\[\^)|\|")
# A raw HTML heading on a line of its own: `<h3>背景</h3>`.
_HTML_HEADING = re.compile(r"^ {0,3}<h([1-6])(?:\s[^<>]*)?>(.*?)</h\1\s*>\s*$", re.I)
_OPEN_TAG = {tag: re.compile(rf"<{tag}\b", re.I) for tag in CONTAINERS}
_CLOSE_TAG = {tag: re.compile(rf"</{tag}\s*>", re.I) for tag in CONTAINERS}


@dataclass(frozen=True)
class RawHeading:
    line: int  # 1-based
    level: int
    text: str  # inline Markdown as written, comments removed


@dataclass
class Scan:
    lines: list[str]  # cleaned lines: comments removed, hidden lines empty
    hidden: list[bool]
    code: list[bool]  # inside a fenced code block (fence lines included)
    headings: list[RawHeading] = field(default_factory=list)
    # Headings GitHub renders and links but that are no structure: inside raw HTML (<details>,
    # <table> cells) after a blank line, and inside generated blocks.
    anchor_headings: list[RawHeading] = field(default_factory=list)
    footnotes: list[tuple[str, int, list[str]]] = field(default_factory=list)  # label, line, text
    footnote_lines: set[int] = field(default_factory=set)  # 0-based: hidden, but their links count
    title: tuple[str, int] | None = None  # setext title and its line
    info: tuple[str, int] | None = None  # YAML text of `<!--info ... -->`, first line
    front_matter: tuple[str, int] | None = None
    keywords: list[tuple[int, str]] = field(default_factory=list)
    pins: dict[int, str] = field(default_factory=dict)  # comment line -> pinned id
    diagnostics: list[LineDiagnostic] = field(default_factory=list)


def scan(text: str) -> Scan:
    raw = text.split("\n")
    first = _scan(raw, ignore_opens=set())
    unclosed = first.unclosed_opens()
    if not unclosed:
        return first.result
    # An unclosed <details>/<table> would swallow every later heading: report it and
    # read the file as if it were not there.
    second = _scan(raw, ignore_opens=set(unclosed))
    for line, tag in sorted(unclosed.items()):
        second.result.diagnostics.append(LineDiagnostic(
            line, "error", _UNCLOSED[tag],
            f"<{tag}> is never closed; headings after it are read as if it were closed",
        ))
    return second.result


class _Scanner:
    def __init__(self, raw: list[str], ignore_opens: set[int]):
        self.raw = raw
        self.ignore_opens = ignore_opens
        self.result = Scan(lines=[""] * len(raw), hidden=[False] * len(raw), code=[False] * len(raw))
        self.fence: str | None = None
        self.fence_line = 0
        self.comment: list[str] | None = None
        self.comment_line = 0
        self.generated: str | None = None
        self.generated_line = 0
        self.open_containers: list[tuple[str, int]] = []
        self.closed_sections = _closed_sections(raw)
        self.html_block = False  # inside a raw HTML block: Markdown is not read until a blank line
        self.footnote: list[str] | None = None  # lines of the footnote being read
        self.footnote_blank = False

    def unclosed_opens(self) -> dict[int, str]:
        return {line: tag for tag, line in self.open_containers}

    def run(self) -> None:
        start = self._front_matter()
        lines, special = self.result.lines, _SPECIAL.search
        for index in range(start, len(self.raw)):
            line = self.raw[index]
            if self.footnote is not None and self._footnote_more(index, line):
                continue
            if self.fence is None and self.comment is None and self.generated is None \
                    and not special(line):
                if line[:4].lstrip(" ")[:1] in ("=", "-", "[") and self._plain_mark(index, line):
                    continue
                lines[index] = line  # plain text: the common case, kept fast
                self.html_block = self.html_block and bool(line.strip())
                continue
            self._line(index)
        self._finish()
        self._setext_title()

    def _plain_mark(self, index: int, line: str) -> bool:
        """A `[toc]` line (hidden), or a setext underline under a paragraph (the paragraph becomes
        a heading, as CommonMark and GitHub read it); False for any other line."""
        if _TOC_LINE.match(line):
            self.result.hidden[index] = True
            return True
        match = _UNDERLINE.match(line)
        if not match or index == 0 or self.open_containers or self.html_block or self.footnote is not None:
            return False
        first = self._paragraph_above(index)
        if first is None:
            return False
        result = self.result
        words = " ".join(result.lines[n].strip() for n in range(first, index))
        result.headings.append(RawHeading(first + 1, 1 if match.group(1)[0] == "=" else 2, words))
        for n in range(first + 1, index + 1):
            result.lines[n] = ""
        return True

    def _paragraph_above(self, index: int) -> int | None:
        """Where the paragraph right above line `index` starts; None when there is none (a blank
        line, a list, a quote, a table, code above: the `---` is a rule)."""
        result, first = self.result, index
        while first > 0:
            above = first - 1
            text = result.lines[above]
            if result.hidden[above] or not text.strip() or _ATX.match(text):
                break
            if result.code[above] or _NOT_PARAGRAPH.match(text):
                return None  # a lazy line of a list item or quote, or code: no paragraph of its own
            first = above
        return first if first < index else None

    def _front_matter(self) -> int:
        raw = self.raw
        if not raw or raw[0].strip() != "---":
            return 0
        for index in range(1, len(raw)):
            if raw[index].strip() in ("---", "..."):
                self.result.front_matter = ("\n".join(raw[1:index]), 2)
                for hidden in range(index + 1):
                    self.result.hidden[hidden] = True
                return index + 1
        return 0  # a lone `---` on line 1 is a rule, not front matter

    def _line(self, index: int) -> None:
        line = self.raw[index]
        if self.fence is not None:
            self._in_fence(index, line)
            return
        visible = self._strip_comments(index, line)
        if self.generated is not None or visible is None:
            if self.generated == "keywords" and visible:
                self.result.keywords.append((index + 1, visible))
            elif self.generated is not None and visible:
                self._heading(index, visible, self.result.anchor_headings)
            self.result.hidden[index] = True
            return
        self.result.lines[index] = visible
        fence = FENCE.match(visible) if ("`" in visible or "~" in visible) else None
        if fence:
            self.fence, self.fence_line = fence.group(2), index + 1
            self.result.code[index] = True
            return
        if visible.startswith("[^") or visible.lstrip(" ").startswith("[^"):
            footnote = _FOOTNOTE.match(visible)
            if footnote:
                self._footnote_start(index, footnote)
                return
        in_html = self.html_block
        self.html_block = bool(visible.strip()) and (in_html or bool(_HTML_BLOCK.match(visible)))
        self._containers(index, visible)
        if not self.open_containers:
            self._heading(index, visible, self.result.headings)
            if not in_html and "<h" in visible[:5].lower():
                self._html_heading(index, visible)
        elif not in_html:  # GitHub renders a heading in a table cell or <details> after a blank line
            self._heading(index, visible, self.result.anchor_headings)

    def _footnote_start(self, index: int, match: re.Match[str]) -> None:
        self.footnote, self.footnote_blank = [match.group(2)], False
        self.result.footnotes.append((match.group(1), index + 1, self.footnote))
        self._footnote_line(index)

    def _footnote_more(self, index: int, line: str) -> bool:
        """Whether the line continues the open footnote: indented, blank, or a lazy
        continuation of its paragraph. Otherwise the footnote ends here."""
        assert self.footnote is not None
        if not line.strip():
            self.footnote.append("")
            self.footnote_blank = True
        elif line.startswith(("    ", "\t")):
            self.footnote.append(line[4:] if line.startswith("    ") else line[1:])
            self.footnote_blank = False
        elif not self.footnote_blank and not _NEW_BLOCK.match(line):
            self.footnote.append(line)
        else:
            while self.footnote and not self.footnote[-1].strip():
                self.footnote.pop()
            self.footnote = None
            return False
        self._footnote_line(index)
        return True

    def _footnote_line(self, index: int) -> None:
        self.result.lines[index] = self.raw[index]
        self.result.hidden[index] = True
        self.result.footnote_lines.add(index)

    def _in_fence(self, index: int, line: str) -> None:
        self.result.lines[index] = line
        self.result.code[index] = True
        if closes(self.fence, line):
            self.fence = None

    def _strip_comments(self, index: int, line: str) -> str | None:
        """The line without its HTML comments; None when nothing but comments was on it."""
        if self.comment is None and "<!--" not in line:
            return line
        out: list[str] = []
        pos = 0
        had_comment = self.comment is not None
        while True:
            if self.comment is not None:
                end = line.find("-->", pos)
                if end < 0:
                    self.comment.append(line[pos:])
                    break
                self.comment.append(line[pos:end])
                self._comment_closed("\n".join(self.comment))
                self.comment = None
                pos = end + 3
            else:
                start = line.find("<!--", pos)
                if start < 0:
                    out.append(line[pos:])
                    break
                out.append(line[pos:start])
                had_comment = True
                self.comment, self.comment_line = [], index + 1
                pos = start + 4
        text = "".join(out)
        if had_comment and not text.strip():
            return None
        return text.rstrip() if had_comment else text

    def _comment_closed(self, body: str) -> None:
        line = self.comment_line
        if body.startswith("info") and (len(body) == 4 or body[4] in " \t\n"):
            self.result.info = (body[4:].lstrip(" \t").removeprefix("\n"), line + 1)
            return
        start, end, pin = _START.match(body), _END.match(body), _PIN.match(body)
        if start and start.group(1) in GENERATED and start.group(1) in self.closed_sections:
            self.generated, self.generated_line = start.group(1), line
        elif start and start.group(1) in GENERATED:
            self.result.diagnostics.append(LineDiagnostic(
                line, "warning", codes.GENERATED_UNCLOSED,
                f"START_SECTION:{start.group(1)} has no END_SECTION; its content is kept",
            ))
        elif end and end.group(1) == self.generated:
            self.generated = None
        elif self.generated == "toc" and _TOC_CLOSE.match(body):
            self.generated = None
        elif self.generated is None and _TOC_OPEN.match(body) and self._toc_closed(line):
            self.generated, self.generated_line = "toc", line
        elif pin:
            self.result.pins[line] = pin.group(1)

    def _toc_closed(self, line: int) -> bool:
        """Whether a table-of-contents comment opened on `line` (1-based) is closed later."""
        return any(_TOC_COMMENT.search(text) for text in self.raw[line:])

    def _containers(self, index: int, text: str) -> None:
        if "<" not in text:
            return
        for tag in CONTAINERS:
            for _ in _OPEN_TAG[tag].findall(text):
                if index + 1 not in self.ignore_opens:
                    self.open_containers.append((tag, index + 1))
            for _ in _CLOSE_TAG[tag].findall(text):
                for pos in range(len(self.open_containers) - 1, -1, -1):
                    if self.open_containers[pos][0] == tag:
                        del self.open_containers[pos]
                        break

    def _html_heading(self, index: int, text: str) -> None:
        match = _HTML_HEADING.match(text)
        if match and match.group(2).strip():
            self.result.headings.append(RawHeading(index + 1, int(match.group(1)), match.group(2).strip()))

    def _heading(self, index: int, text: str, into: list[RawHeading]) -> None:
        if "#" not in text[:4]:
            return
        match = _ATX.match(text)
        if match and (match.group(2) or "").strip():
            into.append(RawHeading(index + 1, len(match.group(1)), match.group(2).strip()))

    def _finish(self) -> None:
        if self.footnote is not None:
            while self.footnote and not self.footnote[-1].strip():
                self.footnote.pop()
        diagnostics = self.result.diagnostics
        if self.fence is not None:
            diagnostics.append(LineDiagnostic(self.fence_line, "warning", codes.FENCE_UNCLOSED,
                                              "code fence is never closed; it runs to the end of the file"))
        if self.comment is not None:
            diagnostics.append(LineDiagnostic(self.comment_line, "error", codes.COMMENT_UNCLOSED,
                                              "HTML comment `<!--` is never closed with `-->`; "
                                              "the rest of the file is hidden"))

    def _setext_title(self) -> None:
        result = self.result
        for index, text in enumerate(result.lines):
            if result.hidden[index] or not text.strip():
                continue
            nxt = index + 1
            if nxt < len(result.lines) and _SETEXT_H1.match(self.raw[nxt]) and not result.hidden[nxt]:
                result.title = (text.strip(), index + 1)
                result.hidden[index] = result.hidden[nxt] = True
                result.lines[index] = result.lines[nxt] = ""
                result.headings = [h for h in result.headings if h.line != index + 1]
            return


def _scan(raw: list[str], ignore_opens: set[int]) -> _Scanner:
    scanner = _Scanner(raw, ignore_opens)
    scanner.run()
    return scanner


def _closed_sections(raw: list[str]) -> set[str]:
    found: set[str] = set()
    for line in raw:
        if "END_SECTION:" in line:
            found.update(re.findall(r"<!--\s*END_SECTION:(\w+)\s*-->", line))
    return found
