"""The build: parse every note into one finished model, then run the exporters.

No exporter runs while parsing, and no parse problem surfaces after an output was written.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from qadeck import __version__, checks, exporters
from qadeck.config import Config
from qadeck.context import BuildContext
from qadeck.epoch import source_date_epoch
from qadeck.errors import ConfigError, QadeckError
from qadeck.model import Collection, Diagnostic
from qadeck.parser import parse_collection


@dataclass
class Output:
    name: str
    path: Path | None
    seconds: float
    diagnostics: list[Diagnostic] = field(default_factory=list)
    error: str | None = None

    def problems(self) -> int:
        """Warnings and errors the exporter reported (what `build --strict` counts)."""
        return sum(d.severity in ("warning", "error") for d in self.diagnostics)


def load(config: Config) -> Collection:
    notes = config.notes
    if not notes.is_dir():
        raise ConfigError(f"{notes}: notes folder not found")
    return checks.run(parse_collection(notes, config.parse_options()))


def context(config: Config) -> BuildContext:
    """What the exporters of one build share; a malformed SOURCE_DATE_EPOCH fails here, in one
    sentence, before any output is written."""
    return BuildContext(notes=config.notes, cache=config.out / ".cache", version=__version__,
                        epoch=source_date_epoch(), subtitle=config.subtitle, author=config.author)


def export_one(name: str, collection: Collection, out_path: Path, config: Config,
               shared: BuildContext) -> Output:
    """Run one exporter; a user-facing failure becomes the output's error, not an exception."""
    started = time.perf_counter()
    try:
        module = exporters.load(name)
        found = module.export(collection, out_path, config.options(name), shared)
        diagnostics = checks.new_only(collection, list(found))
    except QadeckError as exc:
        return Output(name, None, time.perf_counter() - started, error=str(exc))
    return Output(name, out_path, time.perf_counter() - started, diagnostics)


def build(config: Config, only: list[str] | None = None,
          progress: Callable[[Output], None] | None = None) -> tuple[Collection, list[Output]]:
    chosen = only or exporters.names()
    unknown = [n for n in chosen if n not in exporters.EXPORTERS]
    if unknown:
        raise ConfigError(f"unknown exporter {', '.join(unknown)}; "
                          f"choose from {', '.join(exporters.names())}")
    shared = context(config)
    collection = load(config)
    outputs = []
    for name in chosen:
        suffix = exporters.load(name).SUFFIX
        output = export_one(name, collection, config.output(suffix), config, shared)
        outputs.append(output)
        if progress is not None:
            progress(output)
    return collection, outputs
