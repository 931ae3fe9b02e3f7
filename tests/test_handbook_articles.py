"""The book's articles carry the facts of their HTML as their writers recorded them
(exporters/handbook/article.py): read back here with patterns, they are the ids, links and note
images the HTML holds, from a fresh build and from the cache. Documents and contents are made
from those facts (documents.py, contents.py)."""

from __future__ import annotations

import re
from pathlib import Path

from qadeck.build import context
from qadeck.exporters import handbook
from qadeck.exporters.handbook import book as handbook_html
from qadeck.exporters.handbook import problems
from qadeck.exporters.handbook.article import DEST_SCHEME, Article, Facts
from qadeck.exporters.handbook.contents import Contents, Entry
from qadeck.exporters.handbook.documents import across
from qadeck.math import SVGMath
from tests.conftest import parse
from tests.test_handbook import _config
from tests.test_handbook_problems import notes_with_problems

_ID = re.compile(r'(?<![\w-])id="([^"]+)"')
_LOCAL_HREF = re.compile(r'href="#([^"]+)"')
_SRC = re.compile(r'\bsrc="([^"]+)"')


def _articles(notes: Path, out: Path) -> list[Article]:
    config = _config(notes, out)
    return handbook_html.build(parse(notes, title=config.title), config.options("pdf"), context(config),
                               SVGMath(), font_faces=handbook.font_faces(None)).articles


def _notes(tmp_path: Path) -> Path:
    notes = notes_with_problems(tmp_path)
    (notes / "跨章_QA.md").write_text(
        "# 跨章\n\n## 问题\n\n### 1. 怎么跳到别的章？\n\n见[注意力](注意力_QA.md)与[本节](#问题)，"
        "还有注脚[^a]和 ![点](data:image/png;base64,iVBORw0KGgo=)。\n\n[^a]: 注脚。\n", encoding="utf-8")
    return notes


def test_the_facts_are_what_the_html_holds(tmp_path, monkeypatch):
    monkeypatch.setattr(problems, "ARTICLE_PROBLEMS", 1)  # the part in articles going on with it
    articles = _articles(_notes(tmp_path), tmp_path / "out")
    assert len(articles) >= 4 and len({a.name for a in articles}) == len(articles)
    for article in articles:
        assert sorted(_ID.findall(article.html)) == sorted(article.facts.ids), article.name
        assert article.name in article.facts.ids
        assert set(_LOCAL_HREF.findall(article.html)) == set(article.facts.links), article.name
        images = {src for src in _SRC.findall(article.html) if not src.startswith("data:image/svg+xml,")}
        assert images == set(article.facts.images), article.name
        assert article.facts.weight > 0
    facts = [a.facts for a in articles]
    assert any(src.startswith("file:") and src.endswith("heads.svg") for f in facts for src in f.images)
    assert any(src.startswith("data:image/png") for f in facts for src in f.images)
    assert sum(len(f.links) for f in facts) >= 10  # section, note, footnote and index links
    going_on = [a.depth for a in articles if a.name.startswith(("u-", "problem-index"))]
    assert len(going_on) == 4 and set(going_on) <= {2, 3}  # 3 problems after the first, the index


def test_a_cached_chapter_brings_its_facts_back(tmp_path):
    notes = _notes(tmp_path)
    fresh = _articles(notes, tmp_path / "out")
    cached = _articles(notes, tmp_path / "out")
    assert list((tmp_path / "out" / ".cache" / "pdf-html").iterdir())
    assert cached == fresh


def test_only_links_to_another_documents_ids_become_named_destinations():
    article = Article("n-a", "甲", '<p id="n-a"><a href="#n-a">本章</a> <a href="#n-b">乙</a> '
                      '<a href="#gone">无</a></p>', Facts(ids=("n-a",), links=("n-a", "n-b", "gone")))
    assert across(article, frozenset({"n-a", "n-b"})) == (
        f'<p id="n-a"><a href="#n-a">本章</a> <a href="{DEST_SCHEME}n-b">乙</a> <a href="#gone">无</a></p>')


def test_the_contents_written_with_and_without_pages():
    section = Entry("s-a", "一节", chapter=False)
    contents = Contents("目录", (Entry("n-a", "甲 &amp; 乙", "第 1 章", (section,)),
                                 Entry("n-b", "丙", "第 2 章")))
    whole = contents.html()
    assert whole.startswith('<nav class="toc">\n<h1 class="toc-title">目录</h1>\n<ul>\n')
    assert ('<li class="toc-note"><a href="#n-a"><span class="toc-no">第 1 章</span>甲 &amp; 乙</a>'
            '<ul><li class="toc-section"><a href="#s-a">一节</a></li></ul></li>') in whole
    numbered = contents.html({"n-a": 3, "s-a": 4})
    assert numbered.startswith('<nav class="toc toc-fixed">')
    assert f'<a href="{DEST_SCHEME}s-a" data-page="4">一节</a>' in numbered
    assert '<a href="#n-b" data-page=""><span class="toc-no">第 2 章</span>丙</a></li>' in numbered
