"""The GitHub-compatibility layer as a Python-Markdown extension: a preprocessor that makes the
note's Markdown (as GitHub reads it) ready for Python-Markdown, an inline pattern for footnote
references, and a postprocessor that gives back what the preprocessor hid from it. What was held
(formulas, references) and found (lists nested too deep) is left on the extension for the caller,
per conversion.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from markdown import Extension, Markdown, util
from markdown.inlinepatterns import InlineProcessor
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from qadeck.gfm.finish import FootnoteRef, Held, too_deep
from qadeck.gfm.holding import MATH_MARKS, Placeholders
from qadeck.gfm.prepare import hide_open_brackets, mark_html_blocks, normalize_blocks, protect_math

# Python-Markdown's own placeholders (or pieces of them), left behind in some tangles of inline markup
LEAKED = re.compile(r"\x02(?:klzzwxh|wzxhzdk):\d+\x03?|[\x02\x03]")
FOOTNOTE_REF = r"\[\^([^\[\]\s]+)\]"
_ESCAPED = re.compile(f"{util.STX}(\\d+){util.ETX}")  # a backslash escape, as Python-Markdown holds it


@dataclass
class Prepared:
    """What one conversion's preprocessing held out and found."""

    # the formulas (LaTeX, display), then the footnote references, by their stand-ins
    held: Placeholders[Held] = field(default_factory=lambda: Placeholders("", MATH_MARKS))
    hidden: dict[str, str] = field(default_factory=dict)  # stand-in character: the bracket it hides
    flattened: int | None = None  # the index of the first line nested too deep, if any


class _Prepare(Preprocessor):
    """Before all of Python-Markdown's own: lists re-indented, formulas held out, hopeless brackets
    hidden, raw HTML blocks marked for Markdown inside them (`qadeck.gfm.prepare`)."""

    def __init__(self, md: Markdown, owner: GitHubExtension) -> None:
        super().__init__(md)
        self.owner = owner

    def run(self, lines: list[str]) -> list[str]:
        normalized, flattened = normalize_blocks("\n".join(lines))
        protected, maths = protect_math(normalized)
        protected, hidden = hide_open_brackets(protected)
        if "<" in protected and not too_deep(protected):  # md_in_html reads marked blocks by recursion
            protected = mark_html_blocks(protected)
        held: Placeholders[Held] = Placeholders(protected, MATH_MARKS)
        held.pieces.extend(maths)  # their stand-ins, numbered from 0, are in the text already
        self.owner.prepared = Prepared(held, hidden, flattened)
        return protected.split("\n")


class _FootnoteRef(InlineProcessor):
    """`[^label]` for a footnote the note defines, held (its HTML is the output's, put in after the
    cleaning). After the link patterns, so a reference in a link's words knows it is in a link."""

    def __init__(self, md: Markdown, owner: GitHubExtension) -> None:
        super().__init__(FOOTNOTE_REF, md)
        self.owner = owner

    def handleMatch(self, m: re.Match[str], data: str):  # type: ignore[override]  # noqa: N802
        label = m.group(1)
        if util.INLINE_PLACEHOLDER_PREFIX in label:  # code or a link inside: not a label
            return None, None, None
        label = html.unescape(_ESCAPED.sub(lambda e: chr(int(e.group(1))), label))
        number = self.owner.footnotes.get(label)
        if number is None:
            return None, None, None
        in_link = "a" in self.md.treeprocessors["inline"].ancestors
        held = self.owner.prepared.held.hold(FootnoteRef(number, in_link))
        return util.AtomicString(held), m.start(0), m.end(0)


class _GiveBack(Postprocessor):
    """After all of Python-Markdown's own: the hidden brackets back, its leaked placeholders out."""

    def __init__(self, md: Markdown, owner: GitHubExtension) -> None:
        super().__init__(md)
        self.owner = owner

    def run(self, text: str) -> str:
        for mark, original in self.owner.prepared.hidden.items():
            text = text.replace(mark, original)
        if "\x02" in text or "\x03" in text:  # a note holds none (qadeck.parser.source drops them)
            text = LEAKED.sub("", text)
        return text


class GitHubExtension(Extension):
    """Register on a Markdown instance; before each `convert`, `use_footnotes` with the note's
    (label: number); after it, read `prepared`."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.prepared = Prepared()
        self.footnotes: Mapping[str, int] = {}
        self._md: Markdown | None = None

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        self._md = md
        md.preprocessors.register(_Prepare(md, self), "qadeck_github", 40)  # before normalize_whitespace
        md.postprocessors.register(_GiveBack(md, self), "qadeck_give_back", 5)  # after raw_html, amp

    def use_footnotes(self, footnotes: Mapping[str, int]) -> None:
        """The references to read: the pattern is in Python-Markdown's list only while a note has
        footnotes (most have none, and every inline pattern costs a pass over every text)."""
        assert self._md is not None, "register the extension first"
        patterns = self._md.inlinePatterns
        if footnotes and not self.footnotes:
            patterns.register(_FootnoteRef(self._md, self), "qadeck_footnote_ref", 122)  # after links, images
        elif self.footnotes and not footnotes:
            patterns.deregister("qadeck_footnote_ref")
        self.footnotes = footnotes
