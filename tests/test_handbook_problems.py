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
