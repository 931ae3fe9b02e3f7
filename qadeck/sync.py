"""`qadeck sync`: build the deck and apply it to an Anki collection directly, with the official
`anki` library (`pip install 'qadeck[anki]'`), the way `apy` edits a collection.

The collection is never half-written: after the checks (there, not held open by Anki, a sound
SQLite database, no unsaved write-ahead log), the work is done on a copy in a temporary folder,
Anki's own backup of that copy goes to the profile's `backups` folder first, and the copy
replaces the collection in one rename once every change is made (a crash before leaves the
collection as it was). `--dry-run` does the same work on the copy and throws it away.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sqlite3
import tempfile
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import click

from qadeck import manifest
from qadeck.build import DECK, Output, build
from qadeck.cli_options import config_for
from qadeck.cli_print import print_diagnostics, summary
from qadeck.config import Config
from qadeck.errors import MissingDependency, QadeckError
from qadeck.model import Collection

_LISTED = 20  # moves and re-keys named one by one
WHERE = ("Anki keeps it in its profile folder: ~/.local/share/Anki2/<profile>/collection.anki2 on "
         "Linux, ~/Library/Application Support/Anki2/<profile>/collection.anki2 on macOS, "
         "%APPDATA%\\Anki2\\<profile>\\collection.anki2 on Windows")


class SyncError(QadeckError):
    """The collection cannot be synced; the message is one sentence and nothing was changed."""


@dataclass
class Synced:
    collection: Collection
    output: Output
    plan: Any  # qadeck.ankiapply.Plan
    backup: Path | None
    dry_run: bool


def sync(config: Config, target: Path, dry_run: bool = False, delete_removed: bool = False) -> Synced:
    """Build the deck and make the Anki collection at `target` hold it (see the module docstring)."""
    if importlib.util.find_spec("anki") is None:
        raise MissingDependency("qadeck sync needs the official anki package: pip install 'qadeck[anki]'")
    check(target)
    collection, outputs = build(config, [DECK])
    (output,) = outputs
    if output.error or output.path is None:
        raise QadeckError(f"the deck could not be built: {output.error}")
    from qadeck.exporters.anki import root_deck
    from qadeck.exporters.anki.package import read_previous

    deck = read_previous(output.path)
    stamp = _stamp(target)
    # beside the collection: the rename that puts the copy in place stays on one file system
    with tempfile.TemporaryDirectory(prefix=".qadeck-sync-", dir=target.parent) as folder:
        copy = Path(folder) / "collection.anki2"
        shutil.copy2(target, copy)
        plan, backup = _apply(copy, target, output.path, deck, root_deck(collection.title), delete_removed,
                              dry_run)
        if not dry_run and plan.empty():  # nothing to change: the collection and its backups stay
            if backup is not None:
                backup.unlink()
            backup = None
        elif not dry_run:
            if _stamp(target) != stamp or _locked(target):
                raise SyncError(f"{target} changed while qadeck was syncing (is Anki open?); nothing was "
                                "changed, run qadeck sync again")
            _copy_media(copy.with_suffix(".media"), target.with_suffix(".media"))
            os.replace(copy, target)
        if not dry_run:
            _settle_memory(output.path, deck)
    return Synced(collection, output, plan, backup, dry_run)


def check(target: Path) -> None:
    """One sentence, and nothing touched, unless `target` is a collection qadeck may change now."""
    if not target.is_file():
        raise SyncError(f"{target}: no Anki collection there ({WHERE})")
    wal = Path(f"{target}-wal")
    if _locked(target):
        raise SyncError(f"{target} is open in Anki: close Anki (or switch to another profile), then run "
                        "qadeck sync again")
    if wal.is_file() and wal.stat().st_size:
        raise SyncError(f"{target} was not closed cleanly ({wal.name} holds unsaved changes): open Anki "
                        "once and close it, then run qadeck sync again")
    if not _sound(target):
        raise SyncError(f"{target} is not an Anki collection or is damaged; nothing was changed")


def _locked(target: Path) -> bool:
    """Whether another process holds the database (Anki keeps its collection locked while open)."""
    try:
        db = sqlite3.connect(f"file:{target}?mode=rw", uri=True, timeout=0)
    except sqlite3.Error:
        return False
    try:
        db.execute("BEGIN EXCLUSIVE")
        db.rollback()
        return False
    except sqlite3.OperationalError as exc:
        return "locked" in str(exc) or "busy" in str(exc)
    except sqlite3.Error:
        return False
    finally:
        db.close()


def _sound(target: Path) -> bool:
    try:
        db = sqlite3.connect(f"file:{target}?mode=ro", uri=True, timeout=0)
        db.create_collation("unicase", _unicase)  # Anki's, used by its indexes
        try:
            ok = db.execute("PRAGMA quick_check").fetchone()
            db.execute("SELECT ver FROM col").fetchone()
            db.execute("SELECT count() FROM notes").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return False
    return ok is not None and ok[0] == "ok"


def _unicase(a: str, b: str) -> int:
    a, b = a.casefold(), b.casefold()
    return (a > b) - (a < b)


def _stamp(target: Path) -> tuple[int, int]:
    info = target.stat()
    return info.st_mtime_ns, info.st_size


def _apply(copy: Path, target: Path, package: Path, deck: Any, root: str, delete_removed: bool,
           dry_run: bool) -> tuple[Any, Path | None]:
    from anki.collection import Collection as AnkiCollection
    from anki.errors import DBError

    from qadeck.ankiapply import apply

    try:
        col = AnkiCollection(str(copy))
    except DBError as exc:
        raise SyncError(f"{target} cannot be opened by the anki library ({exc}); nothing was changed") \
            from None
    backup = None
    try:
        if not dry_run:
            backup = _backup(col, target.parent / "backups")
        plan = apply(col, package, deck, root, delete_removed)
    finally:
        col.close()
    return plan, backup


def _backup(col: Any, folder: Path) -> Path:
    """Anki's own backup of the collection as it is now (a .colpkg Anki restores), in the profile's
    backups folder. Anki skips a backup when its newest one is from the same second as the last
    change; then the collection package is written by the same library, under a name of its own."""
    folder.mkdir(exist_ok=True)
    before = set(folder.iterdir())
    col.create_backup(backup_folder=str(folder), force=True, wait_for_completion=True)
    made = sorted(set(folder.iterdir()) - before)
    if made:
        return made[-1]
    path = folder / time.strftime("backup-%Y-%m-%d-%H.%M.%S-qadeck.colpkg")
    col.export_collection_package(str(path), include_media=False, legacy=False)
    col.reopen()
    return path


def _copy_media(source: Path, media: Path) -> None:
    """Media the import added, next to the collection (names are unique by content: nothing is
    overwritten with other bytes)."""
    if not source.is_dir():
        return
    media.mkdir(exist_ok=True)
    for path in source.iterdir():
        if path.is_file() and not (media / path.name).exists():
            shutil.copy2(path, media / path.name)


def _settle_memory(package: Path, deck: Any) -> None:
    """After a sync every card is in its deck and no note carries qadeck::moved: the memory says
    so (the next build tags nothing moved, and its report counts what the collection will see),
    and the removals it kept to tag again are done."""
    from qadeck.exporters.anki.memory import MOVED, digest

    path = manifest.path_for(package)
    memory = manifest.read(path)
    if memory is None:
        return
    homes = {}
    for qid, entry in memory.entries.items():
        held = deck.notes.get(qid)
        content = digest(held[1].split("\x1f"), [t for t in held[2].split() if t != MOVED]) if held \
            else entry.digest
        homes[qid] = replace(entry, home=entry.deck, digest=content)
    manifest.write(path, replace(memory, entries=homes, removed={}))


@click.command("sync", short_help="Build the deck and apply it to an Anki collection.")
@click.argument("path", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--notes", type=click.Path(path_type=Path, file_okay=False),
              help="Notes folder (the same as PATH).")
@click.option("--out", type=click.Path(path_type=Path, file_okay=False),
              help="Output folder (default: the configured `out`, else build).")
@click.option("--collection", "target", required=True, type=click.Path(path_type=Path, dir_okay=False),
              help="The Anki collection file (collection.anki2 in the profile folder); Anki must be closed.")
@click.option("--dry-run", is_flag=True, help="Print what would change; change nothing in the collection.")
@click.option("--delete-removed", is_flag=True,
              help="Delete the notes of questions no longer in the notes (default: tag them "
                   "qadeck::removed).")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@click.pass_context
def sync_command(ctx: click.Context, path: Path | None, notes: Path | None, out: Path | None, target: Path,
                 dry_run: bool, delete_removed: bool, as_json: bool) -> None:
    """Build the Anki deck and apply it to the collection FILE: add new notes, update changed ones,
    move cards to the decks their notes name, keep a card whose question got another id (with its
    review history), tag removed questions qadeck::removed (--delete-removed deletes them), and
    remove qadeck's decks left empty. Anki's own backup is made first and the collection is
    replaced in one step; Anki must be closed. After it, sync with AnkiWeb from Anki as usual."""
    config = config_for(ctx, path, notes, out=out)
    done = sync(config, target, dry_run, delete_removed)
    if as_json:
        click.echo(json.dumps({**done.plan.to_json(), "dry_run": dry_run,
                               "backup": str(done.backup) if done.backup else None}, ensure_ascii=False))
        return
    print_diagnostics(done.collection.diagnostics, config.notes, quiet_info=True)
    click.echo(summary(done.collection, [done.output]), err=True)
    plan = done.plan
    click.echo(("would do: " if dry_run else "") + plan.summary())
    for guid, old, new in plan.moved[:_LISTED]:
        click.echo(f"  moved {guid}: {old} -> {new}")
    for old, new in plan.rekeyed[:_LISTED]:
        click.echo(f"  re-keyed {old} -> {new} (its cards and review history kept)")
    if dry_run:
        click.echo("(dry run: the collection was not changed)")
    elif done.backup is not None:
        click.echo(f"Anki's backup of the collection before the sync: {done.backup}")
