"""The HTML cheat sheet's settings: `[tool.qadeck.html]` (or `[html]` in qadeck.toml).

Kept apart from the exporter so that config and the CLI can build them without loading it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HtmlOptions:
    image_cap_kb: int = 512  # warn above this size for an embedded image

    def __post_init__(self) -> None:
        if self.image_cap_kb < 0:
            raise ValueError(f"image_cap_kb must be 0 or more, not {self.image_cap_kb}")
