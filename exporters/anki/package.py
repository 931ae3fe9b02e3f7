"""Cards to a deterministic .apkg that Anki updates in place.

How Anki's importer decides (rslib `import_export/package/apkg/import/notes.rs`): a package note
whose GUID is already in the collection is updated only when its note type is the same and, under
the default "update if newer" option, when `existing.mtime < incoming.mtime`; the update keeps the
incoming mtime ("to allow imports of successive exports"), and a new note keeps its mtime too. A
note type with the same fields and templates is updated on the same mtime rule. Cards already in
the collection are never touched, so scheduling and review history stay whatever happens.

So a note's mtime must move forward exactly when its content changes, and must not move
otherwise. The timestamp scheme:
- the previous package at the output path is the memory: a note whose fields and tags are
  byte-identical to the same GUID there keeps that package's mtime (the same notes give the same
  bytes, and Anki sees it as "not newer": left alone);
- a changed or new note gets `max(base, previous mtime + 1)`, where base is SOURCE_DATE_EPOCH
  when set, else the modification time of the note's file (not the clock: two builds of the same
  files agree). The `+ 1` keeps a change newer than what was imported even when the base did not
  move (a fixed SOURCE_DATE_EPOCH, a rendering change, a moved file);
- the note type follows the same rule over its name, fields, templates and CSS;
- ids: notes and cards get ids from their mtime (Anki shows a note id as its creation time), deck
  ids come from deck names, the note type id is a constant. The zip has fixed entry dates (the
  newest mtime inside) and deflate.
Without a previous package (a clean checkout), unchanged notes still keep their file's mtime,
so only the notes of files edited since the last import are offered as updates.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cards import FIELDS, Card
from .problems import FIELDS as PROBLEM_FIELDS

MODEL_ID = 1_584_093_771  # fixed forever: the note type every qadeck deck shares
MODEL_NAME = "qadeck Q&A"
PROBLEM_MODEL_ID = 1_584_093_809  # fixed forever: the coding-problem note type
PROBLEM_MODEL_NAME = "qadeck Problem"
EPOCH_1980 = 315_532_800  # zip cannot store an earlier date
MAX_COLLECTION = 512 * 1024 * 1024  # a previous package larger than this is not read back


@dataclass(frozen=True)
class Style:
    front: str
    back: str
    css: str


@dataclass(frozen=True)
class NoteType:
    """One of qadeck's note types: its fixed id and name, its fields and how it looks."""

    id: int
    name: str
    fields: tuple[str, ...]
    style: Style

    def signature(self) -> str:
        return json.dumps([self.name, list(self.fields), self.style.front, self.style.back, self.style.css],
                          ensure_ascii=False)


@dataclass
class Previous:
    """What the last package at the output path held: GUID -> (mtime, fields, tags), and GUID ->
    the deck of its card."""

    notes: dict[str, tuple[int, str, str]] = field(default_factory=dict)
    decks: dict[str, str] = field(default_factory=dict)  # GUID -> the deck of its card
    model: tuple[int, str] | None = None  # (mtime, signature) of the Q&A note type
    models: dict[int, tuple[int, str]] = field(default_factory=dict)  # every note type's, by id


def pinned_epoch(epoch: int | None) -> int | None:
    """SOURCE_DATE_EPOCH (the build context's `epoch`), no earlier than a zip file can store."""
    return None if epoch is None else max(epoch, EPOCH_1980)


def read_previous(path: Path) -> Previous:
    """The notes of an earlier qadeck package at `path`; empty when there is none or it is not ours."""
    previous = Previous()
    try:
        with zipfile.ZipFile(path) as package:
            if package.getinfo("collection.anki2").file_size > MAX_COLLECTION:
                return previous
            data = package.read("collection.anki2")
    except Exception:  # noqa: BLE001 - whatever lies at the output path, it is no memory, never a crash
        return previous
    db = _open_bytes(data)
    try:
        rows = db.execute("SELECT guid, mod, flds, tags FROM notes WHERE mid IN (?, ?)",
                          (MODEL_ID, PROBLEM_MODEL_ID)).fetchall()
        (models, decks) = db.execute("SELECT models, decks FROM col").fetchone()
        found = json.loads(models)
        names = {str(k): d.get("name", "") for k, d in json.loads(decks).items() if isinstance(d, dict)}
        placed = db.execute("SELECT n.guid, c.did FROM cards c JOIN notes n ON c.nid = n.id "
                            "WHERE n.mid IN (?, ?) ORDER BY c.ord", (MODEL_ID, PROBLEM_MODEL_ID)).fetchall()
    except (sqlite3.Error, TypeError, ValueError, AttributeError):
        return previous
    finally:
        db.close()
    previous.notes = {guid: (mod, flds, tags) for guid, mod, flds, tags in rows
                      if _time(mod) and all(isinstance(t, str) for t in (guid, flds, tags))}
    for guid, did in placed:
        previous.decks.setdefault(guid, names.get(str(did), ""))
    for model_id in (MODEL_ID, PROBLEM_MODEL_ID):
        model = found.get(str(model_id)) if isinstance(found, dict) else None
        if isinstance(model, dict) and _time(model.get("mod", 0)):
            previous.models[model_id] = (model.get("mod", 0), _signature_of(model))
    previous.model = previous.models.get(MODEL_ID)
    return previous


