"""The PDF handbook's settings: `[tool.qadeck.pdf]` (or `[pdf]` in qadeck.toml).

Kept apart from the exporter so that config and the CLI can build them without loading it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PAPERS = ("A4", "Letter", "A5")


@dataclass(frozen=True)
class PdfOptions:
    paper: str = "A4"
    font: Path | None = None  # a CJK font file to use instead of the system's
    questions_only: bool = False  # the book without answers
    jobs: int = 0  # processes printing a long book in parts (0: two; 1: one piece)

    def __post_init__(self) -> None:
        if self.paper not in PAPERS:
            raise ValueError(f"paper must be one of {', '.join(PAPERS)}, not {self.paper!r}")
        if self.jobs < 0:
            raise ValueError(f"jobs must be 0 or more, not {self.jobs}")
