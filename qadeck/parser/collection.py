"""A notes folder to a `Collection`: read every note, then settle ids and links across notes."""

from __future__ import annotations

import hashlib
import os
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from qadeck import codes
from qadeck.cache import Store, key
from qadeck.isolate import isolated
from qadeck.lineage import Place
from qadeck.model import Collection, Diagnostic, Link, LinkKind, Note, Question, scheme_of
from qadeck.parser.carry import carry_ids
from qadeck.parser.files import DRAFTS_FOLDER, in_drafts_folder, note_files, repository_root
from qadeck.parser.heading import anchor_key
from qadeck.parser.identity import PIN, normalize, question_id
from qadeck.parser.language import language_of, marker_names
from qadeck.parser.note import NoteDraft, read_note
from qadeck.parser.problem_tags import Terms, problem_meta
from qadeck.parser.source import Problem, decode
from qadeck.parser.taginfo import TagInfoFinder
from qadeck.parser.topics import QUESTIONS, cards_mode
from qadeck.strings import title_for

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp"}
# a missing link target, by what it was meant to be
_MISSING = {"image": codes.IMAGE_MISSING, "note": codes.NOTE_MISSING, "file": codes.FILE_MISSING}
READ_FORMAT = 2  # bump when read_note's result changes for the same bytes (a cached read is keyed on it)
_NAME_MAX, _PATH_MAX = 255, 4096  # bytes in one file name, in a path


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
        rel, draft, problems = read
        diagnostics.extend(problems)
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
    _assign_ids(drafts, options.owners)
    carry_ids(drafts, options.memory)
    by_path = {d.path: d for d in drafts}
    places = _Places(root, repository_root(root))
    language = _language(drafts)
    names = marker_names(language, options.marker_names)
    tag_lists = TagInfoFinder(root, places.repository)
    terms = Terms()
    made = [isolated(d.path, lambda d=d: _note(d, by_path, places, options, names, tag_lists, terms),
                     diagnostics) for d in drafts]
    notes = tuple(note for note in made if note is not None)
    for draft in drafts:
        diagnostics.extend(Diagnostic(draft.path, p.line, p.severity, p.code, p.message)
                           for p in draft.problems)
    diagnostics.extend(Diagnostic(path, p.line, p.severity, p.code, p.message)
                       for path, p in tag_lists.problems)
    diagnostics.sort(key=lambda d: (d.path, d.line, d.code))
    return Collection(title_for(options.title, language), notes, tuple(diagnostics), language, terms.terms())


def _language(drafts: list[NoteDraft]) -> str:
    """From the question text; a collection without questions goes by its note titles."""
    texts = [q.heading.text for d in drafts for q in d.questions]
    return language_of(texts or [d.title for d in drafts])


_Read = tuple[str, NoteDraft | None, list[Diagnostic]]


@dataclass(frozen=True)
class _Places:
    root: Path  # the notes folder
    repository: Path  # the git work tree around it (root when there is none)


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
        problems: list[Problem] = list(source.problems)
        if source.text is None:
            return rel, None, [Diagnostic(rel, p.line, p.severity, p.code, p.message) for p in problems]
        draft = read_note(rel, source.text, problems, cards)
        draft.digest = digest
        store.put(entry, draft)  # before the settle step below changes it (ids, links, problems)
    draft.mtime = _mtime(path)
    return rel, draft, []


def _mtime(path: Path) -> int:
    try:
        return int(path.stat().st_mtime)
    except OSError:
        return 0


def _assign_ids(drafts: list[NoteDraft], owners: Mapping[str, str] | None = None) -> None:
    """Each question's id: its pin, else its note's file name and words. When two notes share a
    name and a question, the note that held the id in the last build (`owners`: id -> note path,
    from the build's memory) keeps it; without that memory, the first note in path order does."""
    held = _held(drafts, owners or {})
    used: dict[str, str] = {}  # id -> "path:line" of its owner
    for draft in drafts:
        seen: dict[str, list[int]] = {}
        repeats = _repeats(draft)
        for q in draft.questions:
            if q.pin is not None and _take_pin(draft, q, used):
                continue
            if q.kind == "problem" and draft.problem is not None:
                _problem_id(draft, q, used)
                continue
            qid, salt, first = _plain_id(draft, q, seen, repeats)
            if salt:
                draft.problems.append(Problem(q.line, "warning", codes.QUESTION_DUPLICATE,
                                              f"same question as line {first}; given its own id"))
            holder = held.get(qid)
            if qid in used or (holder is not None and holder[0] != draft.path):
                owner = used.get(qid) or f"{holder[0]}:{holder[1]}, which had this id in the last build"
                draft.problems.append(Problem(q.line, "warning", codes.QUESTION_ID_COLLISION,
                                              f"same note name and question as {owner}; "
                                              "its id includes the folder (pin it with <!-- qid: ... -->)"))
                qid = question_id(draft.path, q.heading.text, salt)
            q.id = qid
            used[qid] = f"{draft.path}:{q.line}"