def _time(value: object) -> bool:
    """A modification time a package of ours can hold (seconds, not in the far future)."""
    return type(value) is int and 0 <= value < 2**40


def choose_mtime(base: int, content: tuple[str, str], before: tuple[int, str, str] | None) -> int:
    """See the module docstring: keep the old mtime for the same content, else move forward."""
    if before is None:
        return base
    if (before[1], before[2]) == content:
        return before[0]
    return max(base, before[0] + 1)


def note_types(style: Style, problem_style: Style | None = None) -> dict[str, NoteType]:
    """qadeck's note types by card kind: Q&A, and coding problems (in Q&A's style unless given)."""
    return {"qa": NoteType(MODEL_ID, MODEL_NAME, FIELDS, style),
            "problem": NoteType(PROBLEM_MODEL_ID, PROBLEM_MODEL_NAME, PROBLEM_FIELDS, problem_style or style)}


def note_mtime(card: Card, base: int, previous: Previous) -> int:
    """The modification time a card's note gets in the package (see the module docstring)."""
    content = ("\x1f".join(card.fields), _tag_text(card.tags))
    return choose_mtime(base, content, previous.notes.get(card.guid))


def build_package(cards: list[Card], media: dict[str, bytes], style: Style, bases: dict[str, int],
                  previous: Previous, root_deck: str, epoch: int | None = None,
                  problem_style: Style | None = None) -> bytes:
    """The .apkg bytes. `bases` gives each card's base time by GUID; `epoch` is SOURCE_DATE_EPOCH.
    The Q&A note type is always in the package, the problem note type when a card uses it."""
    import genanki

    types = note_types(style, problem_style)
    used = ["qa", *(["problem"] if any(card.kind == "problem" for card in cards) else [])]
    mtimes = {kind: _model_mtime(types[kind], bases, previous, epoch) for kind in used}
    models = [_model(genanki, types[kind], mtimes[kind], deck_id(root_deck)) for kind in used]
    ids = _Ids()
    rows: list[_Row] = []
    for position, card in enumerate(cards, start=1):
        fields, tags = "\x1f".join(card.fields), _tag_text(card.tags)
        mtime = note_mtime(card, bases[card.guid], previous)
        rows.append(_Row(ids.take(mtime * 1000), card.guid, mtime, tags, fields, card.fields[0],
                         deck_id(card.deck), position, types[card.kind].id))
    newest = max([*mtimes.values(), *(row.mtime for row in rows)])
    return _zip(_collection(genanki, models, _deck_names(cards, root_deck), rows), media, newest)


@dataclass(frozen=True)
class _Row:
    """One note and its one card, as the collection stores them."""

    note_id: int  # the card's id too (ids of different tables never meet)
    guid: str
    mtime: int
    tags: str
    fields: str
    sort_field: str
    deck_id: int
    position: int  # new-card order: the notes' order
    model_id: int = MODEL_ID


class _Ids:
    """Unique note ids near each note's mtime in milliseconds (Anki reads a note id as its
    creation time), without walking every taken id when thousands share one mtime."""

    def __init__(self) -> None:
        self.used: set[int] = set()
        self.next: dict[int, int] = {}

    def take(self, wanted: int) -> int:
        found = max(wanted, self.next.get(wanted, wanted))
        while found in self.used:
            found += 1
        self.used.add(found)
        self.next[wanted] = found + 1
        return found


def deck_id(name: str) -> int:
    """Stable per deck name (52 bits: safe as a JavaScript number, as Anki needs)."""
    return int(hashlib.sha1(b"qadeck deck\0" + name.encode("utf-8")).hexdigest()[:13], 16) + 2


def _tag_text(tags: tuple[str, ...]) -> str:
    return " " + " ".join(tags) + " "  # how genanki stores tags


