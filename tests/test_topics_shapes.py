"""Note shapes other interview-notes repositories use, read in both modes: numbering styles, questions
without a question mark, setext headings and rules, skipped levels, tables of contents, raw HTML
headings, formulas, code under list items (fixtures in tests/fixtures/topics/shapes)."""

from __future__ import annotations

import pytest

from qadeck.parser.heading import read_heading, reads_as_question
from tests.conftest import FIXTURES, parse

SHAPES = FIXTURES / "topics" / "shapes"


@pytest.fixture(scope="module")
def topics():
    return {n.path: n for n in parse(SHAPES, cards="topics").notes}


@pytest.fixture(scope="module")
def questions():
    return {n.path: n for n in parse(SHAPES).notes}


def _texts(note) -> list[str]:
    return [q.text for q in note.questions]


@pytest.mark.parametrize("raw, text, numbering", [
    ("1.激活函数作用", "激活函数作用", "1."), ("1.1 Prefix LM", "Prefix LM", "1.1"),
    ("1.2总结", "总结", "1.2"), ("（1）英语的熵", "英语的熵", "（1）"), ("(2) 生成式", "生成式", "(2)"),
    ("1）Broadcast &#x20;", "Broadcast", "1）"), ("1-1 背景", "背景", "1-1"), ("一、概述", "概述", "一、"),
    ("**1.1 什么是 LoRA？**", "什么是 LoRA？", "1.1"),
    ("**1.** 概述", "概述", "1."), ("1.**预训练的影响因素**", "预训练的影响因素", "1."),
    ("8.3 QA：", "QA", "8.3"), ("8.3 QA：秩怎么选", "秩怎么选", "8.3"), ("4.trt\\_llm", "trt_llm", "4."),
    ("1.5B 模型", "1.5B 模型", ""), ("2021 年回顾", "2021 年回顾", ""), ("3.LLM MoE", "LLM MoE", "3."),
])
def test_numbering_styles(raw, text, numbering):
    heading = read_heading(raw)
    assert (heading.text, heading.numbering) == (text, numbering)


@pytest.mark.parametrize("text, asks", [
    ("LangChain 包含哪些核心模块", True), ("如何缓解复读", True), ("为什么需要位置编码", True),
    ("正则化可以降低多 epoch 的影响吗", True), ("什么是语言模型", True),
    ("第三部分：面试技巧与如何回答", False),
    ("位置编码", False), ("梯度消失与梯度爆炸", False),
])
def test_questions_without_a_question_mark(text, asks):
    assert reads_as_question(text) is asks


def test_numbered_headings_read_alike_in_both_modes(topics, questions):
    note = topics["编号.md"]
    assert _texts(note) == ["归一化的作用", "BatchNorm", "总结", "LayerNorm", "RMSNorm", "为什么要做归一化？",
                            "Pre-LN", "layer_norm 的参数"]
    assert [o.why for o in note.outline if o.text == "QA"] == ["group: only sub-headings"]
    assert note.question(note.questions[-1].id).context == ("QA",)
    assert _texts(questions["编号.md"])[:4] == ["归一化的作用", "BatchNorm", "总结", "为什么要做归一化？"]


def test_questions_without_a_mark_are_questions_in_both_modes(topics, questions):
    for notes in (topics, questions):
        note = notes["问法.md"]
        assert _texts(note) == ["LangChain 包含哪些核心模块", "如何缓解复读", "为什么需要位置编码"]
        assert {q.kind for q in note.questions} == {"question"}


def test_setext_headings_and_rules(topics, questions):
    note = topics["setext.md"]
    assert note.title == "Setext 的笔记"
    assert [(o.text, o.level, o.became, o.why) for o in note.outline[1:]] == [
        ("Index", 2, "section", "structural: table of contents"), ("注意力", 2, "topic", ""),
        ("多头注意力", 1, "topic", "")]
    attention, heads = note.questions
    assert attention.answer.body.endswith("- 复杂度是序列长度的平方。")  # a `---` under a list is a rule
    assert "---\n\n分隔线之后仍是多头注意力的内容。" in heads.answer.body  # and after a blank line too
    assert [s.title for s in questions["setext.md"].sections] == ["Index", "注意力", "多头注意力"]
    assert not [d for d in parse(SHAPES).diagnostics if d.path == "setext.md"]  # `#注意力` is found


def test_skipped_and_misnested_levels(topics):
    note = topics["层级.md"]
    assert [(q.text, q.context) for q in note.questions] == [
        ("梯度裁剪", ()), ("学习率预热", ()), ("Adam", ("优化器",)), ("AdamW", ("优化器",)),
        ("排列语言模型", ("XLNet",)), ("自编码", ())]  # `### 5.` after `# 4.` is its sibling
    assert "####### 这一行有七个井号" in note.questions[2].answer.body  # seven `#` make no heading


def test_tables_of_contents_are_no_content_and_html_headings_are_headings(topics, questions):
    note = topics["目录.md"]
    assert [(q.text, q.context) for q in note.questions] == [
        ("量化", ()), ("对称量化", ("量化",)), ("剪枝", ())]
    assert not note.intro and note.questions[-1].answer.body == "去掉不重要的权重或通道。"
    assert "toc" not in "".join(q.answer.body.lower() for q in note.questions)
    assert [s.title for s in questions["目录.md"].sections] == ["量化", "对称量化", "剪枝"]


def test_formulas_and_code_under_list_items(topics):
    note = topics["公式.md"]
    assert _texts(note) == ["Softmax", "交叉熵", "训练步骤"]
    steps = note.questions[-1].answer.body
    assert "   # 读入数据集" in steps and "   # 单卡训练" in steps  # comment lines, not headings
    assert [o.text for o in note.outline] == ["公式和代码", "Softmax", "交叉熵", "训练步骤"]
