"""The parser on real notes written by someone else (../shared/corpus): the hand labels in
expected.json, and invariants over every file. Skips cleanly where ../shared is absent."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from qadeck.cli import cli
from qadeck.parser.heading import KNOWN_MARKERS
from tests.conftest import parse

MONTH = Path("corpus/sspace/notes/_archives/2025/09")


def key(text: str) -> str:
    return re.sub(r"[\s*`]", "", text)


@pytest.fixture(scope="module")
def inspected(request) -> dict:
    shared = request.getfixturevalue("shared")
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["inspect", "--json", str(shared / MONTH)])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def expected(shared: Path) -> dict:
    labels = json.loads((shared / "corpus" / "expected.json").read_text(encoding="utf-8"))
    return {k: v for k, v in labels.items() if not k.startswith("_")}


def test_inspect_json_meets_every_hand_label(shared, inspected):
    notes = {n["path"]: n for n in inspected["notes"]}
    for path, label in expected(shared).items():
        questions = notes[path]["questions"]
        by_id = {q["id"]: q for q in questions}
        got = {key(q["text"]): (q["answered"], key(by_id[q["parent"]]["text"]) if q["parent"] else None)
               for q in questions}
        want = label.get("questions") or label["at_least"]
        for text, value in want.items():
            parent = key(value["parent"]) if value["parent"] else None
            assert got.get(key(text)) == (value["answered"], parent), f"{path}: {text}"
        if label.get("exact"):
            assert set(got) == {key(t) for t in want}, path
        for text in label.get("not_questions", []):
            assert key(text) not in got, f"{path}: {text} must not be a question"


def _question_headings(text: str) -> list[int]:
    """Lines of `#` headings with ?/？ outside code fences, comments and raw HTML containers
    (an independent, simple reading of the file)."""
    lines, found = text.split("\n"), []
    fence = comment = False
    depth = 0
    for number, line in enumerate(lines, start=1):
        if re.match(r"^\s*(```|~~~)", line):
            fence = not fence
            continue
        if fence:
            continue
        if comment:
            comment = "-->" not in line
            continue
        stripped = re.sub(r"<!--.*?-->", "", line)
        if "<!--" in stripped:
            comment = True
            continue
        depth += len(re.findall(r"<(details|table)\b", stripped))
        depth -= len(re.findall(r"</(details|table)>", stripped))
        asks = re.search(r"[?？]", re.sub(r"`[^`]*`", "", stripped))
        if depth == 0 and re.match(r"^#{1,6}\s", stripped) and asks:
            found.append(number)
    return found


def test_every_file_of_the_corpus(shared):
    root = shared / "corpus"
    collection = parse(root, drafts="include")
    files = {p.relative_to(root).as_posix() for p in root.rglob("*.md")}
    named = {n.path for n in collection.notes} | {d.path for d in collection.diagnostics}
    assert files <= named, "every .md file is a note or named in a diagnostic"
    markers = {m.replace("\ufe0f", "") for m in KNOWN_MARKERS}
    for note in collection.notes:
        text = (root / note.path).read_text(encoding="utf-8")
        lines = {q.line for q in note.questions}
        for line in _question_headings(text):
            assert line in lines, f"{note.path}:{line}: a ? heading that is not a question"
        for q in note.questions:
            assert not re.match(r"^\d+(\.\d+)*\.?\s", q.text), f"{note.path}:{q.line}: numbering left"
            assert not set(q.text.replace("\ufe0f", "")) & markers, f"{note.path}:{q.line}: marker left"


def test_default_options_name_skipped_drafts(shared):
    collection = parse(shared / "corpus")
    drafts = [d for d in collection.diagnostics if d.code == "note.draft"]
    assert drafts and all(d.severity == "info" for d in drafts)


def test_every_warning_on_the_whole_copy_is_true(shared):
    """The copy is partial: links to files that are not in it are the only warnings left, and
    each names a file that really is missing. Templates and drafts make nothing."""
    root = shared / "corpus" / "sspace"
    collection = parse(root)
    warned = [d for d in collection.diagnostics if d.severity in ("warning", "error")]
    assert warned, "the copy links to files it does not hold"
    for d in warned:
        assert d.code in ("note.missing", "file.missing", "image.missing"), str(d)
        note = collection.note(d.path)
        broken = [link for link in note.links if link.line == d.line and not link.ok]
        assert broken and all(not (root / link.target).exists() for link in broken), str(d)
    templates = {d.path for d in collection.diagnostics if d.code == "note.template"}
    assert templates == {"notes/note_template.md", "notes/README_template.md",
                         "algorithms/problem_template.md"}
    assert not any("/drafts/" in n.path for n in collection.notes)
    kept = {n.path.rsplit("/", 1)[-1] for n in collection.notes if n.in_outputs and n.problem is None}
    assert kept == {"Transformer_QA.md", "位置编码_QA.md", "PEFT_QA.md", "偏好学习_QA.md", "大模型微调_QA.md"}
    problems = {n.path for n in collection.notes if n.problem is not None}
    assert problems == {p.relative_to(root).as_posix()
                        for p in (root / "algorithms" / "problems").rglob("*.md")}
    assert all(collection.note(p).in_outputs for p in problems)
