"""WeasyPrint's log read into diagnostics located in the notes: refused URLs, a `.notdef` glyph
(a font that claims what it cannot draw) and any other message WeasyPrint logged."""

from __future__ import annotations

import re

from qadeck import codes
from qadeck.model import Collection, Diagnostic
from qadeck.render import line_of

_NOTDEF = re.compile(r'\.notdef glyph rendered for Unicode string unsupported by fonts: "(.*)" \(U\+')


class PrintLog:
    """WeasyPrint's log as diagnostics located in the notes, missing glyphs as warnings."""

    def __init__(self, diagnostics: list[Diagnostic], collection: Collection) -> None:
        self.diagnostics = list(diagnostics)
        self.collection = collection

    def read_log(self, messages: list[str], refused: list[tuple[str, str]]) -> None:
        missing: dict[str, None] = {}
        for message in messages:
            found = _NOTDEF.match(message)
            if found:
                missing[found.group(1)] = None
                continue
            self._from_log(message)
        for url, why in dict.fromkeys(refused):
            path, line = self.where(_display_url(url))
            self.diagnostics.append(Diagnostic(path, line, "warning", codes.PDF_URL_REFUSED,
                                               f"not read into the PDF: {_display_url(url)} ({why})"))
        for chars in missing:  # past the coverage check (a font that claims what it cannot draw)
            for char in dict.fromkeys(chars):
                path, line = self.where(char)
                self.diagnostics.append(Diagnostic(path, line, "warning", codes.GLYPH_MISSING, (
                    f"no installed font could draw {char!r} (U+{ord(char):04X}): the PDF shows a box for "
                    "it; install a font that has it or pass --font FILE")))

    def _from_log(self, message: str) -> None:
        first = message.splitlines()[0]
        if "not read into the PDF" in first or "URI uses disallowed" in first or "Refused" in first:
            return  # reported once from the fetcher's own list
        if first.startswith(("Failed to load", "Error ")) and ("only files inside" in message
                                                               or "outside the notes" in message):
            return
        url = re.search(r"(?:file|https?|data):[^\s:]*", first)
        path, line = self.where(_display_url(url.group(0))) if url else ("", 0)
        self.diagnostics.append(Diagnostic(path, line, "warning", codes.PDF_WEASYPRINT, first))

    def where(self, needle: str) -> tuple[str, int]:
        """A note line holding `needle` (a path, URL or character), from the model's pieces."""
        if not needle:
            return "", 0
        for note in self.collection.notes:
            if needle in note.title:
                return note.path, 1
            for piece in note.pieces():
                if needle in piece.markdown:
                    return note.path, line_of(piece.markdown, piece.line, needle)
        return "", 0


def _display_url(url: str) -> str:
    """A file URL as the path written in the note would look (the last parts), else the URL."""
    if url.startswith("file:"):
        from urllib.parse import unquote

        return unquote(url.split("://", 1)[-1]).rsplit("/", 1)[-1]
    return url
