"""The parser on fixture notes, one construct of the notes dialect (README.md) at a time."""

from __future__ import annotations

from pathlib import Path

import pytest

from qadeck.model import Collection, Note, Question
from qadeck.parser.heading import read_heading
from tests.conftest import FIXTURES, parse, write_notes

NOTES = FIXTURES / "notes"


@pytest.fixture(scope="module")
def collection() -> Collection:
    return parse(NOTES)


def note(collection: Collection, path: str) -> Note:
    found = collection.note(path)
    assert found is not None, path
    return found


def by_text(n: Note, text: str) -> Question:
    matches = [q for q in n.questions if q.text == text]
    assert matches, f"{text!r} not in {[q.text for q in n.questions]}"
    return matches[0]


def codes(collection: Collection, path: str) -> dict[int, str]:
    return {d.line: d.code for d in collection.diagnostics if d.path == path}


def test_setext_title_info_block_and_keywords(collection):
    n = note(collection, "qa_sections.md")
    assert n.title == "注意力机制 面试问题"
    assert n.meta.tags == ("transformer", "attention")
    assert n.meta.date == "2025-01-02 10:00:00" and n.meta.hidden and not n.meta.draft
    assert n.meta.toc_title == "注意力-QA"
    assert [(k.text, k.href) for k in n.keywords] == [("注意力笔记", "./knowledge.md"), ("自注意力", None)]


def test_generated_blocks_and_comments_are_never_questions(collection):
    texts = [q.text for q in note(collection, "qa_sections.md").questions]
    assert "目录里的标题不是问题?" not in texts
    assert "被注释掉的问题?" not in texts
    assert all("图例" not in t for t in texts)


def test_sections_questions_and_follow_ups(collection):
    n = note(collection, "qa_sections.md")
    assert [s.title for s in n.sections] == ["基础", "进阶"]
    what = by_text(n, "什么是 自注意力?")
    scale = by_text(n, "为什么要除以 $\\sqrt{d_k}$?")
    heads = by_text(n, "多头的动机是什么?")
    assert what.parent is None and what.section == ("基础",)
    assert scale.parent == what.id and heads.parent == what.id
    assert what.children == (scale.id, heads.id)
    assert by_text(n, "自注意力的复杂度").parent is None


def test_unsignalled_sub_heading_under_a_question_is_part_of_its_answer(collection):
    n = note(collection, "qa_sections.md")
    assert "补充说明" not in [q.text for q in n.questions]
    assert "#### 补充说明" in by_text(n, "注意力如何做掩码").answer.body


def test_unanswered_question_is_kept_and_reported(collection):
    q = by_text(note(collection, "qa_sections.md"), "位置编码有哪些?")
    assert not q.answered and q.answer.empty
    assert codes(collection, "qa_sections.md")[q.line] == "question.unanswered"


def test_markers_become_flags_and_leave_the_text(collection):
    n = note(collection, "qa_sections.md")
    q = by_text(n, "什么是 自注意力?")
    assert q.markers == ("✅",) and q.flags == ("已掌握",)  # Chinese notes: Chinese default names
    assert q.heading == "什么是 **自注意力**?"
    assert by_text(n, "自注意力的复杂度").flags == ("高频",)


def test_question_level_two_with_numbering_and_bookmark_section(collection):
    n = note(collection, "qa_level2.md")
    texts = [q.text for q in n.questions]
    assert texts == ["什么是 LoRA?", "写出 LoRA 的 数学形式", "为什么 B 初始化为 0?", "秩 $r$ 怎么选",
                     "QLoRA 的核心思路是什么?"]
    form = by_text(n, "写出 LoRA 的 数学形式")
    assert by_text(n, "秩 $r$ 怎么选").parent == form.id
    assert [s.title for s in n.sections] == ["变体"]
    assert by_text(n, "QLoRA 的核心思路是什么?").section == ("变体",)


def test_short_answer_and_see_also(collection):
    q = by_text(note(collection, "qa_sections.md"), "什么是 自注意力?")
    assert q.answer.short.splitlines() == ["- 序列中每个位置都对所有位置做加权求和;",
                                           "- 权重来自查询与键的相似度 $q_i^\\top k_j$;"]
    assert q.answer.see_also == ("[注意力公式](./knowledge.md#缩放点积)",)


def test_details_parts_keep_names_and_markdown(collection):
    n = note(collection, "details_parts.md")
    q = by_text(n, "如何计算显存?")
    assert [d.name for d in q.answer.details] == ["显存计算", "代码演示", "推导"]
    table, code, maths = q.answer.details
    assert "| FP32 | 4 |" in table.markdown
    assert code.markdown.startswith("```python") and "# 这一行不是标题" in code.markdown
    assert "M = P \\times b_{dtype}" in maths.markdown and "$b_{dtype}$" in maths.markdown
    assert "两个空格结尾的行  \n会换行." in q.answer.body
    assert "<details" not in q.answer.body


