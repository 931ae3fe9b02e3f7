"""The cheat sheet's 算法题 section: cards, filters by level/source/topic/company combined with the
search, checked in headless Chromium (the Playwright setup of test_cheatsheet)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests import test_cheatsheet as sheet
from tests.conftest import FIXTURES, parse
from tests.test_cheatsheet import NOTES, build, own_requests

browser = sheet.browser  # the Chromium fixtures of test_cheatsheet
open_page = sheet.open_page

REPO = FIXTURES / "problems" / "repo"


@pytest.fixture(scope="module")
def page_file(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("problems")
    notes = Path(shutil.copytree(NOTES, root / "notes"))
    shutil.copytree(REPO, notes / "algorithms")
    out = root / "page.html"
    found = build(notes, out)
    # the Q&A fixture holds broken formulas on purpose; the problems make no warning
    assert not [d for d in found if d.severity in ("warning", "error") and d.path.startswith("algorithms/")]
    return out


def ids_of(page_file: Path) -> dict[str, str]:
    """Problem name -> card id, from the markup."""
    text = page_file.read_text(encoding="utf-8")
    return {name: qid for qid, name in re.findall(
        r'<article class="qd-q qd-p" id="([^"]+)".*?<span class="qd-qt">([^<]+)</span>', text)}


def test_the_section_markup(page_file):
    text = page_file.read_text(encoding="utf-8")
    section = text[text.index('id="qd-problems"'):]
    assert section.count('<article class="qd-q qd-p"') == 4
    assert ('data-level="简单" data-source="LeetCode" data-topic="数组/矩阵|哈希表|经典" '
            'data-company="字节|美团"') in section
    two_sum = section[section.index("两数之和"):section.index("</article>", section.index("两数之和"))]
    assert two_sum.index('class="qd-stmt"') < two_sum.index("<details")  # statement first, approaches folded
    assert '<summary>思路1: 暴力枚举</summary>' in two_sum
    assert 'href="#qd-problems">算法题</a>' in text  # in the contents
    filters = text[text.index('class="qd-row qd-pfs"'):]
    assert [re.sub(r"<[^>]+>", "", m) for m in re.findall(r'<span class="qd-pfn">(.*?)</span>', filters)] == \
        ["难度", "来源", "专题", "公司"]


def test_problem_filters_combine_with_each_other_and_the_search(open_page, page_file):
    ids = ids_of(page_file)
    opened = open_page(page_file)
    page = opened.page
    everything = set(opened.shown())
    assert set(ids.values()) <= everything and len(everything) > len(ids)  # the Q&A cards too

    page.click('.qd-pf[data-dim="level"][data-value="中等"]')
    assert set(opened.shown()) == {ids["合并区间(二)"], ids["爬楼梯变体"]}  # problems only
    page.click('.qd-pf[data-dim="level"][data-value="困难"]')  # another level: either one
    assert set(opened.shown()) == {ids["合并区间(二)"], ids["爬楼梯变体"], ids["只有思路"]}
    page.click('.qd-pf[data-dim="topic"][data-value="排序"]')  # and a topic: both must hold
    assert set(opened.shown()) == {ids["合并区间(二)"], ids["只有思路"]}
    page.fill("#qd-search", "区间")  # and the search
    assert set(opened.shown()) == {ids["合并区间(二)"]}
    assert "lv=" in page.url and "tp=" in page.url and "q=" in page.url

    reopened = open_page(page_file, "?" + page.url.split("?", 1)[1])  # the filter travels in the URL
    assert set(reopened.shown()) == {ids["合并区间(二)"]}

    page.fill("#qd-search", "")
    for pressed in page.query_selector_all('.qd-pf[aria-pressed="true"]'):
        pressed.click()
    page.click('.qd-pf[data-dim="company"][data-value="美团"]')
    assert set(opened.shown()) == {ids["两数之和"]}
    page.click('.qd-pf[data-dim="source"][data-value="牛客"]')
    assert opened.shown() == [] and page.is_visible("#qd-nomatch")
    assert not opened.errors and not own_requests(opened, page_file)


def test_a_card_shows_its_statement_and_folds_its_approaches(open_page, page_file):
    ids = ids_of(page_file)
    opened = open_page(page_file)
    card = opened.page.locator(f'[id="{ids["两数之和"]}"]')
    assert card.locator(".qd-stmt").is_visible()
    assert not card.locator("details.qd-d >> nth=0").evaluate("d => d.open")
    assert not card.get_by_text("两重循环").is_visible()
    opened.page.fill("#qd-search", "两重循环")  # a match inside a folded approach opens it
    assert card.get_by_text("两重循环").is_visible()


def test_the_corpus_problems_filter_in_the_browser(shared, open_page, tmp_path):
    root = shared / "corpus" / "sspace" / "algorithms"
    out = tmp_path / "algorithms.html"
    build(root, out)
    problems = [n.problem for n in parse(root).notes if n.problem is not None]
    assert len(problems) == len(list((root / "problems").rglob("*.md")))  # count from the files
    opened = open_page(out)
    assert len(opened.shown()) == len(problems)
    opened.page.click('.qd-pf[data-dim="level"][data-value="困难"]')
    hard = opened.page.eval_on_selector_all("article.qd-p", "els => els.filter(e => e.checkVisibility())"
                                            ".map(e => e.querySelector('.qd-qt').textContent)")
    assert sorted(hard) == sorted(p.name for p in problems if p.level == "困难")
    assert {"最长有效括号", "滑动窗口的最大值"} <= set(hard)
    opened.page.click('.qd-pf[data-dim="company"][data-value="Soul"]')
    hard_at_soul = [p for p in problems if p.level == "困难" and "Soul" in p.companies]
    assert len(opened.shown()) == len(hard_at_soul) > 0
    assert not opened.errors


def test_a_value_holding_the_scripts_separators_still_filters():
    from qadeck.exporters.cheatsheet.problems import _key

    assert _key("A|B,C") == "A\uff5cB\uff0cC" and _key("堆/优先队列") == "堆/优先队列"
    assert "|" not in _key("x|y") and "," not in _key("x,y")
