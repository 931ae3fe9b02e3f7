"""Reading a note file into text: encodings, BOM, line ends, binary files, control characters."""

from __future__ import annotations

import re
from dataclasses import dataclass

from qadeck import codes

# Control characters are not text: no font draws them (a PDF would show boxes), and Python reads
# several as line breaks (\v, \f, \x1c-\x1e, \x85, U+2028/9) where the notes' lines do not.
# Tab and newline stay; carriage returns were made newlines before.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class LineDiagnostic:
    """A diagnostic the parser found at a line of the note it is reading; the collection adds the
    note's path to make it a `model.Diagnostic`."""

    line: int
    severity: str
    code: str
    message: str


@dataclass(frozen=True)
class Source:
    text: str | None  # None when the file cannot be read as a note
    diagnostics: tuple[LineDiagnostic, ...]


def decode(data: bytes) -> Source:
    """Decode note bytes to text with `\\n` line ends, reporting anything unusual."""
    if not data.strip():
        return Source(None, (LineDiagnostic(1, "warning", codes.FILE_EMPTY, "empty file, skipped"),))
    if b"\x00" in data[:8192]:
        binary = LineDiagnostic(1, "error", codes.FILE_BINARY, "binary file (NUL bytes), skipped")
        return Source(None, (binary,))
    diagnostics: list[LineDiagnostic] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        text, found = _decode_fallback(data, line)
        diagnostics.append(found)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    first = CONTROL.search(text)
    if first is not None:
        text, found = _drop_controls(text, first)
        diagnostics.append(found)
    return Source(text, tuple(diagnostics))


def _drop_controls(text: str, first: re.Match[str]) -> tuple[str, LineDiagnostic]:
    """The text without control characters, and one warning at the first line holding one."""
    found = sorted(set(CONTROL.findall(text)))
    names = ", ".join(f"U+{ord(c):04X}" for c in found[:6]) + (", ..." if len(found) > 6 else "")
    line = text.count("\n", 0, first.start()) + 1
    return CONTROL.sub("", text), LineDiagnostic(
        line, "warning", codes.TEXT_CONTROL,
        f"control characters ({names}) are not text; dropped from every output",
    )


def _decode_fallback(data: bytes, line: int) -> tuple[str, LineDiagnostic]:
    # Chinese notes that are not UTF-8 are nearly always GBK; GB18030 is its superset.
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        return text, LineDiagnostic(
            line, "error", codes.FILE_ENCODING,
            "not valid UTF-8 or GBK; undecodable bytes shown as \ufffd (save the file as UTF-8)",
        )
    return text, LineDiagnostic(
        line, "warning", codes.FILE_ENCODING, "not UTF-8; decoded as GBK/GB18030 (save the file as UTF-8)"
    )
