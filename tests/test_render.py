"""The shared Markdown renderer: math protection, lists, code, details, link and image hooks."""

from __future__ import annotations

import pytest

from qadeck.render import Renderer, RenderOptions, normalize_lists, protect_math


def test_math_survives_markdown_untouched():
    html = Renderer().block("损失 $L = -\\log \\sigma(r_j - r_k)$ 与 $a_1 * b_2 * c_3$ 和 $x_i$")
    assert "\\(L = -\\log \\sigma(r_j - r_k)\\)" in html
    assert "\\(a_1 * b_2 * c_3\\)" in html and "<em>" not in html


def test_display_math_on_its_own_lines_and_inline_in_a_list():
    html = Renderer().block("- 公式:\n    $$h = W_0 x + \\frac{\\alpha}{r} B A x$$\n\n$$\nx_{t+1} = x_t\n$$")
    assert "\\[h = W_0 x + \\frac{\\alpha}{r} B A x\\]" in html
    assert '<div class="math display">\\[x_{t+1} = x_t\\]</div>' in html


def test_dollars_in_code_and_prices_are_not_math():
    text, maths = protect_math("`$a_b$` 价格 $10 和 $5\n```\n$x$\n```\n")
    assert maths == [] and "`$a_b$`" in text


def test_mathjax_escapes_html_inside_formulas():
    assert "\\(a &lt; b &amp; c &gt; d\\)" in Renderer().block("$a < b & c > d$")


def test_mathml_and_svg_engines():
    mathml = Renderer(RenderOptions(math="mathml")).block("$x_1^2$")
    assert "<math" in mathml and "<msubsup>" in mathml
    svg = Renderer(RenderOptions(math="svg")).block("$$E = mc^2$$")
    assert "<svg" in svg


def test_a_broken_formula_shows_its_source_and_is_reported():
    problems: list[str] = []
    html = Renderer(RenderOptions(math="mathml")).block("坏公式 $\\frac{1}{$ 结束", problems.append)
    assert problems and 'class="math-error"' in html and "\\frac{1}{" in html


def test_nested_lists_with_two_or_four_spaces():
    assert normalize_lists("- a\n  - b\n- c") == "- a\n    - b\n- c"
    html = Renderer().block("- a\n  - b\n    - c\n- d")
    assert html.count("<ul>") == 3


def test_a_list_right_under_a_line_of_text_is_a_list():
    html = Renderer().block("其中:\n- $Q = XW_Q$;\n- 每个位置\n\n$$a_1$$\n- 两项")
    assert html.count("<ul>") == 2 and "<li>每个位置</li>" in html


def test_code_is_highlighted_with_pygments_classes():
    html = Renderer().block("```Python\ndef f(x):\n    return x\n```")
    assert '<div class="highlight">' in html and '<span class="k">def</span>' in html


def test_tables_and_markdown_inside_details():
    text = "<details><summary>表</summary>\n\n| a | b |\n|---|---|\n| **1** | 2 |\n\n</details>"
    html = Renderer().block(text)
    assert "<table>" in html and "<strong>1</strong>" in html and "<summary>表</summary>" in html


def test_inline_drops_the_paragraph():
    assert Renderer().inline("什么是 **对齐**?") == "什么是 <strong>对齐</strong>?"


def test_link_and_image_hooks_see_every_link_and_image():
    seen: list[str] = []

    def link(href: str, inner: str) -> str:
        seen.append(href)
        return f"<span>{inner}</span>"

    def image(src: str, tag: str) -> str:
        seen.append(src)
        return ""

    html = Renderer(RenderOptions(link=link, image=image)).block(
        "[笔记](./a.md#x) ![图](img/a.png)\n\n<div><img src='raw.png'></div>")
    assert seen == ["./a.md#x", "img/a.png", "raw.png"]
    assert "<a " not in html and "<img" not in html


@pytest.mark.parametrize("text", ["", "   \n"])
def test_empty_input_renders_nothing(text):
    assert Renderer().block(text) == ""


def test_markdown_in_raw_html_table_cells_after_a_blank_line_as_on_github():
    html = Renderer().block("<table>\n<tr>\n<th>概念</th><th>含义</th>\n</tr>\n<tr>\n<td>\n\n"
                            "### **智能体**\n\n</td>\n<td>\n\n- 学习者, **决策者**\n\n</td>\n</tr>\n</table>")
    assert "<h3><strong>智能体</strong></h3>" in html
    assert "<li>学习者, <strong>决策者</strong></li>" in html
    assert "<th>概念</th>" in html and "<th>含义</th>" in html and "<p>" not in html


def test_raw_html_in_code_is_left_as_written():
    html = Renderer().block("```html\n<details><table><tr><td>\n\nx\n```\n\n`<td>` 与 `<details>`")
    assert "markdown=" not in html and "&lt;details&gt;" in html
