"""The interface strings: one table per language, chosen by the notes' language, in all three outputs.

English notes get English labels in the handbook (its PDF read back), the cheat sheet and the Anki
cards (imported into a real Anki collection); Chinese notes keep the labels they had (the golden
files guard the handbook's HTML byte for byte). No Chinese interface string is left in the
exporters' or styles' source outside the table.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from string import Formatter

import pytest

from qadeck import strings
from qadeck.config import Config
from qadeck.parser import parse_collection
from qadeck.strings import fill, strings_for
from tests.conftest import FIXTURES, REPO, export, parse, write_notes

ENGLISH = FIXTURES / "english"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# CJK text that stays in the source on purpose, by file: none of it is a label an output shows.
KEPT = {
    ("exporters/handbook/fonts.py", "中文字"): "a probe of the fonts' CJK coverage, never printed",
    ("exporters/handbook/printpool.py", "<p>中文 Latin 123</p>"): "a printer's warm-up, never in the book",
    ("exporters/cheatsheet/problems.py", "\uff5c"): "a value's `|`, full-width (the script splits on `|`)",
    ("exporters/cheatsheet/problems.py", "\uff0c"): "a value's `,`, full-width (the URL splits on `,`)",
}


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(template) if name is not None}


def test_each_language_has_every_string_with_the_same_placeholders():
    assert set(strings.ZH) == set(strings.EN)
    for key, zh in strings.ZH.items():
        en = strings.EN[key]
        forms = [*((zh,) if isinstance(zh, str) else zh), *((en,) if isinstance(en, str) else en)]
        assert len({frozenset(_placeholders(f)) for f in forms}) == 1, key


def test_the_table_follows_the_language_and_counts():
    english, chinese = strings_for("en"), strings_for("zh")
    assert english("count_notes", n=1) == "1 note" and english("count_notes", n=3) == "3 notes"
    assert chinese("chapter_no", n=2) == "第 2 章" and english("chapter_no", n=2) == "Chapter 2"
    assert strings_for("fr").language == "en"  # a language without a table of its own


def test_the_default_title_is_in_the_notes_language(tmp_path: Path):
    """No `title` set: 面试题集 for Chinese notes (as before), an English title for English notes;
    a title that is set is kept whatever the language."""
    chinese = write_notes(tmp_path / "zh", {"a.md": "# 对齐\n\n### 什么是奖励模型?\n> 给回答打分的模型.\n"})
    english = write_notes(tmp_path / "en", {"a.md": "# RL\n\n### What is a reward model?\n> A scorer.\n"})
    assert parse(chinese).title == "面试题集"
    assert parse(english).title == strings.EN["default_title"] == "Interview questions"
    assert parse(english, title="面试题集").title == "面试题集"
    assert parse(english, title="").title == ""
    built = Config(notes=english, out=tmp_path / "out")  # as a build with no settings file parses
    assert parse_collection(english, built.parse_options()).title == "Interview questions"


def test_style_markers_in_each_form():
    zh = strings_for("zh")
    assert fill("content: {{css:page_of}};", zh) == \
        'content: "第 " counter(page) " 页 / 共 " counter(pages) " 页";'
    assert fill("x = {{js:shown_of(shown, items.length)}};", zh) == \
        'x = "显示 " + shown + " / " + items.length + " 题";'
    assert fill("x = {{js:filtered(parts.join(\" · \"))}};", zh) == 'x = "筛选 · " + parts.join(" · ");'
    assert fill('<a title="{{html:search}}">', strings_for("en")) == \
        '<a title="Search questions and answers (press / to focus)">'


def test_chinese_notes_keep_todays_style_strings():
    """The style files filled for Chinese notes are the text they held before the table."""
    zh = strings_for("zh")
    styles = REPO / "styles"
    script = fill((styles / "cheatsheet.js").read_text(encoding="utf-8"), zh)
    assert 'count.textContent = filtering ? "显示 " + shown + " / " + items.length + " 题" : "共 " + ' \
           'items.length + " 题";' in script
    assert 'c.textContent = filtering ? n + " / " + c.dataset.total + " 题" : c.dataset.text;' in script
    css = fill((styles / "cheatsheet.css").read_text("utf-8"), zh)
    assert '.qd-fu .qd-qh::before { content: "追问 ";' in css
    card = fill((styles / "anki.css").read_text("utf-8"), zh)
    assert '.qd-companies::before { content: "公司: "; }' in card
    page = fill((styles / "cheatsheet.html").read_text(encoding="utf-8"), zh)
    assert '<html lang="zh-CN">' in page and 'placeholder="搜索问题与答案（按 / 聚焦）"' in page
    assert "{{html:" not in page and "{{js:" not in script


# -- no Chinese label outside the table ------------------------------------------------------

def _python_literals(path: Path) -> list[str]:
    """The string constants of a module, docstrings left out (they are no output's words)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant)
            and isinstance(node.value, str) and id(node) not in docstrings]


