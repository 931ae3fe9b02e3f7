"""The Anki exporter: one card per answered question, in a package that updates in place.

`cards` turns questions into card fields (HTML, media, tags, deck); `package` writes the
deterministic .apkg with the timestamp scheme that makes re-imports update only what changed;
`memory` keeps the deck's manifest beside it (removed questions tagged, moved cards named).
"""

from __future__ import annotations

import errno
import importlib.util
from dataclasses import replace
from pathlib import Path

from qadeck import codes, depends, lineage, manifest
from qadeck.atomic import write_bytes
from qadeck.cache import Store
from qadeck.context import BuildContext
from qadeck.errors import MissingDependency, OutputError
from qadeck.model import Collection, Diagnostic, Note
from qadeck.strings import Strings, fill, strings_for
from qadeck.workers import cores, fork_is_safe, process_map

from .cards import CardRenderer, Rendered
from .memory import carry_gone, gone, mark_moved, recall, remember, removed_cards
from .options import AnkiOptions
from .package import EPOCH_1980, Style, build_package, pinned_epoch, read_previous

NAME = "anki"
SUFFIX = ".apkg"
NIGHT = (".nightMode .highlight", ".night_mode .highlight")
PARALLEL_MIN = 2500  # questions; below this, starting workers (~0.2 s CPU each) does not pay
_JOB: tuple[tuple[Note, ...], CardRenderer] | None = None  # what forked workers render, and with


def export(collection: Collection, out_path: Path, options: AnkiOptions,
           context: BuildContext) -> list[Diagnostic]:
    missing = [name for name in ("genanki", "nh3") if importlib.util.find_spec(name) is None]
    if missing:
        names = " ".join(missing)
        raise MissingDependency(f"the Anki export needs {names}: pip install {names}")
    rendered = _unique(render(collection, options, context))
    previous = read_previous(out_path)
    before = recall(out_path, previous)
    cards = mark_moved(rendered.cards, before)
    bases = _bases(collection, context)
    card_bases = {card.guid: bases[card.source] for card in cards}
    where = places(collection)
    removed = gone(before, {guid: where[guid] for guid in card_bases if guid in where})
    gone_cards, gone_bases = removed_cards(removed, previous, context.epoch)
    strings = strings_for(collection.language)
    data = build_package([*cards, *gone_cards], rendered.media, load_style(strings),
                         {**card_bases, **gone_bases}, previous, root_deck(collection.title), context.epoch,
                         load_style(strings, "anki_problem"))
    for path in (out_path, manifest.path_for(out_path)):  # both or neither: a package without its memory
        if path.is_dir():                                     # would be new beside an old manifest
            raise OutputError(path, IsADirectoryError(errno.EISDIR, "Is a directory"))
    _write_changed(out_path, data)
    memory = remember(cards, card_bases, previous, before, where)
    if before is not None and _unfresh(memory) == _unfresh(before):
        memory = replace(memory, entries=before.entries)  # a rebuild delivers nothing new
    memory = replace(memory, gone=carry_gone(before, memory))
    pinned = frozenset(q.id for q in collection.questions() if q.pinned)
    if manifest.report(before, memory, pinned).rewordings:  # "build again before importing"
        memory = replace(memory, removed=removed)
    _write_changed(manifest.path_for(out_path), manifest.dumps(memory).encode("utf-8"))
    return [*rendered.diagnostics, _summary(rendered, options)]


def _unfresh(memory: manifest.Manifest) -> dict[str, manifest.Entry]:
    return {qid: replace(entry, fresh=False) for qid, entry in memory.entries.items()}


def places(collection: Collection) -> dict[str, lineage.Place]:
    """Every question's place in its note, for the memory: how the next build knows it again."""
    found: dict[str, lineage.Place] = {}
    for note in collection.notes:
        found.update(lineage.places(note.path, ((q.id, q.text, q.parent, q.answer) for q in note.questions)))
    return found


def _write_changed(path: Path, data: bytes) -> None:
    """Write unless the file holds these bytes already: a rebuild that changes nothing in the deck
    leaves the package and its manifest as they were, dates included."""
    try:
        if path.read_bytes() == data:
            return
    except OSError:
        pass
    write_bytes(path, data)


def render(collection: Collection, options: AnkiOptions, context: BuildContext,
           workers: int | None = None) -> Rendered:
    """Card fields for every note, in note order. Each note's cards are one unit, kept in the build
    cache with what they read (`qadeck.depends`: the renderer's settings, the images they pack), so
    a rebuild renders only the notes that changed. Rendering Markdown is nearly all of an export's
    time, so many notes to render are split over worker processes; the result is the same."""
    notes = tuple(n for n in collection.notes if n.in_outputs)
    with depends.recording() as setup:
        renderer = _renderer(collection, options, context)
    units = depends.Units(Store(context.cache, "anki"), setup)
    entries = [units.entry(note) for note in notes]
    made: list[Rendered | None] = [units.get(entry, Rendered) for entry in entries]
    missing = [i for i, unit in enumerate(made) if unit is None]
    fresh = _render_units(tuple(notes[i] for i in missing), renderer, workers)
    for index, (records, unit) in zip(missing, fresh, strict=True):
        depends.replay(records)  # read in a worker: the output depends on it all the same
        made[index] = unit
        units.put(entries[index], records, unit)
    units.prune()
    return _merge([u for u in made if u is not None])


