"""A notes folder to a `Collection`: read every note, then settle ids and links across notes."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from qadeck import codes
from qadeck.cache import Store, key
from qadeck.isolate import isolated
from qadeck.lineage import Place
from qadeck.model import Collection, Diagnostic, Note, Question
from qadeck.parser.carry import carry_ids
from qadeck.parser.files import DRAFTS_FOLDER, in_drafts_folder, note_files, repository_root
from qadeck.parser.ids import assign_ids
from qadeck.parser.language import language_of, marker_names
from qadeck.parser.note import NoteDraft, read_note
from qadeck.parser.problem_tags import Terms, problem_meta
from qadeck.parser.resolve import Places, resolve
from qadeck.parser.source import LineDiagnostic, decode
from qadeck.parser.taginfo import TagInfoFinder
from qadeck.parser.topics import QUESTIONS, cards_mode
from qadeck.strings import title_for

# bump when read_note's result changes for the same bytes (a cached read is keyed on it);
# 3: a draft's `problems` became `diagnostics`
READ_FORMAT = 3


@dataclass(frozen=True)
class ParseOptions:
    title: str | None = None  # None: the strings table's default title, in the notes' language
    include: tuple[str, ...] = ("*.md",)  # .gitignore patterns
    exclude: tuple[str, ...] = ()
    drafts: str = "skip"  # "skip" | "include"
    # names set by the user; the others are the defaults in the notes' language (`language.py`)
    marker_names: dict[str, str] = field(default_factory=dict)
    knowledge: bool = False  # notes without questions enter the outputs too
    # question id -> note path, as the last build gave them (the build's memory, read by
    # qadeck.build): an id stays with its note when a same-named note asks the same question
    owners: Mapping[str, str] = field(default_factory=dict)
    # question id -> its place in the last build (the same memory): a question new to the deck
    # takes the id of one that left it when it is recognised (qadeck.lineage)
    memory: Mapping[str, Place] = field(default_factory=dict)
    cache: Path | None = None  # the build cache folder: each note's read is kept there by its bytes
    cards: str = QUESTIONS  # "questions" | "topics": what makes a card (`topics.py`)
    folders: tuple[tuple[str, str], ...] = ()  # (folder glob, its `cards`): the last match wins


def parse_collection(root: Path, options: ParseOptions | None = None) -> Collection:
    options = options or ParseOptions()
    root = root.resolve()
    drafts: list[NoteDraft] = []
    diagnostics: list[Diagnostic] = []
    skipped = 0
    store = Store(options.cache, "notes")
    for path in note_files(root, options.include, options.exclude):
        rel = path.relative_to(root).as_posix()
        if options.drafts == "skip" and in_drafts_folder(rel):
            skipped += 1  # not even read: LLM dumps and work in progress are not checked
            continue
        cards = cards_mode(rel, options.cards, options.folders)
        read = isolated(rel, lambda path=path, cards=cards: _read(root, path, store, cards), diagnostics)
        if read is None:
            continue
        rel, draft, found = read
        diagnostics.extend(found)
        if draft is None:
            continue
        if draft.template:
            diagnostics.append(Diagnostic(rel, 1, "info", codes.NOTE_TEMPLATE,
                                          "template (placeholder content), skipped"))
            continue
        if draft.meta.draft and options.drafts == "skip":
            skipped += 1
            continue
        drafts.append(draft)
    if skipped:
        diagnostics.append(Diagnostic("", 0, "info", codes.NOTE_DRAFT, (
            f"{skipped} draft note{'s' if skipped > 1 else ''} skipped (`draft: true` or in a "
            f"{DRAFTS_FOLDER}/ folder; drafts = \"include\" keeps them)")))
    store.prune()
    assign_ids(drafts, options.owners)
    carry_ids(drafts, options.memory)
    by_path = {d.path: d for d in drafts}
    places = Places(root, repository_root(root))
    language = _language(drafts)
    names = marker_names(language, options.marker_names)
    tag_lists = TagInfoFinder(root, places.repository)
    terms = Terms()
    made = [isolated(d.path, lambda d=d: _note(d, by_path, places, options, names, tag_lists, terms),
                     diagnostics) for d in drafts]
    notes = tuple(note for note in made if note is not None)
    for draft in drafts:
        diagnostics.extend(Diagnostic(draft.path, p.line, p.severity, p.code, p.message)
                           for p in draft.diagnostics)
    diagnostics.extend(Diagnostic(path, p.line, p.severity, p.code, p.message)
                       for path, p in tag_lists.diagnostics)
    diagnostics.sort(key=lambda d: (d.path, d.line, d.code))
    return Collection(title_for(options.title, language), notes, tuple(diagnostics), language, terms.terms())


def _language(drafts: list[NoteDraft]) -> str:
    """From the question text; a collection without questions goes by its note titles."""
    texts = [q.heading.text for d in drafts for q in d.questions]
    return language_of(texts or [d.title for d in drafts])


_Read = tuple[str, NoteDraft | None, list[Diagnostic]]


def _read(root: Path, path: Path, store: Store, cards: str = QUESTIONS) -> _Read:
    rel = path.relative_to(root).as_posix()
    if path.is_symlink() and not path.resolve().is_relative_to(root):
        return rel, None, [Diagnostic(rel, 1, "warning", codes.FILE_OUTSIDE,
                                      "symlink to a file outside the notes folder, skipped")]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return rel, None, [Diagnostic(rel, 1, "error", codes.FILE_UNREADABLE, f"cannot read: {exc.strerror}")]
    digest = hashlib.sha256(data).hexdigest()
    entry = key("note", READ_FORMAT, rel, digest, cards)
    draft = store.get(entry, NoteDraft)
    if draft is None:
        source = decode(data)
        diagnostics: list[LineDiagnostic] = list(source.diagnostics)
        if source.text is None:
            return rel, None, [Diagnostic(rel, p.line, p.severity, p.code, p.message) for p in diagnostics]
        draft = read_note(rel, source.text, diagnostics, cards)
        draft.digest = digest
        store.put(entry, draft)  # before the settle step below changes it (ids, links, diagnostics)
    draft = draft.thawed()  # the store's may be shared with the next build (`qadeck.session`)
    draft.mtime = _mtime(path)
    return rel, draft, []


def _mtime(path: Path) -> int:
    try:
        return int(path.stat().st_mtime)
    except OSError:
        return 0


def _note(draft: NoteDraft, by_path: dict[str, NoteDraft], places: Places, options: ParseOptions,
          names: dict[str, str], tag_lists: TagInfoFinder, terms: Terms) -> Note:
    questions: list[Question] = []
    ids = [q.id for q in draft.questions]
    children: dict[int, list[str]] = {}
    for q in draft.questions:
        if q.parent is not None:
            children.setdefault(q.parent, []).append(q.id)
    for index, q in enumerate(draft.questions):
        markers = tuple(dict.fromkeys(q.heading.markers))
        flags = tuple(names.get(m, m) for m in markers)  # flags[i] names markers[i]
        questions.append(Question(
            id=q.id, text=q.heading.text, heading=q.heading.markdown, markers=markers,
            flags=flags, answered=not q.answer.empty, answer=q.answer,
            parent=ids[q.parent] if q.parent is not None else None,
            children=tuple(children.get(index, ())), section=q.section, line=q.line, level=q.level,
            anchor=q.anchor, pinned=q.pin is not None and q.id == q.pin, kind=q.kind, context=q.context,
        ))
    for q in questions:
        if not q.answered:
            draft.diagnostics.append(LineDiagnostic(q.line, "info", codes.QUESTION_UNANSWERED,
                                                    "question has no answer"))
    links = resolve(draft, by_path, places)
    problem = None
    if draft.problem is not None:
        _fold_related_missing(draft)
        info = tag_lists.for_note(draft.path)
        problem = problem_meta(draft.problem, info)
        terms.add(problem, info)
    return Note(draft.path, draft.title, draft.meta, tuple(draft.sections), tuple(questions),
                draft.keywords, draft.references, links, draft.intro, draft.intro_line,
                draft.digest, draft.mtime, draft.footnotes,
                in_outputs=bool(questions) or options.knowledge, problem=problem,
                outline=tuple(draft.outline))


def _fold_related_missing(draft: NoteDraft) -> None:
    """Related problems the generated `relate` block lists but the notes folder lacks (a partial
    copy, a problem not yet written): one line for the block, not one warning per link."""
    assert draft.problem is not None
    lines = {r.line for r in draft.problem.related}
    missing = [p for p in draft.diagnostics if p.code == codes.NOTE_MISSING and p.line in lines]
    if not missing:
        return
    draft.diagnostics = [d for d in draft.diagnostics
                         if not (d.code == codes.NOTE_MISSING and d.line in lines)]
    first = missing[0].message.removeprefix("note not found: ")
    draft.diagnostics.append(LineDiagnostic(missing[0].line, "info", codes.PROBLEM_RELATED_MISSING,
                                            f"{len(missing)} of {len(lines)} related problems are not in "
                                            f"the notes folder (first: {first}); they show as text"))


