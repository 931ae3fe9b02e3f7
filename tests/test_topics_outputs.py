"""Topic cards in every output: imported into Anki with their context, a chapter of entries in the
handbook (read back from the PDF), searchable entries in the cheat sheet (in Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest

from qadeck import checks
from qadeck.config import Config
from qadeck.parser import parse_collection
from tests.conftest import FIXTURES, export

TOPICS = FIXTURES / "topics"


def _built(tmp_path: Path, name: str, suffix: str):
    config = Config(notes=TOPICS, out=tmp_path, title="知识点", cards="topics")
    collection = checks.run(parse_collection(TOPICS, config.parse_options()))
    target = tmp_path / f"topics{suffix}"
    diagnostics = export(name, collection, target, config)
    return collection, target, diagnostics


def test_topic_cards_import_into_anki_with_their_context(tmp_path: Path):
    from anki.collection import Collection as AnkiCollection
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    collection, package, _ = _built(tmp_path, "anki", ".apkg")
    (tmp_path / "anki").mkdir()
    col = AnkiCollection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        request = ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
        col.import_anki_package(request)
        notes = {col.get_note(nid).guid: dict(col.get_note(nid).items()) for nid in col.find_notes("")}
    finally:
        col.close()
    by_text = {q.text: q for q in collection.questions()}
    gelu = notes[by_text["GELU"].id]
    assert "GELU" in gelu["Front"] and "高斯分布" in gelu["Back"] and "Leaky" not in gelu["Back"]
    assert gelu["Context"] == "常见的 ReLU 变体" and gelu["Breadcrumb"] == "激活函数"
    backgrounds = [q for q in collection.questions() if q.text == "背景"]
    assert [notes[q.id]["Context"] for q in backgrounds] == ["LoRA", "AdaLoRA"]
    assert "\\sigma" in notes[by_text["Sigmoid"].id]["Back"]  # the formula travels to MathJax
    question = notes[by_text["为什么 ReLU 比 Sigmoid 训练快？"].id]
    assert question["Context"] == "" and question["Breadcrumb"] == "激活函数"
    assert len(notes) == sum(q.answered for q in collection.questions())


def test_a_topics_note_is_a_handbook_chapter_of_its_topics(tmp_path: Path, monkeypatch):
    pypdf = pytest.importorskip("pypdf")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    _, pdf, diagnostics = _built(tmp_path, "pdf", ".pdf")
    reader = pypdf.PdfReader(pdf)
    text = "\n".join(page.extract_text() for page in reader.pages)
    for words in ("激活函数", "Sigmoid", "Leaky ReLU", "负半轴保留一个很小的斜率", "LoRA 系列",
                  "按奇异值的重要性"):
        assert words in text
    assert "追问" not in text  # sub-topics are numbered entries, not follow-ups

    def titles(items) -> list[str]:
        out: list[str] = []
        for item in items:
            out.extend(titles(item) if isinstance(item, list) else [item.title])
        return out

    marks = titles(reader.outline)
    assert any(m.endswith("Sigmoid") for m in marks) and any(m.endswith("GELU") for m in marks)
    assert "只读问题的笔记" not in marks  # a questions-mode note without questions makes no chapter


def test_topics_are_searchable_entries_of_the_cheat_sheet(tmp_path: Path):
    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        pytest.skip("Debian's chromium is not installed (`make test` installs it)")
    from playwright.sync_api import sync_playwright

    collection, page_file, _ = _built(tmp_path, "html", ".html")
    html = page_file.read_text(encoding="utf-8")
    assert html.count('<article class="qd-q') == len(collection.questions())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.goto(page_file.as_uri())
            total = len(collection.questions())
            assert page.inner_text("#qd-count") == f"共 {total} 题"
            page.fill("#qd-search", "奇异值")
            shown = page.eval_on_selector_all(
                "article.qd-q", "els => els.filter(e => e.checkVisibility()).map(e => e.id)")
            ada = next(q for q in collection.questions()
                       if q.context == ("AdaLoRA",) and q.text == "技术原理")
            assert shown == [ada.id]
            section = page.eval_on_selector(f"[id='{ada.id}']", "e => e.closest('.qd-sec').innerText")
            assert section.startswith("AdaLoRA")  # its group heading says which 技术原理 it is
            sub = next(q for q in collection.questions() if q.text == "对称量化")  # under the topic 量化
            page.fill("#qd-search", "")
            label = page.eval_on_selector(f"[id='{sub.parent}'] .qd-fu [id='{sub.id}'] > .qd-qh",
                                          "e => getComputedStyle(e, '::before').content")
            assert label in ("none", "normal")  # a sub-topic is shown in its parent, not as 追问
        finally:
            browser.close()
