"""Reading a note file into text: encodings, BOM, line ends, binary files."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    line: int
    severity: str
    code: str
    message: str


@dataclass(frozen=True)
class Source:
    text: str | None  # None when the file cannot be read as a note
    problems: tuple[Problem, ...]


def decode(data: bytes) -> Source:
    """Decode note bytes to text with `\\n` line ends, reporting anything unusual."""
    if not data.strip():
        return Source(None, (Problem(1, "warning", "file.empty", "empty file, skipped"),))
    if b"\x00" in data[:8192]:
        return Source(None, (Problem(1, "error", "file.binary", "binary file (NUL bytes), skipped"),))
    problems: list[Problem] = []
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        text, problem = _decode_fallback(data, line)
        problems.append(problem)
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Source(text, tuple(problems))


def _decode_fallback(data: bytes, line: int) -> tuple[str, Problem]:
    # Chinese notes that are not UTF-8 are nearly always GBK; GB18030 is its superset.
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        return text, Problem(
            line, "error", "file.encoding",
            "not valid UTF-8 or GBK; undecodable bytes shown as \ufffd (save the file as UTF-8)",
        )
    return text, Problem(
        line, "warning", "file.encoding", "not UTF-8; decoded as GBK/GB18030 (save the file as UTF-8)"
    )
