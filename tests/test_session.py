"""What a watch session keeps in memory between builds (`qadeck.session`): the builds inside one
write the very bytes a fresh build writes, whatever the edits; memory holds no more than the last
build used; outside a session nothing is kept."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from qadeck import codes, incremental
from qadeck import session as memory
from qadeck.build import build, session
from qadeck.cache import SUFFIX, Store, key
from qadeck.config import Config
from tests.conftest import write_notes

QUICK = ["json", "html"]  # no printing: for the tests of many rebuilds


@pytest.fixture(autouse=True)
def _epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def _problem(name: str, other: str) -> str:
    return (f"## {name}\n<!--info\ntags: [dp]\nsource: 自编\nlevel: 简单\nname: {name}\n-->\n\n"
            "<summary><b>问题简述</b></summary>\n\n```txt\n求和.\n```\n\n"
            "<details><summary><b>思路</b></summary>\n\n- 累加;\n\n</details>\n\n"
            "<!--START_SECTION:relate-->\n---\n\n### 相关主题\n\n"
            f"<details><summary><b>动态规划</b></summary>\n\n> [[简单, 自编] {other}]({other}.md)  \n\n"
            "</details>\n<!--END_SECTION:relate-->\n")


def _notes(root: Path) -> Path:
    return write_notes(root, {
        "a_QA.md": "# 甲\n\n## 问题\n\n### 1. 甲问？\n\n甲答，见 [乙](b_QA.md)。\n\n### 2. 没有答的问？\n",
        "b_QA.md": "# 乙\n\n## 问题\n\n### 1. 乙问？\n\n乙答。\n",
        "problems/和.md": _problem("和", "积"),
        "problems/积.md": _problem("积", "和"),
    })


def _answer(notes: Path, answer: str) -> None:
    (notes / "b_QA.md").write_text(f"# 乙\n\n## 问题\n\n### 1. 乙问？\n\n{answer}\n", encoding="utf-8")


def _built(config: Config, names: list[str], cache: bool = True) -> tuple[tuple, dict[str, bytes]]:
    """The build's diagnostics and each output's bytes."""
    collection, outputs = build(config, names, cache=cache)
    assert all(o.error is None for o in outputs), [o.error for o in outputs]
    return collection.diagnostics, {o.name: o.path.read_bytes() for o in outputs}


def _fresh(config: Config, names: list[str], tmp_path: Path, step: str) -> tuple[tuple, dict[str, bytes]]:
    """What a build without a session or a cache makes of the notes as they are now."""
    return _built(Config(notes=config.notes, out=tmp_path / f"fresh-{step}"), names, cache=False)


def _edits(notes: Path):
    """An edit, the edit reverted, a rename, a deleted note, an edited problem: (step, change)."""
    b = notes / "b_QA.md"
    original = b.read_text(encoding="utf-8")
    yield "edited", lambda: b.write_text(original.replace("乙答。", "乙答，改过。"), encoding="utf-8")
    yield "reverted", lambda: b.write_text(original, encoding="utf-8")
    yield "renamed", lambda: (notes / "a_QA.md").rename(notes / "c_QA.md")
    yield "deleted", lambda: (notes / "problems" / "积.md").unlink()
    yield "problem", lambda: (notes / "problems" / "和.md").write_text(
        _problem("和", "积").replace("- 累加;", "- 先排序, 再累加;"), encoding="utf-8")


def test_each_rebuild_in_a_session_writes_what_a_fresh_build_writes(tmp_path: Path):
    """The handbook too: its chapters, problems, prints and font subsets come from memory."""
    pytest.importorskip("weasyprint")
    names = [*QUICK, "pdf"]
    config = Config(notes=_notes(tmp_path / "notes"), out=tmp_path / "out")
    with session(names):
        assert _built(config, names) == _fresh(config, names, tmp_path, "first")
        for step, change in _edits(config.notes):
            change()
            assert _built(config, names) == _fresh(config, names, tmp_path, step), step


def test_a_note_read_from_memory_is_settled_afresh_each_build(tmp_path: Path):
    """The parser changes a draft as it settles the collection (ids, an unanswered question's
    note): a draft the session keeps is never the one it changes, so nothing is said twice."""
    config = Config(notes=_notes(tmp_path / "notes"), out=tmp_path / "out")
    with session(QUICK):
        first = _built(config, QUICK)
        _answer(config.notes, "乙又答。")
        _built(config, QUICK)
        _answer(config.notes, "乙答。")
        again = _built(config, QUICK)
    assert again == first == _fresh(config, QUICK, tmp_path, "end")
    assert [d.code for d in again[0]].count(codes.QUESTION_UNANSWERED) == 1


def test_memory_holds_what_the_last_build_used_over_many_rebuilds(tmp_path: Path):
    config = Config(notes=_notes(tmp_path / "notes"), out=tmp_path / "out")
    with session(QUICK) as kept:
        held = memory.current()
        assert held is not None and kept is not None
        sizes = []
        for n in range(12):
            _answer(config.notes, f"乙答第 {n} 次。")
            _built(config, QUICK)
            sizes.append(held.size())
        for folder, entries in held.entries.items():  # each one still on disk, nothing else
            assert {p.stem for p in Path(folder).glob("*" + SUFFIX)} >= set(entries), folder
        (config.notes / "problems" / "积.md").unlink()
        _built(config, QUICK)
        assert set(held.notes) == {"a_QA.md", "b_QA.md", "problems/和.md"}
        assert held.size() < sizes[-1]
    assert len(set(sizes[1:])) == 1  # the same size after every rebuild: no growth
    assert memory.current() is None


def test_an_entry_whose_file_is_gone_is_not_taken_from_memory(tmp_path: Path):
    """`qadeck clean` while watching: the next rebuild makes everything again, and keeps it."""
    config = Config(notes=_notes(tmp_path / "notes"), out=tmp_path / "out")
    with session(QUICK):
        first = _built(config, QUICK)
        shutil.rmtree(config.out / ".cache")
        _answer(config.notes, "乙答了。")
        again = _built(config, QUICK)
        assert again == _fresh(config, QUICK, tmp_path, "cleaned") and again != first
        assert len(list((config.out / ".cache" / "notes").glob("*" + SUFFIX))) == 4  # every note's read


def test_outside_a_session_nothing_is_kept(tmp_path: Path):
    config = Config(notes=_notes(tmp_path / "notes"), out=tmp_path / "out")
    collection, _ = build(config, QUICK)
    assert memory.current() is None
    assert memory.same_notes(collection) is collection
    store = Store(tmp_path / "cache", "kind")
    store.put("entry", ("a", ["value"]))
    assert store.get("entry") == store.get("entry") and store.get("entry") is not store.get("entry")
    with session(QUICK):
        assert store.get("entry") is store.get("entry")  # read once, then the same object
        with memory.suspended():  # a build without the cache
            assert store.get("entry") is not store.get("entry")


def test_keys_are_the_same_in_and_out_of_a_session(tmp_path: Path):
    """A watch session and a one-shot build find each other's cache entries."""
    config = Config(notes=_notes(tmp_path / "notes"), out=tmp_path / "out")
    collection, _ = build(config, QUICK)
    outside = [key("k", collection), key("k", (1, collection.notes[0])), key("k", collection.notes[1]),
               key("k", (collection.notes[2],), "x", b"y")]
    with session(QUICK):
        same = memory.same_notes(collection)
        again = memory.same_notes(collection)  # its notes are now the session's
        assert all(a is b for a, b in zip(same.notes, again.notes, strict=True))
        for _ in range(2):  # the reprs taken, then the reprs kept
            assert [key("k", again), key("k", (1, again.notes[0])), key("k", again.notes[1]),
                    key("k", (again.notes[2],), "x", b"y")] == outside


def test_a_build_after_the_session_reads_what_the_session_wrote(tmp_path: Path):
    """The last build's record, its notes pickled once each in the session, reads back whole: a
    one-shot build after `qadeck watch` finds nothing to redo."""
    config = Config(notes=_notes(tmp_path / "notes"), out=tmp_path / "out")
    with session(QUICK):
        _built(config, QUICK)
        _answer(config.notes, "乙答了。")
        watched, _ = build(config, QUICK)
    last = incremental.last_build(config.out / ".cache")
    assert last is not None and last.collection == watched
    again, outputs = build(config, QUICK)
    assert again == watched and all(o.unchanged for o in outputs)
