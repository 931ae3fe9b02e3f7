"""Footnotes are footnotes in all three outputs: a numbered reference, and the text it points to."""

from __future__ import annotations

from pathlib import Path

import pypdf

from qadeck.build import context
from qadeck.config import Config, with_options
from qadeck.exporters.anki import render as anki_render
from qadeck.exporters.anki.cards import FIELDS
from tests.conftest import export, parse, write_notes

NOTE = ("脚注\n===\n\n### 谁提出了 PageRank?\n> 由 Brin 与 Page 提出[^2012,Chakrabarti], 见原文[^orig].\n"
        "> 代码里的 `[^orig]` 不是脚注.\n\n[^2012,Chakrabarti]: Chakrabarti, *Mining the Web*, 2012.\n"
        "[^orig]: The Anatomy of a Large-Scale Hypertextual Web Search Engine.\n")


def _notes(tmp_path: Path) -> Path:
    return write_notes(tmp_path / "notes", {"pr_QA.md": NOTE})


def test_the_model_keeps_definitions_out_of_the_answer(tmp_path: Path):
    note = parse(_notes(tmp_path)).notes[0]
    assert [f.label for f in note.footnotes] == ["2012,Chakrabarti", "orig"]
    assert "Anatomy" not in note.questions[0].answer.short


def test_anki_card_numbers_the_reference_and_carries_the_text(tmp_path: Path):
    notes = _notes(tmp_path)
    config = Config(notes=notes, title="测试")
    card = anki_render(parse(notes), config.options("anki"), context(config)).cards[0]
    fields = dict(zip(FIELDS, card.fields, strict=True))
    assert '<sup class="qd-fn">1</sup>' in fields["Back"] and '<sup class="qd-fn">2</sup>' in fields["Back"]
    assert "<code>[^orig]</code>" in fields["Back"] and "[^2012" not in fields["Back"]
    assert "<em>Mining the Web</em>" in fields["Extra"] and 'value="2"' in fields["Extra"]


def test_cheat_sheet_lists_the_footnotes_under_the_answer(tmp_path: Path):
    notes = _notes(tmp_path)
    out = tmp_path / "c.html"
    export("html", parse(notes), out, Config(notes=notes, title="测试"))
    page = out.read_text(encoding="utf-8")
    assert '<sup class="qd-fn">1</sup>' in page and "[^2012" not in page
    assert '<div class="qd-notes"><ol class="footnotes"><li value="1">' in page and "Anatomy" in page


def test_handbook_links_each_reference_to_the_chapter_footnotes(tmp_path: Path):
    notes = _notes(tmp_path)
    out = tmp_path / "b.pdf"
    config = with_options(Config(notes=notes, out=tmp_path, title="测试"), "pdf", jobs=1)
    export("pdf", parse(notes), out, config)
    reader = pypdf.PdfReader(out)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "[^2012" not in text and "Mining the Web" in text and "注释" in text
    links = [a.get_object() for page in reader.pages for a in page.get("/Annots", [])
             if a.get_object().get("/Subtype") == "/Link"]
    assert len(links) >= 2  # the two references jump to their footnotes


def test_a_reference_inside_a_link_is_the_number_alone_and_odd_labels_work(tmp_path: Path):
    from qadeck.model import Footnote, Note, NoteMeta
    from qadeck.render import Renderer

    class Linking:
        def link(self, note, link, inner):
            from qadeck.render import Made
            return Made(f'<a href="#x">{inner}</a>')

        def image(self, note, link, tag):
            from qadeck.render import Made
            return Made(None)

        def footnote(self, note, number):
            return f'<a href="#fn{number}">{number}</a>'

    notes = (Footnote("a&b", "甲", 9), Footnote("2", "乙", 10))
    note = Note("a.md", "a", NoteMeta(), (), (), footnotes=notes)
    made = Renderer(policy=Linking()).block(note, "[链接[^2]](b.md) 与 [^a&b]", 1)
    assert '<a href="#x">链接<sup class="footnote-ref">2</sup></a>' in made.html
    assert '<a href="#fn1">1</a>' in made.html and made.footnotes == (2, 1)


def test_references_are_read_where_markdown_reads_text_as_on_github():
    """A reference is Markdown (Python-Markdown's inline pattern, `qadeck.gfm.extension`): not in
    code, not escaped, not in a raw HTML block Markdown does not read; in a table cell, a list, a
    `<details>` part and a link's words it is. Footnotes are listed in the order they stand."""
    from qadeck.model import Footnote, Note, NoteMeta
    from qadeck.render import Renderer

    notes = (Footnote("1", "甲", 9), Footnote("x_y", "乙", 10))
    note = Note("a.md", "a", NoteMeta(), (), (), footnotes=notes)
    render = Renderer().block
    assert render(note, r"`[^1]` \[^1] [^2]", 1).html == "<p><code>[^1]</code> [^1] [^2]</p>"
    assert render(note, "<div>\n[^1]\n</div>", 1).html == "<div>\n[^1]\n</div>"
    made = render(note, "| a |\n|---|\n| [^x_y] |\n\n- [w [^1]](b.md)\n\n<details><summary>s</summary>\n\n"
                        "[^1] $x$\n\n</details>", 1)
    assert made.footnotes == (2, 1) and made.html.count('<sup class="footnote-ref">') == 3
    assert '<td><sup class="footnote-ref">2</sup></td>' in made.html
    plain = Note("b.md", "b", NoteMeta(), (), ())  # no footnotes: a reference is text, before and after
    renderer = Renderer()
    assert [renderer.block(n, "[^1]", 1).html for n in (plain, note, plain)] == \
        ["<p>[^1]</p>", '<p><sup class="footnote-ref">1</sup></p>', "<p>[^1]</p>"]
