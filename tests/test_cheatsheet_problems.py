"""The cheat sheet's 算法题 section: cards, filters by level/source/topic/company combined with the
search, checked in headless Chromium (the Playwright setup of test_cheatsheet)."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from tests import test_cheatsheet as sheet
from tests.conftest import FIXTURES, parse
from tests.test_cheatsheet import NOTES, build, own_requests
from tests.test_cheatsheet_bar import COVERED

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


def test_related_problems_fold_under_the_card_and_link_to_the_cards_on_the_page(page_file):
    ids = ids_of(page_file)
    text = page_file.read_text(encoding="utf-8")
    card = text[text.index(f'id="{ids["两数之和"]}"'):]
    card = card[:card.index("</article>")]
    assert ('<details class="qd-d qd-rel"><summary>相关题目 <span class="qd-n">2</span></summary>'
            f'<p><a href="#{ids["合并区间(二)"]}">[中等, 牛客] 合并区间(二)</a> · '
            '<span class="xref-off">[中等, LeetCode] 不在这里的题</span></p></details>') in card


def test_a_related_problem_finds_the_problems_that_list_it(open_page, page_file):
    ids = ids_of(page_file)
    opened = open_page(page_file)
    folded = f'[id="{ids["两数之和"]}"] details.qd-rel'
    assert opened.page.eval_on_selector(folded, "d => d.open") is False
    opened.page.fill("#qd-search", "不在这里的题")  # named only in 两数之和's related list
    assert opened.shown() == [ids["两数之和"]] and opened.count().startswith("显示 1 /")
    assert opened.page.eval_on_selector(folded, "d => d.open") is True  # shown where it matched
    opened.page.fill("#qd-search", "合并区间")  # the problem itself and the one that lists it
    assert set(opened.shown()) == {ids["两数之和"], ids["合并区间(二)"]}


def test_related_words_markdown_leaves_alone_are_shown_without_a_parse():
    from qadeck.exporters.cheatsheet.problems import _literal
    from qadeck.model import Note, NoteMeta
    from qadeck.render import Renderer

    note, renderer = Note("a.md", "a", NoteMeta(), (), ()), Renderer()
    words = ["[中等, 牛客] 接雨水问题 🔥", "顺时针打印矩阵 (3种思路4个写法)", "[a] (b) [c]", "a \"q\" 's'",
             "[a](b)", "[x][y]", "[x]: y", "**x**", "a_b", "x < y", "a $x$", "- x", "+ y", "1. x", "# x",
             "> x", " x", "x ", "a & b", "\\[x]", "`x`", "~~x~~", "![i](p.png)"]
    literal = [w for w in words if _literal(w)]
    assert literal == words[:4]
    for word in literal:
        assert renderer.inline(note, word, 1).html == html.escape(word, quote=False), word


def test_every_in_page_link_lands_on_an_element_with_problems(page_file):
    text = page_file.read_text(encoding="utf-8")
    ids = set(re.findall(r'\sid="([^"]+)"', text))
    targets = set(re.findall(r'href="#([^"]*)"', text))
    assert targets and targets <= ids


def test_the_corpus_related_problems_are_searched_and_the_bar_stays_small(shared, open_page, tmp_path):
    root = shared / "corpus" / "sspace" / "algorithms"
    out = tmp_path / "algorithms.html"
    build(root, out)
    naming = {n.questions[0].id for n in parse(root).notes if n.problem is not None
              and any("接雨水" in r.text for r in n.problem.related)}
    opened = open_page(out)
    opened.page.fill("#qd-search", "接雨水")
    assert len(naming) > 10 and naming <= set(opened.shown())
    opened.page.fill("#qd-search", "")
    assert opened.page.evaluate(COVERED) <= 0.15
    assert not opened.errors


def test_expand_all_and_print_leave_the_related_lists_out(open_page, page_file):
    ids = ids_of(page_file)
    opened = open_page(page_file)
    page = opened.page
    related = f'[id="{ids["两数之和"]}"] details.qd-rel'
    page.click("#qd-expand")
    assert page.eval_on_selector(f'[id="{ids["两数之和"]}"] details.qd-d:not(.qd-rel)', "d => d.open") is True
    assert page.eval_on_selector(related, "d => d.open") is False
    page.emulate_media(media="print")
    assert page.is_hidden(related)