def _problem_key(draft: NoteDraft) -> tuple[str, str]:
    """A problem's identity: its source and number (a renamed file keeps its card), else the file
    name and the problem's name."""
    problem = draft.problem
    assert problem is not None
    number = problem.number.lstrip("0") or problem.number
    if problem.source and number:
        return "problem:" + normalize(problem.source), number
    return "problem:" + draft.stem, normalize(problem.name)


def _problem_id(draft: NoteDraft, q, used: dict[str, str]) -> None:
    qid = question_id(*_problem_key(draft))
    if qid in used:
        draft.problems.append(Problem(q.line, "warning", codes.PROBLEM_DUPLICATE,
                                      f"same source and number as {used[qid]}; given an id by its file"))
        qid = question_id("problem:" + draft.path, normalize(draft.problem.name if draft.problem else ""))
    q.id = qid
    used[qid] = f"{draft.path}:{q.line}"


def _plain_id(draft: NoteDraft, q, seen: dict[str, list[int]], repeats: set[str]) -> tuple[str, str, int]:
    """The id from the note's file name and the words; the salt ("#2", ...) that sets apart a
    repeat of words asked earlier in this note, and the line where they were first asked. A topic
    whose words repeat in its note (`背景` under two headings) is told apart by its context first,
    so each keeps its id when the others move."""
    norm = normalize(q.heading.text)
    context = _topic_context(q, norm, repeats)
    lines = seen.setdefault(norm + context, [])
    lines.append(q.line)
    salt = f"#{len(lines)}" if len(lines) > 1 else ""
    words = norm + context
    return question_id(draft.stem, q.heading.text, salt, words), salt, lines[0]


def _topic_context(q, norm: str, repeats: set[str]) -> str:
    """For a topic whose words another card of its note shares: its context, as part of its words."""
    if q.kind != "topic" or not q.context or norm not in repeats:
        return ""
    return "\x1e" + "\x1f".join(normalize(c) for c in q.context)


def _repeats(draft: NoteDraft) -> set[str]:
    """The words more than one card of the note has."""
    counts: dict[str, int] = {}
    for q in draft.questions:
        key = normalize(q.heading.text)
        counts[key] = counts.get(key, 0) + 1
    return {key for key, count in counts.items() if count > 1}


def _held(drafts: list[NoteDraft], owners: Mapping[str, str]) -> dict[str, tuple[str, int]]:
    """Ids the last build gave to a note that still asks that question: id -> (path, line)."""
    held: dict[str, tuple[str, int]] = {}
    if not owners:
        return held
    for draft in drafts:
        seen: dict[str, list[int]] = {}
        repeats = _repeats(draft)
        for q in draft.questions:
            if (q.pin is not None and PIN.match(q.pin)) or q.kind == "problem":
                continue
            qid = _plain_id(draft, q, seen, repeats)[0]
            if owners.get(qid) == draft.path:
                held.setdefault(qid, (draft.path, q.line))
    return held


def _take_pin(draft: NoteDraft, q, used: dict[str, str]) -> bool:
    if not PIN.match(q.pin):
        draft.problems.append(Problem(q.line + 1, "warning", codes.QUESTION_PIN_INVALID,
                                      f"qid {q.pin!r} must be letters, digits and _.:- ; ignored"))
        return False
    if q.pin in used:
        draft.problems.append(Problem(q.line + 1, "error", codes.QUESTION_PIN_DUPLICATE,
                                      f"qid {q.pin!r} is already used at {used[q.pin]}; ignored"))
        return False
    q.id = q.pin
    used[q.pin] = f"{draft.path}:{q.line}"
    return True


