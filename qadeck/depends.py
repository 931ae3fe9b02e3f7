"""Dependencies recorded, not remembered: what a cached unit read while it was made.

Sphinx's `env.note_dependency` is the model. While a unit is made (a note's cards, a note's section
of the cheat sheet, a chapter's HTML, a printed document, a whole output), each loader that reads
an input records it here: the asset loader (a local file by path and a digest of its bytes), the
style loader, the fonts and images the printer fetches, the renderer (the target, policy and math
engine it renders with), the objects an exporter sets up (`construct`: their arguments), the
facts about other notes a unit asks for (`Asked`: where a link lands). Nobody lists a unit's
inputs by hand, so an input read through a loader cannot be forgotten.

A unit is found in the cache by what it was given before it started: its subject (the note), the
records of the set-up it runs in (`Setup`), qadeck's code (`cache.key`). Its entry keeps what it
read on the way (`Recorder`), and a later build reuses it only when every record still holds: each
file is read again, each question asked again. A record that nobody can check fails, so the unit
is made afresh: a new kind of input costs time until it is checkable, never a stale output.

Two kinds of record. A *world* record (a file, a style, a resolved path) is true or false whatever
the unit: it reaches every unit being made, the whole output's too, and a unit taken from the cache
hands its world records on to the units around it as if it had read them again (`replay`). A *value*
record (a renderer's settings, a landing) is an answer of this build's objects: it goes to the
innermost recorder only, and into the key of the units set up with it.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from qadeck.cache import Store, key

Record = tuple[str, Any, str]  # (kind, name, digest of what was read)
T = TypeVar("T")


def digest(value: object) -> str:
    """What a value was, as a digest: bytes as they are, anything else by its repr (frozen
    dataclasses, tuples, strings: content, not identity)."""
    data = value if isinstance(value, bytes) else repr(value).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


def stable(value: object) -> object:
    """`value` with its sets in order, so that its repr is the same in every process (a set's
    order follows the string hash, which differs from run to run)."""
    if isinstance(value, (set, frozenset)):
        return ("set", sorted((stable(v) for v in value), key=repr))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__qualname__,
                tuple((f.name, stable(getattr(value, f.name))) for f in dataclasses.fields(value)))
    if isinstance(value, (tuple, list)):
        return tuple(stable(v) for v in value)
    if isinstance(value, dict):
        return tuple((stable(k), stable(v)) for k, v in value.items())
    return value


class Recorder:
    """The records of one unit, each once; `values=False` keeps world records only (an output,
    whose values are all in its key)."""

    def __init__(self, values: bool = True) -> None:
        self.values = values
        self.found: dict[tuple[str, Any], str] = {}

    def records(self) -> tuple[Record, ...]:
        return tuple((kind, name, value) for (kind, name), value in self.found.items())

    def digest(self) -> str:
        return digest(sorted(self.found.items(), key=repr))


_active: list[Recorder] = []
_WORLD: dict[str, Callable[[Any], str]] = {}  # kind -> the digest it has now


def world(kind: str) -> Callable[[Callable[[Any], str]], Callable[[Any], str]]:
    """Declare `kind` a world record, with how to take its digest again."""
    def register(check: Callable[[Any], str]) -> Callable[[Any], str]:
        _WORLD[kind] = check
        return check

    return register


@contextmanager
def recording(values: bool = True) -> Iterator[Recorder]:
    """Everything read inside the block is recorded in the recorder it yields."""
    recorder = Recorder(values)
    _active.append(recorder)
    try:
        yield recorder
    finally:
        _active.remove(recorder)


@contextmanager
def paused() -> Iterator[None]:
    """Nothing read inside the block is recorded (checking records reads them again)."""
    saved = _active[:]
    _active.clear()
    try:
        yield
    finally:
        _active[:] = saved


def note(kind: str, name: Any, made: str | Callable[[], str]) -> None:
    """A world read: `made` is its digest (or makes it, only when someone records)."""
    if not _active:
        return
    value: str | None = None
    for recorder in _active:
        if (kind, name) not in recorder.found:
            if value is None:
                value = made() if callable(made) else made
            recorder.found[(kind, name)] = value


def note_value(kind: str, name: Any, value: object) -> None:
    """A value read: recorded by the innermost recorder that keeps values."""
    if _active and _active[-1].values and (kind, name) not in _active[-1].found:
        _active[-1].found[(kind, name)] = digest(value)


def replay(records: tuple[Record, ...]) -> None:
    """A unit from the cache: its world records go to the units around it as if read again."""
    for kind, name, value in records:
        if kind in _WORLD:
            note(kind, name, value)


def construct(cls: Callable[..., T], *args: Any) -> T:
    """`cls(*args)`, recording the arguments: an object's work depends on its code (in every key)
    and on what it was made with."""
    note_value("made", getattr(cls, "__qualname__", repr(cls)), args)
    return cls(*args)


class Asked:
    """A question about the model a unit may ask (where a link lands): each answer is recorded,
    and asked again to check an entry. Its repr is its kind, so a setup may hold it."""

    def __init__(self, kind: str, answer: Callable[[Any], Any]) -> None:
        self.kind = kind
        self.answer = answer

    def __call__(self, question: Any) -> Any:
        found = self.answer(question)
        note_value(self.kind, question, found)
        return found

    def __repr__(self) -> str:
        return f"Asked({self.kind!r})"


def holds(records: tuple[Record, ...], asked: Mapping[str, Asked],
          seen: dict[tuple[str, Any], str] | None = None) -> bool:
    """Every record still true: each world record taken again (once per `seen`: a font many
    documents read is read once per build), each question asked again."""
    seen = {} if seen is None else seen
    with paused():
        for kind, name, value in records:
            if kind in _WORLD:
                now = seen.get((kind, name))
                if now is None:
                    now = seen[(kind, name)] = _WORLD[kind](name)
            elif kind in asked:
                now = digest(asked[kind].answer(name))
            else:
                return False  # nobody can check it: the unit is made again
            if now != value:
                return False
    return True


# -- world records --------------------------------------------------------------------------------

@world("file")
def file_digest(name: str) -> str:
    """A file's bytes as a digest; "" when it cannot be read (which is itself an input)."""
    try:
        return digest(Path(name).read_bytes())
    except OSError:
        return ""


