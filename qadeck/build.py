"""The build: parse every note into one finished model, then run the exporters.

No exporter runs while parsing, and no parse diagnostic surfaces after an output was written.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

from qadeck import __version__, checks, codes, depends, exporters, incremental, manifest
from qadeck.atomic import probe, sweep
from qadeck.config import Config
from qadeck.context import BuildContext
from qadeck.epoch import source_date_epoch
from qadeck.errors import ConfigError, OutputError, QadeckError, why
from qadeck.manifest import Manifest, Report
from qadeck.model import Collection, Diagnostic
from qadeck.parser import parse_collection
from qadeck.scratch import scratch
from qadeck.session import kept, same_notes, suspended

DECK = "anki"  # the exporter whose package the build's memory describes


@dataclass
class Output:
    name: str
    path: Path | None
    seconds: float
    diagnostics: list[Diagnostic] = field(default_factory=list)
    error: str | None = None
    report: Report | None = None  # the deck's: what changed since the last build (see deck_report)
    unchanged: bool = False  # its inputs were those of the last build: the file was left as it was

    def flagged(self) -> int:
        """Warnings and errors the exporter reported (what `build --strict` counts)."""
        return sum(d.severity in ("warning", "error") for d in self.diagnostics)


def load(config: Config, package: Path | None = None) -> Collection:
    """The notes, with ids as the last build of the deck at `package` (default: the configured
    one) gave them."""
    return parse(config, memory(package or config.output(exporters.load(DECK).SUFFIX)))


def parse(config: Config, before: Manifest | None, cache: Path | None = None) -> Collection:
    """The notes as one model; with `cache` (the build cache folder) each note's read and checks
    are kept there."""
    notes = config.notes
    if not notes.is_dir():
        raise ConfigError(f"{notes}: notes folder not found")
    options = replace(config.parse_options(), cache=cache)
    if before is not None:
        options = replace(options, owners=before.owners(), memory=before.places())
    return checks.run(parse_collection(notes, options), cache)


def memory(package: Path) -> Manifest | None:
    """What the last build put in the deck at `package` (its manifest, else the package itself)."""
    return exporters.load(DECK).recall(package)


def mixed(outputs: list[Output]) -> str | None:
    """When some outputs were written and others not: which files are new and which old."""
    old = [o.name for o in outputs if o.error]
    if not old or len(old) == len(outputs):
        return None
    new = [o.name for o in outputs if not o.error and not o.unchanged]
    kept = [o.name for o in outputs if o.unchanged]
    parts = ([f"new: {', '.join(new)}"] if new else []) + ([f"up to date: {', '.join(kept)}"] if kept else [])
    return (f"outputs: {'; '.join(parts)}; old (not written, left as the last build wrote them): "
            f"{', '.join(old)}")


def memory_lost(package: Path, before: Manifest | None) -> Diagnostic | None:
    """One warning when the deck's manifest beside `package` is there but cannot be read."""
    path = manifest.path_for(package)
    why = manifest.damage(path)
    if why is None:
        return None
    then = ("its memory is taken from the package it describes" if before is not None else
            "neither it nor the package tells what the last build wrote")
    return Diagnostic("", 0, "warning", codes.DECK_MEMORY_LOST, (
        f"the deck's manifest {path} is damaged ({why}): {then}, so a question moved or reworded since "
        "may get a new card; this build writes a new manifest"))


def deck_report(output: Output, before: Manifest | None, collection: Collection) -> None:
    """After the deck was written: what changed since `before`, on the output, and each new
    question that looks like a removed one as a note at its heading with the pin that keeps the
    old card (never applied by itself: only the user knows it is the same question)."""
    if output.error or output.path is None:
        return
    after = manifest.read(manifest.path_for(output.path))
    if after is None:
        return
    pinned = frozenset(q.id for q in collection.questions() if q.pinned)
    output.report = manifest.report(before, after, pinned)
    if before is None:
        return
    lines = {q.id: (note.path, q.line) for note in collection.notes for q in note.questions}
    for found in output.report.rewordings:
        old, new = before.entries[found.old_id], after.entries[found.new_id]
        path, line = lines.get(found.new_id, (new.path, 0))
        was = f'the removed question "{old.text}" reworded' if old.path == new.path else \
            f"the question removed from {old.path}"
        output.diagnostics.append(Diagnostic(path, line, "info", codes.QUESTION_REWORDED, (
            f"looks like {was}; to keep its card and review history, put this line under the "
            f"heading: {found.pin()}")))


