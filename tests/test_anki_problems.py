"""Coding problems in the Anki package, checked by importing into a real Anki collection."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from qadeck.exporters.anki.package import MODEL_ID, PROBLEM_MODEL_ID
from qadeck.exporters.anki.problems import FIELDS
from tests.conftest import FIXTURES
from tests.test_anki import TITLE, build, import_apkg, open_anki

REPO = FIXTURES / "problems" / "repo"


@pytest.fixture(autouse=True)
def _no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def imported(notes: Path, tmp_path: Path, decks: str = "folder"):
    out = tmp_path / "out.apkg"
    collection, diagnostics = build(notes, out, decks=decks)
    col = open_anki(tmp_path / "anki" / "collection.anki2")
    import_apkg(col, out)
    return collection, diagnostics, col, out


def by_title(col) -> dict[str, object]:
    return {col.get_note(nid)["Title"]: col.get_note(nid) for nid in col.find_notes("")}


def test_one_card_per_problem_with_its_tags_and_deck(tmp_path):
    collection, diagnostics, col, _ = imported(REPO, tmp_path)
    try:
        notes = by_title(col)
        assert set(notes) == {"两数之和", "合并区间(二)", "爬楼梯变体", "只有思路"}
        two_sum = notes["两数之和"]
        assert two_sum.note_type()["id"] == PROBLEM_MODEL_ID
        assert [f["name"] for f in two_sum.note_type()["flds"]] == list(FIELDS)
        assert set(two_sum.tags) == {"level::简单", "source::LeetCode", "topic::数组/矩阵", "topic::哈希表",
                                     "topic::经典", "company::字节", "company::美团"}
        card = two_sum.cards()[0]
        assert col.decks.name(card.did) == f"{TITLE}::算法题::数组/矩阵"
        front = card.question()
        assert "[简单 · LeetCode]" in front and "找出和为目标值" in front
        assert 'href="https://leetcode.cn/problems/two-sum/"' in front
        assert "暴力枚举" not in front
        back = card.answer()
        assert back.index("思路1: 暴力枚举") < back.index("思路2: 哈希表")
        assert back.count("<details") >= 3 and "<summary><b>C++</b></summary>" in back
        assert 'class="highlight"' in back  # code highlighted
        assert "相关题目" in back and "合并区间(二)" in back
        merge = notes["合并区间(二)"]
        image = re.search(r'<img src="(qd-[^"]+)"', merge["Statement"])
        assert image and col.media.have(image.group(1))  # the statement's image travels with the deck
        assert not [d for d in diagnostics if d.severity in ("warning", "error")]
    finally:
        col.close()


def test_problems_follow_the_decks_setting(tmp_path):
    _, _, col, _ = imported(REPO, tmp_path, decks="flat")
    try:
        decks = {col.decks.name(n.cards()[0].did) for n in by_title(col).values()}
        assert decks == {TITLE}
    finally:
        col.close()


def test_a_reimport_of_the_same_notes_changes_nothing(tmp_path):
    notes = Path(shutil.copytree(REPO, tmp_path / "notes"))
    _, _, col, out = imported(notes, tmp_path)
    try:
        before = {n["Id"]: n.mod for n in by_title(col).values()}
        build(notes, out)
        log = import_apkg(col, out)
        assert not log.updated and not log.new
        assert {n["Id"]: n.mod for n in by_title(col).values()} == before
        assert col.models.get(PROBLEM_MODEL_ID) is not None
        assert col.models.get(MODEL_ID) is None  # no Q&A card here: Anki leaves that type out
    finally:
        col.close()


def test_the_corpus_problems_make_one_card_each(shared, tmp_path):
    root = shared / "corpus" / "sspace" / "algorithms"
    collection, diagnostics, col, _ = imported(root, tmp_path)
    try:
        by_id = {col.get_note(nid)["Id"]: col.get_note(nid) for nid in col.find_notes("")}
        notes = by_title(col)
        problems = [n for n in collection.notes if n.problem is not None]
        files = list((root / "problems").rglob("*.md"))
        # count from the files: the corpus grows (two sources may hold a problem of the same name)
        assert len(by_id) == len(problems) == len(files) > 0
        for note in problems:
            card = by_id[note.questions[0].id]
            assert f"level::{note.problem.level}" in card.tags
            assert f"source::{note.problem.source}" in card.tags
            assert card["Approaches"]
        window = notes["滑动窗口的最大值"]
        assert {"level::困难", "source::牛客", "topic::堆/优先队列", "company::Soul"} <= set(window.tags)
        assert col.decks.name(window.cards()[0].did) == f"{TITLE}::算法题::堆/优先队列"
        assert "[困难 · 牛客]" in window.cards()[0].question()
    finally:
        col.close()
