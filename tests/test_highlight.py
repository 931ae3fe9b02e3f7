"""Code blocks: the cached highlighter gives pymdownx's output, and steps aside when pymdownx changed."""

from __future__ import annotations

import markdown

from qadeck import highlight
from qadeck.highlight import use_cached_highlighter
from qadeck.render import EXTENSION_CONFIGS, EXTENSIONS, Renderer

CODE = "def f(x):\n    return x * 3  # <b> & c\n\nprint('中文')"


def _pymdownx() -> markdown.Markdown:
    return markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)


def test_cached_highlighter_matches_pymdownx() -> None:
    fences = ["```python", "```Python", "~~~shell", "```", "```nosuchlang", "```python hl_lines=\"1\"",
              "```python linenums=\"1\"", "```python title=\"f.py\"", "``` {.python .extra #id}"]
    docs = []
    for fence in fences:
        code_block = f"{fence}\n{CODE}\n{fence[:3]}\n"
        indented = "".join(f"    {line}\n" for line in code_block.rstrip("\n").split("\n"))
        details = f'<details markdown="1"><summary>s</summary>\n\n{code_block}\n</details>\n'
        docs += [code_block, f"- 项\n\n{indented}", details]
    docs.append("    indented code\n    block\n")
    renderer = Renderer()
    for doc in docs:
        assert renderer._md.reset().convert(doc) == _pymdownx().convert(doc), doc


class _Changed(highlight._CachedHighlight):
    """The highlighter under a pymdownx release that dropped `guess_lang`, an attribute the fast
    path reads on every block and pymdownx's own method reads only when no lexer has the name."""

    tried = 0

    def __init__(self, *args, **options):
        super().__init__(*args, **options)
        del self.guess_lang

    def _plain(self, src: str, language: str, css_class: str) -> str | None:
        type(self).tried += 1
        return super()._plain(src, language, css_class)


def test_the_fast_path_steps_aside_when_pymdownx_changed() -> None:
    doc = f"```python\n{CODE}\n```\n\n- 项\n\n    ```sql\n    SELECT 1;\n    ```\n"
    changed = _pymdownx()
    use_cached_highlighter(changed, _Changed)
    made = changed.convert(doc)
    assert _Changed.tried == 2  # the fast path was tried for both blocks, and stepped aside
    assert made == _pymdownx().convert(doc)
    assert '<span class="k">def</span>' in made and '<span class="k">SELECT</span>' in made


def _spans(code_styles: tuple[str, ...], fence: str = "```python") -> str:
    made = _pymdownx()
    use_cached_highlighter(made, code_styles=code_styles)
    return made.convert(f"{fence}\n{CODE}\n```\n")


def _text(html: str) -> str:
    import re

    return re.sub(r"<[^>]*>", "", html)


def test_tokens_the_styles_draw_plain_have_no_span() -> None:
    """In print (the friendly style) names, punctuation and spaces are plain text: no span each,
    the same characters, and the coloured tokens keep theirs."""
    plain = _spans(("friendly",))
    full = _spans(())
    assert '<span class="n">' in full and '<span class="p">' in full and '<span class="w">' in full
    assert '<span class="n">' not in plain and '<span class="p">' not in plain and 'class="w"' not in plain
    assert '<span class="k">def</span> <span class="nf">f</span>(x):' in plain
    assert '<span class="c1"># &lt;b&gt; &amp; c</span>' in plain
    assert _text(plain) == _text(full)
    assert plain.count("<span") < full.count("<span")


def test_a_token_any_style_colours_keeps_its_span() -> None:
    """Tango draws names black and punctuation bold on their own: with it among the styles, they
    keep their spans; whitespace, plain in both, does not."""
    both = _spans(("friendly", "tango"))
    assert '<span class="n">x</span>' in both and '<span class="p">' in both
    assert 'class="w"' not in both


def test_plain_tokens_leave_error_blocks_as_text() -> None:
    """A block the lexer marks with an error token is still one plain run (no error box)."""
    html = _spans(("friendly",), "```sql")
    assert 'class="err"' not in html


def test_the_handbook_colours_code_with_its_own_style() -> None:
    from qadeck.exporters.handbook.chapters import TARGET
    from qadeck.exporters.handbook.styles import CODE_STYLE

    assert TARGET.code_styles == (CODE_STYLE,)
    made = Renderer(TARGET)._md
    assert '<span class="n">' not in made.convert(f"```python\n{CODE}\n```\n")


def test_the_print_style_colours_what_tells_on_paper() -> None:
    """The print style keeps friendly's keywords, comments, strings and definitions; operators,
    numbers and built-in names are plain text, with no span and no CSS rule."""
    from qadeck.highlight import pygments_css

    html = _spans(("print",), "```python")
    full = _spans(())
    assert '<span class="o">' in full and '<span class="mi">' in full and '<span class="nb">' in full
    for kind in ("o", "mi", "nb"):
        assert f'<span class="{kind}">' not in html
    assert '<span class="k">def</span> <span class="nf">f</span>' in html
    assert '<span class="c1">' in html and '<span class="s1">' in html
    assert _text(html) == _text(full)
    css = pygments_css("print")
    assert ".highlight .k {" in css and ".highlight .o {" not in css and ".highlight .mi {" not in css
    assert pygments_css("print") != pygments_css("friendly")
