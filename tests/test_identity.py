"""Stable ids: what must not change a question's id, and what must."""

from __future__ import annotations

from pathlib import Path

import pytest

from qadeck.parser.identity import question_id
from tests.conftest import parse, write_notes

BASE = "# 笔记\n\n## 🏷️ 基础\n\n### 什么是 **奖励模型**?\n> 给回答打分的模型.\n"


def qid(tmp_path: Path, text: str, name: str = "rm_QA.md", folder: str = "") -> str:
    root = tmp_path / "notes"
    write_notes(root, {f"{folder}{name}": text})
    questions = parse(root).questions()
    assert len(questions) >= 1
    return [q for q in questions if "奖励" in q.text][0].id


@pytest.mark.parametrize("edited", [
    BASE.replace("### 什么是", "### ✅ 🔥 什么是"),  # markers
    BASE.replace("### 什么是", "### 1.2. 什么是"),  # numbering
    BASE.replace("### 什么是 **奖励模型**?", "### **1. 什么是 奖励模型?**"),  # numbering inside bold
    BASE.replace("### 什么是", "### **2.** 什么是"),  # bold numbering
    BASE.replace("**奖励模型**", "奖励模型"),  # emphasis
    BASE.replace("什么是 **奖励模型**?", "什么是  **奖励模型** ？"),  # whitespace, full-width ?
    BASE.replace("给回答打分的模型.", "对回答打分的标量模型."),  # answer
    BASE.replace("### 什么是", "## 什么是"),  # heading level
    BASE.replace("## 🏷️ 基础", "## 🏷️ 进阶"),  # section
    "# 笔记\n\n### 别的问题?\n> 答\n\n" + BASE.split("\n", 2)[2],  # position
    BASE.replace("### 什么是 **奖励模型**?", "### 父问题?\n> 答\n\n#### 什么是 **奖励模型**?"),  # parent
])
def test_id_survives_edits_that_keep_the_words(tmp_path: Path, edited: str):
    assert qid(tmp_path / "a", BASE) == qid(tmp_path / "b", edited)


def test_id_survives_moving_the_note_to_another_folder(tmp_path: Path):
    assert qid(tmp_path / "a", BASE) == qid(tmp_path / "b", BASE, folder="其他/更深/")


def test_id_changes_with_the_words_or_the_file_name(tmp_path: Path):
    base = qid(tmp_path / "a", BASE)
    assert base != qid(tmp_path / "b", BASE.replace("奖励模型", "奖励模型的输出"))
    assert base != qid(tmp_path / "c", BASE, name="other_QA.md")


def test_a_pin_keeps_the_id_through_a_rewording(tmp_path: Path):
    pinned = BASE.replace("?\n>", "?\n<!-- qid: rm-what -->\n>")
    reworded = pinned.replace("什么是 **奖励模型**?", "奖励模型是做什么的?")
    assert qid(tmp_path / "a", pinned) == qid(tmp_path / "b", reworded) == "rm-what"


def test_same_note_name_in_two_folders_gets_distinct_ids(tmp_path: Path):
    write_notes(tmp_path, {"a/rm_QA.md": BASE, "b/rm_QA.md": BASE})
    collection = parse(tmp_path)
    ids = [q.id for q in collection.questions()]
    assert len(set(ids)) == 2
    assert [d.code for d in collection.diagnostics] == ["question.id-collision"]


def test_an_id_stays_with_the_note_that_held_it_when_a_same_named_note_appears(tmp_path: Path):
    rlhf = "# RLHF\n\n### 什么是 RLHF?\n> 用人类反馈做强化学习.\n"
    write_notes(tmp_path, {"b/RLHF_QA.md": rlhf})
    (held,) = [q.id for q in parse(tmp_path).questions()]
    write_notes(tmp_path, {"a/RLHF_QA.md": rlhf.replace("用人类反馈", "用人的反馈")})

    without = parse(tmp_path)  # no memory: the first note in path order takes the plain id (as before)
    assert without.note("a/RLHF_QA.md").questions[0].id == held
    with_memory = parse(tmp_path, owners={held: "b/RLHF_QA.md"})
    assert with_memory.note("b/RLHF_QA.md").questions[0].id == held
    newcomer = with_memory.note("a/RLHF_QA.md").questions[0].id
    assert newcomer == question_id("a/RLHF_QA.md", "什么是 RLHF?") != held  # qualified by its path
    (warning,) = with_memory.diagnostics
    assert (warning.path, warning.line, warning.code) == ("a/RLHF_QA.md", 3, "question.id-collision")
    assert "b/RLHF_QA.md:3, which had this id in the last build" in warning.message


def test_memory_of_a_question_no_note_asks_any_more_changes_nothing(tmp_path: Path):
    write_notes(tmp_path, {"a/rm_QA.md": BASE, "b/rm_QA.md": BASE})
    plain = [(q.id, q.text) for q in parse(tmp_path).questions()]
    gone = parse(tmp_path, owners={plain[0][0]: "c/rm_QA.md", "qdeadbeef": "a/rm_QA.md"})
    assert [(q.id, q.text) for q in gone.questions()] == plain