def test_closing_reference_part_belongs_to_the_note(collection):
    n = note(collection, "details_parts.md")
    assert n.references is not None and "arxiv.org/abs/2106.09685" in n.references.markdown
    assert (n.references.name, n.references.line) == ("参考资料", 40)
    assert all(d.name != "参考资料" for d in n.questions[-1].answer.details)


def test_knowledge_note_topics_are_sections_and_its_questions_are_found(collection):
    n = note(collection, "knowledge.md")
    assert n.title == "注意力笔记"
    assert n.meta.tags == ("transformer",) and n.meta.date == "2025-03-01"
    assert [q.text for q in n.questions] == ["缩放点积中的缩放因子起什么作用?"]
    assert {s.title for s in n.sections} >= {"缩放点积", "实现细节", "掩码", "面试问题整理"}


def test_headings_inside_a_raw_html_table_are_content(collection):
    assert [q.text for q in note(collection, "raw_table.md").questions] == ["表格里的标题不是问题?"]


def test_links_resolve_against_the_collection(collection):
    n = note(collection, "links.md")
    link = {x.href: x for x in n.links}
    ok = link["./knowledge.md#缩放点积"]
    assert (ok.kind, ok.target, ok.target_title, ok.target_heading, ok.ok) == \
        ("note", "knowledge.md", "注意力笔记", "缩放点积", True)
    assert link["sub/child.md"].target == "sub/child.md" and link["sub/child.md"].ok
    assert link["https://arxiv.org/abs/1706.03762"].kind == "web"
    assert not link["./missing.md"].ok and not link["./knowledge.md#没有这个标题"].ok
    assert not link["assets/nothing.png"].ok and link["assets/nothing.png"].kind == "image"
    assert "./nowhere.md" not in link
    found = codes(collection, "links.md")
    assert found == {7: "note.missing", 8: "link.anchor-missing", 10: "image.missing", 11: "link.outside"}


def test_link_to_a_question_carries_its_id(collection):
    child = note(collection, "sub/child.md")
    target = by_text(note(collection, "links.md"), "链接如何解析?")
    assert child.links[0].target_id == target.id and child.links[0].ok


def test_images_resolve_against_the_note_folder(collection):
    image = note(collection, "knowledge.md").links[0]
    assert (image.kind, image.target, image.ok) == ("image", "assets/pixel.png", True)


def test_pinned_id_and_duplicates(collection):
    n = note(collection, "pinned.md")
    assert n.questions[0].id == "attn-pinned-1" and n.questions[0].pinned
    first, second = n.questions[1:]
    assert first.id != second.id
    assert codes(collection, "pinned.md") == {11: "question.duplicate"}


def test_every_question_has_a_unique_id(collection):
    ids = [q.id for q in collection.questions()]
    assert len(ids) == len(set(ids))


def test_front_matter_and_info_block_merge(tmp_path: Path):
    write_notes(tmp_path, {"a.md": "---\ntags: [x]\ndraft: false\n---\n# 标题\n\n### 问题?\n> 答\n"})
    n = parse(tmp_path).notes[0]
    assert n.title == "标题" and n.meta.tags == ("x",)


def test_drafts_are_skipped_or_kept_by_option(tmp_path: Path):
    write_notes(tmp_path, {"d.md": "<!--info\ndraft: true\n-->\n# 草稿\n\n### 问题?\n> 答\n"})
    skipped = parse(tmp_path)
    assert skipped.notes == () and skipped.diagnostics[0].code == "note.draft"
    assert len(parse(tmp_path, drafts="include").notes) == 1


def test_section_intro_keeps_its_details_parts(collection):
    mask = next(s for s in note(collection, "knowledge.md").sections if s.title == "掩码")
    assert mask.intro.startswith("下三角矩阵.") and "torch.tril" in mask.intro and "<details>" in mask.intro


def test_rule_before_the_closing_references_is_not_an_answer(collection):
    last = note(collection, "details_parts.md").questions[-1]
    assert not last.answer.body.rstrip().endswith("---")


def test_keywords_keep_their_order_and_their_links_are_checked(tmp_path: Path):
    text = ("# 笔记\n<!--START_SECTION:keywords-->\n> ***Keywords**: 甲, [乙](./nowhere.md), 丙*\n"
            "<!--END_SECTION:keywords-->\n\n### 问?\n> 答\n")
    collection = parse(write_notes(tmp_path, {"k.md": text}))
    assert [(k.text, k.href) for k in collection.notes[0].keywords] == \
        [("甲", None), ("乙", "./nowhere.md"), ("丙", None)]
    warnings = [(d.line, d.code) for d in collection.diagnostics if d.severity == "warning"]
    assert warnings == [(3, "note.missing")]


