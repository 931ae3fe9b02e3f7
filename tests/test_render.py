"""The shared Markdown renderer: math protection, lists, code, details, link and image hooks."""

from __future__ import annotations

import pytest

from qadeck.gfm.prepare import normalize_lists, protect_math
from qadeck.model import Link, Note, NoteMeta
from qadeck.render import Made, Renderer, Target

NOTE = Note("笔记.md", "笔记", NoteMeta(), (), ())


def block(text: str, renderer: Renderer | None = None) -> str:
    return (renderer or Renderer()).block(NOTE, text, 1).html


def test_math_survives_markdown_untouched():
    html = block("损失 $L = -\\log \\sigma(r_j - r_k)$ 与 $a_1 * b_2 * c_3$ 和 $x_i$")
    assert "\\(L = -\\log \\sigma(r_j - r_k)\\)" in html
    assert "\\(a_1 * b_2 * c_3\\)" in html and "<em>" not in html


def test_display_math_on_its_own_lines_and_inline_in_a_list():
    html = block("- 公式:\n    $$h = W_0 x + \\frac{\\alpha}{r} B A x$$\n\n$$\nx_{t+1} = x_t\n$$")
    assert "\\[h = W_0 x + \\frac{\\alpha}{r} B A x\\]" in html
    assert '<div class="math display">\\[x_{t+1} = x_t\\]</div>' in html


def test_dollars_in_code_and_prices_are_not_math():
    text, maths = protect_math("`$a_b$` 价格 $10 和 $5\n```\n$x$\n```\n")
    assert maths == [] and "`$a_b$`" in text


def test_mathjax_escapes_html_inside_formulas():
    assert "\\(a &lt; b &amp; c &gt; d\\)" in block("$a < b & c > d$")


def test_mathml_and_svg_engines():
    mathml = block("$x_1^2$", Renderer(Target("t", math="mathml")))
    assert "<math" in mathml and "<msubsup>" in mathml
    svg = block("$$E = mc^2$$", Renderer(Target("t", math="svg")))
    assert "<svg" in svg


def test_a_broken_formula_shows_its_source_and_is_reported_at_its_line():
    made = Renderer(Target("t", math="mathml")).block(NOTE, "第一行\n\n坏公式 $\\frac{1}{$ 结束", 10)
    assert 'class="math-error"' in made.html and "\\frac{1}{" in made.html
    assert [(d.path, d.line, d.code) for d in made.diagnostics] == [("笔记.md", 12, "math.invalid")]


def test_nested_lists_with_two_or_four_spaces():
    assert normalize_lists("- a\n  - b\n- c") == "- a\n    - b\n- c"
    html = block("- a\n  - b\n    - c\n- d")
    assert html.count("<ul>") == 3


def test_a_list_right_under_a_line_of_text_is_a_list():
    html = block("其中:\n- $Q = XW_Q$;\n- 每个位置\n\n$$a_1$$\n- 两项")
    assert html.count("<ul>") == 2 and "<li>每个位置</li>" in html


def test_code_is_highlighted_with_pygments_classes():
    html = block("```Python\ndef f(x):\n    return x\n```")
    assert '<div class="highlight">' in html and '<span class="k">def</span>' in html


def test_tables_and_markdown_inside_details():
    text = "<details><summary>表</summary>\n\n| a | b |\n|---|---|\n| **1** | 2 |\n\n</details>"
    html = block(text)
    assert "<table>" in html and "<strong>1</strong>" in html and "<summary>表</summary>" in html


def test_inline_drops_the_paragraph():
    assert Renderer().inline(NOTE, "什么是 **对齐**?", 1).html == "什么是 <strong>对齐</strong>?"


class Spy:
    """A policy that records the links it is handed and replaces them."""

    def __init__(self) -> None:
        self.seen: list[Link] = []

    def link(self, note: Note, link: Link, inner: str) -> Made:
        self.seen.append(link)
        return Made(f"<span>{inner}</span>")

    def image(self, note: Note, link: Link, tag: str) -> Made:
        self.seen.append(link)
        return Made("")


