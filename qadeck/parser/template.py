"""Templates: files a notes repository keeps to start new notes from. Their content is
placeholders (a title `title`, `<title - autoUpdate>`, lines like `{dl}`), never a note."""

from __future__ import annotations

import re

from qadeck.parser.scan import Scan

_TITLE_PLACEHOLDER = re.compile(
    r"^\s*(?:<\s*title\b[^>]*>|\{\{?\s*title\s*\}?\}|title)\s*$", re.I)
_PLACEHOLDER_LINE = re.compile(r"^\s*\{\{?\s*[\w.-]+\s*\}?\}\s*$")  # `{dl}`, `{{ name }}`
_TEMPLATE_NAME = re.compile(r"(?:^|[_\-.\s])template(?:$|[_\-.\s])|template$", re.I)


def is_template(stem: str, scanned: Scan) -> bool:
    """A placeholder title makes a template; so does a `*template*` name with placeholder lines
    (a real note about, say, template matching has neither)."""
    title = _raw_title(scanned)
    if title is not None and _TITLE_PLACEHOLDER.match(title):
        return True
    if not _TEMPLATE_NAME.search(stem):
        return False
    return any(_PLACEHOLDER_LINE.match(line)
               for line, hidden, code in zip(scanned.lines, scanned.hidden, scanned.code, strict=True)
               if not hidden and not code)


def _raw_title(scanned: Scan) -> str | None:
    if scanned.title is not None:
        return scanned.title[0]
    return scanned.headings[0].text if scanned.headings else None
