"""The deck's memory: what the last build put in the Anki package, kept beside it.

`build/<name>.manifest.json` maps each question id of the package to its note, its words, its deck
(and the deck its card was first delivered to), a digest of its card, the card's modification time
and its place (`qadeck.lineage`: parent, neighbours, the first words of its answer). The next build
reads it to give each question the id it had (across renames, splits and rewordings in place), to
find the questions that are gone (and tag them in Anki), the cards outside the deck they were first
delivered to, and to say what changed. Plain data and JSON here; what a card is and how a
package is read back belong to the Anki exporter.
"""

from __future__ import annotations

import difflib
import json
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from qadeck.atomic import write_text
from qadeck.lineage import Place, words

SUFFIX = ".manifest.json"
FORMAT = "qadeck manifest"
VERSION = 1
SIMILAR = 0.6  # difflib ratio from which a new question reads as a rewording of a removed one


@dataclass(frozen=True)
class Entry:
    path: str  # the note, relative to the notes folder
    text: str  # the question's words (plain text)
    deck: str  # the deck qadeck put its card in
    digest: str  # the card's content, fields and tags: it differs exactly when Anki updates the note
    mtime: int = 0  # the note's modification time in the package (Anki updates only newer ones)
    home: str = ""  # the deck its card was first delivered to (Anki keeps a card there); "": `deck`
    words: str = ""  # its words as ids see them (`lineage.words`); "": from `text`
    parent: str = ""  # its place in its note (`lineage.Place`)
    before: str = ""
    after: str = ""
    answer: str = ""
    fresh: bool = False  # new in the build that wrote it (maybe never imported)

    def place(self) -> Place:
        return Place(self.path, self.words or words(self.text), self.parent, self.before, self.after,
                     self.answer)


@dataclass(frozen=True)
class Manifest:
    entries: Mapping[str, Entry] = field(default_factory=dict)  # question id -> entry
    # questions this build removed that the next build tags once more: this build asked for pins
    # and to build again before importing, so its package may never reach Anki
    removed: Mapping[str, Entry] = field(default_factory=dict)
    # questions an earlier build delivered and a later one removed: Anki still holds their notes
    # (tagged qadeck::removed), so a question that comes back is an update there, not a new card
    gone: Mapping[str, Entry] = field(default_factory=dict)

    def known(self, qid: str) -> Entry | None:
        """What the deck last delivered under `qid`, live or since removed."""
        return self.entries.get(qid) or self.gone.get(qid)

    def owners(self) -> dict[str, str]:
        """Question id -> note path: what the parser needs to keep ids where they were."""
        return {qid: entry.path for qid, entry in self.entries.items()}

    def places(self) -> dict[str, Place]:
        """Question id -> its place: what the parser needs to give a question the id it had."""
        return {qid: entry.place() for qid, entry in self.entries.items()}


def path_for(package: Path) -> Path:
    """`build/deck.apkg` -> `build/deck.manifest.json`."""
    return package.with_name(package.stem + SUFFIX)


def dumps(manifest: Manifest) -> str:
    """Sorted, one question a line: the same cards give the same bytes, and a diff reads well."""
    def block(entries: Mapping[str, Entry]) -> str:
        def row(qid: str) -> str:
            entry = json.dumps(asdict(entries[qid]), ensure_ascii=False, sort_keys=True)
            return f"  {json.dumps(qid)}: {entry}"

        rows = [row(qid) for qid in sorted(entries)]
        return "{\n" + ",\n".join(rows) + ("\n" if rows else "") + "}"

    pending = f', "removed": {block(manifest.removed)}' if manifest.removed else ""
    earlier = f', "gone": {block(manifest.gone)}' if manifest.gone else ""
    head = f'"format": "{FORMAT}", "version": {VERSION}'
    return f'{{{head}, "questions": {block(manifest.entries)}{pending}{earlier}}}\n'


def loads(text: str) -> Manifest | None:
    """The manifest in `text`, or None when it is not one this version reads (an output folder
    can hold anything: a file of another shape is no memory, never a crash)."""
    try:
        data = json.loads(text)
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            return None
        entries = {str(qid): Entry(**row) for qid, row in data["questions"].items()}
        removed = {str(qid): Entry(**row) for qid, row in data.get("removed", {}).items()}
        earlier = {str(qid): Entry(**row) for qid, row in data.get("gone", {}).items()}
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None
    if not all(map(_well_formed, (*entries.values(), *removed.values(), *earlier.values()))):
        return None
    return Manifest(entries, removed, earlier)


