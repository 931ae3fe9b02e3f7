"""The Anki exporter's settings: `[tool.qadeck.anki]` (or `[anki]` in qadeck.toml).

Kept apart from the exporter so that config and the CLI can build them without loading it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AnkiOptions:
    include_unanswered: bool = False  # cards for unanswered questions too
