"""What the deck remembers between builds (`qadeck.manifest`), as the Anki exporter uses it.

Anki's importer adds and updates notes but never deletes one and never moves a card to another
deck. So a question that is gone from the notes goes into the package once more, tagged
`qadeck::removed` and newer than before (Anki then updates its tags, and `tag:qadeck::removed`
finds it to delete), and a card whose deck is not the one it was first delivered to (where Anki
keeps it) carries `qadeck::moved` in every build until it is back there (or `qadeck sync` moved it).
A card's digest covers all its fields and tags, so it differs exactly when Anki updates the note.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from qadeck import manifest
from qadeck.lineage import Place
from qadeck.manifest import Entry, Manifest
from qadeck.sanitize import HtmlPolicy, clean

from .cards import FIELDS, Card, plain
from .package import EPOCH_1980, Previous, note_mtime, pinned_epoch, read_previous

REMOVED = "qadeck::removed"
MOVED = "qadeck::moved"
BOOKKEEPING = (REMOVED, MOVED)
_SOURCE = FIELDS.index("Source")  # "path#anchor" ("path:line" in packages of earlier versions)


def recall(package: Path, previous: Previous | None = None) -> Manifest | None:
    """The memory of the last build that wrote `package`: the manifest beside it, else what the
    package itself holds (an output folder from before manifests); None when there is neither."""
    found = manifest.read(manifest.path_for(package))
    if found is not None:
        return found
    return of_package(read_previous(package) if previous is None else previous)


def of_package(previous: Previous) -> Manifest | None:
    if not previous.notes:
        return None
    entries = {}
    for guid, (mtime, flds, tags) in previous.notes.items():
        fields, tag_list = flds.split("\x1f"), tags.split()
        if REMOVED in tag_list or len(fields) != len(FIELDS):
            continue
        source = html.unescape(fields[_SOURCE])
        path = source.partition("#")[0] if "#" in source else source.rpartition(":")[0]
        deck = previous.decks.get(guid, "")
        entries[guid] = Entry(path, plain(fields[0]), deck, digest(fields, tag_list), mtime)
    return Manifest(entries)


def digest(fields: Iterable[str], tags: Iterable[str]) -> str:
    """A card's content as the package holds it, fields and tags: what Anki compares."""
    data = json.dumps([list(fields), list(tags)], ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(data).hexdigest()[:16]


def home(entry: Entry | None, deck: str) -> str:
    """The deck a card was first delivered to (Anki keeps it there): the memory's, else `deck`."""
    if entry is None:
        return deck
    return entry.home or entry.deck or deck


def mark_moved(cards: list[Card], before: Manifest | None) -> list[Card]:
    """Cards whose deck is not the one they were first delivered to, tagged in every build while
    it differs: Anki leaves them where they were, and one search finds them all."""
    if before is None:
        return cards
    marked = []
    for card in cards:
        moved = home(before.known(card.guid), card.deck) != card.deck
        marked.append(replace(card, tags=(*card.tags, MOVED)) if moved else card)
    return marked


def gone(before: Manifest | None, kept: dict[str, Place]) -> dict[str, Entry]:
    """The questions of the last build (and those it kept to tag once more) that are gone now. A
    question the last build added whose words now sit in the same note under another id (a pin
    was pasted, as the report asked, and the deck built again before importing) is the same
    question re-keyed, not a removal: it may never have reached Anki, so it is not sent back."""
    if before is None:
        return {}
    here = {(place.path, place.words) for place in kept.values()}
    found = {}
    for qid, entry in sorted({**before.removed, **before.entries}.items()):
        if qid in kept or (entry.fresh and (entry.path, entry.place().words) in here):
            continue
        found[qid] = entry
    return found


def removed_cards(removed: dict[str, Entry], previous: Previous,
                  epoch: int | None) -> tuple[list[Card], dict[str, int]]:
    """The questions that are gone, as cards tagged `qadeck::removed` (their last fields when the
    previous package has them, else their words), and their base times: later than the last
    build's, so Anki takes the new tags."""
    cards, bases = [], {}
    floor = pinned_epoch(epoch) or EPOCH_1980
    for qid, entry in removed.items():
        held = previous.notes.get(qid)
        # The last package's fields, cleaned again: an output folder is not trusted to hold only
        # what qadeck wrote there.
        fields = tuple(clean(f, HtmlPolicy()) for f in held[1].split("\x1f")) if held else ()
        if len(fields) != len(FIELDS):
            fields = _bare_fields(qid, entry)
        tags = [t for t in (held[2].split() if held else ()) if t not in BOOKKEEPING]
        cards.append(Card(qid, entry.path, 0, entry.deck, fields, (*tags, REMOVED)))
        bases[qid] = max(floor, entry.mtime + 1)
    return cards, bases


def _bare_fields(qid: str, entry: Entry) -> tuple[str, ...]:
    values = {"Front": html.escape(entry.text), "Source": html.escape(entry.path), "Id": html.escape(qid)}
    return tuple(values.get(name, "") for name in FIELDS)


def remember(cards: list[Card], bases: dict[str, int], previous: Previous,
             before: Manifest | None = None, places: dict[str, Place] | None = None) -> Manifest:
    """The memory this build leaves: every card of the package but the removed ones, with the
    deck each was first delivered to and its place (`qadeck.lineage`)."""
    entries = {}
    for card in cards:
        place = (places or {}).get(card.guid) or Place(card.source, "")
        entries[card.guid] = Entry(
            card.source, plain(card.fields[0]), card.deck, digest(card.fields, card.tags),
            note_mtime(card, bases[card.guid], previous),
            home(before.known(card.guid) if before else None, card.deck),
            place.words, place.parent, place.before, place.after, place.answer,
            fresh=before is None or card.guid not in before.entries)
    return Manifest(entries)


def carry_gone(before: Manifest | None, after: Manifest) -> dict[str, Entry]:
    """What the memory keeps of questions delivered once and gone since: everything the last
    build knew that is not live now (Anki keeps their notes until the owner deletes them)."""
    if before is None:
        return {}
    return {qid: entry for qid, entry in sorted({**before.gone, **before.entries}.items())
            if qid not in after.entries}
