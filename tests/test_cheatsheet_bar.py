"""The cheat sheet's search bar and filter panel at full size: on a page with many filters (80
problems, dozens of topics and companies) only the search row stays on screen, the filters open
from it, and a line says which ones hold. Checked in headless Chromium (test_cheatsheet's setup)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scripts.bench_cheatsheet import COVERED  # the bench measures the same way
from tests import test_cheatsheet as sheet
from tests.conftest import write_notes
from tests.test_cheatsheet import ARTIFACTS, NOTES, build

browser = sheet.browser  # the Chromium fixtures of test_cheatsheet
open_page = sheet.open_page

VIEWPORTS = ((1280, 900), (1024, 768), (390, 844))
LEVELS = ("简单", "中等", "困难")
SOURCES = ("LeetCode", "牛客", "剑指Offer", "剑指Offer2", "程序员面试金典", "华为机试")
TOPICS = tuple(f"专题{n:02d}" for n in range(45))
COMPANIES = tuple(f"公司{n:02d}" for n in range(30))
# two levels and every source chosen: a long summary line, and still a long page to scroll
ALL_ON = "?lv=中等,困难&src=" + ",".join(SOURCES)



def problem(n: int) -> str:
    topics = ", ".join(TOPICS[(n + k * 7) % len(TOPICS)] for k in range(3))
    return (f"## 题目{n:02d}\n<!--info\ntags: [{topics}]\nsource: {SOURCES[n % len(SOURCES)]}\n"
            f"level: {LEVELS[n % 3]}\nnumber: '{n:04d}'\nname: 题目{n:02d}\n"
            f"companies: [{COMPANIES[n % len(COMPANIES)]}, {COMPANIES[(n * 11) % len(COMPANIES)]}]\n-->\n\n"
            f"<summary><b>问题简述</b></summary>\n\n```txt\n第 {n} 题的题面.\n```\n\n"
            f"<summary><b>思路1: 模拟</b></summary>\n\n- 按题意模拟 {n} 步;\n")


@pytest.fixture(scope="module")
def many(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("many")
    notes = Path(shutil.copytree(NOTES, root / "notes"))  # the Q&A notes: the marker filters
    write_notes(notes / "algorithms" / "problems", {f"p{n:02d}.md": problem(n) for n in range(80)})
    out = root / "many.html"
    build(notes, out)
    return out


def chips(opened) -> int:
    return opened.page.eval_on_selector_all(".qd-f, .qd-pf", "bs => bs.length")


def test_the_sticky_part_is_the_search_row_on_a_page_with_many_filters(open_page, many):
    ARTIFACTS.mkdir(exist_ok=True)
    for width, height in VIEWPORTS:
        for query in ("", ALL_ON):  # filters on: their summary line too
            opened = open_page(many, query, width=width, height=height)
            assert chips(opened) > 80
            ratio = opened.page.evaluate(COVERED)
            assert 0.03 < ratio <= 0.15, (width, height, query, ratio)
            if query:
                assert opened.page.is_visible("#qd-summary")
            shot = f"cheatsheet-bar-{width}x{height}{'-on' if query else ''}.png"
            opened.page.screenshot(path=str(ARTIFACTS / shot))
            assert opened.errors == []


def test_the_panel_is_open_on_a_wide_screen_and_closed_on_a_phone(open_page, many):
    wide = open_page(many)
    assert wide.page.is_visible("#qd-panel")
    assert wide.page.get_attribute("#qd-filter", "aria-expanded") == "true"
    assert wide.page.is_visible(".qd-pf[data-value='专题44']")
    phone = open_page(many, width=390, height=844)
    page = phone.page
    assert page.is_hidden("#qd-panel") and page.get_attribute("#qd-filter", "aria-expanded") == "false"
    first_card = page.evaluate("document.querySelector('article.qd-q').getBoundingClientRect().top")
    assert first_card < 844 / 2  # the reader sees questions first, not chips
    page.click("#qd-filter")
    assert page.is_visible("#qd-panel") and page.get_attribute("#qd-filter", "aria-expanded") == "true"
    page.click(".qd-pf[data-dim='level'][data-value='困难']")
    page.click(".qd-f[data-flag='高频']")
    assert page.is_visible("#qd-summary") and page.text_content("#qd-active") == "2"
    summary = page.text_content("#qd-summary-text")
    assert "难度: 困难" in summary and "高频" in summary
    assert "lv=" in page.url and "f=" in page.url
    page.click("#qd-filter")
    assert page.is_hidden("#qd-panel") and page.is_visible("#qd-summary")  # closed, still said
    page.click("#qd-clear")
    assert page.is_hidden("#qd-summary") and page.text_content("#qd-active") == ""
    assert page.eval_on_selector_all("[aria-pressed='true']:not(#qd-theme)", "bs => bs.length") == 0
    assert "lv=" not in page.url and phone.count().startswith("共 ")
    assert phone.errors == []


def test_opened_further_down_the_panel_drops_down_under_the_bar(open_page, many):
    for width, height in ((1280, 900), (390, 844)):
        opened = open_page(many, width=width, height=height)
        page = opened.page
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight / 2)")
        page.click("#qd-filter")
        assert page.get_attribute("#qd-panel", "class") == "qd-panel qd-float"
        bar = page.eval_on_selector("#qd-controls", "e => e.getBoundingClientRect().bottom")
        panel = page.eval_on_selector("#qd-panel", "e => e.getBoundingClientRect()")
        assert abs(panel["top"] - bar) < 2 and panel["bottom"] <= height
        page.click(".qd-pf[data-dim='level'][data-value='中等']")  # a page still long enough to scroll
        assert opened.count().startswith("显示 ") and "难度: 中等" in page.text_content("#qd-summary-text")
        assert page.get_attribute("#qd-panel", "class") == "qd-panel qd-float"
        page.keyboard.press("Escape")
        assert page.get_attribute("#qd-panel", "class") == "qd-panel"
        # On the wide screen the panel was open in the page: it goes back there; on the phone it closes.
        assert page.is_hidden("#qd-panel") is (width < 600)
        assert opened.errors == []


def test_a_click_outside_the_dropped_down_panel_closes_it(open_page, many):
    opened = open_page(many, width=390, height=844)
    page = opened.page
    page.evaluate("window.scrollTo(0, 2000)")
    page.click("#qd-filter")
    assert page.is_visible("#qd-panel")
    page.mouse.click(200, 830)
    assert page.is_hidden("#qd-panel") and page.get_attribute("#qd-filter", "aria-expanded") == "false"


def test_scrolled_back_to_the_top_the_dropped_down_panel_goes_back_to_its_place(open_page, many):
    opened = open_page(many, width=390, height=844)
    page = opened.page
    page.evaluate("window.scrollTo(0, 2000)")
    page.click("#qd-filter")
    assert page.get_attribute("#qd-panel", "class") == "qd-panel qd-float"
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_function("!document.getElementById('qd-panel').classList.contains('qd-float')")
    panel = page.eval_on_selector("#qd-panel", "e => e.getBoundingClientRect().top")
    bar = page.eval_on_selector("#qd-controls", "e => e.getBoundingClientRect().bottom")
    assert page.is_visible("#qd-panel") and abs(panel - bar) < 2  # open, in the page under the bar
