"""The printed page itself: where lines break, read back from real PDFs (poppler and pypdf)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from qadeck.build import context
from qadeck.config import Config, with_options
from qadeck.exporters import handbook
from tests.conftest import export, parse, write_notes

pypdf = pytest.importorskip("pypdf")
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def _print(notes: Path, out: Path) -> Path:
    config = with_options(Config(notes=notes, out=out, title="版式"), "pdf", jobs=1)
    target = out / "book.pdf"
    export("pdf", parse(notes, title=config.title), target, config)
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
    pdf, shared = config.options("pdf"), context(config)
    html = handbook_html.build(parse(notes), pdf, shared, handbook.math_engine(pdf, shared)).html
    assert html.count('<p class="figure">') == 1
    assert re.search(r'<p class="figure"><img alt="示意" src="file:[^"]+dot\.svg"></p>', html)
    assert re.search(r"<p>行内图 <img [^>]+> 在句中。</p>", html)


# -- code blocks -------------------------------------------------------------------------------

LONG = ("result = compute_attention_scores(query_states, key_states, value_states, attention_mask, "
        "dropout_probability, output_attentions)")
CODE_NOTE = f"""# 代码排版

## 1. 一个很长的代码行怎么换行?

```python
def forward(self, x):
    {LONG}
    return result
```
"""


def _words(pdf: Path) -> list[tuple[float, float, str]]:
    """(xMin, yMin, word) of every word on the last page, in points, from poppler."""
    pages = len(pypdf.PdfReader(pdf).pages)
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(pages), "-l", str(pages), str(pdf), "-"],
                         capture_output=True, text=True, check=True).stdout
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', out)
    return [(float(x), float(y), word) for x, y, word in found]


def test_a_long_code_line_wraps_at_a_space_under_its_own_indentation_behind_a_mark(tmp_path):
    notes = write_notes(tmp_path / "notes", {"代码_QA.md": CODE_NOTE})
    pdf = _print(notes, tmp_path / "out")
    words = _words(pdf)
    rows: dict[float, list[tuple[float, str]]] = {}
    for x, y, word in words:
        rows.setdefault(y, []).append((x, word))
    define, top = next((x, y) for x, y, w in words if w == "def")
    bottom = next(y for _, y, w in words if w == "return")
    code_rows = [sorted(r) for y, r in sorted(rows.items()) if top < y < bottom]
    assert len(code_rows) >= 2, "the long line should wrap"
    # wrapped at spaces only: every word of the line comes back whole
    assert [w for row in code_rows for _, w in row] == LONG.split()
    first, second = code_rows[0][0][0], code_rows[1][0][0]
    column = (first - define) / 4  # the line is indented by four columns
    assert column > 3 and abs(second - first - 2 * column) < 1, (define, first, second)
    # the continuation mark: ink in the two columns a wrapped row hangs in, where no text is
    image = _page_image(pdf, tmp_path)
    gutters = [_ink(image, first + 0.1 * column, y, second - 0.1 * column, y + 8)
               for y in sorted(y for y in rows if top < y < bottom)[1:]]
    assert gutters and all(dots > 3 for dots in gutters), gutters


def _page_image(pdf: Path, tmp_path: Path):
    from PIL import Image

    pages = len(pypdf.PdfReader(pdf).pages)
    subprocess.run(["pdftoppm", "-png", "-r", "144", "-gray", "-f", str(pages), "-l", str(pages), str(pdf),
                    str(tmp_path / "page")], check=True)
    return Image.open(next(tmp_path.glob("page*.png"))).convert("L")


def _ink(image, x0: float, y0: float, x1: float, y1: float) -> int:
    """Dark pixels in a box given in points (the image is at 144 dpi: two pixels a point)."""
    box = image.crop((int(x0 * 2), int(y0 * 2), int(x1 * 2), int(y1 * 2)))
    return sum(box.histogram()[:200])  # grey levels 0-199


def test_no_code_block_leaves_one_or_two_lines_alone_on_a_page(tmp_path):
    """Blocks of 14 lines may be cut, never leaving fewer than three lines on a page; blocks of 7
    (under codelines.SHORT) move whole."""
    parts = ["# 分页\n\n## 1. 代码块跨页时怎么断开?\n"]
    for block in range(24):
        parts.append("说明文字。" * (7 * (block % 6) + 3) + "\n")
        size = 14 if block % 2 else 7
        lines = "\n".join(f"blk{block:02d}_line{line} = value_{line}" for line in range(size))
        parts.append(f"```python\n{lines}\n```\n")
    notes = write_notes(tmp_path / "notes", {"分页_QA.md": "\n".join(parts)})
    reader = pypdf.PdfReader(_print(notes, tmp_path / "out"))
    pages_of: dict[str, list[int]] = {}
    for number, page in enumerate(reader.pages):
        for block in re.findall(r"blk(\d\d)_line\d", page.extract_text()):
            pages_of.setdefault(block, []).append(number)
    split = {b: p for b, p in pages_of.items() if len(set(p)) > 1}
    assert split, "the fixture should put code blocks across page breaks"
    for block, pages in split.items():
        counts = [pages.count(n) for n in sorted(set(pages))]
        assert min(counts) >= 3, (block, counts)
        assert int(block) % 2, f"a block of 7 lines was cut: {block} {counts}"
