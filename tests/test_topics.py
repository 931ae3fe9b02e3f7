"""Topic cards (`cards = "topics"`): which headings become cards, why the others make none, their
context and ids, and where the setting comes from (repository, folder glob, front matter)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qadeck.config import load_config
from qadeck.errors import ConfigError
from qadeck.parser.topics import cards_mode, structural_name
from tests.conftest import FIXTURES, parse, write_notes

TOPICS = FIXTURES / "topics"


def _note(collection, path):
    return next(n for n in collection.notes if n.path == path)


def _became(note) -> dict[str, tuple[str, str]]:
    return {o.text: (o.became, o.why) for o in note.outline}


def test_topics_mode_makes_a_card_per_explaining_heading():
    note = _note(parse(TOPICS, cards="topics"), "基础/激活函数.md")
    cards = {q.text: q for q in note.questions}
    assert list(cards) == ["激活函数的作用", "Sigmoid", "Leaky ReLU", "GELU",
                           "为什么 ReLU 比 Sigmoid 训练快？", "总结"]
    assert {q.kind for q in note.questions} == {"topic", "question"}
    assert cards["为什么 ReLU 比 Sigmoid 训练快？"].kind == "question"
    # the back is the heading's own section, formula and list included, up to the next heading
    sigmoid = cards["Sigmoid"]
    assert sigmoid.answered and "\\sigma(x)" in sigmoid.answer.body and "两端饱和" in sigmoid.answer.body
    assert "Leaky" not in sigmoid.answer.body
    assert cards["GELU"].context == ("常见的 ReLU 变体",) and cards["Sigmoid"].context == ()
    assert cards["总结"].answer.body.startswith("Sigmoid 适合")


def test_headings_that_make_no_card_say_why():
    note = _note(parse(TOPICS, cards="topics"), "基础/激活函数.md")
    became = _became(note)
    assert became["激活函数"] == ("title", "")
    assert became["常见的 ReLU 变体"] == ("section", "group: only sub-headings")
    assert became["代码实现"] == ("section", "structural: only code, no sentence")
    assert became["安装"] == ("section", "structural: installation")
    assert became["延伸"] == ("section", "structural: only a source line")
    assert became["待整理"] == ("section", "structural: only TODO")
    assert became["论文"] == ("section", "structural: only links")
    assert became["空着的标题"] == ("section", "structural: empty section")
    assert became["参考文献"] == ("section", "structural: references")
    assert became["Sigmoid"] == ("topic", "")


@pytest.mark.parametrize("name, why", [
    ("参考", "references"), ("References", "references"), ("Reading", "references"),
    ("Index", "table of contents"), ("目录", "table of contents"), ("TOC", "table of contents"),
    ("相关专题", "related reading"), ("相关阅读：", "related reading"), ("总结", ""), ("简述", ""),
    ("注意：", "about the notes"), ("安装说明", "installation"), ("安装包", "installation"),
    ("快速开始", "installation"), ("安装原理", ""),
])
def test_structural_names(name, why):
    assert structural_name(name) == why


def test_usage_code_with_a_lead_in_only_is_no_card(tmp_path: Path):
    write_notes(tmp_path, {"n.md": "# N\n\n## 用法\n\n代码如下：\n\n```python\nx = f(1)\n```\n\n"
                                   "## 原理\n\n先建前缀词典，再用动态规划找最大概率路径。\n\n"
                                   "```python\nx = f(1)\n```\n"})
    note = parse(tmp_path, cards="topics").notes[0]
    assert _became(note)["用法"] == ("section", "structural: usage code, no sentence")
    assert [q.text for q in note.questions] == ["原理"] and "```python" in note.questions[0].answer.body


def test_a_lead_in_over_sub_headings_is_a_group(tmp_path: Path):
    write_notes(tmp_path, {"n.md": "# N\n\n## 常见方法\n\n主要有以下两种：\n\n"
                                   "### 甲\n\n甲方法把输入切成小块分别处理。\n\n"
                                   "### 乙\n\n乙方法先排序，再二分查找目标的位置。\n"})
    note = parse(tmp_path, cards="topics").notes[0]
    assert _became(note)["常见方法"] == ("section", "group: only a lead-in to its sub-headings")
    assert [(q.text, q.context) for q in note.questions] == [("甲", ("常见方法",)), ("乙", ("常见方法",))]
    assert [q.section for q in note.questions] == [("常见方法",), ("常见方法",)]


def test_a_topic_with_sub_topics_is_their_parent():
    note = _note(parse(FIXTURES / "topics", cards="topics"), "LoRA系列.md")
    assert [q.text for q in note.questions] == ["背景", "技术原理", "背景", "技术原理"]
    assert [q.context for q in note.questions] == [("LoRA",), ("LoRA",), ("AdaLoRA",), ("AdaLoRA",)]


def test_sub_topics_under_a_topic_follow_it(tmp_path: Path):
    write_notes(tmp_path, {"n.md": "# N\n\n## 模型并行\n\n把模型切开放到多张卡上，分为两类。\n\n"
                                   "### 张量并行\n\n层内切分矩阵乘法。\n\n"
                                   "### 流水线并行\n\n按层切分，微批次填满流水线。\n"})
    note = parse(tmp_path, cards="topics").notes[0]
    parent, first, second = note.questions
    assert parent.children == (first.id, second.id) and first.parent == parent.id
    assert first.context == ("模型并行",) and first.section == ()
    assert parent.answer.body == "把模型切开放到多张卡上，分为两类。"


def test_repeated_topic_names_have_distinct_ids_that_survive_reordering(tmp_path: Path):
    part = ("## {0}\n\n### 背景\n\n{0} 出现之前的做法太贵。\n\n"
            "### 技术原理\n\n{0} 用低秩矩阵近似权重的增量。\n\n")
    write_notes(tmp_path, {"LoRA系列.md": "# 系列\n\n" + part.format("LoRA") + part.format("AdaLoRA")})
    first = parse(tmp_path, cards="topics")
    ids = {(q.context, q.text): q.id for q in first.notes[0].questions}
    assert len(set(ids.values())) == 4
    assert not [d for d in first.diagnostics if d.code == "question.duplicate"]
    write_notes(tmp_path, {"LoRA系列.md": "# 系列\n\n" + part.format("AdaLoRA") + part.format("LoRA")})
    swapped = {(q.context, q.text): q.id for q in parse(tmp_path, cards="topics").notes[0].questions}
    assert swapped == ids


def test_a_unique_topic_keeps_its_id_across_modes_and_numbering(tmp_path: Path):
    write_notes(tmp_path, {"n.md": "# N\n\n### 1.梯度消失\n\n梯度逐层变小，前面的层学不动。\n\n"
                                   "### 2.什么是过拟合？\n\n训练集好测试集差。\n"})
    topic = parse(tmp_path, cards="topics").notes[0].questions[0]
    question = parse(tmp_path).notes[0].questions[0]  # a sibling of a question: a question here
    assert topic.text == question.text == "梯度消失" and topic.id == question.id
    write_notes(tmp_path, {"n.md": "# N\n\n### 3. 梯度消失\n\n梯度逐层变小，前面的层学不动。\n"})
    assert parse(tmp_path, cards="topics").notes[0].questions[0].id == topic.id


def test_questions_mode_is_the_default_and_makes_no_topic():
    collection = parse(TOPICS)
    assert not [q for q in collection.questions() if q.kind == "topic"]
    assert _note(collection, "LoRA系列.md").questions == ()


def test_front_matter_sets_a_note_s_mode(tmp_path: Path):
    assert _note(parse(TOPICS, cards="topics"), "问答.md").questions == ()  # `cards: questions`
    write_notes(tmp_path, {"a.md": "---\ncards: topics\n---\n# A\n\n## 残差\n\n给梯度一条直通的路。\n",
                           "b.md": "---\ncards: cards\n---\n# B\n\n## 残差\n\n给梯度一条直通的路。\n"})
    collection = parse(tmp_path)
    assert [q.kind for q in _note(collection, "a.md").questions] == ["topic"]
    assert _note(collection, "b.md").questions == ()
    warning = next(d for d in collection.diagnostics if d.code == "meta.cards")
    assert (warning.path, warning.line, warning.severity) == ("b.md", 2, "warning")


def test_folder_globs_choose_the_mode_the_last_match_wins():
    folders = (("基础", "topics"), ("基础/旧*", "questions"))
    assert cards_mode("基础/激活函数.md", "questions", folders) == "topics"
    assert cards_mode("基础/旧笔记/a.md", "questions", folders) == "questions"
    assert cards_mode("LoRA系列.md", "questions", folders) == "questions"
    assert cards_mode("x/y.md", "questions", (("*.md", "topics"),)) == "topics"
    collection = parse(TOPICS, folders=(("基础", "topics"),))
    assert len(_note(collection, "基础/激活函数.md").questions) == 6
    assert _note(collection, "LoRA系列.md").questions == ()


def test_config_reads_cards_and_folder_tables(tmp_path: Path):
    settings = 'cards = "topics"\n[folders."a/b"]\ncards = "questions"\ncolour = 1\n'
    (tmp_path / "qadeck.toml").write_text(settings, encoding="utf-8")
    config = load_config(tmp_path)
    assert config.cards == "topics" and config.folders == (("a/b", "questions"),)
    options = config.parse_options()
    assert options.cards == "topics" and options.folders == (("a/b", "questions"),)
    assert any("colour" in w for w in config.warnings)
    (tmp_path / "qadeck.toml").write_text('cards = "headings"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="cards must be"):
        load_config(tmp_path)
    (tmp_path / "qadeck.toml").write_text('[folders."a"]\ncards = "all"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match='folders."a"'):
        load_config(tmp_path)


def test_the_front_page_readme_makes_no_topic_cards(tmp_path: Path):
    body = "## 简介\n\n本仓库整理了大模型面试的常见知识点。\n\n## 什么是 RLHF？\n\n用人类反馈训练奖励模型。\n"
    write_notes(tmp_path, {"README.md": "# 笔记\n\n" + body, "sub/README.md": "# 子目录\n\n" + body})
    collection = parse(tmp_path, cards="topics")
    top, sub = _note(collection, "README.md"), _note(collection, "sub/README.md")
    assert [q.text for q in top.questions] == ["什么是 RLHF？"]  # questions still count
    assert _became(top)["简介"] == ("section", "structural: the notes' front page (README.md at the top)")
    assert [q.kind for q in sub.questions] == ["topic", "question"]


def test_a_labelled_link_line_is_only_links(tmp_path: Path):
    write_notes(tmp_path, {"n.md": "# N\n\n## 在线版本\n\n在线阅读链接：[我的笔记](https://example.org/notes)\n"})
    note = parse(tmp_path, cards="topics").notes[0]
    assert _became(note)["在线版本"] == ("section", "structural: only links")


def test_code_listings_and_labelled_code_are_no_cards(tmp_path: Path):
    code = "```python\n" + "x = 1\n" * 6 + "```\n"
    write_notes(tmp_path, {"n.md": "# N\n\n## 训练代码\n\n- 数据：某个数据集\n\n" + code +
                           "\n## 使用\n\n**离线批量推理**\n\n" + code +
                           "\n## 题目\n\n[第一题](./a.md)\n\n参考资料：\n\n"
                           "- [某篇文章](https://example.org)\n" +
                           "\n## 原理\n\n先把输入切块，再逐块计算注意力，最后合并结果。\n\n" + code})
    became = _became(parse(tmp_path, cards="topics").notes[0])
    assert became["训练代码"] == ("section", "structural: a code listing")
    assert became["使用"] == ("section", "structural: usage code, no sentence")
    assert became["题目"] == ("section", "structural: only links")
    assert became["原理"] == ("topic", "")
