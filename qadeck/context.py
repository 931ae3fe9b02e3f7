"""What every exporter of one build shares, made once by `qadeck.build.context` and passed to each
`export()`, so no exporter reads the environment, the version or the output layout on its own."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BuildContext:
    notes: Path  # the notes folder: only files inside it may reach an output
    cache: Path  # `<out>/.cache`: what a build may keep for the next one (typeset formulas)
    version: str  # qadeck's, for an output's generator line
    epoch: int | None = None  # SOURCE_DATE_EPOCH (the one date an output may carry), None when unset
    subtitle: str = ""
    author: str = ""
