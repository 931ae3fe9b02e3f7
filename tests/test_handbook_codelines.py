"""Code lines as blocks for print (exporters/handbook/codelines.py)."""

from __future__ import annotations

import re

from qadeck.exporters.handbook.codelines import MOST_INDENT, columns, indent_rules, split_lines


def test_each_line_is_a_block_that_knows_its_indentation():
    page = ('<div class="highlight"><pre><span></span><code><span class="k">def</span> f():\n'
            '<span class="w">    </span><span class="k">return</span> 1\n\n\tpass\n</code></pre></div>')
    assert split_lines(page) == (
        '<div class="highlight"><pre class="short"><code>'
        '<span class="cl"><span class="k">def</span> f():</span>'
        '<span class="cl i4"><span class="w">    </span><span class="k">return</span> 1</span>'
        '<span class="cl"></span>'
        '<span class="cl i4">\tpass</span>'
        '</code></pre></div>')


def test_an_indentation_class_says_where_the_line_and_its_rows_start():
    rules = indent_rules()
    assert ".cl.i4 { padding-left:6ch;text-indent:-6ch;background-position:4ch 1.45em }" in rules
    assert rules.count(".cl.i") == MOST_INDENT
    deep = " " * (MOST_INDENT + 1) + "x"
    assert split_lines(f"<pre><code>{deep}\n</code></pre>") == (
        f'<pre class="short"><code><span class="cl wraps" style="padding-left:{MOST_INDENT + 3}ch;'
        f'text-indent:-{MOST_INDENT + 3}ch;background-position:{MOST_INDENT + 1}ch 1.45em">{deep}</span>'
        "</code></pre>")


def test_markup_across_a_line_end_leaves_the_block_as_written():
    page = "<pre><code><b>one\ntwo</b>\n</code></pre>"
    assert split_lines(page) == page


def test_text_outside_code_is_untouched():
    page = "<p>a\nb</p><pre><code>x &lt; y\n</code></pre>"
    assert split_lines(page) == ('<p>a\nb</p><pre class="short"><code><span class="cl">x &lt; y</span>'
                                 '</code></pre>')


def test_a_short_block_is_marked_whatever_its_classes():
    lines = "".join(f"x = {n}\n" for n in range(11))
    assert split_lines(f'<pre class="raw"><code>{lines}</code></pre>').startswith('<pre class="raw short">')
    longer = split_lines(f"<pre><code>{lines}y = 1\n</code></pre>")
    assert longer.startswith("<pre><code>") and longer.count('class="cl"') == 12


def test_only_a_line_long_enough_to_wrap_carries_the_mark():
    short = "x = 1  # " + "a" * 30
    cjk = "# " + "中" * 22  # 46 columns: a CJK character takes two
    tabbed = "\t" * 11 + "y"  # 45 columns
    page = split_lines(f"<pre><code>{short}\n{cjk}\n{tabbed}\n</code></pre>")
    assert re.findall(r'<span class="(cl[^"]*)"', page) == ["cl", "cl wraps", "cl wraps i44"]
    assert columns(cjk) == 46 and columns(tabbed) == 45 and columns(short) == 39
