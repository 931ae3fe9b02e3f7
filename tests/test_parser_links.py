"""Links and anchors read as GitHub renders the note: each kind of false warning seen on a real
repository gets a small note of its own here, next to the true warning it must still give."""

from __future__ import annotations

from pathlib import Path

from qadeck.model import Collection
from tests.conftest import parse, write_notes


def warnings(collection: Collection, path: str = "a.md") -> dict[int, str]:
    return {d.line: d.code for d in collection.diagnostics if d.path == path and d.severity == "warning"}


def one(tmp_path: Path, text: str, **files: str) -> Collection:
    return parse(write_notes(tmp_path, {"a.md": text, **files}))


def test_headings_in_table_cells_and_details_are_anchors(tmp_path):
    text = ("标题\n===\n\n- [表格里](#表格里)\n- [详情里](#详情里)\n- [紧贴标签](#紧贴标签)\n\n"
            "<table>\n<tr>\n<td>\n\n### 表格里\n{x}\n\n</td>\n</tr>\n</table>\n\n"
            "<details><summary>更多</summary>\n\n## 详情里\n正文\n\n</details>\n\n"
            "<table><tr><td>\n### 紧贴标签\n</td></tr></table>\n")
    found = warnings(one(tmp_path, text))
    # GitHub renders the first two as headings; the third is raw text inside an HTML block.
    assert found == {6: "link.anchor-missing"}


def test_headings_inside_generated_blocks_are_anchors(tmp_path):
    text = ("# 标题\n\n<!--START_SECTION:paper_title-->\n## 论文标题\n<!--END_SECTION:paper_title-->\n\n"
            "见 [论文](#论文标题) 与 [没有](#没有这个)\n")
    collection = one(tmp_path, text)
    assert warnings(collection) == {7: "link.anchor-missing"}
    assert collection.notes[0].sections == ()  # an anchor, not structure


def test_repeated_headings_get_github_suffixes(tmp_path):
    text = ("# 标题\n\n## 示例\n正文\n\n### 代码?\n> 一\n\n## 示例\n正文\n\n### 代码?\n> 二\n\n## 示例-1\n\n"
            "[a](#示例-1) [b](#示例-2) [c](#代码-1) [d](#示例-3)\n")
    collection = one(tmp_path, text)
    note = collection.notes[0]
    assert [s.anchor for s in note.sections] == ["示例", "示例-1", "示例-1-1"]
    assert [q.anchor for q in note.questions] == ["代码", "代码-1"]
    assert note.link("#代码-1").target_id == note.questions[1].id
    assert warnings(collection) == {12: "question.duplicate", 17: "link.anchor-missing"}


def test_the_setext_title_is_an_anchor(tmp_path):
    collection = one(tmp_path, "笔记标题\n===\n\n[回到顶部](#笔记标题)\n")
    assert warnings(collection) == {}


def test_footnotes_are_not_links_and_stay_in_the_model(tmp_path):
    text = ("# 标题\n\n### 问题?\n> 回答[^1], 另见[^note].\n\n"
            "[^1]: 出自 Vaswani 2017, 第 3 节\n"
            "[^note]: 第一行\n    第二行, 见 [缺失](./missing.md)\n\n正文继续.\n")
    collection = one(tmp_path, text)
    note = collection.notes[0]
    assert [(f.label, f.markdown, f.line) for f in note.footnotes] == [
        ("1", "出自 Vaswani 2017, 第 3 节", 6), ("note", "第一行\n第二行, 见 [缺失](./missing.md)", 7)]
    assert note.questions[0].answer.short == "回答[^1], 另见[^note]."
    assert "[^" not in note.questions[0].answer.body and "正文继续." in note.questions[0].answer.body
    assert warnings(collection) == {8: "note.missing"}  # a link inside a footnote is still checked


def test_math_is_never_a_link(tmp_path):
    text = ("# 标题\n\n### 优势?\n> $S[\\pi_\\theta](s_t)$ 与 $$\nA[x](y)\n$$ 以及 [缺失](./missing.md)\n"
            "> 价格 $5 与 [真的](./gone.md) $6\n")
    collection = one(tmp_path, text)
    assert warnings(collection) == {6: "note.missing", 7: "note.missing"}
    assert [link.href for link in collection.notes[0].links] == ["./missing.md", "./gone.md"]


def test_link_targets_with_balanced_parentheses(tmp_path):
    text = "# 标题\n\n[相加](./链表相加(二).md#思路) [图](<my pic.png>) [缺](./缺失(三).md)\n"
    other = "## 链表相加(二)\n\n### 思路\n正文\n"
    collection = one(tmp_path, text, **{"链表相加(二).md": other, "my pic.png": "x"})
    links = {link.href: link for link in collection.notes[0].links}
    assert links["./链表相加(二).md#思路"].ok and links["./链表相加(二).md#思路"].target == "链表相加(二).md"
    assert links["my pic.png"].ok
    assert warnings(collection) == {3: "note.missing"}


