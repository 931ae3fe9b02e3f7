"""A notes folder to a `Collection`: read every note, then settle ids and links across notes."""

from __future__ import annotations

import fnmatch
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from qadeck.model import Collection, Diagnostic, Link, Note, Question
from qadeck.parser.heading import anchor_key
from qadeck.parser.identity import PIN, normalize, question_id
from qadeck.parser.note import NoteDraft, read_note
from qadeck.parser.source import Problem, decode

DEFAULT_MARKER_NAMES = {
    "🔥": "hot", "✅": "mastered", "☑️": "reviewed", "⬆️": "important", "💡": "open-ended",
    "❓": "unsure", "⚠️": "caution", "📌": "pinned", "❌": "wrong", "⭕": "partial",
    "✔️": "done", "⏳": "todo", "🔄": "revisit", "⬇️": "minor", "⬅️": "prev", "➡️": "next",
    "↔️": "compare", "📍": "key", "📝": "memo",
}
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")  # two letters at least: `C:` is a drive
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp"}
DEFAULT_TITLE = "面试题集"  # the collection's title when none is configured (qadeck.config uses it too)


@dataclass(frozen=True)
class ParseOptions:
    title: str = DEFAULT_TITLE
    include: tuple[str, ...] = ("*.md",)
    exclude: tuple[str, ...] = ()
    drafts: str = "skip"  # "skip" | "include"
    marker_names: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_MARKER_NAMES))


def parse_collection(root: Path, options: ParseOptions | None = None) -> Collection:
    options = options or ParseOptions()
    root = root.resolve()
    drafts: list[NoteDraft] = []
    diagnostics: list[Diagnostic] = []
    for rel, draft, problems in (_read(root, path) for path in note_files(root, options)):
        diagnostics.extend(problems)
        if draft is None:
            continue
        if draft.meta.draft and options.drafts == "skip":
            diagnostics.append(Diagnostic(rel, 1, "info", "note.draft",
                                          "draft note skipped (drafts = \"include\" keeps it)"))
            continue
        drafts.append(draft)
    _assign_ids(drafts)
    by_path = {d.path: d for d in drafts}
    notes = [_note(d, by_path, root, options) for d in drafts]
    for draft in drafts:
        diagnostics.extend(Diagnostic(draft.path, p.line, p.severity, p.code, p.message)
                           for p in draft.problems)
    diagnostics.sort(key=lambda d: (d.path, d.line, d.code))
    return Collection(options.title, tuple(notes), tuple(diagnostics))


_Read = tuple[str, NoteDraft | None, list[Diagnostic]]


def note_files(root: Path, options: ParseOptions) -> list[Path]:
    found = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if any(part.startswith(".") or part == "node_modules" for part in rel.split("/")):
            continue
        if not path.is_file() or not rel.lower().endswith(".md"):
            continue
        if _matches(rel, options.include) and not _matches(rel, options.exclude):
            found.append(path)
    return found


def _matches(rel: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(rel, p) or fnmatch.fnmatchcase(rel, p.replace("**/", ""))
               for p in patterns)


def _read(root: Path, path: Path) -> _Read:
    rel = path.relative_to(root).as_posix()
    if path.is_symlink() and not path.resolve().is_relative_to(root):
        return rel, None, [Diagnostic(rel, 1, "warning", "file.outside",
                                      "symlink to a file outside the notes folder, skipped")]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return rel, None, [Diagnostic(rel, 1, "error", "file.unreadable", f"cannot read: {exc.strerror}")]
    source = decode(data)
    problems: list[Problem] = list(source.problems)
    if source.text is None:
        return rel, None, [Diagnostic(rel, p.line, p.severity, p.code, p.message) for p in problems]
    return rel, read_note(rel, source.text, problems), []


def _assign_ids(drafts: list[NoteDraft]) -> None:
    used: dict[str, str] = {}  # id -> "path:line" of its owner
    for draft in drafts:
        seen: dict[str, list[int]] = {}
        for q in draft.questions:
            if q.pin is not None and _take_pin(draft, q, used):
                continue
            norm = normalize(q.heading.text)
            lines = seen.setdefault(norm, [])
            lines.append(q.line)
            salt = f"#{len(lines)}" if len(lines) > 1 else ""
            if salt:
                draft.problems.append(Problem(q.line, "warning", "question.duplicate",
                                              f"same question as line {lines[0]}; given its own id"))
            qid = question_id(draft.stem, q.heading.text, salt, norm)
            if qid in used:
                draft.problems.append(Problem(q.line, "warning", "question.id-collision",
                                              f"same note name and question as {used[qid]}; "
                                              "its id includes the folder (pin it with <!-- qid: ... -->)"))
                qid = question_id(draft.path, q.heading.text, salt)
            q.id = qid
            used[qid] = f"{draft.path}:{q.line}"


