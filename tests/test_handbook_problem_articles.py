"""The 算法题 part in articles of bounded size (problems.article_groups), each printed as a
document of its own: one edited problem reprints its article only, the bookmarks of an article
that goes on with the part nest under it, and the index is numbered and in the contents. Read
back from the PDF."""

from __future__ import annotations

import re
from pathlib import Path

import pypdf

from qadeck.exporters.handbook import printpool, problems
from tests.test_handbook_printpool import _outline, _print, _squeezed
from tests.test_handbook_problems import notes_with_problems


def _topics(*sizes: int) -> list:
    return [(f"t{i}", [f"t{i}-{n}" for n in range(size)]) for i, size in enumerate(sizes)]


def test_articles_by_topic_of_bounded_size():
    groups = problems.article_groups(_topics(3, 5, 30, 2, 2, 7, 14), most=14)
    shape = [[(topic, len(notes), opens) for topic, notes, opens in article] for article in groups]
    assert shape == [
        [("t0", 3, True), ("t1", 5, True)],  # small topics share an article
        [("t2", 10, True)], [("t2", 10, False)], [("t2", 10, False)],  # a large one in equal runs
        [("t3", 2, True), ("t4", 2, True), ("t5", 7, True)],
        [("t6", 14, True)],
    ]
    every = [note for article in groups for _, notes, _ in article for note in notes]
    assert every == [note for _, notes in _topics(3, 5, 30, 2, 2, 7, 14) for note in notes]


def test_one_edited_problem_reprints_its_article(tmp_path, monkeypatch):
    monkeypatch.setattr(problems, "ARTICLE_PROBLEMS", 1)  # the fixture's 4 problems in 4 articles
    notes = notes_with_problems(tmp_path)
    printed: list[str] = []
    original = printpool.print_pdf
    monkeypatch.setattr(printpool, "print_pdf",
                        lambda job, html: printed.append(html) or original(job, html))
    pdf = _print(notes, tmp_path / "out", 1, monkeypatch)
    articles = [html for html in printed if 'class="part-cont' in html or 'id="part-problems"' in html]
    assert len(articles) == 5  # 4 problems, the index
    reader = pypdf.PdfReader(pdf)
    outline = _outline(reader)
    start = next(i for i, item in enumerate(outline) if item[1] == "算法题")
    assert [item[:2] for item in outline[start:]] == [
        (0, "算法题"), (1, "数组/矩阵"), (2, "两数之和"), (2, "合并区间(二)"), (1, "排序"), (2, "只有思路"),
        (1, "动态规划"), (2, "爬楼梯变体"), (1, "题目索引")]
    pages = [_squeezed(page) for page in reader.pages]
    index_page = outline[-1][2]
    assert "按难度" in pages[index_page]
    # every page after the cover is numbered, the index's too, and the contents give its page
    total = len(pages)
    for number, text in enumerate(pages[1:], 2):
        assert f"第{number}页/共{total}页" in text
    contents = next(text for text in pages if text.startswith("目录"))
    assert re.search(rf"题目索引\.*{index_page + 1}(?!\d)", contents), contents
    # an edit of one problem reprints that problem's article and nothing else of the part
    edited = next(notes.rglob("*爬楼梯变体.md"))
    edited.write_text(edited.read_text(encoding="utf-8").replace("思路", "思路（改）", 1), encoding="utf-8")
    printed.clear()
    written: list[str] = []
    rendered = problems.ProblemsPart._problem
    monkeypatch.setattr(problems.ProblemsPart, "_problem",
                        lambda part, note: written.append(note.path) or rendered(part, note))
    again = _print(notes, tmp_path / "out", 1, monkeypatch)
    assert [Path(path).name for path in written] == [edited.name]  # the others' HTML from the cache
    reprinted = [html for html in printed if 'class="part-cont' in html or 'id="part-problems"' in html]
    assert len(reprinted) == 1 and "思路（改）" in reprinted[0]
    assert any("思路（改）" in _squeezed(page) for page in pypdf.PdfReader(again).pages)


def test_a_problem_from_the_cache_keeps_its_diagnostics(tmp_path):
    from qadeck.build import context
    from qadeck.exporters import handbook
    from qadeck.exporters.handbook import book as handbook_html
    from qadeck.math import SVGMath
    from tests.conftest import parse
    from tests.test_handbook import _config

    notes = notes_with_problems(tmp_path)
    one = next(notes.rglob("*爬楼梯变体.md"))
    one.write_text(one.read_text(encoding="utf-8").replace(
        "- `f(n)", "- ![图](https://example.com/stairs.png)\n- `f(n)", 1), encoding="utf-8")
    config = _config(notes, tmp_path / "out")
    found = []
    for _ in range(2):  # written, then from the cache
        book = handbook_html.build(parse(notes, title=config.title), config.options("pdf"), context(config),
                                   SVGMath(), font_faces=handbook.font_faces(None))
        found.append([(Path(d.path).name, d.code) for d in book.diagnostics if d.code == "image.remote"])
    assert found[0] == found[1] == [(one.name, "image.remote")]
    assert list((tmp_path / "out" / ".cache" / "pdf-problems").iterdir())