def tidy(*folders: Path) -> None:
    """Remove the temporary files a killed build left in `folders` and their subfolders (one level:
    the output folder, the cache's kinds), never those of a build still writing them."""
    for folder in folders:
        sweep(folder)
        try:
            inside = [entry.path for entry in os.scandir(folder) if entry.is_dir(follow_symlinks=False)]
        except OSError:
            continue
        for path in inside:
            sweep(Path(path))


def writable(folder: Path) -> None:
    """Raise one sentence when nothing can be written into the output folder, before any work."""
    unwritable = probe(folder)
    if unwritable is not None:
        raise OutputError(f"{folder}{os.sep}", unwritable)


def cache_unwritable(config: Config) -> OSError | None:
    """Why the build cache cannot be written, when the output folder can (else that is the error)."""
    return None if probe(config.out) is not None else probe(config.out / ".cache")


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
    except OSError as exc:  # the output folder or the cache in a state no write survives
        where = exc.filename or "a temporary file of the build"
        return Output(name, None, time.perf_counter() - started, error=f"cannot write {where}: {why(exc)}")
    return Output(name, out_path, time.perf_counter() - started, diagnostics)


def build(config: Config, only: list[str] | None = None,
          progress: Callable[[Output], None] | None = None,
          cache: bool = True) -> tuple[Collection, list[Output]]:
    """Parse and export; with `cache`, only what changed since the last build is redone (nothing at
    all when no input changed), else every output is made afresh and the cache is left alone."""
    chosen = only or exporters.names()
    unknown = [n for n in chosen if n not in exporters.EXPORTERS]
    if unknown:
        raise ConfigError(f"unknown exporter {', '.join(unknown)}; "
                          f"choose from {', '.join(exporters.names())}")
    shared = context(config)
    tidy(config.out, config.out / ".cache")
    writable(config.out)
    if not cache:
        # a throwaway cache inside this build's scratch folder (<out>/.cache/tmp), so a killed build
        # leaves nothing in /tmp: the next build removes it like any abandoned scratch folder
        with scratch(shared.cache), tempfile.TemporaryDirectory(prefix="qadeck-no-cache-") as folder, \
                suspended():
            return _build(config, chosen, replace(shared, cache=Path(folder)), progress, None)
    deck = config.output(exporters.load(DECK).SUFFIX)
    inputs = incremental.Inputs(config, chosen, shared, [deck, manifest.path_for(deck)])
    last = incremental.last_build(shared.cache)
    if last is not None and last.chosen == inputs.chosen \
            and last.stamp == inputs.stamp(last.extra, last.outputs) and incremental.still_holds(last):
        return _replay(config, last, progress)
    with scratch(shared.cache):
        return _build(config, chosen, shared, progress, inputs, last)


def _build(config: Config, chosen: list[str], shared: BuildContext,
           progress: Callable[[Output], None] | None, inputs: incremental.Inputs | None,
           last: incremental.LastBuild | None = None) -> tuple[Collection, list[Output]]:
    """`last`: the last build's record, read already (None: none, or no record is kept)."""
    with early(chosen, config):
        return _parse_and_export(config, chosen, shared, progress, inputs, last)


def early(chosen: list[str], config: Config) -> ExitStack:
    """What the chosen exporters start before the parse, stopped when the build ends: an exporter's
    `warm(options)` (the handbook's printing processes import WeasyPrint while the notes are parsed)."""
    stack = ExitStack()
    with stack:
        for name in chosen:
            warm = getattr(exporters.load(name), "warm", None)
            if warm is not None:
                stack.enter_context(warm(config.options(name)))
        return stack.pop_all()