def _well_formed(entry: Entry) -> bool:
    texts = (entry.path, entry.text, entry.deck, entry.digest, entry.home, entry.words, entry.parent,
             entry.before, entry.after, entry.answer)
    return (all(isinstance(t, str) for t in texts) and type(entry.mtime) is int
            and 0 <= entry.mtime < 2**40 and type(entry.fresh) is bool)


def read(path: Path) -> Manifest | None:
    try:
        return loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError):
        return None


def damage(path: Path) -> str | None:
    """What is wrong with the manifest at `path` when there is one this version cannot read (None:
    none there, or a good one): the deck's memory is then lost, which the build says."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError:
        return None if path.is_dir() else "unreadable"  # a folder: the deck's write says so
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "not UTF-8 text"
    if loads(text) is not None:
        return None
    try:
        json.loads(text)
    except (ValueError, RecursionError):
        return "not JSON, cut short or overwritten"
    return "not a manifest this qadeck reads, of another format or version"


def write(path: Path, manifest: Manifest) -> None:
    write_text(path, dumps(manifest))


@dataclass(frozen=True)
class Changes:
    """The deck since the last build, by question id (each tuple sorted)."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    moved: tuple[str, ...] = ()
    first: bool = False  # no memory of an earlier build: every card counts as new
    renamed: tuple[str, ...] = ()  # kept their id (and card) in another note
    reworded: tuple[str, ...] = ()  # kept their id (and card) with other words
    back: tuple[str, ...] = ()  # removed by an earlier build, here again: Anki updates their note

    def summary(self) -> str:
        if self.first:
            return f"deck: {len(self.added)} new (no earlier build to compare with)"
        kept = [f"{len(ids)} kept through a {what}" for ids, what in
                ((self.renamed, "rename"), (self.reworded, "rewording")) if ids]
        kept += [f"{len(self.back)} back from removed"] if self.back else []
        return ", ".join([f"deck: +{len(self.added)} new", f"{len(self.changed)} changed",
                          f"{len(self.removed)} removed", f"{len(self.moved)} moved", *kept])


def changes(before: Manifest | None, after: Manifest) -> Changes:
    if before is None:
        return Changes(added=tuple(sorted(after.entries)), first=True)
    old, new = before.entries, after.entries
    kept = sorted(old.keys() & new.keys())
    back = tuple(sorted((new.keys() - old.keys()) & before.gone.keys()))
    changed = [q for q in kept if old[q].digest and new[q].digest and old[q].digest != new[q].digest]
    return Changes(
        added=tuple(sorted(new.keys() - old.keys() - set(back))),
        changed=tuple(sorted([*changed, *back])),
        back=back,
        removed=tuple(sorted(old.keys() - new.keys())),
        moved=tuple(q for q in kept if old[q].deck != new[q].deck),
        renamed=tuple(q for q in kept if old[q].path != new[q].path),
        reworded=tuple(q for q in kept if old[q].place().words != new[q].place().words),
    )


@dataclass(frozen=True)
class Rewording:
    old_id: str  # the removed question, whose card (and review history) a pin would keep
    new_id: str  # the question that looks like it, new in this build

    def pin(self) -> str:
        return f"<!-- qid: {self.old_id} -->"


def rewordings(before: Manifest | None, after: Manifest, found: Changes,
               pinned: frozenset[str] = frozenset()) -> list[Rewording]:
    """New questions that look like a removed one: similar words in the same note, or the same
    words in another note. Never applied by itself: a new question must not take an old card
    by accident, so the build suggests the pin and the user decides. A question whose id is
    `pinned` already has the id its writer chose: nothing to suggest."""
    if before is None:
        return []
    pairs = []
    for old_id in found.removed:
        old = before.entries[old_id]
        for new_id in (q for q in found.added if q not in pinned):
            new = after.entries[new_id]
            ratio = _similarity(old.text, new.text)
            if (new.path == old.path and ratio >= SIMILAR) or ratio == 1.0:
                pairs.append((-ratio, old_id, new_id))
    taken: set[str] = set()
    found_pairs = []
    for _, old_id, new_id in sorted(pairs):  # best matches first, each question once
        if old_id not in taken and new_id not in taken:
            taken.update((old_id, new_id))
            found_pairs.append(Rewording(old_id, new_id))
    return sorted(found_pairs, key=lambda r: (after.entries[r.new_id].path, r.new_id))