def test_links_that_leave_the_notes_folder_are_checked_inside_the_repository(tmp_path):
    (tmp_path / ".git").mkdir()
    write_notes(tmp_path, {"algorithms/题.md": "## 题\n", "README.md": "# R\n"})
    text = ("# 标题\n\n[题](../algorithms/题.md) [根](/README.md) [缺](../algorithms/缺.md)\n"
            "[外](../../outside.md)\n")
    collection = parse(write_notes(tmp_path / "notes", {"a.md": text}))
    links = {link.href: link for link in collection.notes[0].links}
    assert links["../algorithms/题.md"].ok and links["../algorithms/题.md"].target == "../algorithms/题.md"
    assert links["/README.md"].ok
    assert warnings(collection) == {3: "note.missing", 4: "link.outside"}
    outside = next(d for d in collection.diagnostics if d.code == "link.outside")
    assert "outside the repository" in outside.message


def test_without_a_repository_the_notes_folder_is_the_limit(tmp_path):
    write_notes(tmp_path, {"other/b.md": "# B\n"})
    collection = parse(write_notes(tmp_path / "notes", {"a.md": "# A\n\n[b](../other/b.md)\n"}))
    assert warnings(collection) == {3: "link.outside"}


def test_a_symlink_never_lets_a_link_out_of_the_notes_folder(tmp_path):
    write_notes(tmp_path, {"secret.png": "no", "away/x.png": "no"})
    text = ("# A\n\n![in](in.png) ![out](out.png)\n![dir](away/x.png)\n"
            "![loop](loop.png) ![up](../secret.png)\n")
    notes = write_notes(tmp_path / "notes", {"a.md": text, "real.png": "png"})
    (notes / "in.png").symlink_to(notes / "real.png")  # inside, by a symlink: found
    (notes / "out.png").symlink_to(tmp_path / "secret.png")
    (notes / "away").symlink_to(tmp_path / "away", target_is_directory=True)
    (notes / "loop.png").symlink_to(notes / "loop.png")
    collection = parse(notes)
    links = {link.href: link.ok for link in collection.notes[0].links}
    assert links == {"in.png": True, "out.png": False, "away/x.png": False, "loop.png": False,
                     "../secret.png": False}
    found = sorted((d.line, d.code, d.message) for d in collection.diagnostics if d.severity == "warning")
    assert found == [(3, "image.missing", "image not found: out.png"),
                     (4, "image.missing", "image not found: away/x.png"),
                     (5, "image.missing", "image not found: loop.png"),
                     (5, "link.outside", "../secret.png points outside the notes folder")]


def test_the_same_link_from_another_folder_is_resolved_from_there(tmp_path):
    # Links are worked out once per (folder, path): the folder must be part of what is asked.
    text = "# N\n\n[x](x.md) ![p](p.png) [r](/r.md)\n"
    notes = write_notes(tmp_path, {"a/n.md": text, "a/x.md": "# X in a\n", "b/n.md": text, "b/p.png": "png",
                                   "r.md": "# R\n"})
    collection = parse(notes)
    links = {(note.path, link.href): (link.ok, link.target)
             for note in collection.notes for link in note.links}
    assert links[("a/n.md", "x.md")] == (True, "a/x.md")
    assert links[("b/n.md", "x.md")] == (False, "b/x.md")
    assert links[("a/n.md", "p.png")] == (False, "a/p.png")
    assert links[("b/n.md", "p.png")] == (True, "b/p.png")
    assert links[("a/n.md", "/r.md")] == links[("b/n.md", "/r.md")] == (True, "r.md")


def test_the_same_anchor_or_name_in_one_folder_is_resolved_for_each_note_and_use(tmp_path):
    # Resolved once per (folder, href, image): an #anchor belongs to its own note, an image is not a link.
    notes = write_notes(tmp_path, {"a.md": "# A\n\n## 有\n\n[h](#有) [m](m.md)\n",
                                   "b.md": "# B\n\n## 无\n\n[h](#有) ![m](m.md)\n"})
    collection = parse(notes)
    found = sorted((d.path, d.code, d.message) for d in collection.diagnostics if d.severity == "warning")
    assert found == [("a.md", "note.missing", "note not found: m.md"),
                     ("b.md", "image.missing", "image not found: m.md"),
                     ("b.md", "link.anchor-missing", "no heading #有 in b.md")]


def test_a_linked_notes_new_title_reaches_the_note_read_from_the_cache(tmp_path):
    # Each note's read is kept by its bytes; its links are resolved afresh in every parse.
    notes = write_notes(tmp_path / "notes", {"a.md": "# A\n\n[b](b.md#二) [c](c.png)\n",
                                             "b.md": "# 旧\n\n## 二\n"})
    cache = tmp_path / "cache"
    first = parse(notes, cache=cache)
    assert [(x.target_title, x.ok) for x in first.notes[0].links] == [("旧", True), (None, False)]
    (notes / "b.md").write_text("# 新\n\n## 三\n", encoding="utf-8")
    (notes / "c.png").write_bytes(b"png")
    collection = parse(notes, cache=cache)
    assert [(x.target_title, x.ok) for x in collection.notes[0].links] == [("新", False), (None, True)]
    assert warnings(collection) == {3: "link.anchor-missing"}
