"""The GitHub-compatibility layer as a Python-Markdown extension: a preprocessor that makes the
note's Markdown (as GitHub reads it) ready for Python-Markdown, and a postprocessor that gives
back what the preprocessor hid from it. What was held out (the formulas) and found (lists nested
too deep) is left on the extension for the caller, per conversion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from qadeck.gfm.finish import too_deep
from qadeck.gfm.prepare import hide_open_brackets, mark_html_blocks, normalize_blocks, protect_math

# Python-Markdown's own placeholders (or pieces of them), left behind in some tangles of inline markup
LEAKED = re.compile(r"\x02(?:klzzwxh|wzxhzdk):\d+\x03?|[\x02\x03]")


@dataclass
class Prepared:
    """What one conversion's preprocessing held out and found."""

    maths: list[tuple[str, bool]] = field(default_factory=list)  # (LaTeX, display), by stand-in
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
        self.owner.prepared = Prepared(maths, hidden, flattened)
        return protected.split("\n")


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
    """Register on a Markdown instance; read `prepared` after each `convert`."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.prepared = Prepared()

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        md.preprocessors.register(_Prepare(md, self), "qadeck_github", 40)  # before normalize_whitespace
        md.postprocessors.register(_GiveBack(md, self), "qadeck_give_back", 5)  # after raw_html, amp