def test_the_policy_sees_every_link_and_image_resolved_with_its_line():
    spy = Spy()
    text = ("[笔记](./a.md#x)\n![图](img/a.png)\n\n<div><img src='raw.png'></div>"
            "\n\n[网](https://x.org) [信](mailto:a@b.c)")
    html = Renderer(policy=spy).block(NOTE, text, 5).html
    assert [(link.href, link.line, link.kind.value) for link in spy.seen] == [
        ("./a.md#x", 5, "file"), ("https://x.org", 10, "web"), ("mailto:a@b.c", 10, "mail"),
        ("img/a.png", 6, "image"), ("raw.png", 8, "image")]  # links first, then images
    assert "<a " not in html and "<img" not in html


def test_a_link_the_note_lists_is_handed_over_as_the_parser_resolved_it():
    link = Link("./b.md", 3, "note", "b.md", target_title="乙")
    note = Note("a.md", "甲", NoteMeta(), (), (), links=(link,))
    spy = Spy()
    Renderer(policy=spy).block(note, "见 [乙](./b.md)", 3)
    assert spy.seen == [link] and spy.seen[0].kind.value == "note"


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_input_renders_nothing(text):
    assert block(text) == ""


def test_markdown_in_raw_html_table_cells_after_a_blank_line_as_on_github():
    html = block("<table>\n<tr>\n<th>概念</th><th>含义</th>\n</tr>\n<tr>\n<td>\n\n"
                            "### **智能体**\n\n</td>\n<td>\n\n- 学习者, **决策者**\n\n</td>\n</tr>\n</table>")
    assert "<h3><strong>智能体</strong></h3>" in html
    assert "<li>学习者, <strong>决策者</strong></li>" in html
    assert "<th>概念</th>" in html and "<th>含义</th>" in html and "<p>" not in html


def test_raw_html_in_code_is_left_as_written():
    html = block("```html\n<details><table><tr><td>\n\nx\n```\n\n`<td>` 与 `<details>`")
    assert "markdown=" not in html and "&lt;details&gt;" in html


INLINE_CASES = [
    "什么是奖励模型? 它的输入输出是什么?", "为什么 $x_{1}$ 成立?", "[相关](../a/b_QA.md#某-标题)",
    "见 [论文](https://example.org/p?q=1) 与 [笔记](./x.md)", "C++ 与 Python!", "3.5 倍", "a ! [b](c)",
    "1. 列表", "# 标题", "- 项", "+ 项", "= x", "| a |", "x: y", "a  b", "[a](<b>)", "[a](b c)", "![x](y)",
    "[[a]](b)", "&amp;", "a_b_c", "**粗**", "`code`", "<b>x</b>", "a\tb", "$$x$$", "[$x$](y)", "x $ y",
    " 前导空格", "(a)[b]", "[a](b)(c)", "'单' \"双\"",
]


def test_fast_inline_matches_markdown() -> None:
    from qadeck.render import _unwrap_p

    renderer = Renderer()
    fast = {t: renderer._simple_inline(NOTE, t, 1) for t in INLINE_CASES}
    for text, made in fast.items():
        if made is not None:
            assert made.html == _unwrap_p(renderer.block(NOTE, text, 1).html), text
    assert fast["什么是奖励模型? 它的输入输出是什么?"] is not None and fast["[相关](../a/b_QA.md#某-标题)"]
    assert fast["**粗**"] is None and fast["1. 列表"] is None


def test_an_indented_quote_under_a_list_item_is_a_quote_in_the_item():
    html = block("1. 在输入模型前, 施加位置编码;\n    > 一般是生成一个向量\n2. 在计算注意力前")
    assert "&gt;" not in html and "<blockquote>" in html and html.count("<li>") == 2


@pytest.mark.parametrize("target", ["html", "anki", "pdf"])
def test_code_the_lexer_cannot_follow_is_plain_text_without_error_boxes(target):
    renderer = Renderer(Target(target))
    velocity = "```sql\nSELECT * FROM t WHERE id = $id AND name = '${name}';\n```"
    html = renderer.block(NOTE, velocity, 1).html
    assert 'class="err"' not in html and "<span" not in html.split("<code>", 1)[1]
    assert "SELECT * FROM t WHERE id = $id AND name = '${name}';" in html
    titled = renderer.block(NOTE, '```python title="f.py"\nx = 1  、\n```', 1).html  # pymdownx's own path
    assert 'class="err"' not in titled and "x = 1  、" in titled and "f.py" in titled
    clean = renderer.block(NOTE, "```sql\nSELECT * FROM t WHERE id = 1;\n```", 1).html
    assert '<span class="k">SELECT</span>' in clean  # code the lexer follows keeps its colours
