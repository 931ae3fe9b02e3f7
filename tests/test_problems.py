"""Coding-problem notes and question lists: what the parser makes of them (fixtures in
tests/fixtures/problems), and the problems of the shared corpus (counted from its files)."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

from qadeck.exporters.json_model import to_dict
from qadeck.parser.lists import reads_as_prompt
from qadeck.parser.taginfo import folders_up, tag_lists_above
from tests.conftest import FIXTURES, parse, write_notes

REPO = FIXTURES / "problems" / "repo"
LISTS = FIXTURES / "problems" / "lists"
DIR = "problems/2024/01/"


def problems(collection) -> dict[str, object]:
    return {n.stem: n for n in collection.notes if n.problem is not None}


def test_each_problem_note_is_one_problem_question():
    collection = parse(REPO)
    found = problems(collection)
    assert set(found) == {"LeetCode_0001_简单_两数之和", "牛客_0007_中等_合并区间(二)",
                          "自编_中等_爬楼梯变体", "牛客_0009_困难_只有思路"}
    for note in found.values():
        assert note.in_outputs and len(note.questions) == 1
        q = note.questions[0]
        assert q.kind == "problem" and q.text == note.problem.name and q.answered


def test_several_approaches_and_languages():
    note = problems(parse(REPO))["LeetCode_0001_简单_两数之和"]
    p, q = note.problem, note.questions[0]
    assert (p.name, p.level, p.source, p.number) == ("两数之和", "简单", "LeetCode", "0001")
    assert p.url == "https://leetcode.cn/problems/two-sum/"
    assert p.companies == ("字节", "美团")
    assert "找出和为目标值" in q.answer.statement and "```txt" in q.answer.statement
    assert "详细描述" not in q.answer.statement  # commented out in the note
    assert "力扣" not in q.answer.statement  # the link line is the url, not statement text
    names = [a.name for a in q.answer.approaches]
    assert names == ["思路1: 暴力枚举", "思路2: 哈希表"]
    second = q.answer.approaches[1]
    assert [(c.name, c.language) for c in second.code] == [("Python", "python"), ("C++", "cpp")]
    assert second.markdown.index("一次遍历") < second.markdown.index("<details>")
    assert "START_SECTION" not in second.markdown and "相关主题" not in second.markdown
    parts = q.parts()  # the statement and approaches as pieces, each at its line
    assert parts.statement is not None and parts.statement.markdown == q.answer.statement
    assert parts.statement.line == q.answer.statement_line
    assert [p.markdown for p in parts.approaches] == [a.markdown for a in q.answer.approaches]
    assert list(q.pieces())[-3:] == [parts.statement, *parts.approaches]


def test_tags_are_normalised_and_ordered_by_the_tag_list():
    collection = parse(REPO)
    note = problems(collection)["LeetCode_0001_简单_两数之和"]
    # hashmap -> 哈希表, 数组 -> 数组/矩阵; data structures in the list's order; 经典 is unlisted
    assert note.problem.tags == ("数组/矩阵", "哈希表", "经典")
    assert note.problem.topics == ("数组/矩阵", "哈希表", "经典")
    custom = problems(collection)["自编_中等_爬楼梯变体"].problem
    assert custom.source == "自编" and custom.tags == ("动态规划",)  # Custom and dp are aliases
    terms = collection.problem_terms
    assert terms.levels == ("简单", "中等", "困难")
    assert terms.sources == ("LeetCode", "牛客", "自编")
    assert terms.topics[:3] == ("数组/矩阵", "哈希表", "排序")


def test_problems_group_by_their_first_topic_in_the_collections_order():
    collection = parse(REPO)
    notes = collection.problems()
    untopiced = replace(notes[0], problem=replace(notes[0].problem, topics=()))
    groups = collection.by_topic([*notes, untopiced], "(none)")
    topics = [topic for topic, _ in groups]
    ranked = [t for t in topics if t in collection.problem_terms.topics]
    assert ranked == sorted(ranked, key=collection.problem_terms.topics.index) and topics[-1] == "(none)"
    assert groups[-1][1] == [untopiced]
    assert sorted(n.path for _, group in groups[:-1] for n in group) == sorted(n.path for n in notes)
    assert all(n.problem.topic == topic for topic, group in groups[:-1] for n in group)


def test_without_a_tag_list_tags_stay_as_written(tmp_path):
    notes = Path(shutil.copytree(REPO, tmp_path / "repo"))
    (notes / "tag_info.yml").unlink()
    note = problems(parse(notes))["LeetCode_0001_简单_两数之和"]
    assert note.problem.tags == ("hashmap", "数组", "经典")


def test_a_broken_tag_list_is_one_warning(tmp_path):
    notes = Path(shutil.copytree(REPO, tmp_path / "repo"))
    (notes / "tag_info.yml").write_text("- [unclosed\n", encoding="utf-8")
    collection = parse(notes)
    warned = [d for d in collection.diagnostics if d.code == "taginfo.yaml"]
    assert len(warned) == 1 and warned[0].path == "tag_info.yml"
    assert problems(collection)["LeetCode_0001_简单_两数之和"].problem.tags == ("hashmap", "数组", "经典")


def test_the_tag_list_is_found_above_the_notes_folder(tmp_path):
    notes = Path(shutil.copytree(REPO, tmp_path / "repo"))
    (notes / ".git").mkdir()  # the repository root
    collection = parse(notes / "problems")
    assert problems(collection)["LeetCode_0001_简单_两数之和"].problem.topics[0] == "数组/矩阵"


def test_the_tag_lists_above_a_notes_folder_stop_at_the_repository_root(tmp_path):
    repository = tmp_path / "repo"
    notes = repository / "a" / "b" / "notes"
    notes.mkdir(parents=True)
    assert tag_lists_above(notes) == ()  # no repository: the notes folder is the root
    (repository / ".git").mkdir()
    assert tag_lists_above(notes) == tuple(folder / "tag_info.yml" for folder in
                                           (repository / "a" / "b", repository / "a", repository))
    assert list(folders_up(notes, repository))[-1] == repository
    assert list(folders_up(tmp_path, repository)) == [tmp_path]  # outside it: that folder alone


def test_an_image_in_the_statement_and_a_name_with_parentheses():
    note = problems(parse(REPO))["牛客_0007_中等_合并区间(二)"]
    q = note.questions[0]
    assert "intervals.png" in q.answer.statement
    image = next(link for link in note.links if link.href.endswith("intervals.png"))
    assert image.ok and image.kind == "image" and image.target == "_assets/intervals.png"
    assert note.problem.topics == ("数组/矩阵", "排序")


def test_related_problems_resolve_across_parentheses():
    collection = parse(REPO)
    note = problems(collection)["LeetCode_0001_简单_两数之和"]
    assert [(r.topic, r.text) for r in note.problem.related] == [
        ("哈希表", "[中等, 牛客] 合并区间(二)"), ("哈希表", "[中等, LeetCode] 不在这里的题")]
    found = note.link(note.problem.related[0].href)
    assert found.ok and found.target == DIR + "牛客_0007_中等_合并区间(二).md"
    assert found.target_title == "合并区间(二)"
    # the missing one is one info line for the block, not a warning per link
    about = [d for d in collection.diagnostics if d.path == note.path]
    assert [d.code for d in about if d.severity != "info"] == []
    assert [d.code for d in about] == ["problem.related-missing"]


def test_a_missing_number_and_an_approach_in_details():
    note = problems(parse(REPO))["自编_中等_爬楼梯变体"]
    q = note.questions[0]
    assert note.problem.number == "" and note.problem.url is None
    (approach,) = q.answer.approaches
    assert approach.name == "思路" and "f(n) = f(n-1) + f(n-3)" in approach.markdown
    assert "</details>" not in approach.markdown
    assert [c.language for c in approach.code] == ["python"]


def test_no_statement():
    note = problems(parse(REPO))["牛客_0009_困难_只有思路"]
    q = note.questions[0]
    assert q.answer.statement == "" and q.answered
    assert "双指针" in q.answer.approaches[0].markdown


def test_templates_make_nothing():
    collection = parse(REPO)
    templates = {d.path for d in collection.diagnostics if d.code == "note.template"}
    assert templates == {"problem_template.md", "新题模板.md"}
    assert {n.path for n in collection.notes} == {DIR + s + ".md" for s in problems(collection)}


def test_identity_is_source_and_number(tmp_path):
    notes = Path(shutil.copytree(REPO, tmp_path / "repo"))
    before = {n.problem.name: n.questions[0].id for n in problems(parse(notes)).values()}
    old = notes / DIR / "LeetCode_0001_简单_两数之和.md"
    old.rename(notes / DIR / "LeetCode_0001_简单_两数之和(哈希).md")
    old = notes / DIR / "自编_中等_爬楼梯变体.md"
    old.rename(notes / DIR / "自编_中等_爬楼梯.md")
    after = {n.problem.name: n.questions[0].id for n in problems(parse(notes)).values()}
    assert after["两数之和"] == before["两数之和"]  # source + number: a renamed file keeps its card
    assert after["爬楼梯变体"] != before["爬楼梯变体"]  # no number: the file name counts


def test_the_json_model_shows_problems():
    data = to_dict(parse(REPO), full=True)
    by_path = {n["path"]: n for n in data["notes"]}
    note = by_path[DIR + "LeetCode_0001_简单_两数之和.md"]
    assert note["problem"]["level"] == "简单" and note["problem"]["companies"] == ["字节", "美团"]
    assert set(note["problem"]) >= {"name", "level", "source", "number", "tags", "companies", "url"}
    assert note["questions"][0]["kind"] == "problem"
    code = note["questions"][0]["answer"]["approaches"][1]["code"]
    assert [c["language"] for c in code] == ["python", "cpp"]
    plain = to_dict(parse(LISTS))
    assert all(n["problem"] is None for n in plain["notes"])
    assert {q["kind"] for n in plain["notes"] for q in n["questions"]} == {"question"}
    json.dumps(data, ensure_ascii=False)


# -- question lists -------------------------------------------------------------------------------

def test_a_question_list_gives_one_unanswered_question_per_item():
    collection = parse(LISTS)
    note = collection.note("面试问题收录.md")
    assert [(q.text, q.section) for q in note.questions] == [
        ("详述多头注意力机制", ("注意力",)), ("为什么要对点积做缩放?", ("注意力",)),
        ("LayerNorm vs BatchNorm", ("注意力",)), ("位置编码的作用与演进", ("注意力", "位置编码")),
        ("LoRA 原理", ("微调",)), ("怎么缓解微调后的遗忘", ("微调",))]
    assert not any(q.answered for q in note.questions) and note.in_outputs
    assert all(s.intro == "" for s in note.sections)  # the items are questions, not section text
    assert note.questions[0].heading == "详述**多头注意力机制**"
    unanswered = [d for d in collection.diagnostics if d.code == "question.unanswered"
                  and d.path == note.path]
    assert len(unanswered) == 6


def test_lists_of_facts_and_answers_with_lists_stay_as_they_are():
    collection = parse(LISTS)
    facts = collection.note("归一化笔记.md")
    assert facts.questions == () and not facts.in_outputs
    assert "RMSNorm" in facts.sections[1].intro
    qa = collection.note("优化器_QA.md")
    assert [q.text for q in qa.questions] == ["Adam 的优点是什么?", "比较 SGD 与 Adam?"]
    assert "自适应学习率" in qa.questions[0].answer.body


def test_a_list_with_text_beside_it_is_not_a_question_list(tmp_path):
    notes = write_notes(tmp_path, {
        "a.md": "# A\n\n## 问题\n\n- 详述注意力\n- LoRA 原理\n\n这里有一段说明.\n",
        "b.md": "# B\n\n## 问题\n\n- 详述注意力\n    - 子项\n- LoRA 原理\n",
        "c.md": "# C\n\n## 问题\n\n- 详述注意力\n\n```python\nx = 1\n```\n",
    })
    collection = parse(notes)
    assert all(not n.questions for n in collection.notes)


def test_what_reads_as_a_prompt():
    assert reads_as_prompt("详述**多头注意力机制**")
    assert reads_as_prompt("CausalLM vs PrefixLM")
    assert reads_as_prompt("怎么解决微调时模型遗忘")
    assert reads_as_prompt("Why does Adam converge faster")
    assert not reads_as_prompt("BatchNorm")
    assert not reads_as_prompt("残差的作用是缓解梯度消失。")  # a sentence: a fact
    assert not reads_as_prompt("[参考](https://example.com)")


# -- the shared corpus ----------------------------------------------------------------------------

def test_the_corpus_problems(shared):
    root = shared / "corpus" / "sspace" / "algorithms"
    collection = parse(root)
    found = [n for n in collection.notes if n.problem is not None]
    files = sorted((root / "problems").rglob("*.md"))
    assert len(found) == len(files) > 0  # count from the files: the corpus grows
    for note in found:
        text = (root / note.path).read_text(encoding="utf-8")
        info = text[text.index("<!--info"):text.index("-->", text.index("<!--info"))]
        assert f"name: {note.problem.name}" in info
        assert f"level: {note.problem.level}" in info
        q = note.questions[0]
        assert q.kind == "problem" and q.answered and q.answer.approaches
    assert {d.path for d in collection.diagnostics if d.code == "note.template"} == {"problem_template.md"}
    assert not [d for d in collection.diagnostics if d.severity in ("warning", "error")]


def test_the_corpus_question_list(shared):
    folder = shared / "corpus" / "sspace" / "notes" / "_archives" / "2025" / "09"
    collection = parse(folder, drafts="include")
    listed = collection.note("算法面试问题收录.md")
    assert len(listed.questions) == 7 and not any(q.answered for q in listed.questions)
    # the other notes of the folder read as before: no list turned into questions
    others = [n for n in collection.notes if n is not listed and n.questions]
    for note in others:
        assert all(q.level < 7 and q.heading for q in note.questions)
        assert not any(q.answer.empty and q.line in _list_item_lines(folder / note.path)
                       for q in note.questions)


def _list_item_lines(path: Path) -> set[int]:
    lines = path.read_text(encoding="utf-8").split("\n")
    return {n for n, text in enumerate(lines, 1) if text.lstrip().startswith(("- ", "* "))}


def test_a_priority_that_is_no_number_is_the_default_not_a_crash(tmp_path):
    notes = Path(shutil.copytree(REPO, tmp_path / "repo"))
    odd = ("- {tag_type: algo, priority: .inf, tags: {dp: }}\n"
           "- {tag_type: ds, priority: .nan, tags: {数组: }}\n")
    (notes / "tag_info.yml").write_text(odd, encoding="utf-8")
    collection = parse(notes)
    assert problems(collection)["LeetCode_0001_简单_两数之和"].problem is not None


def test_a_problem_name_shows_as_written_in_the_heading():
    from qadeck.parser.note import as_markdown
    from qadeck.render import Renderer
    from tests.test_render import NOTE

    html = Renderer().inline(NOTE, as_markdown("<b>x & y_z*"), 1).html
    assert html == "&lt;b&gt;x &amp; y_z*"
