"""A built deck applied to an open Anki collection with the official `anki` library (`qadeck sync`).

What Anki's package import cannot do, done here on the collection itself: a note whose id changed
(a clean checkout, a pin) is re-keyed onto the live id before anything else, so its cards and
review history stay; the package is imported with Anki's default options (new notes, note types,
media); every live note then gets the package's fields and tags whatever its modification time;
cards go to the decks their notes now name; questions no longer in the notes are tagged
`qadeck::removed` (deleted only when asked); qadeck's decks left empty are removed. The caller
works on a copy of the collection and decides whether to keep it (see `qadeck.sync`).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from qadeck.exporters.anki.memory import MOVED, REMOVED
from qadeck.exporters.anki.package import MODEL_ID, PROBLEM_MODEL_ID, Previous
from qadeck.lineage import words

_TAGS = re.compile(r"<[^>]+>")
KEPT_TAGS = ("marked", "leech")  # Anki's own tags on a note: a sync never takes them away


@dataclass
class Plan:
    """What a sync does (or did) to the collection, by question id."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    moved: list[tuple[str, str, str]] = field(default_factory=list)  # id, from deck, to deck
    rekeyed: list[tuple[str, str]] = field(default_factory=list)  # old id -> live id
    removed: list[str] = field(default_factory=list)  # tagged qadeck::removed now
    deleted: list[str] = field(default_factory=list)  # with --delete-removed
    empty_decks: list[str] = field(default_factory=list)
    added_nids: list[int] = field(default_factory=list)
    updated_nids: list[int] = field(default_factory=list)

    def empty(self) -> bool:
        return not (self.added or self.updated or self.moved or self.rekeyed or self.removed
                    or self.deleted or self.empty_decks)

    def summary(self) -> str:
        parts = [f"+{len(self.added)} new", f"{len(self.updated)} updated", f"{len(self.moved)} moved",
                 f"{len(self.rekeyed)} re-keyed", f"{len(self.removed)} tagged removed"]
        if self.deleted:
            parts.append(f"{len(self.deleted)} deleted")
        parts.append(f"{len(self.empty_decks)} empty decks removed")
        return "sync: " + ", ".join(parts)

    def to_json(self) -> dict[str, Any]:
        return {"summary": self.summary(), "added": self.added, "updated": self.updated,
                "moved": [{"id": i, "from": a, "to": b} for i, a, b in self.moved],
                "rekeyed": [{"old": a, "new": b} for a, b in self.rekeyed], "removed": self.removed,
                "deleted": self.deleted, "empty_decks": self.empty_decks,
                "added_nids": self.added_nids, "updated_nids": self.updated_nids}


def apply(col: Any, package: Path, deck: Previous, root: str, delete_removed: bool) -> Plan:
    """Make the collection hold the deck `deck` (the package at `package`, read back); `root` is
    the collection's deck under which qadeck's decks sit."""
    plan = Plan()
    live = {guid: note for guid, note in deck.notes.items() if REMOVED not in note[2].split()}
    _rekey(col, live, plan)
    before = {guid: _content(col, nid) for guid, nid in _ours(col).items()}
    untagged = {guid for guid, (_, tags) in before.items() if guid not in live and REMOVED not in tags}
    log = _import(col, package)
    born_removed = [n.id.nid for n in log.new if REMOVED in col.get_note(n.id.nid).tags]
    if born_removed:  # tagged removed by the package and never in this collection: nothing to tag
        col.remove_notes(born_removed)
    plan.added_nids = [n.id.nid for n in log.new if n.id.nid not in born_removed]
    plan.added = sorted(col.get_note(nid).guid for nid in plan.added_nids)
    ours = _ours(col)
    for guid, (_, fields, tags) in sorted(live.items()):
        if guid in ours and guid in before:
            _refresh(col, ours[guid], fields, tags)
    # updated: what a person would see changed, whatever Anki's importer touched on the way
    changed = [guid for guid in sorted(live) if guid in before and guid in ours
               and _content(col, ours[guid]) != before[guid]]
    plan.updated, plan.updated_nids = changed, [ours[guid] for guid in changed]
    _move(col, ours, live, deck, plan)
    _orphans(col, ours, live, delete_removed, plan)
    plan.removed = sorted(set(plan.removed) | (untagged - set(plan.deleted)))
    _empty_decks(col, root, plan)
    return plan


