"""A problems repository's tag list (`tag_info.yml`): tags grouped by type (source, level, data
structure, algorithm, trick, other) in priority order, each with its aliases. Problems' tags are
normalised through it (`优先队列` → `堆/优先队列`, `dp` → `动态规划`) and sorted in its order.

The list is found next to a problem note or in a folder above it, up to the repository root.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qadeck import codes
from qadeck.parser.files import repository_root
from qadeck.parser.source import LineDiagnostic
from qadeck.parser.yamlsafe import DEPTH, NODES, YAML_ERRORS, bounded, load_yaml

FILE_NAME = "tag_info.yml"
# Types whose tags say where a problem comes from or how hard it is: not what it is about.
NOT_TOPICS = frozenset({"subject", "source", "level"})
LEVEL_TYPES = frozenset({"level"})
SOURCE_TYPES = frozenset({"subject", "source"})
DEFAULT_LEVELS = ("简单", "中等", "困难")


def folders_up(folder: Path, repository: Path) -> Iterator[Path]:
    """`folder`, then each folder above it up to the repository root: where a tag list that
    applies to `folder` may stand (nothing above a folder outside the repository)."""
    while True:
        yield folder
        if folder == repository or folder.parent == folder or not folder.is_relative_to(repository):
            return
        folder = folder.parent


def tag_lists_above(notes: Path) -> tuple[Path, ...]:
    """The tag lists a note may read from the folders above the notes folder `notes` (resolved),
    up to its repository root: inputs of the build outside the notes folder."""
    return tuple(folder / FILE_NAME for folder in list(folders_up(notes, repository_root(notes)))[1:])


@dataclass(frozen=True)
class TagInfo:
    path: str  # where the list was read from (relative to the notes folder, may start with ../)
    canonical: dict[str, str] = field(default_factory=dict)  # folded name or alias -> tag name
    kinds: dict[str, str] = field(default_factory=dict)  # tag name -> its type
    ranks: dict[str, tuple[int, int]] = field(default_factory=dict)  # tag name -> (priority, position)

    def name(self, tag: str) -> str:
        """The tag's own name for `tag` or one of its aliases (case and width ignored)."""
        return self.canonical.get(fold(tag), tag.strip())

    def kind(self, tag: str) -> str | None:
        return self.kinds.get(tag)

    def rank(self, tag: str) -> tuple[int, int] | None:
        return self.ranks.get(tag)


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def read_tag_info(text: str, rel: str, diagnostics: list[LineDiagnostic]) -> TagInfo | None:
    """The list in `text`; None (with a warning in `diagnostics`) when it is not one."""
    try:
        data = load_yaml(text)
        if not bounded(data):
            raise ValueError(f"more than {NODES} values or deeper than {DEPTH} levels")
    except YAML_ERRORS as exc:
        mark = getattr(exc, "problem_mark", None)
        line = 1 + (mark.line if mark is not None else 0)
        diagnostics.append(LineDiagnostic(line, "warning", codes.TAGINFO_YAML,
                                          f"broken YAML in {rel}: {getattr(exc, 'problem', None) or exc}; "
                                          "problems' tags are used as written"))
        return None
    if not isinstance(data, list):
        diagnostics.append(LineDiagnostic(1, "warning", codes.TAGINFO_YAML,
                                          f"{rel} is not a list of tag groups; "
                                          "problems' tags are used as written"))
        return None
    info = TagInfo(rel)
    groups = [g for g in data if isinstance(g, dict)]
    groups.sort(key=lambda g: _int(g.get("priority"), len(groups)))  # stable: written order on ties
    for priority, group in enumerate(groups):
        kind = str(group.get("tag_type") or "other")
        tags = group.get("tags")
        if not isinstance(tags, dict):
            continue
        for position, (name, about) in enumerate(tags.items()):
            _add(info, str(name).strip(), kind, (priority, position), about)
    return info


def _add(info: TagInfo, name: str, kind: str, rank: tuple[int, int], about: Any) -> None:
    if not name or name in info.kinds:
        return
    info.kinds[name] = kind
    info.ranks[name] = rank
    info.canonical.setdefault(fold(name), name)
    aliases = about.get("aliases") if isinstance(about, dict) else None
    if isinstance(aliases, (list, tuple)):
        for alias in aliases:
            info.canonical.setdefault(fold(str(alias)), name)  # the first group to claim it wins


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):  # None, "x", .nan, .inf
        return default


class TagInfoFinder:
    """Finds and reads the tag list that applies to a note, each file once."""

    def __init__(self, root: Path, repository: Path) -> None:
        self.root = root
        self.repository = repository
        self._by_folder: dict[Path, TagInfo | None] = {}
        self.diagnostics: list[tuple[str, LineDiagnostic]] = []  # (list path, diagnostic)

    def for_note(self, rel: str) -> TagInfo | None:
        return self._folder((self.root / rel).parent)

    def _folder(self, folder: Path) -> TagInfo | None:
        """The nearest tag list at or above `folder`; every folder walked remembers the answer."""
        walked: list[Path] = []
        found: TagInfo | None = None
        for each in folders_up(folder, self.repository):
            if each in self._by_folder:
                found = self._by_folder[each]
                break
            walked.append(each)
            if (each / FILE_NAME).is_file():
                found = self._read(each / FILE_NAME)
                break
        for each in walked:
            self._by_folder[each] = found
        return found

    def _read(self, path: Path) -> TagInfo | None:
        rel = Path(os.path.relpath(path, self.root)).as_posix()
        diagnostics: list[LineDiagnostic] = []
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            diagnostics.append(LineDiagnostic(1, "warning", codes.TAGINFO_UNREADABLE,
                                              f"cannot read {rel}: {exc}"))
            info = None
        else:
            info = read_tag_info(text, rel, diagnostics)
        self.diagnostics.extend((rel, p) for p in diagnostics)
        return info
