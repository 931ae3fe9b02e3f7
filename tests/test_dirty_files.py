"""Files that are not clean: each gives `path:line: severity: message [code]`, nothing crashes,
and the other notes still build."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import parse, write_notes

GOOD = "# 好笔记\n\n### 正常的问题?\n> 正常的回答.\n"


def build(tmp_path: Path, name: str, content: str | bytes):
    write_notes(tmp_path, {"good.md": GOOD, name: content})
    collection = parse(tmp_path)
    assert collection.note("good.md") is not None, "the other notes still build"
    found = [d for d in collection.diagnostics if d.path == name]
    return collection, collection.note(name), found


def test_crlf_and_bom_read_like_clean_text(tmp_path: Path):
    text = "\ufeff# 标题\r\n\r\n### 问题一?\r\n> 回答一\r\n"
    collection, note, found = build(tmp_path, "crlf.md", text.encode("utf-8"))
    assert note.title == "标题" and note.questions[0].text == "问题一?"
    assert note.questions[0].answer.short == "回答一" and found == []


def test_gbk_bytes_are_decoded_with_a_warning(tmp_path: Path):
    text = "# 旧笔记\n\n### 什么是梯度?\n> 导数的推广\n"
    collection, note, found = build(tmp_path, "gbk.md", text.encode("gbk"))
    assert note.questions[0].text == "什么是梯度?"
    assert [(d.line, d.severity, d.code) for d in found] == [(1, "warning", "file.encoding")]
    assert str(found[0]).startswith("gbk.md:1: warning: not UTF-8")


def test_undecodable_bytes_are_an_error_but_the_note_is_read(tmp_path: Path):
    collection, note, found = build(tmp_path, "bad.md", b"# T\n\n### Q?\n> \xff\xfe\xfa\xfb\x81\n")
    assert note is not None and found[0].code == "file.encoding" and found[0].severity == "error"


def test_unclosed_comment(tmp_path: Path):
    text = "# 标题\n\n### 问题?\n> 回答\n\n<!-- 忘了关闭\n### 隐藏的问题?\n"
    collection, note, found = build(tmp_path, "comment.md", text)
    assert [q.text for q in note.questions] == ["问题?"]
    assert [(d.line, d.code) for d in found] == [(6, "comment.unclosed")]


def test_unclosed_details_does_not_swallow_later_questions(tmp_path: Path):
    text = ("# 标题\n\n### 问题一?\n> 回答\n\n<details><summary>详述</summary>\n\n内容\n\n"
            "### 问题二?\n> 回答二\n")
    collection, note, found = build(tmp_path, "details.md", text)
    assert [q.text for q in note.questions] == ["问题一?", "问题二?"]
    assert (6, "details.unclosed") in [(d.line, d.code) for d in found]


def test_unclosed_fence_runs_to_the_end(tmp_path: Path):
    text = "# 标题\n\n### 问题?\n```python\n# 注释\n### 不是问题?\n"
    collection, note, found = build(tmp_path, "fence.md", text)
    assert [q.text for q in note.questions] == ["问题?"]
    assert [(d.line, d.code) for d in found] == [(4, "fence.unclosed")]


def test_broken_yaml_names_its_line(tmp_path: Path):
    text = "# 标题\n<!--info\ndate: 2025\ntags: [a, b\n-->\n\n### 问题?\n> 回答\n"
    collection, note, found = build(tmp_path, "yaml.md", text)
    assert note.questions[0].answered
    assert found[0].code == "meta.yaml" and found[0].severity == "warning" and 3 <= found[0].line <= 5


def test_empty_and_binary_files_are_named_and_skipped(tmp_path: Path):
    write_notes(tmp_path, {"good.md": GOOD, "empty.md": "", "blob.md": b"\x89PNG\x00\x00\x01"})
    collection = parse(tmp_path)
    assert [n.path for n in collection.notes] == ["good.md"]
    assert {(d.path, d.code) for d in collection.diagnostics} == {("empty.md", "file.empty"),
                                                                  ("blob.md", "file.binary")}


def test_duplicate_question_in_one_note(tmp_path: Path):
    text = "# 标题\n\n### 同一个问题?\n> 一\n\n### **同一个** 问题?\n> 二\n"
    collection, note, found = build(tmp_path, "dup.md", text)
    assert len({q.id for q in note.questions}) == 2
    assert [(d.line, d.code) for d in found if d.code != "question.unanswered"] == [(6, "question.duplicate")]


def test_notes_are_never_modified(tmp_path: Path):
    write_notes(tmp_path, {"good.md": GOOD, "gbk.md": "# 旧\n\n### 问?\n> 答\n".encode("gbk")})
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    parse(tmp_path)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
