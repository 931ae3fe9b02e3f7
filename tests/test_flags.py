"""Flag labels: one name per marker, the same in the PDF, the cheat sheet and the Anki deck, in the
notes' language unless the `markers` setting names it."""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path

import pytest

from qadeck.build import context
from qadeck.config import Config
from qadeck.exporters import anki
from qadeck.exporters.cheatsheet import CheatSheet
from qadeck.exporters.handbook import book as handbook_html
from qadeck.exporters.handbook import math_engine
from qadeck.parser import MARKER_NAMES
from qadeck.parser.language import language_of
from tests.conftest import parse, write_notes

ZH = "# 注意力\n\n## 🔥 什么是自注意力机制?\n> 每个位置与所有位置计算相关性。\n\n" \
     "## ✅ ⬆️ 为什么要做缩放?\n> 防止 softmax 饱和。\n"
EN = "# Attention\n\n## 🔥 What is self-attention?\n> Every position attends to all.\n\n" \
     "## ✅ ⬆️ Why scale the dot product?\n> To keep softmax out of saturation.\n"


def _labels(notes: Path, **settings) -> dict[str, list[str]]:
    """The flag labels each output shows, in question order."""
    config = Config(notes=notes, out=notes.parent / "out", **settings)
    collection = parse(notes, marker_names=config.marker_names())
    shared = context(config)
    pdf = config.options("pdf")
    book = handbook_html.build(collection, pdf, shared, math_engine(pdf, shared)).html
    sheet = CheatSheet(collection, config.options("html"), shared).html()
    cards = anki.render(collection, config.options("anki"), shared).cards
    flags_field = [re.findall(r'<span class="qd-flag">\S+ ([^<]+)</span>', c.fields[8]) for c in cards]
    return {
        "pdf": re.findall(r'<span class="flag flag-[0-9a-f-]+">([^<]+)</span>', book),
        "html": re.findall(r'class="qd-flag" role="img" title="([^"]+)"', sheet),
        "anki": [name for names in flags_field for name in names],
        "tags": [t.removeprefix("marker::") for c in cards for t in c.tags if t.startswith("marker::")],
        "language": [collection.language],
    }


def test_chinese_notes_get_chinese_names_in_every_output(tmp_path):
    labels = _labels(write_notes(tmp_path / "notes", {"a_QA.md": ZH}))
    assert labels.pop("language") == ["zh"]
    assert all(found == ["高频", "已掌握", "重点"] for found in labels.values()), labels


def test_english_notes_get_english_names(tmp_path):
    labels = _labels(write_notes(tmp_path / "notes", {"a_QA.md": EN}))
    assert labels.pop("language") == ["en"]
    assert all(found == ["hot", "mastered", "important"] for found in labels.values()), labels


def test_configured_names_win_everywhere(tmp_path):
    labels = _labels(write_notes(tmp_path / "notes", {"a_QA.md": ZH}), markers=(("🔥", "必考"),))
    labels.pop("language")
    assert all(found == ["必考", "已掌握", "重点"] for found in labels.values()), labels


def test_the_pdf_styles_a_flag_by_its_marker(tmp_path):
    notes = write_notes(tmp_path / "notes", {"a_QA.md": ZH})
    config = Config(notes=notes, out=tmp_path / "out")
    pdf, shared = config.options("pdf"), context(config)
    book = handbook_html.build(parse(notes), pdf, shared, math_engine(pdf, shared)).html
    assert '<span class="flag flag-1f525">高频</span>' in book
    assert '<span class="flag flag-2b06">重点</span>' in book
    css = files("qadeck.styles").joinpath("handbook.css").read_text(encoding="utf-8")
    assert ".flag-1f525 {" in css and ".flag-2b06 {" in css


@pytest.mark.parametrize("texts,language", [
    (["Transformer 中 LayerNorm 和 BatchNorm 有什么区别?", "为什么要除以根号 d?"], "zh"),
    (["What is RoPE?", "Why does LoRA work?", "What does 注意力 mean in a Transformer?"], "en"),
    (["What is RoPE?"], "en"),
    ([], "en"),
])
def test_language_is_the_share_of_cjk_letters(texts, language):
    assert language_of(texts) == language


def test_every_default_marker_has_a_name_in_each_language():
    assert MARKER_NAMES["zh"].keys() == MARKER_NAMES["en"].keys()
    assert all(re.search(r"[\u4e00-\u9fff]", name) for name in MARKER_NAMES["zh"].values())
    assert len(set(MARKER_NAMES["zh"].values())) == len(MARKER_NAMES["zh"])


def test_a_collection_without_questions_goes_by_its_titles(tmp_path):
    notes = write_notes(tmp_path / "notes", {"a.md": "# 两数之和\n\n哈希表一次遍历。\n"})
    assert parse(notes).language == "zh"
