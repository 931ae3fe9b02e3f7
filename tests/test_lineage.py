"""Ids that follow the words: a renamed or split note, a question cut and pasted into another note
and a question reworded in its place keep their ids (and so their Anki cards); an ambiguous case
keeps nothing and is pointed out with a pin."""

from __future__ import annotations

from pathlib import Path

import pytest

from qadeck import lineage
from qadeck.build import build
from qadeck.config import Config
from qadeck.model import Answer, Collection
from tests.conftest import write_notes

TITLE = "题集"
PE = ("# 位置编码\n\n### 为什么需要位置编码?\n> 自注意力对顺序不敏感.\n\n"
      "### 什么是 RoPE?\n> 用旋转矩阵编码相对位置.\n\n"
      "### ALiBi 是怎么做的?\n> 在注意力分数上加线性偏置.\n")


@pytest.fixture(autouse=True)
def _no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def deck(notes: Path, out: Path):
    collection, (output,) = build(Config(notes=notes, out=out, title=TITLE), ["anki"])
    assert output.error is None and output.report is not None
    return collection, output.report


def ids(collection: Collection) -> dict[str, str]:
    return {q.text: q.id for q in collection.questions()}


def test_a_renamed_note_keeps_every_id(tmp_path: Path) -> None:
    notes, out = write_notes(tmp_path / "notes", {"Transformer面试题-位置编码.md": PE}), tmp_path / "build"
    first, _ = deck(notes, out)
    (notes / "Transformer面试题-位置编码.md").rename(notes / "位置编码_QA.md")
    second, report = deck(notes, out)
    assert ids(second) == ids(first)
    assert report.changes.summary() == "deck: +0 new, 3 changed, 0 removed, 0 moved, 3 kept through a rename"
    assert not report.rewordings
    # and it stays that way on the next builds (the memory now has the new note)
    third, report = deck(notes, out)
    assert ids(third) == ids(first) and report.changes.summary().startswith("deck: +0 new, 0 changed")


def test_a_split_and_a_question_pasted_into_another_note_keep_their_ids(tmp_path: Path) -> None:
    notes = write_notes(tmp_path / "notes", {"base_QA.md": PE, "other_QA.md": "# 其他\n\n### 问?\n> 答.\n"})
    out = tmp_path / "build"
    first, _ = deck(notes, out)
    rope, alibi = PE.split("### 什么是 RoPE?")[1].split("### ALiBi 是怎么做的?")
    write_notes(notes, {"base_QA.md": PE.split("### 什么是 RoPE?")[0],
                        "rope_QA.md": f"# RoPE\n\n### 什么是 rope ？\n{rope}",  # case, full-width mark
                        "other_QA.md": f"# 其他\n\n### 问?\n> 答.\n\n### ALiBi 是怎么做的?\n{alibi}"})
    second, report = deck(notes, out)
    assert ids(second)["什么是 rope ？"] == ids(first)["什么是 RoPE?"]
    assert ids(second)["ALiBi 是怎么做的?"] == ids(first)["ALiBi 是怎么做的?"]
    assert not report.changes.added and not report.changes.removed
    assert len(report.changes.renamed) == 2


def test_a_question_reworded_in_its_place_keeps_its_id(tmp_path: Path) -> None:
    notes, out = write_notes(tmp_path / "notes", {"pe_QA.md": PE}), tmp_path / "build"
    first, _ = deck(notes, out)
    write_notes(notes, {"pe_QA.md": PE.replace("什么是 RoPE?", "介绍 旋转位置编码 RoPE 的做法")})
    second, report = deck(notes, out)
    assert ids(second)["介绍 旋转位置编码 RoPE 的做法"] == ids(first)["什么是 RoPE?"]
    assert report.changes.reworded == (ids(first)["什么是 RoPE?"],)
    assert report.changes.summary() == ("deck: +0 new, 1 changed, 0 removed, 0 moved, "
                                        "1 kept through a rewording")


def test_a_new_question_elsewhere_does_not_take_a_removed_ones_card(tmp_path: Path) -> None:
    notes, out = write_notes(tmp_path / "notes", {"pe_QA.md": PE}), tmp_path / "build"
    first, _ = deck(notes, out)
    # RoPE removed; a similar question added at the end, next to other questions: not its place
    text = PE.replace("### 什么是 RoPE?\n> 用旋转矩阵编码相对位置.\n\n", "")
    write_notes(notes, {"pe_QA.md": text + "\n### 什么是 RoPE 的外推?\n> 改变旋转的基.\n"})
    second, report = deck(notes, out)
    assert ids(second)["什么是 RoPE 的外推?"] not in ids(first).values()
    assert report.changes.removed == (ids(first)["什么是 RoPE?"],)
    (hint,) = report.rewordings  # the owner decides, with a pin
    assert hint.old_id == ids(first)["什么是 RoPE?"]


def test_the_same_words_in_two_new_places_are_ambiguous(tmp_path: Path) -> None:
    notes, out = write_notes(tmp_path / "notes", {"a_QA.md": PE}), tmp_path / "build"
    first, _ = deck(notes, out)
    (notes / "a_QA.md").unlink()
    write_notes(notes, {"b_QA.md": PE, "c_QA.md": PE.replace("# 位置编码", "# 副本")})
    second, report = deck(notes, out)
    assert not set(ids(second).values()) & set(ids(first).values())
    assert len(report.rewordings) == 3  # each gets a pin suggestion, none is chosen by chance


def test_places_and_matching_as_data() -> None:
    answer = Answer(short="用旋转矩阵编码相对位置.")
    rows = [("a", "问 一?", None, Answer()), ("b", "问二", "a", answer), ("c", "问三", None, Answer())]
    found = lineage.places("n.md", rows)
    assert found["b"] == lineage.Place("n.md", "问二", "a", "a", "c", "用旋转矩阵编码相对位置")
    assert found["a"].words == "问一?" and found["c"].after == ""
    gone = {"old": found["b"]}
    fresh = {"new": lineage.Place("m.md", "问二", "a", "x", "y")}
    assert lineage.exact(gone, fresh) == {"new": "old"}
    assert lineage.in_place(gone, fresh, {}) == {}  # another note: not its place
    assert lineage.in_place(gone, fresh, {"n.md": {"m.md"}}) == {}  # no neighbour in common
    moved = {"new": lineage.Place("m.md", "问二改", "a", "a", "y", "用旋转矩阵编码相对位置")}
    assert lineage.in_place(gone, moved, {"n.md": {"m.md"}}) == {"new": "old"}
    two = {**moved, "new2": lineage.Place("m.md", "问二也改", "a", "z", "c")}
    assert lineage.in_place(gone, two, {"n.md": {"m.md"}}) == {}  # two fit: ambiguous
