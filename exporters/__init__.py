"""The exporters: one module each, with `NAME`, `SUFFIX` and
`export(collection, out_path, config) -> list[Diagnostic]`. Imported lazily, so a PDF's
system needs never slow down or break an Anki build."""

from __future__ import annotations

import importlib
from types import ModuleType

# name -> module; the order is the build order.
EXPORTERS: dict[str, str] = {
    "json": "qadeck.exporters.json_model",
    "anki": "qadeck.exporters.anki",
    "pdf": "qadeck.exporters.handbook",
    "html": "qadeck.exporters.cheatsheet",
}


def names() -> list[str]:
    return list(EXPORTERS)


def load(name: str) -> ModuleType:
    return importlib.import_module(EXPORTERS[name])
