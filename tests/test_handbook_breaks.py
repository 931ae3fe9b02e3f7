"""No page of the handbook ends with a heading, a problem's title or a fold's label (`Python`,
`思路2: …`) with what it opens on the next page, and no code box is left empty at a page's
foot: read back from the PDF (scripts/pagebreaks.py) on problems written to fall across pages."""

from __future__ import annotations

import random
import shutil
import sys

from qadeck.exporters.handbook import problems
from tests.conftest import REPO
from tests.test_handbook_printpool import _print

sys.path.insert(0, str(REPO / "scripts"))
from pagebreaks import ending_with_a_label, is_label, labels, last_lines  # noqa: E402

TAGS = "problems/repo/tag_info.yml"


def _approach(rng: random.Random, number: int) -> str:
    bullets = "".join(f"- 第 {i} 步: 先比较相邻的两个元素, 再把较大的那个向后移动一位;\n"
                      for i in range(rng.randrange(1, 9)))
    code = "".join(f"    x{i} = x{i - 1} + {i}  # 第 {i} 行\n" for i in range(1, rng.randrange(4, 30)))
    return (f"<summary><b>思路{number}: 方法{number}</b></summary>\n\n{bullets}\n"
            "<details><summary><b>Python</b></summary>\n\n"
            f"```python\ndef f(x0):\n{code}    return x0\n```\n\n"
            "</details>\n\n")


def _notes(root, count: int = 14):
    root.mkdir()
    rng = random.Random(18)
    shutil.copy(REPO / "tests" / "fixtures" / TAGS, root / "tag_info.yml")
    folder = root / "problems"
    folder.mkdir()
    for n in range(count):
        name = f"排序题{n:02d}"
        body = "".join(_approach(rng, k) for k in range(1, rng.randrange(2, 5)))
        (folder / f"{name}.md").write_text(
            f"## {name}\n<!--info\ntags: [快排]\nsource: 自编\nlevel: 中等\nname: {name}\n-->\n\n"
            f"<summary><b>问题简述</b></summary>\n\n```txt\n把数组排好序.\n```\n\n{body}", encoding="utf-8")
    return root


def test_the_checker_sees_a_label_at_the_foot():
    known = labels('<p class="part-label">思路2: 复制+拆分</p><details><summary><b>Python</b></summary>'
                   '<h3 class="p-head">很长很长很长的题目名字 <span>困难</span></h3>')
    assert is_label("Python", known) and is_label("思路2:复制+拆分", known)
    assert is_label("名字困难", known) is False and is_label("长的题目名字困难", known)
    assert not is_label("return x0", known)
    open_question = labels('<h4 class="q-head">还没答的问题<span class="open-badge">待补充</span></h4>')
    assert open_question == set()  # its ruled space comes under it


def test_no_page_ends_with_a_label(tmp_path, monkeypatch):
    monkeypatch.setattr(problems, "ARTICLE_PROBLEMS", 100)  # one article: page ends fall where they will
    notes = _notes(tmp_path / "notes")
    pdf = _print(notes, tmp_path / "out", 1, monkeypatch)
    from tests.test_handbook_problems import book_html

    lines = last_lines(pdf)
    assert len(lines) > 12 and sum(bool(line) for line in lines) > 12  # the checker reads the pages
    assert ending_with_a_label(pdf, book_html(notes)) == []
