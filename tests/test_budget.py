"""Time bounded per note: a note over its CPU time is shown as its source, said once, and the
renderer goes on with the next note unharmed. The limit is made small here; its real value is
measured by `make fuzz` (a timed test would depend on the machine)."""

from __future__ import annotations

from qadeck.budget import Budget
from qadeck.model import Note, NoteMeta, Piece
from qadeck.render import Renderer, Target

HEAVY = "".join(f"- 第 {i} 项 **粗** `码` [链](https://example.org/{i})\n" for i in range(20_000))
LIGHT = "答案 **粗体** 与 `代码`，以及 [链接](https://example.org)。"


def test_a_note_over_its_time_is_shown_as_its_source_and_the_next_one_is_unharmed():
    renderer = Renderer(Target("html"))
    renderer.budget = Budget(0.05)
    slow, other = Note("slow.md", "T", NoteMeta(), (), ()), Note("other.md", "T", NoteMeta(), (), ())
    first = renderer.render(slow, Piece(HEAVY, 3))
    assert first.html.startswith('<pre class="too-slow">- 第 0 项 **粗**') and "<li>" not in first.html
    assert [(d.path, d.line, d.code) for d in first.diagnostics] == [("slow.md", 3, "note.slow")]
    later = renderer.render(slow, Piece(LIGHT, 9))  # the rest of the note: source, not said again
    assert later.html.startswith('<pre class="too-slow">') and later.diagnostics == ()
    fresh = Renderer(Target("html")).render(other, Piece(LIGHT, 1))
    assert renderer.render(other, Piece(LIGHT, 1)) == fresh


def test_a_note_within_its_time_renders_as_ever():
    renderer = Renderer(Target("html"))
    note = Note("a.md", "T", NoteMeta(), (), ())
    made = renderer.render(note, Piece(HEAVY[:2000], 1))
    assert "<li>" in made.html and not made.diagnostics
