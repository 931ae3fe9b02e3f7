"""What one build hands the next in memory while a session lasts (`qadeck watch`, through
`qadeck.build.session`), so that a rebuild after one saved note neither reads back from disk nor
works out again what the last build already had in hand.

At the real repository's size (300 notes) a rebuild spent about a second on that: unpickling each
note's cache entries (`qadeck.cache.Store.get`) and the last build's record, taking the repr of
every note for the keys of its units (`qadeck.cache.key`), pickling every note again in the
record. Within a session:
- a cache entry read or written is kept as the object it is, found again by its folder and name.
  An entry's name is a digest of all it is made from, so the same name is the same value. It is
  served from memory only while its file is there, and dropped when its store prunes the entries
  a build did not use, like its file: memory holds no more than the cache on disk. Values are
  shared, so a caller must not change one it got or put (the parser copies its drafts:
  `NoteDraft.thawed`);
- a note equal to the last build's note at its path is that very object (`same_notes`), and the
  repr of such a note is taken once (`encoded`), its pickle made once (`dumps`: the last build's
  record holds every note): a note is frozen, so they never change.

Outside a session, and in a build without the cache, nothing is kept and nothing here changes
what a build does.
"""

from __future__ import annotations

import io
import os
import pickle
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import fields, replace
from typing import Any

from qadeck.model import Collection, Note

MISSING: Any = object()


class Session:
    def __init__(self) -> None:
        self.entries: dict[str, dict[str, Any]] = {}  # cache folder -> entry name -> its value
        self.notes: dict[str, Note] = {}  # path -> the last build's note
        # id of a note in `notes` (held there: the id is not reused) -> its repr (UTF-8), its pickle
        self.reprs: dict[int, bytes] = {}
        self.pickles: dict[int, bytes] = {}

    def size(self) -> int:
        """How many things are held (what the tests bound)."""
        return sum(map(len, self.entries.values())) + len(self.notes) + len(self.reprs) + len(self.pickles)


_SESSIONS: list[Session | None] = []


@contextmanager
def kept() -> Iterator[Session]:
    """A session: the builds inside it hand on what they had in memory."""
    session = Session()
    _SESSIONS.append(session)
    try:
        yield session
    finally:
        _SESSIONS.remove(session)


@contextmanager
def suspended() -> Iterator[None]:
    """Nothing is kept or taken from memory inside the block (a build without the cache)."""
    _SESSIONS.append(None)
    try:
        yield
    finally:
        _SESSIONS.pop()


def current() -> Session | None:
    return _SESSIONS[-1] if _SESSIONS else None


def entry(folder: os.PathLike[str], name: str, path: os.PathLike[str]) -> Any:
    """The value of the cache entry `name` in `folder` as this session last read or wrote it,
    while its file `path` is there; else MISSING."""
    session = current()
    if session is None:
        return MISSING
    value = session.entries.get(os.fspath(folder), {}).get(name, MISSING)
    return value if value is MISSING or os.path.isfile(path) else MISSING


def keep(folder: os.PathLike[str], name: str, value: Any) -> None:
    session = current()
    if session is not None:
        session.entries.setdefault(os.fspath(folder), {})[name] = value


def forget(folder: os.PathLike[str], used: Iterable[str]) -> None:
    """Drop the entries of `folder` other than `used` (its store pruned them)."""
    session = current()
    if session is not None and os.fspath(folder) in session.entries:
        held = session.entries[os.fspath(folder)]
        session.entries[os.fspath(folder)] = {name: held[name] for name in used if name in held}


def same_notes(collection: Collection) -> Collection:
    """`collection` with each note equal to the last build's note at its path as that object."""
    session = current()
    if session is None:
        return collection
    last = session.notes
    notes = tuple(last[note.path] if last.get(note.path) == note else note for note in collection.notes)
    session.notes = {note.path: note for note in notes}
    session.reprs = {id(note): session.reprs[id(note)] for note in notes if id(note) in session.reprs}
    session.pickles = {id(note): session.pickles[id(note)] for note in notes if id(note) in session.pickles}
    return replace(collection, notes=notes)


def dumps(value: object) -> bytes:
    """`value` pickled; in a session each of its notes is pickled once (the last build's record
    holds every note), and read back by `pickle.loads` like the rest."""
    session = current()
    if session is None:
        return pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
    out = io.BytesIO()
    _NotesOnce(out, session).dump(value)
    return out.getvalue()


class _NotesOnce(pickle.Pickler):
    def __init__(self, out: io.BytesIO, session: Session) -> None:
        super().__init__(out, pickle.HIGHEST_PROTOCOL)
        self.session = session

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is not Note or self.session.notes.get(obj.path) is not obj:
            return NotImplemented
        data = self.session.pickles.get(id(obj))
        if data is None:
            data = self.session.pickles[id(obj)] = pickle.dumps(obj, pickle.HIGHEST_PROTOCOL)
        return pickle.loads, (data,)


def encoded(value: object) -> list[bytes]:
    """`repr(value)` in UTF-8 (surrogates passed), in pieces to be read in order; in a session a
    note's piece is made once, and a collection's repr is its notes' pieces, never one string."""
    session = current()
    if session is None:
        return [_utf8(repr(value))]
    pieces: list[bytes] = []
    _pieces(value, session, pieces)
    return pieces


def _pieces(value: object, session: Session, pieces: list[bytes]) -> None:
    """The pieces of `repr(value)` for a note, a collection or a tuple holding them: the same text
    as `repr`, which dataclasses and tuples put together the same way."""
    if type(value) is Note:
        found = session.reprs.get(id(value))
        if found is None:
            found = _utf8(repr(value))
            if session.notes.get(value.path) is value:
                session.reprs[id(value)] = found
        pieces.append(found)
    elif type(value) is Collection:  # a new object each build, its notes mostly not
        pieces.append(_utf8(f"{type(value).__qualname__}("))
        for index, field in enumerate(f for f in fields(value) if f.repr):
            pieces.append(_utf8(f"{', ' if index else ''}{field.name}="))
            _pieces(getattr(value, field.name), session, pieces)
        pieces.append(b")")
    elif type(value) is tuple and any(type(item) in (Note, Collection) for item in value):
        pieces.append(b"(")
        for index, item in enumerate(value):
            pieces.append(b", " if index else b"")
            _pieces(item, session, pieces)
        pieces.append(b",)" if len(value) == 1 else b")")
    else:
        pieces.append(_utf8(repr(value)))


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")