def session(chosen: list[str]) -> ExitStack:
    """What builds keep from one to the next in this process until it is closed (`qadeck watch`):
    the cache entries, notes and keys the last build had in memory (`qadeck.session`), and an
    exporter's `session()` (the handbook's printing processes, kept warm instead of started afresh
    for every rebuild)."""
    stack = ExitStack()
    with stack:
        stack.enter_context(kept())
        for name in chosen:
            hook = getattr(exporters.load(name), "session", None)
            if hook is not None:
                stack.enter_context(hook())
        return stack.pop_all()


def _parse_and_export(config: Config, chosen: list[str], shared: BuildContext,
                      progress: Callable[[Output], None] | None, inputs: incremental.Inputs | None,
                      last: incremental.LastBuild | None) -> tuple[Collection, list[Output]]:
    package = config.output(exporters.load(DECK).SUFFIX)
    before = memory(package)
    lost = memory_lost(package, before)
    collection = same_notes(parse(config, before, shared.cache))
    outputs, recorded, settled = [], {}, True
    for name in chosen:
        target = config.output(exporters.load(name).SUFFIX)
        output, recorded[name], same = _export_cached(name, collection, target, config, shared,
                                                      last.outputs.get(name) if last else None)
        settled = settled and same
        if name == DECK:
            deck_report(output, before, collection)
        if lost is not None and (name == DECK or DECK not in chosen):  # said once, by the deck if built
            output.diagnostics.append(lost)
            lost = None
        outputs.append(output)
        if progress is not None:
            progress(output)
    if inputs is not None:
        # Each output's record is kept for the next build (an output not built this time too); the
        # stamp only when the next build may take it as "nothing changed": no failure, no racy file.
        extra = incremental.extra_inputs(collection, config.notes)
        done = {**(last.outputs if last else {}), **{n: r for n, r in recorded.items() if r is not None}}
        whole = settled and not inputs.racy and all(r is not None for r in recorded.values())
        incremental.remember(shared.cache, incremental.LastBuild(
            inputs.stamp(extra, done) if whole else "", collection, done, extra, inputs.chosen))
    return collection, outputs


def _export_cached(name: str, collection: Collection, target: Path, config: Config, shared: BuildContext,
                   recorded: incremental.Recorded | None) -> tuple[Output, incremental.Recorded | None, bool]:
    """One exporter, or none when it would be called with the same arguments and all it read last
    time (`qadeck.depends` records) holds; and whether the same inputs would make the same file
    again. The deck reads its own last package and manifest (timestamps, moved and removed cards),
    so a deck that came out different from the one it read may change once more on the next build."""
    own = [target, manifest.path_for(target)] if name == DECK else []
    entry = incremental.output_key(name, collection, config.options(name), shared, target)
    if incremental.unchanged(recorded, entry, incremental.output_files(target, own[1:])):
        assert recorded is not None
        return Output(name, target, 0.0, list(recorded.diagnostics), unchanged=True), recorded, True
    with depends.recording(values=False) as read:  # its values are all in `entry`
        for path in own:
            depends.read_file_recorded(path)
        itself = read.records()
        output = export_one(name, collection, target, config, shared)
    if output.error:
        return output, None, False
    files = incremental.output_files(target, own[1:])
    return output, incremental.Recorded(entry, files, output.diagnostics, read.records()), \
        depends.holds(itself, {})


def _replay(config: Config, last: incremental.LastBuild,
            progress: Callable[[Output], None] | None) -> tuple[Collection, list[Output]]:
    """Nothing changed: the last build's model and diagnostics, every output left as it was."""
    outputs = []
    for name in last.chosen:
        target = config.output(exporters.load(name).SUFFIX)
        output = Output(name, target, 0.0, list(last.outputs[name].diagnostics), unchanged=True)
        if name == DECK:
            deck_report(output, memory(target), last.collection)
        outputs.append(output)
        if progress is not None:
            progress(output)
    return last.collection, outputs
