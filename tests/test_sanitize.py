"""The one allow-list for note HTML, and the renderer's order: clean, then hooks, then math."""

from __future__ import annotations

import pytest

from qadeck.model import Link, Note, NoteMeta
from qadeck.render import Made, Renderer, Target, tag_attributes
from qadeck.sanitize import HtmlPolicy, clean, needs_cleaning, risky

DEFAULT = HtmlPolicy()


@pytest.mark.parametrize("dirty,gone", [
    ("<script>alert(1)</script>x", "alert"),
    ("<style>p{color:red}</style>x", "color"),
    ('<iframe src="https://e.com"></iframe>x', "iframe"),
    ('<p onclick="steal()">x</p>', "steal"),
    ('<a href="javascript:alert(1)">x</a>', "javascript"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "alert"),
    ('<a href="data:text/html,<b>hi</b>">x</a>', "data:"),
    ('<a href="file:///etc/passwd">x</a>', "passwd"),
    ('<img src="file:///etc/passwd">', "passwd"),
    ('<img src="x.png" onerror="steal()">', "steal"),
    ('<form action="https://e.com"><input name="q"></form>x', "form"),
    ('<link rel="attachment" href="../secret.txt">x', "attachment"),
    ('<div style="background: url(file:///etc/passwd)">x</div>', "background"),
    ('<p id="qd-main">x</p>', "qd-main"),
    ("<!-- hidden -->x", "hidden"),
])
def test_what_a_note_cannot_keep(dirty, gone):
    assert gone not in clean(dirty, DEFAULT)


def test_what_a_note_keeps():
    kept = clean('<details open><summary>详述</summary><table><tr><td style="text-align: center; color: red" '
                 'colspan="2">格</td></tr></table><img src="a.png" alt="图" width="20"> '
                 '<a href="https://e.com/x" title="t">链接</a> <a href="#s">内</a> '
                 '<code class="x">c</code></details>', DEFAULT)
    for piece in ('<details open="">', "<summary>详述</summary>", 'style="text-align:center"',
                  'colspan="2"', 'src="a.png"', 'alt="图"', 'width="20"', 'href="https://e.com/x"',
                  'href="#s"', 'class="x"'):
        assert piece in kept, piece
    assert "color" not in kept


def test_policies_differ_only_where_an_output_needs_it():
    book = HtmlPolicy(image_schemes=frozenset({"http", "https", "data", "file"}))
    assert 'src="file:///n/a.png"' in clean('<img src="file:///n/a.png">', book)
    assert "file:" not in clean('<a href="file:///n/a.png">x</a>', book)  # links never
    page = HtmlPolicy(reserved_class_prefix="qd-")
    assert clean('<span class="qd-card note">x</span>', page) == '<span class="note">x</span>'


def test_only_sources_with_markup_need_cleaning():
    assert not needs_cleaning("纯文本 **粗体** $x_1$")
    assert needs_cleaning("<b>x</b>") and needs_cleaning("[x](y)") and needs_cleaning("[r]: javascript:x")
    assert risky("<script>x</script>") and risky('<img onerror="x">') and risky("[a](javascript:x)")
    assert not risky("<b>粗体</b> 和 <details>")


NOTE = Note("a.md", "a", NoteMeta(), (), ())


class Policy:
    """Links become in-page anchors with the page's own class; images keep their address."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def link(self, note: Note, link: Link, inner: str) -> Made:
        self.seen.append(inner)
        return Made(f'<a class="qd-xref" href="#{link.href}">{inner}</a>')

    def image(self, note: Note, link: Link, tag: str) -> Made:
        self.seen.append(link.href)
        return Made(f'<img src="{link.href}">')


def block(text: str, math: str = "mathjax", policy: Policy | None = None) -> str:
    target = Target("t", math=math, html=HtmlPolicy(reserved_class_prefix="qd-"))
    return Renderer(target, policy).block(NOTE, text, 1).html


def test_renderer_cleans_the_note_before_its_own_pieces_go_in():
    policy = Policy()
    seen = policy.seen
    note = '看 [<b onclick="x()">这里</b>](a.md) 与 $x^2$ <span class="qd-card">伪装</span>'
    out = block(note, "mathml", policy)
    assert seen == ["<b>这里</b>"]  # the hook gets cleaned words
    assert '<a class="qd-xref" href="#a.md"><b>这里</b></a>' in out  # its own class stays
    assert "<math" in out and "<msup>" in out  # the formula is not cleaned away
    assert 'class="qd-card"' not in out and "onclick" not in out


def test_an_image_whose_address_was_taken_out_leaves_nothing():
    assert block('<img src="javascript:alert(1)" alt="x">', policy=Policy()).count("<img") == 0


def test_tag_attributes_read_any_quoting():
    assert tag_attributes("""<img src="a&amp;b.png" alt='两 字' width=30 data-x="1">""") == {
        "src": "a&b.png", "alt": "两 字", "width": "30", "data-x": "1"}
    assert tag_attributes('<img\nsrc="a.png"\nalt="x">') == {"src": "a.png", "alt": "x"}


@pytest.mark.parametrize("math", ["mathjax", "mathml", "svg"])
@pytest.mark.parametrize("note", [
    '<span title="$" onmouseover="alert(1)$">x</span> $y$',
    '[x]($" onclick="alert(1)$) $y$',
    '<span title="$a class=qd-card id=top style=position:fixed b$">x</span>',
    '![$" onerror="alert(1)$](a.png) $y$',
    '<span title="\ue0000\ue001">x</span> $y$',
])
def test_a_formula_never_lands_inside_a_tag(math, note):
    out = block(note, math, Policy())
    for bad in ("onmouseover", "onclick", "onerror", "qd-card", 'id="top"', "position:fixed"):
        assert bad not in out, (bad, out)
    assert "\ue000" not in out and "\ue001" not in out


def test_placeholders_cannot_be_forged():
    assert block("$a$ \ue0007\ue001 qdkmath7x") == "<p>\\(a\\) 7 qdkmath7x</p>"


def test_code_fence_attributes_are_cleaned():
    out = block("```{.python #qd-main .qd-card}\nx = 1\n```")
    assert "qd-main" not in out and "qd-card" not in out and "x" in out


def test_hooks_never_see_a_tag_inside_an_attribute():
    policy = Policy()
    block('<span title="&lt;a href=x&gt;&lt;details open ontoggle=alert(1)&gt;z&lt;/a&gt;">w</span>',
          policy=policy)
    assert policy.seen == []