def _similarity(a: str, b: str) -> float:
    a, b = _words(a), _words(b)
    if a == b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _words(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


_LISTED = 10  # removed questions named one by one in the report; the rest are counted


@dataclass(frozen=True)
class Report:
    """What one build did to the deck, for the person who imports it and for scripts."""

    changes: Changes
    before: Manifest | None
    after: Manifest
    rewordings: tuple[Rewording, ...] = ()

    def lines(self, package: str) -> list[str]:
        found = self.changes
        lines = [found.summary()]
        if found.removed and self.before is not None:
            lines.append(f"  {len(found.removed)} removed: tagged qadeck::removed in {package}; after "
                         "importing it, find them in Anki (Browse, search tag:qadeck::removed), "
                         "delete them")
            gone = self.before.entries
            lines += [f"    - {gone[q].text}  ({gone[q].path})" for q in found.removed[:_LISTED]]
            if len(found.removed) > _LISTED:
                lines.append(f"    ... and {len(found.removed) - _LISTED} more")
        again = [q for q in (self.before.removed if self.before else {}) if q not in self.after.entries]
        if again:
            verb = "is" if len(again) == 1 else "are"
            lines.append(f"  {len(again)} removed by the last build (which asked to build again before "
                         f"importing) {verb} tagged qadeck::removed again")
        if found.moved and self.before is not None:
            lines.append(f"  {len(found.moved)} moved: Anki leaves cards in their old deck; after importing, "
                         "Browse, search tag:qadeck::moved, select them all, Change Deck:")
            lines += [f"    {path} ({count}): {old} -> {new}"
                      for (path, old, new), count in self._moves().items()]
        outside = [e for e in self.after.entries.values() if e.home and e.home != e.deck]
        if outside:
            cards = "1 card carries" if len(outside) == 1 else f"{len(outside)} cards carry"
            lines.append(f"  {cards} qadeck::moved: not in the deck Anki first put them in, as Anki never "
                         "moves a card (search tag:qadeck::moved, Change Deck; or use qadeck sync)")
        if found.removed:
            lines.append("  (only this package tags these removals: import it before the next build)")
        if self.rewordings and self.before is not None:
            count = len(self.rewordings)
            verb = "s look" if count > 1 else " looks"
            lines.append(f"  {count} new question{verb} like a removed one: to keep the old card and its "
                         "review history, put the line shown under the new heading and build again:")
            for found in self.rewordings:
                old, new = self.before.entries[found.old_id], self.after.entries[found.new_id]
                lines.append(f"    {new.path}: {new.text}  (was: {old.text})  {found.pin()}")
        return lines

    def _moves(self) -> dict[tuple[str, str, str], int]:
        assert self.before is not None
        groups: dict[tuple[str, str, str], int] = {}
        for qid in self.changes.moved:
            key = (self.after.entries[qid].path, self.before.entries[qid].deck, self.after.entries[qid].deck)
            groups[key] = groups.get(key, 0) + 1
        return dict(sorted(groups.items()))

    def to_json(self) -> dict:
        def rows(ids: tuple[str, ...], side: Manifest) -> list[dict]:
            return [{"id": q, "path": side.entries[q].path, "text": side.entries[q].text,
                     "deck": side.entries[q].deck} for q in ids]

        found, before = self.changes, self.before or Manifest()
        moved = [{**row, "from": before.entries[row["id"]].deck} for row in rows(found.moved, self.after)]
        return {"summary": found.summary(), "first": found.first, "added": rows(found.added, self.after),
                "changed": rows(found.changed, self.after), "removed": rows(found.removed, before),
                "back": rows(found.back, self.after),
                "moved": moved, "carried": {"renamed": rows(found.renamed, self.after),
                                            "reworded": rows(found.reworded, self.after)},
                "reworded": [{"old": r.old_id, "new": r.new_id, "pin": r.pin()} for r in self.rewordings]}


def report(before: Manifest | None, after: Manifest, pinned: frozenset[str] = frozenset()) -> Report:
    found = changes(before, after)
    return Report(found, before, after, tuple(rewordings(before, after, found, pinned)))
