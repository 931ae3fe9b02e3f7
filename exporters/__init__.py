"""The exporters: one module each, with `NAME`, `SUFFIX` and
`export(collection, out_path, options, context) -> list[Diagnostic]`, where `options` is the
exporter's own settings (its `options` type, or None) and `context` the build's `BuildContext`.

Imported lazily, so a PDF's system needs never slow down or break an Anki build. An exporter's
options type lives in a small module of its own, so config and the CLI can build it without
importing the exporter (the exporter packages import their heavy libraries only inside `export`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType


@dataclass(frozen=True)
class Exporter:
    module: str
    options: str | None = None  # "module:Class" of its settings, read from [tool.qadeck.<name>]


# name -> exporter; the order is the build order, and each name is its settings table's name.
EXPORTERS: dict[str, Exporter] = {
    "json": Exporter("qadeck.exporters.json_model"),
    "anki": Exporter("qadeck.exporters.anki", "qadeck.exporters.anki.options:AnkiOptions"),
    "pdf": Exporter("qadeck.exporters.handbook", "qadeck.exporters.handbook.options:PdfOptions"),
    "html": Exporter("qadeck.exporters.cheatsheet", "qadeck.exporters.cheatsheet.options:HtmlOptions"),
}


def names() -> list[str]:
    return list(EXPORTERS)


def load(name: str) -> ModuleType:
    return importlib.import_module(EXPORTERS[name].module)


def options_type(name: str) -> type | None:
    """The class of `name`'s settings (a frozen dataclass), or None when it has none."""
    spec = EXPORTERS[name].options
    if spec is None:
        return None
    module, _, cls = spec.partition(":")
    return getattr(importlib.import_module(module), cls)
