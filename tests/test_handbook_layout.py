"""The printed page itself: where lines break, read back from real PDFs (poppler and pypdf)."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import parse, write_notes

from qadeck.config import Config
from qadeck.exporters import handbook

pypdf = pytest.importorskip("pypdf")
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def _print(notes: Path, out: Path) -> Path:
    config = replace(Config(notes=notes, out=out, title="版式"), jobs=1)
    target = out / "book.pdf"
    handbook.export(parse(notes, title=config.title), target, config)
    return target


def _lines(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [line.strip() for line in text.splitlines()]


FORMULA_NOTE = """# 公式排版

## 1. 一个行内公式的句子?

复杂度是 $O(n^2)$ 量级的开销。

两个公式 $a$ 与 $b$ 也在一行。

$$
E = mc^2
$$

独立成段的图:

![示意](assets/dot.svg)
"""
DOT = b'<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>'


def test_a_sentence_with_one_inline_formula_stays_on_one_line(tmp_path):
    notes = write_notes(tmp_path / "notes", {"公式_QA.md": FORMULA_NOTE, "assets/dot.svg": DOT})
    lines = _lines(_print(notes, tmp_path / "out"))
    sentence = [line for line in lines if "复杂度是" in line]
    assert len(sentence) == 1 and "量级的开销" in sentence[0], lines
    assert any("两个公式" in line and "也在一行" in line for line in lines)
    # the display formula still stands alone on its line (math italic letters: 𝐸 = 𝑚𝑐2)
    assert any(re.fullmatch(r"\S+ = \S+2", line) for line in lines), lines


def test_only_a_paragraph_that_is_one_image_is_a_figure(tmp_path):
    from qadeck.exporters.handbook import book as handbook_html

    note = FORMULA_NOTE + "\n行内图 ![点](assets/dot.svg) 在句中。\n"
    notes = write_notes(tmp_path / "notes", {"公式_QA.md": note, "assets/dot.svg": DOT})
    config = Config(notes=notes, out=tmp_path / "out")
    html = handbook_html.build(parse(notes), config, handbook.math_engine(config)).html
    assert html.count('<p class="figure">') == 1
    assert re.search(r'<p class="figure"><img alt="示意" src="file:[^"]+dot\.svg"></p>', html)
    assert re.search(r"<p>行内图 <img [^>]+> 在句中。</p>", html)