Made = tuple[tuple[depends.Record, ...], Rendered]  # a unit with what it read


def _render_units(notes: tuple[Note, ...], renderer: CardRenderer, workers: int | None) -> list[Made]:
    if workers is None:
        workers = _workers(sum(len(n.questions) for n in notes))
    if workers < 2:
        return [_recorded(renderer, note) for note in notes]
    global _JOB
    # Inherited by the forked workers: nothing is pickled on the way in.
    _JOB = (notes, renderer)
    try:
        parts = process_map(_render_slice, _slices(notes, workers * 8), workers, "fork")
    finally:
        _JOB = None
    return [unit for part in parts for unit in part]


def _recorded(renderer: CardRenderer, note: Note) -> Made:
    with depends.recording() as records:
        unit = renderer.render_unit(note)
    return records.records(), unit


def _renderer(collection: Collection, options: AnkiOptions, context: BuildContext) -> CardRenderer:
    return depends.construct(CardRenderer, context.notes, root_deck(collection.title), options.decks,
                             options.include_unanswered, strings_for(collection.language))


def _workers(questions: int) -> int:
    """Worker processes worth starting: none for small collections, or where fork is unsafe
    (no fork on this system, or other threads in this process, Python's or native ones)."""
    if questions < PARALLEL_MIN or not fork_is_safe():
        return 1
    return cores()


def _slices(notes: tuple[Note, ...], count: int) -> list[tuple[int, int]]:
    """Runs of notes with about the same number of questions each, in order."""
    total = sum(len(n.questions) for n in notes) or 1
    slices, start, done = [], 0, 0
    for index, note in enumerate(notes):
        done += len(note.questions)
        if done * count >= total * (len(slices) + 1) or index == len(notes) - 1:
            slices.append((start, index + 1))
            start = index + 1
    return slices


def _render_slice(bounds: tuple[int, int]) -> list[Made]:
    assert _JOB is not None
    return [_recorded(_JOB[1], note) for note in _JOB[0][bounds[0]:bounds[1]]]


def _merge(parts: list[Rendered]) -> Rendered:
    """The units in note order as one result; a media file two notes share is kept once."""
    merged = Rendered()
    for part in parts:
        merged.cards.extend(part.cards)
        for name, data in part.media.items():
            merged.media.setdefault(name, data)
        merged.diagnostics.extend(part.diagnostics)
        merged.left_out += part.left_out
    return merged


def _unique(rendered: Rendered) -> Rendered:
    """One card per GUID: Anki would merge a second one into the first. (The parser gives every
    question its own id; this guards the package against a mistake there.)"""
    seen: dict[str, str] = {}
    cards = []
    for card in rendered.cards:
        if card.guid in seen:
            message = f"question id {card.guid} is also used at {seen[card.guid]}; this card is left out"
            rendered.diagnostics.append(Diagnostic(card.source, card.line, "error", codes.ANKI_DUPLICATE_ID,
                                                   message))
            continue
        seen[card.guid] = f"{card.source}:{card.line}"
        cards.append(card)
    rendered.cards = cards
    return rendered


def root_deck(title: str) -> str:
    from .cards import deck_part

    return deck_part(title)


def load_style(strings: Strings, templates: str = "anki") -> Style:
    """A note type's look: its templates (`<templates>_front.html`, `_back.html`) and the one CSS,
    its words in `strings`' language."""
    from qadeck.highlight import pygments_css

    night = "\n".join(pygments_css("github-dark", selector) for selector in NIGHT)
    card = fill(depends.style_text("anki.css"), strings)
    css = "\n".join((pygments_css("default", ".highlight"), night, card))
    return Style(depends.style_text(f"{templates}_front.html"),
                 depends.style_text(f"{templates}_back.html"), css)


def _bases(collection: Collection, context: BuildContext) -> dict[str, int]:
    """Each note's base time: SOURCE_DATE_EPOCH, else its file's modification time (see package)."""
    epoch = pinned_epoch(context.epoch)
    return {note.path: epoch if epoch is not None else max(note.mtime, EPOCH_1980)
            for note in collection.notes}


def _summary(rendered: Rendered, options: AnkiOptions) -> Diagnostic:
    cards = len(rendered.cards)
    if options.include_unanswered:
        text = f"{cards} cards, unanswered questions included"
    else:
        text = (f"{cards} cards; {rendered.left_out} unanswered questions left out "
                "(--include-unanswered adds them)")
    return Diagnostic("", 0, "info", codes.ANKI_SUMMARY, text)