def _style_text(path: Path) -> str:
    """A style file without its comments."""
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"/\*.*?\*/|<!--.*?-->", "", text, flags=re.S)
    return re.sub(r"(?m)^\s*//.*$", "", text) if path.suffix == ".js" else text


def test_no_chinese_interface_string_outside_the_table():
    found = []
    for path in sorted((REPO / "exporters").rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        found += [(rel, s) for s in _python_literals(path) if CJK.search(s) and (rel, s) not in KEPT]
    for path in sorted((REPO / "styles").glob("*.*")):
        if path.suffix in (".css", ".js", ".html"):
            found += [(path.relative_to(REPO).as_posix(), line.strip())
                      for line in _style_text(path).splitlines() if CJK.search(line)]
    assert not found, "Chinese words in an exporter or style: put them in qadeck/strings.py"


def test_the_scan_sees_a_chinese_literal(tmp_path):
    sample = tmp_path / "m.py"
    sample.write_text('"""文档."""\nLABEL = "目录"\nx = f"第 {1} 章"\n', encoding="utf-8")
    assert [s for s in _python_literals(sample) if CJK.search(s)] == ["目录", "第 ", " 章"]


# -- the three outputs for English notes -----------------------------------------------------

@pytest.fixture(scope="module")
def english(tmp_path_factory):
    out = tmp_path_factory.mktemp("english")
    config = Config(notes=ENGLISH, out=out, title="Interview notes")
    collection = parse(ENGLISH, title=config.title)
    assert collection.language == "en"
    return collection, config, out


def test_english_handbook(english, monkeypatch):
    pypdf = pytest.importorskip("pypdf")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    collection, config, out = english
    target = out / "book.pdf"
    export("pdf", collection, target, config)
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(target).pages)
    assert "Interviewhandbook" in text.replace(" ", "")  # the cover's kicker is letter-spaced
    for label in ("1 note", "4 questions", "2 coding problems", "1 to be answered",
                  "2023-11-14", "Contents", "Chapter 1", "1.1", "To be answered",
                  "Coding problems", "Appendix", "Problem index", "By level", "Related"):
        assert label in text, label
    assert re.search(r"Page \d+ of \d+", text)  # the page numbers laid over the book
    assert not CJK.search(text), CJK.findall(text)[:20]
    assert pypdf.PdfReader(target).trailer["/Root"].get("/Lang") == "en"  # the document's language


def test_english_cheat_sheet(english):
    collection, config, out = english
    target = out / "sheet.html"
    export("html", collection, target, config)
    page = target.read_text(encoding="utf-8")
    for label in ('<html lang="en">', "1 note · 4 questions · 3 answered · 2 coding problems",
                  'placeholder="Search questions and answers (press / to focus)"', ">Filter<",
                  "To be answered", 'content: "Follow-up "', "Related problems", "Companies: Acme · Globex",
                  '"Showing " + shown + " / " + items.length + " questions"', ">Level<"):
        assert label in page, label
    assert not CJK.search(page), CJK.findall(page)[:20]


def test_english_anki_problem_card(english, tmp_path):
    from tests.test_anki import import_apkg, open_anki

    collection, config, _ = english
    target = tmp_path / "deck.apkg"
    export("anki", collection, target, config)
    col = open_anki(tmp_path / "anki" / "collection.anki2")
    try:
        import_apkg(col, target)
        (nid,) = col.find_notes('"Title:Two sum"')
        card = col.get_note(nid).cards()[0]
        assert col.decks.name(card.did) == "Interview notes::Coding problems::array"
        assert "Related problems" in card.answer()
        assert 'content: "Companies: "' in card.note_type()["css"]
        assert not CJK.search(card.answer() + card.note_type()["css"])
    finally:
        col.close()