def _content(col: Any, nid: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    note = col.get_note(nid)
    return tuple(note.fields), tuple(sorted(note.tags))


def _ours(col: Any) -> dict[str, int]:
    """GUID -> note id of every note of qadeck's note types in the collection."""
    rows = col.db.all("SELECT guid, id FROM notes WHERE mid IN (?, ?)", MODEL_ID, PROBLEM_MODEL_ID)
    return {guid: nid for guid, nid in rows}


def _rekey(col: Any, live: dict[str, tuple[int, str, str]], plan: Plan) -> None:
    """A live question missing from the collection takes over the one orphan with its words."""
    ours = _ours(col)
    missing = [guid for guid in live if guid not in ours]
    orphans: dict[str, list[str]] = {}
    for guid, nid in ours.items():
        if guid not in live:
            orphans.setdefault(words(_plain(col.get_note(nid).fields[0])), []).append(guid)
    wanted: dict[str, list[str]] = {}
    for guid in missing:
        wanted.setdefault(words(_plain(live[guid][1].split("\x1f")[0])), []).append(guid)
    for text, new_ids in sorted(wanted.items()):
        old_ids = orphans.get(text, [])
        if len(new_ids) == len(old_ids) == 1:
            note = col.get_note(ours[old_ids[0]])
            note.guid = new_ids[0]
            col.update_note(note)
            plan.rekeyed.append((old_ids[0], new_ids[0]))


def _import(col: Any, package: Path) -> Any:
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    request = ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
    log = col.import_anki_package(request).log
    col.models._clear_cache()
    return log


def _refresh(col: Any, nid: int, fields: str, tags: str) -> bool:
    """The package's fields and tags on the note (less qadeck::moved: the card is moved instead,
    and Anki's own tags stay); whether anything changed."""
    note = col.get_note(nid)
    wanted_fields = fields.split("\x1f")
    wanted_tags = [t for t in tags.split() if t != MOVED]
    wanted_tags += [t for t in note.tags if t.lower() in KEPT_TAGS and t not in wanted_tags]
    if note.fields == wanted_fields and sorted(note.tags) == sorted(wanted_tags):
        return False
    if len(note.fields) != len(wanted_fields):
        return False  # another note type under our id: left alone (Anki reports it on import)
    note.fields[:] = wanted_fields
    note.tags = wanted_tags
    col.update_note(note)
    return True


def _move(col: Any, ours: dict[str, int], live: dict[str, tuple[int, str, str]], deck: Previous,
          plan: Plan) -> None:
    for guid in sorted(live):
        nid, target = ours.get(guid), deck.decks.get(guid)
        if nid is None or not target:
            continue
        target_id = None
        for cid in col.card_ids_of_note(nid):
            card = col.get_card(cid)
            current = col.decks.name(card.did)
            if current != target:
                target_id = target_id or col.decks.id(target)
                col.set_deck([cid], target_id)
                plan.moved.append((guid, current, target))


def _orphans(col: Any, ours: dict[str, int], live: dict[str, tuple[int, str, str]], delete: bool,
             plan: Plan) -> None:
    gone = {guid: nid for guid, nid in ours.items() if guid not in live}
    if delete:
        col.remove_notes(list(gone.values()))
        plan.deleted = sorted(gone)
        return
    untagged = [nid for guid, nid in sorted(gone.items()) if REMOVED not in col.get_note(nid).tags]
    if untagged:
        col.tags.bulk_add(untagged, REMOVED)
    plan.removed = sorted(col.get_note(nid).guid for nid in untagged)


def _empty_decks(col: Any, root: str, plan: Plan) -> None:
    """qadeck's decks (under `root`, never `root` itself) that hold no card, here or below."""
    empty = [d for d in col.decks.all_names_and_ids()
             if d.name.startswith(root + "::") and not col.decks.card_count(d.id, include_subdecks=True)]
    if empty:
        col.decks.remove([d.id for d in empty])
    plan.empty_decks = sorted(d.name for d in empty)


def _plain(html_text: str) -> str:
    return " ".join(html.unescape(_TAGS.sub("", html_text)).split())
