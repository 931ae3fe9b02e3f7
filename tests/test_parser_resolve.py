"""Link paths worked out with os.path strings answer as the pathlib version they replaced did."""

from __future__ import annotations

import os
import posixpath
from pathlib import Path

import pytest

from qadeck.parser.resolve import _target

PARTS = ["x.md", "./x.md", "a/../x.md", "../x.md", "../../x.md", "../../../../x.md", "/x.md", "//x.md",
         "/../x.md", "a//b/./c.png", ".", "..", "a/", "/", "b/..", "题/图 1.png", "..x/y", "../r2/x.md"]


def _reference(note_path: str, path_part: str, root: Path, repository: Path) -> str | None:
    """The pathlib version, as it was before the strings."""
    if path_part.startswith("/"):
        full = repository / path_part.lstrip("/")
    else:
        full = root / posixpath.dirname(note_path) / path_part
    full = Path(os.path.normpath(full))
    if not full.is_relative_to(repository):
        return None
    return Path(os.path.relpath(full, root)).as_posix()


@pytest.mark.parametrize(("root", "repository"), [("/r/notes", "/r"), ("/r", "/r"), ("/", "/"),
                                                  ("/r/notes", "/"), ("/r2", "/r2")])
@pytest.mark.parametrize("note", ["n.md", "a/n.md", "a/b/n.md"])
def test_targets_match_the_pathlib_answers(root: str, repository: str, note: str) -> None:
    for part in PARTS:
        expected = _reference(note, part, Path(root), Path(repository))
        assert _target(posixpath.dirname(note), part, root, repository) == expected, (root, note, part)
