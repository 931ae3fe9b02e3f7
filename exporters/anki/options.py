"""The Anki exporter's settings: `[tool.qadeck.anki]` (or `[anki]` in qadeck.toml).

Kept apart from the exporter so that config and the CLI can build them without loading it."""

from __future__ import annotations

from dataclasses import dataclass

DECKS = ("folder", "path", "tag", "note", "flat")  # deck layouts (see README, "Decks")


@dataclass(frozen=True)
class AnkiOptions:
    include_unanswered: bool = False  # cards for unanswered questions too
    decks: str = "folder"  # how cards are placed in decks

    def __post_init__(self) -> None:
        if self.decks not in DECKS:
            raise ValueError(f"decks must be one of {', '.join(DECKS)}, not {self.decks!r}")
