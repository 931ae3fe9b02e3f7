"""Shared test helpers: fixture notes written by the project, and the optional ../shared corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from qadeck.config import Config
from qadeck.model import Collection
from qadeck.parser import ParseOptions, parse_collection

TESTS = Path(__file__).parent
FIXTURES = TESTS / "fixtures"
REPO = TESTS.parent
SHARED = REPO.parent / "shared"


def parse(folder: Path, **options) -> Collection:
    return parse_collection(folder, ParseOptions(**options))


def write_notes(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write small notes into a temporary folder: {relative path: text or bytes}."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def shared() -> Path:
    """../shared (the corpus and the seed); tests that need it skip cleanly without it."""
    if not (SHARED / "corpus" / "expected.json").is_file():
        pytest.skip("../shared is not here (it exists on the developers' machines and in CI)")
    return SHARED


def export(name: str, collection: Collection, out: Path, config: Config) -> list:
    """Run one exporter as a build does: its own options from `config`, and the build's context."""
    from qadeck import exporters
    from qadeck.build import context

    return exporters.load(name).export(collection, out, config.options(name), context(config))