def _take_pin(draft: NoteDraft, q, used: dict[str, str]) -> bool:
    if not PIN.match(q.pin):
        draft.problems.append(Problem(q.line + 1, "warning", "question.pin-invalid",
                                      f"qid {q.pin!r} must be letters, digits and _.:- ; ignored"))
        return False
    if q.pin in used:
        draft.problems.append(Problem(q.line + 1, "error", "question.pin-duplicate",
                                      f"qid {q.pin!r} is already used at {used[q.pin]}; ignored"))
        return False
    q.id = q.pin
    used[q.pin] = f"{draft.path}:{q.line}"
    return True


def _note(draft: NoteDraft, by_path: dict[str, NoteDraft], root: Path, options: ParseOptions) -> Note:
    questions: list[Question] = []
    ids = [q.id for q in draft.questions]
    children: dict[int, list[str]] = {}
    for q in draft.questions:
        if q.parent is not None:
            children.setdefault(q.parent, []).append(q.id)
    for index, q in enumerate(draft.questions):
        markers = tuple(dict.fromkeys(q.heading.markers))
        flags = tuple(options.marker_names.get(m, m) for m in markers)  # flags[i] names markers[i]
        questions.append(Question(
            id=q.id, text=q.heading.text, heading=q.heading.markdown, markers=markers,
            flags=flags, answered=not q.answer.empty, answer=q.answer,
            parent=ids[q.parent] if q.parent is not None else None,
            children=tuple(children.get(index, ())), section=q.section, line=q.line, level=q.level,
            anchor=q.anchor, pinned=q.pin is not None and q.id == q.pin,
        ))
    for q in questions:
        if not q.answered:
            draft.problems.append(Problem(q.line, "info", "question.unanswered", "question has no answer"))
    links = tuple(_resolve(draft, line, href, image, by_path, root) for line, href, image in draft.raw_links)
    return Note(draft.path, draft.title, draft.meta, tuple(draft.sections), tuple(questions),
                draft.keywords, draft.references, links, draft.intro)


def _resolve(draft: NoteDraft, line: int, href: str, image: bool, by_path: dict[str, NoteDraft],
             root: Path) -> Link:
    scheme = _SCHEME.match(href)
    if scheme or href.startswith("//"):
        return _scheme_link(draft, line, href, scheme.group(1).lower() if scheme else "https")
    path_part, _, anchor = href.partition("#")
    path_part, anchor = unquote(path_part), unquote(anchor)
    if not path_part:
        return _anchor_link(draft, line, href, draft, anchor, "anchor")
    # `/x` is relative to the notes root (as GitHub reads it from the repository root)
    target = posixpath.normpath(path_part.lstrip("/") if path_part.startswith("/")
                                else posixpath.join(posixpath.dirname(draft.path), path_part))
    if target.startswith("../") or target == "..":
        _warn(draft, line, "link.outside", f"{href} points outside the notes folder")
        return Link(href, line, "image" if image else "file", None, anchor or None, ok=False)
    if target in by_path:
        return _anchor_link(draft, line, href, by_path[target], anchor, "note")
    kind = "image" if image or posixpath.splitext(target)[1].lower() in IMAGE_SUFFIXES else "file"
    full = (root / target).resolve()
    if not full.is_relative_to(root) or not full.is_file():
        what = "image" if kind == "image" else ("note" if target.lower().endswith(".md") else "file")
        _warn(draft, line, f"{what}.missing", f"{what} not found: {href}")
        return Link(href, line, kind, target, anchor or None, ok=False)
    return Link(href, line, kind, target, anchor or None)


def _scheme_link(draft: NoteDraft, line: int, href: str, scheme: str) -> Link:
    if scheme in ("http", "https", "data"):
        return Link(href, line, "web")
    if scheme == "mailto":
        return Link(href, line, "mail")
    # file:, javascript: and the like: never followed by any output
    _warn(draft, line, "link.scheme", f"{scheme}: links are not followed: {href}")
    return Link(href, line, "file", ok=False)


def _anchor_link(draft: NoteDraft, line: int, href: str, target: NoteDraft, anchor: str, kind: str) -> Link:
    if not anchor:
        return Link(href, line, kind, target.path, None, target.title)
    found = target.anchors.get(anchor.lower())
    if found is None:
        key = anchor_key(anchor)
        found = next((v for k, v in target.anchors.items() if anchor_key(k) == key and key), None)
    if found is None:
        _warn(draft, line, "link.anchor-missing", f"no heading #{anchor} in {target.path}")
        return Link(href, line, kind, target.path, anchor, target.title, ok=False)
    heading, qindex = found
    target_id = target.questions[int(qindex)].id if qindex is not None else None
    return Link(href, line, kind, target.path, anchor, target.title, heading, target_id)


def _warn(draft: NoteDraft, line: int, code: str, message: str) -> None:
    draft.problems.append(Problem(line, "warning", code, message))
