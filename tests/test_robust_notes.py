"""Notes that once stopped a whole build, one class each: now each is read, warned about where it
deserves a warning, and the other notes build (`tests/test_isolate.py`: what still goes wrong)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from qadeck import checks
from qadeck.config import Config
from qadeck.exporters.json_model import dumps
from qadeck.gfm.finish import MAX_HTML_DEPTH, html_depth
from qadeck.gfm.prepare import MAX_DEPTH, hide_open_brackets, mark_html_blocks, normalize_blocks, protect_math
from qadeck.model import Note, NoteMeta
from qadeck.parser.heading import plain_text
from qadeck.render import Renderer, Target
from tests.conftest import export, parse, write_notes

GOOD = "# 好笔记\n\n### 正常的问题?\n> 正常的回答.\n"
FILLER = "# 长笔记\n\n" + "前面的正文, 为了越过开头的 8 KB。\n\n" * 300  # NUL there means a binary file
OUTPUTS = ("anki", "html", "pdf")


def read(tmp_path: Path, name: str, content: str | bytes):
    """The collection (after the checks), the note and the diagnostics for it."""
    write_notes(tmp_path, {"good.md": GOOD, name: content})
    collection = checks.run(parse(tmp_path))
    assert collection.note("good.md") is not None, "the other notes still build"
    assert not [d for d in collection.diagnostics if d.code == "note.internal"]
    return collection, collection.note(name), [d for d in collection.diagnostics if d.path == name]


def codes(found) -> list[tuple[int, str]]:
    return [(d.line, d.code) for d in found]


def renderers() -> dict[str, Renderer]:
    return {name: Renderer(Target(name, math=math)) for name, math in
            (("anki", "mathjax"), ("html", "mathml"), ("pdf", "svg"))}


# -- a NUL in a link target -----------------------------------------------------------------------

def test_a_nul_in_a_link_target_is_dropped_with_the_control_characters(tmp_path: Path):
    text = FILLER + "### 问题?\n> 见 [别处](./a\x00b.md)\n"
    collection, note, found = read(tmp_path, "nul.md", text.encode("utf-8"))
    line = text.count("\n", 0, text.index("\x00")) + 1
    assert (line, "text.control") in codes(found) and (line, "note.missing") in codes(found)
    assert [link.href for link in note.links] == ["./ab.md"]


def test_a_percent_encoded_nul_is_no_file_name(tmp_path: Path):
    collection, note, found = read(tmp_path, "pct.md", "# T\n\n### 问题?\n> [x](./a%00b.md) ![i](x%00.png)\n")
    assert codes(found) == [(4, "link.invalid"), (4, "link.invalid")]
    assert "holds a NUL character" in found[0].message
    assert [(link.kind, link.ok, link.target) for link in note.links] == [("file", False, None),
                                                                         ("image", False, None)]


# -- a file name over 255 bytes -----------------------------------------------------------------

def test_a_link_to_a_name_longer_than_the_file_system_allows(tmp_path: Path):
    long_name = "长" * 90 + ".md"  # 270 bytes in UTF-8
    deep = "/".join(["d" * 200] * 25) + ".png"  # each part fits, the path does not
    text = f"# T\n\n### 问题?\n> [x]({long_name})\n> ![i]({deep})\n"
    collection, note, found = read(tmp_path, "long.md", text)
    assert codes(found) == [(4, "link.invalid"), (5, "link.invalid")]
    assert "longer than 255 bytes" in found[0].message and "longer than 4096 bytes" in found[1].message
    for name in OUTPUTS:  # and no output touches the file system with them either
        export(name, collection, tmp_path / "out" / f"book.{name}", Config(notes=tmp_path))


# -- dates YAML cannot make -----------------------------------------------------------------------

@pytest.mark.parametrize("date", ["2025-13-45", "2025-02-30", "2025-01-01 25:61:61", "0000-00-00"])
def test_a_date_yaml_cannot_make_stays_text(tmp_path: Path, date: str):
    collection, note, found = read(tmp_path, "date.md", f"<!--info\ndate: {date}\ntags: [a]\n-->\n"
                                                        "# T\n\n### 问题?\n> 答\n")
    assert note.meta.date == date and note.meta.tags == ("a",) and found == []


def test_the_handbook_prints_no_impossible_date(tmp_path: Path):
    from qadeck.exporters.handbook.book import build_date

    collection, _, _ = read(tmp_path, "date.md", "<!--info\ndate: 2025-13-45\n-->\n# T\n\n### 问题?\n> 答\n")
    assert build_date(collection, None) is None


@pytest.mark.parametrize("block", [
    "n: !!int abc",  # a value its explicit tag cannot make
    "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]",
    "a: " + "[" * 120 + "]" * 120,
])
def test_yaml_that_cannot_be_read_or_would_blow_up_is_ignored_with_a_warning(tmp_path: Path, block: str):
    collection, note, found = read(tmp_path, "yaml.md", f"<!--info\n{block}\n-->\n# T\n\n### 问题?\n> 答\n")
    assert [d.code for d in found] == ["meta.yaml"] and note.meta.extra == ()
    json.loads(dumps(collection, full=True))


# -- placeholders a note could forge -------------------------------------------------------------

def test_a_heading_cannot_forge_a_formula_placeholder():
    assert plain_text("问题 $x$ \x005\x00 **a**") == "问题 $x$ \x005\x00 a"
    assert plain_text("$a$ \x000\x00 `c` $b$") == "$a$ \x000\x00 c $b$"


def test_code_spans_cannot_be_forged_either():
    text, maths = protect_math("答 \x007\x00 `code` $x$ \ue1000\ue100")
    assert text.startswith("答 \x007\x00 `code` ") and maths == [("x", False)]
    assert "\ue100" in mark_html_blocks("`a` \x003\x00 <details>\ue1000\ue100")


def test_a_note_forging_placeholders_renders_its_own_text(tmp_path: Path):
    # NUL itself goes with the control characters; what remains is text like any other
    heading = "问题 $x_1$ \x000\x00 \ue1001\ue100 **粗** `c` $y$?"
    answer = "答 \x001\x00 $z$ `\x000\x00`"
    collection, note, found = read(tmp_path, "forge.md", FILLER + f"### {heading}\n> {answer}\n")
    question = note.questions[0]
    assert question.text == "问题 $x_1$ 0 \ue1001\ue100 粗 c $y$?" and question.answer.short == "答 1 $z$ `0`"
    assert codes(found) == [(FILLER.count("\n") + 1, "text.control")]
    for renderer in renderers().values():
        heading_html, answer_html = (renderer.render(note, p).html for p in list(question.pieces())[:2])
        assert "\ue1001\ue100" in heading_html and "<code>0</code>" in answer_html


# -- nesting -------------------------------------------------------------------------------------

DEEP = {  # kind -> (Markdown, the index of its first line deeper than MAX_DEPTH)
    "list": ("\n".join("  " * i + "- x" for i in range(300)), MAX_DEPTH),
    "quote lines": ("\n".join(">" * i + " x" for i in range(1, 300)), MAX_DEPTH),
    "quote": (">" * 300 + " x", 0),
    "marks": ("> - 1. " * 300 + "x", 0),
    "dashes": ("- " * 1000 + "x", 0),
}
DEEP_HTML = {
    "details": "<details>\n" * 1000 + "x\n" + "</details>\n" * 1000,
    "divs": "<div>" * 1000 + "x",
}


@pytest.mark.parametrize("kind", DEEP)
def test_lists_and_quotes_nest_at_most_max_depth_levels(kind: str):
    markdown, first = DEEP[kind]
    text = "前文\n\n" + markdown
    assert normalize_blocks(text)[1] == 2 + first
    note = Note("deep.md", "T", NoteMeta(), (), ())
    for renderer in renderers().values():
        made = renderer.block(note, text, 5)
        assert html_depth(made.html) <= 2 * MAX_DEPTH + 2 and "x" in made.html
        assert [(d.line, d.code) for d in made.diagnostics] == [(7 + first, "nesting.deep")]


@pytest.mark.parametrize("kind", DEEP_HTML)
def test_raw_html_nested_too_deep_is_shown_as_text(kind: str):
    note = Note("deep.md", "T", NoteMeta(), (), ())
    for renderer in renderers().values():
        made = renderer.block(note, DEEP_HTML[kind], 3)
        assert made.html.startswith('<div class="too-deep">&lt;') and html_depth(made.html) == 1
        assert [(d.line, d.code) for d in made.diagnostics] == [(3, "nesting.deep")]


def test_nesting_within_bounds_is_left_alone():
    text = "\n".join("  " * i + "- x" for i in range(MAX_DEPTH)) + "\n\n" + "> " * MAX_DEPTH + "y"
    assert normalize_blocks(text)[1] is None
    assert html_depth("<div>" * MAX_HTML_DEPTH + "<br><img src=x><hr/>" + "</div>" * 9) == MAX_HTML_DEPTH


def test_deep_notes_build_every_output(tmp_path: Path):
    html = "<details>\n" * 160 + "x\n" + "</details>\n" * 160  # WeasyPrint stopped at ~150
    body = "\n\n".join([*(markdown for markdown, _ in DEEP.values()), html, "<div>" * 160 + "x"])
    collection, note, found = read(tmp_path, "deep.md", f"# 深\n\n### 问题?\n> 答\n\n{body}\n")
    assert {d.code for d in found} == {"nesting.deep"}
    for name in OUTPUTS:
        problems = export(name, collection, tmp_path / "out" / f"book.{name}", Config(notes=tmp_path))
        assert (tmp_path / "out" / f"book.{name}").stat().st_size > 0
        assert not [d for d in problems if d.code == "note.internal"]


# -- very long lines -----------------------------------------------------------------------------

@pytest.mark.parametrize("unit", ["<a", "[", "`", "[^", "<details ", "[x](", "$a", "~"])
def test_a_30000_character_line_is_read(tmp_path: Path, unit: str):
    # Each of these once made a pattern scan the rest of the line from every unit: 12 s to read.
    line = (unit * (30_000 // len(unit)))[:30_000]
    text = f"# T\n\n### 问题?\n> 答\n\n正文 {line} [末尾](https://example.com) <a href=\"https://x.org\">x</a>\n"
    collection, note, found = read(tmp_path, "long.md", text)
    assert [link.href for link in note.links][-2:] == ["https://example.com", "https://x.org"]


# -- control characters --------------------------------------------------------------------------

def test_control_characters_are_dropped_with_one_warning_naming_where(tmp_path: Path):
    text = "# 标题\n\n### 问题?\n> 答\x0b案\x0c\n> 第\x13二\x1c行\u2028\n\n### 问题二?\n> \x7f答\n"
    collection, note, found = read(tmp_path, "ctrl.md", text)
    assert codes(found) == [(4, "text.control")]
    assert found[0].message.startswith("control characters (U+000B, U+000C, U+0013, U+001C, U+007F, U+2028)")
    assert [q.answer.short for q in note.questions] == ["答案\n第二行", "答"]
    model = dumps(collection, full=True)
    assert not any(c in model for c in "\x0b\x0c\x13\x1c\u2028\x7f")


def test_a_note_with_control_characters_prints(tmp_path: Path):
    collection, _, _ = read(tmp_path, "ctrl.md", "# 标题\n\n### 问题?\n> 答\x0b案\x0c \x13 \x1c \u2028 x\n")
    problems = export("pdf", collection, tmp_path / "book.pdf", Config(notes=tmp_path))
    assert (tmp_path / "book.pdf").read_bytes().startswith(b"%PDF")
    assert not [d for d in problems if d.code == "glyph.missing"]


@pytest.mark.parametrize("unit", ["[", "[^", "![", "[x]("])
def test_a_line_of_thousands_of_open_brackets_renders_as_text(unit: str):
    # Python-Markdown looked for the `]` of each `[` to the end of the text: minutes for this line
    line = "正文 " + unit * (30_000 // len(unit)) + " [末](https://x.org) `[[`"
    code = "- 列表\n    ```python\n" + unit * 10_000 + "\n    ```\n"  # Markdown may not read a fence here
    note = Note("long.md", "T", NoteMeta(), (), ())
    for renderer in renderers().values():
        html = renderer.block(note, line, 1).html
        assert unit * 100 in html and '<a href="https://x.org"' in html and "<code>[[</code>" in html
        assert unit * 100 in renderer.block(note, code, 1).html


def test_brackets_that_close_are_left_to_markdown():
    text, hidden = hide_open_brackets("a [b [c](d) `[` " + "[" * 70 + "[x] [w](v) [y](z")
    bracket, paren = hidden
    assert hidden == {bracket: "[", paren: "("}
    assert text == "a " + bracket + "b [c](d) `" + bracket + "` " + bracket * 70 + f"[x] [w](v) [y]{paren}z"
    text, _ = hide_open_brackets("[y](z " * 70)
    assert text == f"[y]{paren}z " * 70
    assert hide_open_brackets("[a] [b](c) [") == ("[a] [b](c) [", {})  # few brackets: nothing to gain


def test_a_formula_too_long_to_be_one_is_refused_in_a_short_message(tmp_path: Path):
    # a `$$` left open swallows what follows up to the next `$$`: seconds of typesetting per output
    body = "\n".join(f"> 第 {i} 行 x_{i}" for i in range(3000))
    text = f"# T\n\n### 问题?\n> 答\n\n$$ a +\n{body}\n$$\n"
    collection, note, found = read(tmp_path, "formula.md", text)
    assert codes(found) == [(6, "math.invalid")] and len(found[0].message) < 200
    latex = "a +\n" + body
    assert found[0].message.startswith(f"a formula of {len(latex)} characters (more than 4000")
    for renderer in renderers().values():
        made = renderer.render(note, list(note.questions[0].pieces())[2])
        assert 'class="math-error"' in made.html and [d.code for d in made.diagnostics] == ["math.invalid"]


def test_markdown_placeholders_left_behind_are_dropped():
    # Python-Markdown leaves (pieces of) its own `\x02klzzwxh:N\x03` stand-ins in this tangle: control
    # characters in the output, boxes in the PDF (which then refused to print)
    note = Note("tangle.md", "T", NoteMeta(), (), ())
    for renderer in renderers().values():
        html = renderer.block(note, "</a>**<a href=x>*_*a_</a><a href=x>_<a href=x>*a</a>aaa*", 1).html
        assert "\x02" not in html and "\x03" not in html and "aaa" in html
