"""Fuzzing in the suite: the fixture notes, mutated (`scripts/mutate.py`: damaged bytes and
encodings, cut or repeated lines, unbalanced containers, deep nesting, long lines, control
characters, forged placeholders, odd links and info blocks), are read and rendered into the light
outputs without an exception, and each is read or diagnosed.

Small and derandomized, so `make test` stays short and gives the same answer every run;
`make fuzz` runs 10,000 mutations of a real notes folder and counts slow notes (no timed assert
here: the time a test takes depends on the machine).
"""

from __future__ import annotations

import random
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts.fuzz import read, render
from scripts.mutate import MUTATIONS, SMALL, apply
from tests.conftest import FIXTURES

NOTES = FIXTURES / "notes"
FILES = sorted(p.relative_to(NOTES).as_posix() for p in NOTES.rglob("*.md"))


@settings(max_examples=30, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rel=st.sampled_from(FILES), names=st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=3),
       rng=st.randoms(use_true_random=False))
def test_mutated_notes_are_read_or_diagnosed_and_nothing_escapes(rel: str, names: list[str],
                                                                 rng: random.Random):
    data = apply((NOTES / rel).read_bytes(), names, rng, SMALL)
    with tempfile.TemporaryDirectory(prefix="qadeck-fuzz-") as tmp:
        root = Path(tmp) / "notes"
        (root / rel).parent.mkdir(parents=True)
        (root / rel).write_bytes(data)
        collection = read(root)  # an exception here fails the test with its traceback
        assert collection.note(rel) is not None or any(d.path == rel for d in collection.diagnostics)
        found = [*collection.diagnostics, *render(collection, root, Path(tmp) / "work")]
    assert not [str(d) for d in found if d.code == "note.internal"]  # a failure caught is still a bug
    assert all(d.path in ("", rel) for d in found)


def test_the_mutations_change_the_notes():
    """Each mutation does something to a fixture note (a mutation that never changes anything
    would make the fuzzing above weaker than it reads)."""
    data = (NOTES / "qa_sections.md").read_bytes()
    for name in MUTATIONS:
        rng = random.Random(name)
        assert any(apply(data, [name], rng, SMALL) != data for _ in range(5)), name


@settings(max_examples=15, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rel=st.sampled_from(FILES), names=st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=3),
       rng=st.randoms(use_true_random=False), limit=st.sampled_from([0.0, 0.002, 0.01]))
def test_the_exporters_hold_a_time_limit_per_note_cut_anywhere(rel: str, names: list[str], rng: random.Random,
                                                               limit: float):
    """The exporter pass with the limit per note (`qadeck.budget`) made tiny, so that it cuts the
    renders at arbitrary points: nothing escapes, a cut note says so once per output at a line of
    it, and the renderers go on with the next note as if nothing happened."""
    import pytest

    from qadeck import budget

    data = apply((NOTES / rel).read_bytes(), names, rng, SMALL)
    with tempfile.TemporaryDirectory(prefix="qadeck-fuzz-") as tmp, pytest.MonkeyPatch.context() as patch:
        root = Path(tmp) / "notes"
        (root / rel).parent.mkdir(parents=True)
        (root / rel).write_bytes(data)
        (root / "other.md").write_text("# 其他\n\n### 问题?\n> 答案 **粗体** $x^2$\n", encoding="utf-8")
        collection = read(root)
        patch.setattr(budget, "NOTE_SECONDS", limit)
        found = render(collection, root, Path(tmp) / "work")
    assert not [str(d) for d in found if d.code == "note.internal"]
    slow = [d for d in found if d.code == "note.slow"]
    assert all(d.path in (rel, "other.md") and d.line >= 1 for d in slow)
    assert len(slow) == len({(d.path, d.message) for d in slow})  # once per note and output
    if limit == 0.0:  # nothing renders: every note with a part says so, in each output
        assert {d.path for d in slow} >= {"other.md"}