def test_link_schemes_autolinks_and_reference_definitions(tmp_path: Path):
    text = ("# A\n\n### 问?\n> [j](javascript:alert) ![i](file:///etc/hostname) <https://x.org> "
            "[r][ref] [m](mailto:a@b.c)\n\n[ref]: b.md#x\n")
    collection = parse(write_notes(tmp_path, {"a.md": text, "b.md": "# B\n\n## X\n\n### 问二?\n> 答\n"}))
    links = {link.href: link for link in collection.note("a.md").links}
    assert (links["javascript:alert"].kind, links["javascript:alert"].ok) == ("file", False)
    assert (links["file:///etc/hostname"].kind, links["file:///etc/hostname"].ok) == ("file", False)
    assert links["https://x.org"].kind == "web" and links["mailto:a@b.c"].kind == "mail"
    assert (links["b.md#x"].kind, links["b.md#x"].target_heading) == ("note", "X")
    assert [d.code for d in collection.diagnostics if d.severity == "warning"] == ["link.scheme"] * 2


def test_repeated_markers_count_once_and_flags_name_them_in_order(tmp_path: Path):
    collection = parse(write_notes(tmp_path, {"m.md": "# M\n\n### 🔥 🔥 ❓ 三?\n> 答\n"}))
    q = collection.questions()[0]
    assert q.markers == ("🔥", "❓") and q.flags == ("高频", "存疑") and q.text == "三?"


@pytest.mark.parametrize(("raw", "markdown", "numbering"), [
    ("**1. RLHF 概述与核心思想**", "**RLHF 概述与核心思想**", "1."),
    ("**2.** 为什么需要 RLHF?", "为什么需要 RLHF?", "2."),
    ("__3) 挑战__", "__挑战__", "3)"),
    ("**2024** 年的进展", "**2024** 年的进展", ""),
])
def test_numbering_inside_emphasis_is_numbering(raw: str, markdown: str, numbering: str):
    heading = read_heading(raw)
    assert (heading.markdown, heading.numbering) == (markdown, numbering)


def test_answer_parts_carry_their_lines(collection):
    q = by_text(note(collection, "qa_sections.md"), "什么是 自注意力?")
    assert (q.answer.short_line, q.answer.see_also_lines) == (q.line + 1, (q.line + 3,))
    pieces = list(q.pieces())
    assert pieces[0].line == q.line and pieces[0].inline and pieces[1].line == q.line + 1
    parts = q.parts()
    assert parts.heading == pieces[0] and parts.short == pieces[1]
    assert [p.line for p in parts.see_also] == [q.line + 3] and parts.see_also[0].inline
    assert parts.statement is None and parts.approaches == () and list(parts.all()) == pieces


def test_answer_parts_name_each_details_part(collection):
    q = by_text(note(collection, "details_parts.md"), "如何计算显存?")
    parts = q.parts()
    assert [p.markdown for p in parts.details] == [d.markdown for d in q.answer.details]
    assert parts.body.markdown == q.answer.body and not parts.body.inline
    assert list(q.pieces())[-len(parts.details):] == list(parts.details)


def test_title_falls_back_to_the_first_heading_then_the_info_name(tmp_path: Path):
    write_notes(tmp_path, {
        "problem.md": "## 链表相加(二)\n<!--info\nname: 不用\n-->\n正文\n\n### 相关主题\n正文\n",
        "named.md": "<!--info\nname: 信息块里的名字\n-->\n正文\n",
        "plain.md": "正文\n",
        "questions.md": "## 什么是 A?\n> 一\n",
    })
    notes = {n.path: n for n in parse(tmp_path).notes}
    assert notes["problem.md"].title == "链表相加(二)" and notes["problem.md"].sections[0].title == "相关主题"
    assert notes["named.md"].title == "信息块里的名字" and notes["plain.md"].title == "plain"
    # a question is never swallowed as the title
    assert notes["questions.md"].title == "questions" and len(notes["questions.md"].questions) == 1


def test_a_lone_asterisk_stays_in_titles_and_questions(tmp_path: Path):
    write_notes(tmp_path, {"a.md": "重点 (*)\n===\n\n### **加粗** 的问题 (*)?\n> 答\n"})
    note = parse(tmp_path).notes[0]
    assert note.title == "重点 (*)" and note.questions[0].text == "加粗 的问题 (*)?"


def test_a_see_also_line_in_the_keywords_block_is_a_keyword_of_its_own(tmp_path: Path):
    text = ("# 标题\n<!--START_SECTION:keywords-->\n> ***Keywords**: [PEFT](./a.md), LoRA*\n"
            ">> 相关: [偏好](./a.md#标题)\n<!--END_SECTION:keywords-->\n")
    note = parse(write_notes(tmp_path, {"a.md": text})).notes[0]
    assert [(k.text, k.href) for k in note.keywords] == [
        ("PEFT", "./a.md"), ("LoRA", None), ("偏好", "./a.md#标题")]