def _note(draft: NoteDraft, by_path: dict[str, NoteDraft], places: _Places, options: ParseOptions,
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
            draft.problems.append(Problem(q.line, "info", codes.QUESTION_UNANSWERED,
                                          "question has no answer"))
    links = tuple(_resolve(draft, line, href, image, by_path, places)
                  for line, href, image in draft.raw_links)
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
    missing = [p for p in draft.problems if p.code == codes.NOTE_MISSING and p.line in lines]
    if not missing:
        return
    draft.problems = [p for p in draft.problems if not (p.code == codes.NOTE_MISSING and p.line in lines)]
    first = missing[0].message.removeprefix("note not found: ")
    draft.problems.append(Problem(missing[0].line, "info", codes.PROBLEM_RELATED_MISSING,
                                  f"{len(missing)} of {len(lines)} related problems are not in the notes "
                                  f"folder (first: {first}); they show as text"))


def _resolve(draft: NoteDraft, line: int, href: str, image: bool, by_path: dict[str, NoteDraft],
             places: _Places) -> Link:
    scheme = scheme_of(href)
    if scheme:
        return _scheme_link(draft, line, href, scheme)
    path_part, _, anchor = href.partition("#")
    path_part, anchor = unquote(path_part), unquote(anchor)
    if not path_part:
        return _anchor_link(draft, line, href, draft, anchor, "anchor")
    unusable = _unusable(path_part)
    if unusable:  # said before the file system is asked: it would raise, not answer
        _warn(draft, line, codes.LINK_INVALID, f"{href} is not a usable file name: {unusable}")
        return Link(href, line, "image" if image else "file", None, anchor or None, ok=False)
    target = _target(draft.path, path_part, places)
    if target is None:
        where = "notes folder" if places.repository == places.root else "repository"
        _warn(draft, line, codes.LINK_OUTSIDE, f"{href} points outside the {where}")
        return Link(href, line, "image" if image else "file", None, anchor or None, ok=False)
    if target in by_path:
        return _anchor_link(draft, line, href, by_path[target], anchor, "note")
    kind = "image" if image or posixpath.splitext(target)[1].lower() in IMAGE_SUFFIXES else "file"
    if not _exists_inside(places.root / target, places.repository):
        what = "image" if kind == "image" else ("note" if target.lower().endswith(".md") else "file")
        _warn(draft, line, _MISSING[what], f"{what} not found: {href}")
        return Link(href, line, kind, target, anchor or None, ok=False)
    return Link(href, line, kind, target, anchor or None)


def _exists_inside(path: Path, folder: Path) -> bool:
    """Whether `path` exists once symlinks are resolved and stays inside `folder`; a file system
    that will not say (no permission, a symlink loop) counts as no."""
    try:
        full = path.resolve()
        return full.is_relative_to(folder) and full.exists()
    except (OSError, RuntimeError, ValueError):
        return False


def _unusable(path: str) -> str:
    """Why no file system has a file by this name ("" when it may): a NUL (`%00`), a name longer
    than NAME_MAX or a path longer than PATH_MAX (the common limits, in UTF-8 bytes)."""
    if "\x00" in path:
        return "it holds a NUL character"
    if len(path.encode("utf-8", "surrogatepass")) > _PATH_MAX:
        return f"longer than {_PATH_MAX} bytes"
    if any(len(part.encode("utf-8", "surrogatepass")) > _NAME_MAX for part in path.split("/")):
        return f"a part of it is longer than {_NAME_MAX} bytes"
    return ""


def _target(note_path: str, path_part: str, places: _Places) -> str | None:
    """The link's path relative to the notes folder (`../` when it leaves the folder but stays in
    the repository), or None outside the repository. `/x` starts at the repository root, as on GitHub."""
    if path_part.startswith("/"):
        full = places.repository / path_part.lstrip("/")
    else:
        full = places.root / posixpath.dirname(note_path) / path_part
    full = Path(os.path.normpath(full))
    if not full.is_relative_to(places.repository):
        return None
    return Path(os.path.relpath(full, places.root)).as_posix()


def _scheme_link(draft: NoteDraft, line: int, href: str, scheme: str) -> Link:
    kind = LinkKind.of_href(href)
    if kind is not LinkKind.FILE:
        return Link(href, line, kind)
    # file:, javascript: and the like: never followed by any output
    _warn(draft, line, codes.LINK_SCHEME, f"{scheme}: links are not followed: {href}")
    return Link(href, line, "file", ok=False)


def _anchor_link(draft: NoteDraft, line: int, href: str, target: NoteDraft, anchor: str, kind: str) -> Link:
    if not anchor:
        return Link(href, line, kind, target.path, None, target.title)
    found = target.anchors.get(anchor.lower())
    if found is None:
        key = anchor_key(anchor)
        found = next((v for k, v in target.anchors.items() if anchor_key(k) == key and key), None)
    if found is None:
        _warn(draft, line, codes.LINK_ANCHOR_MISSING, f"no heading #{anchor} in {target.path}")
        return Link(href, line, kind, target.path, anchor, target.title, ok=False)
    heading, qindex = found
    target_id = target.questions[int(qindex)].id if qindex is not None else None
    return Link(href, line, kind, target.path, anchor, target.title, heading, target_id)


def _warn(draft: NoteDraft, line: int, code: str, message: str) -> None:
    draft.problems.append(Problem(line, "warning", code, message))
