"""What lets a build skip work: a stamp of every input, to know a rebuild would change nothing
without parsing, and each output's record, to leave an output alone when what it is made from did
not change. Both live in the build cache (`qadeck.cache`); both fail towards doing the work.

An output is found by the arguments its exporter is called with (the model, its options, the build
context, where it goes: `output_key`) and kept with what the exporter read while it ran, as
`qadeck.depends` recorded it (styles, images, fonts, its own last package, the libraries'
releases); it is left alone only while every record holds. Nobody lists an output's inputs here.

The stamp covers the files of the notes folder (size, mtime, inode; the output folder left out), the
files outside it the last build's parse read (images behind `../` links, tag lists in folders
above), the settings, SOURCE_DATE_EPOCH, qadeck's code, the exporters chosen, and the outputs as the
last build left them (a deleted or edited output is rebuilt); and every output's records must hold.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from qadeck import assets, depends  # noqa: F401 - assets: its records are checkable here
from qadeck.cache import Store, key, stat_of
from qadeck.context import BuildContext
from qadeck.model import Collection, Diagnostic, LinkKind
from qadeck.parser.taginfo import tag_lists_above

RACY_NS = 2_000_000_000  # a file changed this close to the stamp may change again unseen (mtime ticks)
_SKIPPED_DIRS = {".git", ".hg", ".svn"}


@dataclass
class Recorded:
    """An output as the last build left it: its key, its files' stats, its diagnostics, and what
    its exporter read (`qadeck.depends` records)."""

    key: str
    files: tuple[tuple[str, Any], ...]
    diagnostics: list[Diagnostic]
    read: tuple[depends.Record, ...] = ()


@dataclass
class LastBuild:
    """What the last complete build read and made; a stamp equal to `stamp` means nothing changed."""

    stamp: str
    collection: Collection
    outputs: dict[str, Recorded]
    extra: tuple[str, ...] = ()  # files outside the notes folder it depended on
    chosen: tuple[str, ...] = field(default=())


class Inputs:
    """The stamp of a build's inputs, taken before it parses (a file saved mid-build is seen next time)."""

    def __init__(self, config: Any, chosen: list[str], context: BuildContext, memory: list[Path]) -> None:
        self.config = config
        self.memory = tuple(str(p) for p in memory)  # the deck and its manifest: they give the ids
        self.chosen = tuple(chosen)
        self.context = context
        self.taken = time.time_ns()
        self.notes = _walk(config.notes, config.out)
        self.racy = any(self.taken - stat[1] < RACY_NS for _, stat in self.notes)

    def stamp(self, extra: tuple[str, ...], outputs: dict[str, Recorded]) -> str:
        context = {f.name: getattr(self.context, f.name) for f in fields(self.context) if f.name != "cache"}
        return key("stamp", self.config, self.chosen, context, self.notes,
                   [(path, stat_of(Path(path))) for path in (*extra, *self.memory)],
                   sorted((name, _now(r.files)) for name, r in outputs.items()))


def _now(files: tuple[tuple[str, Any], ...]) -> tuple[tuple[str, Any], ...]:
    """The files as they are now (an output deleted or replaced since it was made shows here)."""
    return tuple((path, stat_of(Path(path))) for path, _ in files)


def extra_inputs(collection: Collection, notes: Path) -> tuple[str, ...]:
    """Files outside the notes folder the build read or looked for: link targets up `../`, and the
    tag lists that would apply from the folders between the notes folder and its repository."""
    root = notes.resolve()
    found = {str((root / link.target).resolve()) for note in collection.notes for link in note.links
             if link.kind in (LinkKind.IMAGE, LinkKind.FILE) and (link.target or "").startswith("../")}
    found.update(str(path) for path in tag_lists_above(root))
    return tuple(sorted(found))


def output_key(name: str, collection: Collection, options: Any, context: BuildContext, target: Path) -> str:
    """An output by the arguments its exporter is called with (`qadeck.build.export_one`); all
    it reads besides them is recorded while it runs (`Recorded.read`)."""
    shared = {f.name: getattr(context, f.name) for f in fields(context) if f.name != "cache"}
    return key("output", name, collection, options, shared, str(target))


def output_files(target: Path, extra: list[Path]) -> tuple[tuple[str, Any], ...]:
    return tuple((str(p), stat_of(p)) for p in (target, *extra))


def unchanged(recorded: Recorded | None, entry: str, files: tuple[tuple[str, Any], ...],
              seen: dict[tuple[str, Any], str] | None = None) -> bool:
    return recorded is not None and recorded.key == entry and recorded.files == files \
        and all(stat is not None for _, stat in files) and depends.holds(recorded.read, {}, seen)


def still_holds(last: LastBuild) -> bool:
    """Everything the last build's outputs read is as it was (a style, an image, a font...)."""
    seen: dict[tuple[str, Any], str] = {}
    return all(depends.holds(recorded.read, {}, seen) for recorded in last.outputs.values())


def last_build(cache: Path) -> LastBuild | None:
    """The record of the last build by this very qadeck (another version's records are not read)."""
    return Store(cache, "build").get(key("last build"), LastBuild)


def remember(cache: Path, last: LastBuild) -> None:
    store = Store(cache, "build")
    store.put(key("last build"), last)
    store.prune()  # another version's record


def _walk(notes: Path, out: Path) -> tuple[tuple[str, Any], ...]:
    """Every file under the notes folder with its stat, in a fixed order; the output folder skipped."""
    root = Path(os.path.abspath(notes))
    skip = Path(os.path.abspath(out))
    found = []
    for folder, dirs, files in os.walk(root):
        here = Path(folder)
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and here / d != skip)
        for name in sorted(files):
            stat = stat_of(here / name)
            if stat is not None:
                found.append(((here / name).relative_to(root).as_posix(), stat))
    return tuple(found)