def read_file(path: Path) -> bytes | None:
    """A file's bytes, recorded; None when it cannot be read."""
    try:
        data = path.read_bytes()
    except OSError:
        note("file", str(path), "")
        return None
    note("file", str(path), lambda: digest(data))
    return data


def read_file_recorded(path: Path) -> None:
    """A file someone else reads (the printer, a font library), recorded by its bytes now."""
    note("file", str(path), lambda: file_digest(str(path)))


@world("style")
def _style_digest(name: str) -> str:
    data = _style_bytes(name)
    return "" if data is None else digest(data)


def style_text(name: str) -> str:
    """A file of qadeck's styles (`styles/`: CSS, templates, fonts) as text, recorded."""
    data = _style_bytes(name)
    if data is None:
        raise FileNotFoundError(f"qadeck style file {name}")
    note("style", name, lambda: digest(data))
    return data.decode("utf-8")


def _style_bytes(name: str) -> bytes | None:  # read each time: an edited style shows in a watch
    from importlib.resources import files

    try:
        return files("qadeck.styles").joinpath(name).read_bytes()
    except OSError:
        return None


# -- units in the cache ---------------------------------------------------------------------------

@dataclasses.dataclass
class Entry:
    """A unit as the cache keeps it: what it read on the way, and what it made."""

    records: tuple[Record, ...]
    value: Any


class Units:
    """The units of one kind made in one setup (`setup`: the Recorder of the objects they are
    made with), kept in `store`; `asked` are the questions their records may hold."""

    def __init__(self, store: Store, setup: Recorder | None = None, *asked: Asked) -> None:
        self.store = store
        self.setup = "" if setup is None else setup.digest()
        self.asked = {question.kind: question for question in asked}
        self.seen: dict[tuple[str, Any], str] = {}  # world records checked in this build

    def entry(self, subject: object) -> str:
        return key("unit", self.store.folder.name if self.store.folder else "", self.setup, subject)

    def get(self, entry: str, kind: type | tuple[type, ...] = object) -> Any | None:
        """The value kept under `entry` if every record it read still holds (then replayed)."""
        found = self.store.get(entry, Entry)
        if found is None or not isinstance(found.value, kind) \
                or not holds(found.records, self.asked, self.seen):
            return None
        replay(found.records)
        return found.value

    def has(self, entry: str) -> bool:
        """Whether anything is kept under `entry` (not read: it may still prove a miss)."""
        return self.store.has(entry)

    def put(self, entry: str, records: tuple[Record, ...], value: Any) -> None:
        self.store.put(entry, Entry(records, value))

    def make(self, subject: object, make: Callable[[], T], kind: type | tuple[type, ...] = object,
             keep: Callable[[T], bool] = lambda _: True) -> T:
        """The unit for `subject` from the cache, else made (and kept when `keep` says so)."""
        entry = self.entry(subject)
        found = self.get(entry, kind)
        if found is not None:
            return found
        with recording() as records:
            value = make()
        if keep(value):
            self.put(entry, records.records(), value)
        return value

    def prune(self) -> None:
        self.store.prune()


@world("version")
def _version_now(distribution: str) -> str:
    return _installed().get(_normalized(distribution), "")


@functools.cache
def _installed() -> dict[str, str]:
    """Every installed distribution's release, from the names of the `.dist-info` folders on the
    path (the first wins, as for imports): half a millisecond, where asking `importlib.metadata`
    about a dozen libraries takes a fifth of a second, a no-op build's whole budget."""
    import os
    import sys

    found: dict[str, str] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith(".dist-info"):
                project, _, release = name[:-len(".dist-info")].partition("-")
                found.setdefault(_normalized(project), release)
    return found


def _normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def versions(*distributions: str) -> None:
    """The installed releases of libraries whose work reaches an output, recorded."""
    for distribution in distributions:
        note("version", distribution, lambda distribution=distribution: _version_now(distribution))
