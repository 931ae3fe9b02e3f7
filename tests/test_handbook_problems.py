"""The handbook's part 算法题: problems by topic after the Q&A chapters, an index, the outline."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pypdf

from qadeck.build import context
from qadeck.exporters import handbook
from qadeck.exporters.handbook import book as handbook_html
from qadeck.math import SVGMath
from tests.conftest import FIXTURES, parse
from tests.test_handbook import _build, _config, _outline

REPO = FIXTURES / "problems" / "repo"
QA = FIXTURES / "handbook" / "notes"


def notes_with_problems(tmp_path: Path) -> Path:
    notes = Path(shutil.copytree(QA, tmp_path / "notes"))
    shutil.copytree(REPO, notes / "algorithms")
    return notes


def book_html(notes: Path, **values) -> str:
    config = _config(notes, Path("build"), **values)
    return handbook_html.build(parse(notes, title=config.title), config.options("pdf"), context(config),
                               SVGMath(), font_faces=handbook.font_faces(None)).html


def test_the_part_comes_after_the_chapters_grouped_by_topic(tmp_path):
    html = book_html(notes_with_problems(tmp_path))
    part = html.index('id="part-problems"')
    assert all(m.start() < part for m in re.finditer(r'<article class="chapter" id=', html))
    topics = re.findall(r'<h2 class="section d1 bm2 topic"[^>]*data-bm="([^"]+)"', html)
    assert topics == ["数组/矩阵", "排序", "动态规划"]  # data structures, then algorithms, by the tag list
    names = re.findall(r'<h3 class="p-head bm3" data-bm="([^"]+)"', html)
    assert names == ["两数之和", "合并区间(二)", "只有思路", "爬楼梯变体"]
    two_sum = html[html.index('data-bm="两数之和"'):html.index('data-bm="合并区间(二)"')]
    assert 'class="badge level level-1">简单' in two_sum and "#0001" in two_sum
    assert 'href="https://leetcode.cn/problems/two-sum/"' in two_sum
    assert two_sum.index("思路1: 暴力枚举") < two_sum.index("思路2: 哈希表") < two_sum.index("C++")
    assert 'class="highlight"' in two_sum
    # a related problem in the book is a link to it; one that is not in the folder is left out
    assert re.search(r'<a class="xref" href="#[nq]-[0-9a-f]+">\[中等, 牛客\] 合并区间\(二\)</a>', two_sum)
    assert "不在这里的题" not in two_sum
    index = html[html.index('data-bm="题目索引"'):]
    assert "按难度" in index and "按来源" in index and index.count('class="xref"') == 8
    assert "4 道算法题" in html  # on the cover


def test_questions_only_prints_statements_with_ruled_space(tmp_path):
    html = book_html(notes_with_problems(tmp_path), questions_only=True)
    part = html[html.index('id="part-problems"'):]
    assert "找出和为目标值" in part and "暴力枚举" not in part and "题目索引" not in part
    assert part.count('<div class="write-space">') == 4


def test_the_outline_lists_problems_under_their_topics(tmp_path):
    pdf, _ = _build(notes_with_problems(tmp_path), tmp_path / "out")
    outline = _outline(pypdf.PdfReader(pdf).outline)
    start = outline.index((0, "算法题"))
    assert outline[start:start + 8] == [
        (0, "算法题"), (1, "数组/矩阵"), (2, "两数之和"), (2, "合并区间(二)"), (1, "排序"), (2, "只有思路"),
        (1, "动态规划"), (2, "爬楼梯变体")]
    assert (1, "题目索引") in outline[start:]


def test_the_corpus_problems_print_under_their_topics(shared, tmp_path):
    root = shared / "corpus" / "sspace" / "algorithms"
    collection = parse(root)
    html = book_html(root)
    names = re.findall(r'<h3 class="p-head bm3" data-bm="([^"]+)"', html)
    assert sorted(names) == sorted(n.problem.name for n in collection.notes if n.problem)
    topics = re.findall(r'<h2 class="section d1 bm2 topic"[^>]*data-bm="([^"]+)"', html)
    assert topics[:2] == ["链表", "字符串"]  # tag_info.yml's data structures first


def _problem(name: str, related: list[str]) -> str:
    lines = "".join(f"> [[简单, 自编] {other} 🔥]({other}.md)  \n" for other in related)
    return (f"## {name}\n<!--info\ntags: [dp]\nsource: Custom\nlevel: 简单\nname: {name}\n-->\n\n"
            "<summary><b>问题简述</b></summary>\n\n```txt\n求和.\n```\n\n"
            "<details><summary><b>思路</b></summary>\n\n- 累加;\n\n</details>\n\n"
            "<!--START_SECTION:relate-->\n---\n\n### 相关主题\n\n"
            "<details><summary><b>动态规划</b></summary>\n\n"
            f"{lines}\n</details>\n<!--END_SECTION:relate-->\n")


def test_a_long_related_list_prints_its_first_eight(tmp_path):
    notes = tmp_path / "notes"
    shutil.copytree(REPO, notes)
    folder = notes / "problems" / "2024" / "02"
    folder.mkdir()
    others = [f"题{n:02d}" for n in range(11)]
    (folder / "总题.md").write_text(_problem("总题", others), encoding="utf-8")
    for other in others:
        (folder / f"{other}.md").write_text(_problem(other, ["总题"]), encoding="utf-8")
    html = book_html(notes)
    total = html[html.index('data-bm="总题"'):]
    related = total[total.index('class="see-also related"'):total.index("</p>", total.index("related"))]
    assert re.findall(r"\] (题\d\d) 🔥</a>", related) == others[:8]
    assert related.endswith('<span class="more">及其他 3 题</span>')
    one = html[html.index('data-bm="题00"'):]
    one = one[one.index('class="see-also related"'):one.index("</p>", one.index("related"))]
    assert "总题" in one and "及其他" not in one  # a short list is printed whole
