"""The model as JSON: what `qadeck inspect --json` prints and `build/<name>.json` holds."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from qadeck.atomic import write_text
from qadeck.context import BuildContext
from qadeck.model import Collection, Diagnostic, Note, ProblemMeta, Question

NAME = "json"
SUFFIX = ".json"


def export(collection: Collection, out_path: Path, options: None, context: BuildContext) -> list[Diagnostic]:
    """The model, answers and links included; JSON has no settings (`options` is None)."""
    write_text(out_path, dumps(collection, full=True) + "\n")
    return []


def dumps(collection: Collection, full: bool = False) -> str:
    return json.dumps(to_dict(collection, full), ensure_ascii=False, indent=2)


def to_dict(collection: Collection, full: bool = False) -> dict[str, Any]:
    return {
        "title": collection.title,
        "notes": [_note(note, full) for note in collection.notes],
        "diagnostics": [asdict(d) for d in collection.diagnostics],
        "problem_terms": asdict(collection.problem_terms),
    }


def _note(note: Note, full: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "path": note.path,
        "title": note.title,
        "tags": list(note.meta.tags),
        "date": note.meta.date,
        "draft": note.meta.draft,
        "in_outputs": note.in_outputs,
        "keywords": [asdict(k) for k in note.keywords],
        "sections": [{"title": s.title, "level": s.level, "line": s.line, "path": list(s.path)}
                     for s in note.sections],
        "problem": _problem(note.problem),
        "questions": [_question(q, full) for q in note.questions],
        # every heading and what it became (a card, a section, a part) or why it makes no card
        "outline": [asdict(o) for o in note.outline],
    }
    if full:
        data["references"] = note.references.markdown if note.references else ""
        data["links"] = [asdict(link) for link in note.links]
    return data


def _problem(problem: ProblemMeta | None) -> dict[str, Any] | None:
    if problem is None:
        return None
    return {
        "name": problem.name, "level": problem.level, "source": problem.source, "number": problem.number,
        "tags": list(problem.tags), "topics": list(problem.topics), "companies": list(problem.companies),
        "url": problem.url,
        "related": [{"topic": r.topic, "text": r.text, "href": r.href, "line": r.line}
                    for r in problem.related],
    }


def _question(q: Question, full: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": q.id,
        "kind": q.kind,
        "text": q.text,
        "heading": q.heading,
        "markers": list(q.markers),
        "flags": list(q.flags),
        "answered": q.answered,
        "line": q.line,
        "level": q.level,
        "parent": q.parent,
        "children": list(q.children),
        "section": list(q.section),
        "pinned": q.pinned,
    }
    if q.kind == "topic":
        data["context"] = list(q.context)  # the headings above it
    if full:
        data["answer"] = {
            "short": q.answer.short,
            "see_also": list(q.answer.see_also),
            "details": [{"name": d.name, "markdown": d.markdown, "line": d.line} for d in q.answer.details],
            "body": q.answer.body,
        }
        if q.kind == "problem":
            data["answer"]["statement"] = q.answer.statement
            data["answer"]["approaches"] = [
                {"name": a.name, "markdown": a.markdown, "line": a.line,
                 "code": [{"name": c.name, "language": c.language, "line": c.line} for c in a.code]}
                for a in q.answer.approaches]
    return data
