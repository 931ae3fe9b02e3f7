"""The deck's memory as data: its file, what changed between two of them, and rewordings."""

from __future__ import annotations

from pathlib import Path

import pytest

from qadeck import manifest
from qadeck.manifest import Entry, Manifest

DECK = "题集::llm::对齐"


def entry(text: str, path: str = "llm/对齐_QA.md", deck: str = DECK, digest: str = "d1",
          mtime: int = 7) -> Entry:
    return Entry(path, text, deck, digest, mtime)


BEFORE = Manifest({"q1": entry("什么是 RLHF?"), "q2": entry("为什么需要 KL 约束?"),
                   "q3": entry("什么是奖励模型?"), "q4": entry("卷积为什么有平移等变性?", "old/视觉_QA.md",
                                                          "题集::old::视觉")})


def test_the_file_is_sorted_deterministic_and_reads_back(tmp_path: Path) -> None:
    shuffled = Manifest(dict(reversed(list(BEFORE.entries.items()))))
    assert manifest.dumps(shuffled) == manifest.dumps(BEFORE)
    path = manifest.path_for(tmp_path / "build" / "deck.apkg")
    assert path == tmp_path / "build" / "deck.manifest.json"
    manifest.write(path, BEFORE)
    assert manifest.read(path) == BEFORE
    assert "什么是 RLHF?" in path.read_text(encoding="utf-8")  # readable, not \u escapes
    assert manifest.read(tmp_path / "none.json") is None
    for broken in ("{", "[]", '{"format": "qadeck manifest", "version": 99, "questions": {}}',
                   '{"format": "qadeck manifest", "version": 1, "questions": {"q": {"path": 1}}}'):
        path.write_text(broken, encoding="utf-8")
        assert manifest.read(path) is None
    assert manifest.loads(manifest.dumps(Manifest())) == Manifest()


def test_changes_since_the_last_build() -> None:
    after = Manifest({
        "q1": BEFORE.entries["q1"],  # the same
        "q3": entry("什么是奖励模型?", digest="d2"),  # its card changed
        "q4": entry("卷积为什么有平移等变性?", "cv/视觉_QA.md", "题集::cv::视觉"),  # moved
        "q5": entry("为什么 RLHF 需要 KL 约束?"),  # q2 reworded
        "q6": entry("什么是 PPO?"),  # new
    })
    found = manifest.changes(BEFORE, after)
    assert (found.added, found.changed) == (("q5", "q6"), ("q3",))
    assert (found.removed, found.moved) == (("q2",), ("q4",))
    assert (found.renamed, found.reworded) == (("q4",), ())
    assert found.summary() == "deck: +2 new, 1 changed, 1 removed, 1 moved, 1 kept through a rename"
    first = manifest.changes(None, after)
    assert first.first and first.summary() == "deck: 5 new (no earlier build to compare with)"
    unknown = Manifest({"q1": entry("什么是 RLHF?", digest="")})  # read back from a package: no digest
    assert manifest.changes(unknown, Manifest({"q1": entry("什么是 RLHF?")})).changed == ()


def test_a_rewording_in_the_same_note_is_suggested_with_its_pin() -> None:
    after = Manifest({"q1": BEFORE.entries["q1"], "q3": BEFORE.entries["q3"], "q4": BEFORE.entries["q4"],
                      "q5": entry("为什么 RLHF 训练需要 KL 约束?"),  # q2, reworded
                      "q6": entry("为什么需要 KL 散度?", "vision/视觉_QA.md")})  # similar, other note
    report = manifest.report(BEFORE, after)
    assert [(r.old_id, r.new_id) for r in report.rewordings] == [("q2", "q5")]
    assert report.rewordings[0].pin() == "<!-- qid: q2 -->"
    assert "    llm/对齐_QA.md: 为什么 RLHF 训练需要 KL 约束?  (was: 为什么需要 KL 约束?)  <!-- qid: q2 -->" \
        in report.lines("build/deck.apkg")
    assert report.to_json()["reworded"] == [{"old": "q2", "new": "q5", "pin": "<!-- qid: q2 -->"}]


def test_a_real_new_question_is_never_taken_for_a_removed_one() -> None:
    after = Manifest({"q1": BEFORE.entries["q1"], "q4": BEFORE.entries["q4"],
                      "q8": entry("如何评估一个对话模型?"), "q9": entry("什么是 LoRA?")})
    report = manifest.report(BEFORE, after)
    assert report.changes.removed == ("q2", "q3") and report.rewordings == ()


def test_the_same_words_moved_to_another_note_are_suggested_too() -> None:
    after = Manifest({**{q: e for q, e in BEFORE.entries.items() if q != "q3"},
                      "q7": entry("什么是奖励模型?", "llm/奖励_QA.md")})
    assert [(r.old_id, r.new_id) for r in manifest.report(BEFORE, after).rewordings] == [("q3", "q7")]