def _signature_of(model: dict[str, Any]) -> str:
    try:
        template = model["tmpls"][0]
        fields = [f["name"] for f in model["flds"]]
        return json.dumps([model["name"], fields, template["qfmt"], template["afmt"], model["css"]],
                          ensure_ascii=False)
    except (KeyError, IndexError, TypeError):
        return ""


def _model_mtime(kind: NoteType, bases: dict[str, int], previous: Previous, epoch: int | None) -> int:
    base = pinned_epoch(epoch) or max(bases.values(), default=EPOCH_1980)
    before = previous.models.get(kind.id) or (previous.model if kind.id == MODEL_ID else None)
    if before is None:
        return base
    before_mtime, before_signature = before
    return before_mtime if before_signature == kind.signature() else max(base, before_mtime + 1)


def _model(genanki: Any, kind: NoteType, mtime: int, home_deck: int) -> Any:
    class Model(genanki.Model):
        def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
            return super().to_json(mtime, home_deck)  # not genanki's clock or last deck

    return Model(kind.id, kind.name, fields=[{"name": f} for f in kind.fields],
                 templates=[{"name": "Card", "qfmt": kind.style.front, "afmt": kind.style.back}],
                 css=kind.style.css, sort_field_index=0)


def _deck_names(cards: list[Card], root: str) -> list[str]:
    """Every deck the cards use, with its parents, so each level has a name-derived id."""
    names: dict[str, None] = {root: None}
    for card in cards:
        parts = card.deck.split("::")
        for depth in range(1, len(parts) + 1):
            names.setdefault("::".join(parts[:depth]), None)
    return list(names)


def _collection(genanki: Any, models: list[Any], decks: list[str], rows: list[_Row]) -> bytes:
    """The SQLite collection: genanki's schema, collection row, deck and note type JSON; the
    notes and cards inserted as genanki's Note and Card would, each with its own mtime and ids
    (genanki gives every note one clock time and rewrites the JSON for every deck)."""
    db = sqlite3.connect(":memory:")
    try:
        cursor = db.cursor()
        cursor.executescript(genanki.apkg_schema.APKG_SCHEMA)
        cursor.executescript(genanki.apkg_col.APKG_COL)
        (deck_json,) = cursor.execute("SELECT decks FROM col").fetchone()
        deck_map = json.loads(deck_json)
        deck_map.update({str(deck_id(name)): genanki.Deck(deck_id(name), name).to_json() for name in decks})
        types = {str(model.model_id): model.to_json(0, 0) for model in models}
        cursor.execute("UPDATE col SET decks = ?, models = ?", (json.dumps(deck_map), json.dumps(types)))
        cursor.executemany("INSERT INTO notes VALUES(?,?,?,?,?,?,?,?,?,?,?)", (
            (r.note_id, r.guid, r.model_id, r.mtime, -1, r.tags, r.fields, r.sort_field, 0, 0, "")
            for r in rows))
        cursor.executemany("INSERT INTO cards VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", (
            (r.note_id, r.note_id, r.deck_id, 0, r.mtime, -1, 0, 0, r.position, 0, 0, 0, 0, 0, 0, 0, 0, "")
            for r in rows))
        db.commit()
        return _bytes_of(db)
    finally:
        db.close()


def _open_bytes(data: bytes) -> sqlite3.Connection:
    """An in-memory database holding `data` (a copy on disk where SQLite lacks deserialize)."""
    db = sqlite3.connect(":memory:")
    if hasattr(db, "deserialize"):
        db.deserialize(data)
        return db
    db.close()
    with tempfile.NamedTemporaryFile(suffix=".anki2", delete=False) as file:
        file.write(data)
    disk = sqlite3.connect(file.name)
    db = sqlite3.connect(":memory:")
    disk.backup(db)
    disk.close()
    os.unlink(file.name)
    return db


def _bytes_of(db: sqlite3.Connection) -> bytes:
    if hasattr(db, "serialize"):
        return db.serialize()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "collection.anki2"
        disk = sqlite3.connect(path)
        db.backup(disk)
        disk.close()
        return path.read_bytes()


def _zip(collection: bytes, media: dict[str, bytes], newest: int) -> bytes:
    stamp = time.gmtime(max(newest, EPOCH_1980))[:6]
    names = sorted(media)
    entries = [("collection.anki2", collection),
               ("media", json.dumps({str(i): n for i, n in enumerate(names)}, ensure_ascii=False).encode()),
               *((str(i), media[n]) for i, n in enumerate(names))]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            package.writestr(info, data, compresslevel=6)
    return buffer.getvalue()