def test_the_report_names_what_to_do_in_anki() -> None:
    after = Manifest({"q1": BEFORE.entries["q1"], "q2": BEFORE.entries["q2"],
                      "q4": entry("卷积为什么有平移等变性?", "cv/视觉_QA.md", "题集::cv::视觉")})
    lines = manifest.report(BEFORE, after).lines("build/deck.apkg")
    assert lines[0] == "deck: +0 new, 0 changed, 1 removed, 1 moved, 1 kept through a rename"
    text = "\n".join(lines)
    assert "tag:qadeck::removed" in text and "    - 什么是奖励模型?  (llm/对齐_QA.md)" in text
    assert "tag:qadeck::moved" in text and "Change Deck" in text
    assert "    cv/视觉_QA.md (1): 题集::old::视觉 -> 题集::cv::视觉" in text
    assert manifest.report(BEFORE, BEFORE).lines("x") == ["deck: +0 new, 0 changed, 0 removed, 0 moved"]


def test_a_pinned_question_gets_no_suggestion() -> None:
    after = Manifest({**{q: e for q, e in BEFORE.entries.items() if q != "q2"},
                      "q2-pinned": entry("为什么 RLHF 需要 KL 约束?")})
    assert len(manifest.report(BEFORE, after).rewordings) == 1
    assert manifest.report(BEFORE, after, frozenset({"q2-pinned"})).rewordings == ()


def test_a_manifest_of_another_shape_is_no_memory_never_a_crash(tmp_path: Path) -> None:
    row = '{"path": "a.md", "text": "t", "deck": "d", "digest": "x", "mtime": %s}'
    bad = ["[" * 100_000 + "]" * 100_000, "null", '{"format": "qadeck manifest", "version": 1}',
           *('{"format": "qadeck manifest", "version": 1, "questions": {"q1": %s}}' % (row % m)
             for m in ('"5"', "99999999999999999999999", "1.5e300", "true", "-1")),
           '{"format": "qadeck manifest", "version": 1, "questions": {"q1": {"path": ["a"], "text": "t", '
           '"deck": "d", "digest": "x"}}}']
    for text in bad:
        assert manifest.loads(text) is None, text


def test_a_damaged_previous_package_is_no_memory_never_a_crash(tmp_path: Path) -> None:
    import zipfile

    from qadeck.exporters.anki.package import read_previous

    stored = tmp_path / "stored.apkg"
    with zipfile.ZipFile(stored, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("collection.anki2", b"x" * 10_000)
    data = bytearray(stored.read_bytes())
    data[60:90] = b"\xff" * 30  # a broken deflate stream
    broken = tmp_path / "broken.apkg"
    broken.write_bytes(bytes(data))
    for path in (broken, stored, tmp_path / "missing.apkg"):
        assert read_previous(path).notes == {}


def test_a_removed_card_carried_from_the_last_package_is_cleaned_again() -> None:
    from qadeck.exporters.anki.cards import FIELDS
    from qadeck.exporters.anki.memory import gone, removed_cards
    from qadeck.exporters.anki.package import Previous

    fields = ["<img src=x onerror=alert(1)>问题", *([""] * (len(FIELDS) - 1))]
    previous = Previous(notes={"q1": (1_700_000_000, "\x1f".join(fields), "tag")})
    before = Manifest({"q1": Entry("a.md", "问题", "题集", "d", 1_700_000_000)})
    cards, bases = removed_cards(gone(before, {}), previous, None)
    assert "onerror" not in cards[0].fields[0] and "问题" in cards[0].fields[0]
    assert "qadeck::removed" in cards[0].tags and bases["q1"] > 1_700_000_000


def _build(notes: Path, out: Path):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-c", "from qadeck.cli import main; main()", "build", str(notes),
                           "--out", str(out), "--only", "json,anki"],
                          capture_output=True, text=True, timeout=300, cwd=notes.parent)


@pytest.mark.parametrize("damage", ["half", "random", "other-json"])
def test_a_damaged_manifest_says_so_once_and_the_build_goes_on(tmp_path: Path, damage: str) -> None:
    from tests.conftest import write_notes

    notes = write_notes(tmp_path / "notes", {"a_QA.md": "# A\n\n### 问一?\n> 答一\n\n### 问二?\n> 答二\n"})
    out = tmp_path / "out"
    assert _build(notes, out).returncode == 0
    path = next(out.glob("*.manifest.json"))
    data = path.read_bytes()
    path.write_bytes({"half": data[: len(data) // 2], "random": bytes(range(256)) * 4,
                      "other-json": b'{"format": "something else"}'}[damage])
    result = _build(notes, out)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    said = [line for line in result.stderr.splitlines() if "[deck.memory-lost]" in line]
    assert len(said) == 1 and said[0].startswith("warning: the deck's manifest"), result.stderr
    assert manifest.read(path) is not None  # written again
    again = _build(notes, out)
    assert "[deck.memory-lost]" not in again.stderr and again.returncode == 0
