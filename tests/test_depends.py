"""Dependencies recorded, not remembered: a change to each kind of input remakes exactly the units
that read it, in every output, and no other; and the recorder itself keeps its promises."""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from dataclasses import replace
from pathlib import Path

import pytest

from qadeck import depends
from qadeck.build import build
from qadeck.cache import Store
from qadeck.config import Config
from qadeck.exporters.cheatsheet.options import HtmlOptions
from qadeck.exporters.handbook.chapters import element_id
from qadeck.exporters.handbook.options import PdfOptions
from tests.conftest import REPO, write_notes

ALL = ["anki", "html", "pdf"]
UNITS = ("anki", "html", "pdf-html", "pdf")  # cards, sections, chapters' HTML, printed documents
OUTPUTS = {"anki": "qadeck.apkg", "html": "qadeck.html", "pdf": "qadeck.pdf"}
A, B, C = "a_QA.md", "b_QA.md", "c_QA.md"


def png(red: int) -> bytes:
    """A 1×1 PNG of one colour: another colour is other bytes of the same valid kind."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    pixels = zlib.compress(bytes([0, red, 0, 0]))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", pixels) + chunk(b"IEND", b""))


NOTES: dict[str, str | bytes] = {
    A: "# 注意力\n\n## 基础\n\n### 什么是注意力?\n> 加权求和.\n\n![图](img/a.png)\n\n"
       "### 为什么缩放?\n> 见 [归一化](b_QA.md#为什么要归一化).\n",
    "img/a.png": png(10),
    B: "# 归一化\n\n### 为什么要归一化?\n> 稳定训练.\n",
    C: "# 其他\n\n### 一个问题?\n> 一个答案.\n",
}


@pytest.fixture(autouse=True)
def _epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def entries(config: Config) -> dict[str, dict[str, tuple[int, int]]]:
    """Every unit's cache entry with its inode and time: a unit made again is written again."""
    found = {}
    for kind in UNITS:
        folder = config.out / ".cache" / kind
        found[kind] = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in folder.iterdir()}
    return found


def outputs(config: Config) -> dict[str, tuple[int, int]]:
    return {name: ((config.out / f).stat().st_ino, (config.out / f).stat().st_mtime_ns)
            for name, f in OUTPUTS.items()}


def remade(config: Config, before: dict[str, dict[str, tuple[int, int]]]) -> dict[str, set[str]]:
    """Which notes' units each store made again (printed documents of no note: "other")."""
    after = entries(config)
    found: dict[str, set[str]] = {}
    for kind in UNITS:
        store = Store(config.out / ".cache", kind)
        names = [n for n, stamp in after[kind].items() if before[kind].get(n) != stamp]
        found[kind] = {note for name in names for note in _notes_of(kind, store.get(name[:-7]))}
    return found


def _notes_of(kind: str, entry: depends.Entry) -> set[str]:
    value = entry.value
    if kind == "anki":
        return {card.source for card in value.cards}
    if kind == "html":
        return set(re.findall(r'class="qd-path">([^<]+)<', value.html))
    if kind == "pdf-html":
        html = value.article.html if hasattr(value, "article") else value.html  # a chapter, a problem
        return set(re.findall(r'<p class="chapter-meta">([^ <]+)', html))
    named = {n for n in (A, B, C) if element_id("n", n) in value.anchors}
    return named or {"other"}


def run(tmp_path: Path, change, **settings) -> tuple[dict[str, set[str]], set[str]]:
    """Build, change one input, build again: the units each store made again, and the outputs
    written again; the rebuilt outputs equal a build without the cache."""
    notes = write_notes(tmp_path / "notes", NOTES)
    config = Config(notes=notes, out=tmp_path / "out", title="题集", **settings)
    build(config, ALL)
    before, written = entries(config), outputs(config)
    changed = change(config)
    config = changed if isinstance(changed, Config) else config
    _, made = build(config, ALL)
    assert [o.error for o in made] == [None] * len(ALL)
    clean = replace(config, out=tmp_path / "clean")
    build(clean, ALL, cache=False)
    for name in OUTPUTS.values():
        if name != "qadeck.apkg":  # the deck's dates come from the package it replaces
            assert (config.out / name).read_bytes() == (clean.out / name).read_bytes()
    now = outputs(config)
    return remade(config, before), {name for name in OUTPUTS if now[name] != written[name]}


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")


def test_a_notes_words_remake_its_units_alone(tmp_path: Path) -> None:
    units, rebuilt = run(tmp_path, lambda c: edit(c.notes / C, "一个答案", "另一个答案"))
    assert units == {"anki": {C}, "html": {C}, "pdf-html": {C}, "pdf": {C}}
    assert rebuilt == {"anki", "html", "pdf"}


def test_an_images_bytes_remake_the_units_that_show_it(tmp_path: Path) -> None:
    units, rebuilt = run(tmp_path, lambda c: (c.notes / "img/a.png").write_bytes(png(200)))
    # The chapter's HTML names the file; its printed document reads the bytes.
    assert units == {"anki": {A}, "html": {A}, "pdf-html": set(), "pdf": {A}}
    assert rebuilt == {"anki", "html", "pdf"}


@pytest.mark.parametrize(("style", "output"), [("anki.css", "anki"), ("cheatsheet.css", "html")])
def test_a_style_file_remakes_the_output_that_reads_it(tmp_path: Path, style: str, output: str) -> None:
    css = REPO / "styles" / style
    original = css.read_bytes()
    try:
        units, rebuilt = run(tmp_path, lambda c: css.write_bytes(original + b"\n.qd-test { color: teal; }\n"))
    finally:
        css.write_bytes(original)
    assert units == {kind: set() for kind in UNITS}  # no note's unit reads a page's stylesheet
    assert rebuilt == {output}


def test_an_option_remakes_the_units_rendered_with_it(tmp_path: Path) -> None:
    def change(config: Config) -> Config:
        return replace(config, exporter_options=(("html", HtmlOptions(image_cap_kb=0)),))

    units, rebuilt = run(tmp_path, change)
    assert units == {"anki": set(), "html": {A, B, C}, "pdf-html": set(), "pdf": set()}
    assert rebuilt == {"html"}


def test_a_fonts_bytes_reprint_every_document_set_in_it(tmp_path: Path) -> None:
    system = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
    if not system.is_file():
        pytest.skip("no Noto Sans CJK file to copy")
    font = tmp_path / "font.ttc"
    shutil.copyfile(system, font)

    def change(config: Config) -> None:
        with font.open("ab") as handle:  # bytes after the last table: the same glyphs, another file
            handle.write(b"\0" * 16)

    units, rebuilt = run(tmp_path, change, exporter_options=(("pdf", PdfOptions(font=font)),))
    assert units["anki"] == units["html"] == units["pdf-html"] == set()  # the same glyphs covered
    assert units["pdf"] == {A, B, C, "other"}
    assert rebuilt == {"pdf"}


def test_the_language_remakes_every_unit(tmp_path: Path) -> None:
    english = "### What does the long English question ask about the model here?\n> Many things.\n" * 4
    units, rebuilt = run(tmp_path, lambda c: (c.notes / C).write_text(f"# Other\n\n{english}", "utf-8"))
    assert units == {"anki": {A, B, C}, "html": {A, B, C}, "pdf-html": {A, B, C}, "pdf": {A, B, C, "other"}}
    assert rebuilt == {"anki", "html", "pdf"}


def test_a_linked_notes_title_remakes_the_notes_whose_links_land_on_it(tmp_path: Path) -> None:
    units, rebuilt = run(tmp_path, lambda c: edit(c.notes / B, "# 归一化", "# 归一化方法"))
    # A's chapter is written again (its model holds B's title) but prints the same HTML: the
    # printed document is reused.
    assert {kind: found - {"other"} for kind, found in units.items()} == \
        {"anki": {A, B}, "html": {A, B}, "pdf-html": {A, B}, "pdf": {B}}
    assert rebuilt == {"anki", "html", "pdf"}


def test_a_fresh_process_sees_nothing_changed(tmp_path: Path) -> None:
    """The records are checkable before any exporter is loaded: a no-op build in a new process
    (as a person runs it) parses nothing and writes nothing."""
    notes = write_notes(tmp_path / "notes", NOTES)
    for path in notes.rglob("*"):
        os.utime(path, (1_600_000_000, 1_600_000_000))  # old enough to be recorded as up to date
    command = [sys.executable, "-m", "qadeck", "build", str(notes), "--out", str(tmp_path / "out"),
               "--only", "anki,html"]
    said = [subprocess.run(command, capture_output=True, text=True, check=True).stderr for _ in range(3)]
    assert "nothing changed" in said[2]


# -- the recorder ----------------------------------------------------------------------------------

def test_a_unit_holds_while_what_it_read_holds(tmp_path: Path) -> None:
    path = tmp_path / "input.txt"
    path.write_text("one")
    units = depends.Units(Store(tmp_path / "cache", "test"))
    made: list[str] = []

    def make() -> str:
        made.append("x")
        data = depends.read_file(path)
        return data.decode() if data else ""

    assert units.make("subject", make) == "one"
    units = depends.Units(units.store)  # the next build
    assert units.make("subject", make) == "one" and len(made) == 1  # from the cache
    path.write_text("two")
    units = depends.Units(units.store)
    assert units.make("subject", make) == "two" and len(made) == 2  # the record no longer holds


def test_a_record_nobody_can_check_is_made_again(tmp_path: Path) -> None:
    units = depends.Units(Store(tmp_path / "cache", "test"))
    made: list[str] = []

    def make() -> str:
        made.append("x")
        depends.note_value("unknown", "question", "answer")
        return "made"

    units.make("subject", make)
    units.make("subject", make)
    assert len(made) == 2


def test_a_question_is_asked_again(tmp_path: Path) -> None:
    answers = {"link": "here"}
    landing = depends.Asked("landing", answers.get)
    units = depends.Units(Store(tmp_path / "cache", "test"), None, landing)
    made: list[str] = []

    def make() -> str:
        made.append("x")
        return str(landing("link"))

    assert units.make("subject", make) == "here"
    assert units.make("subject", make) == "here" and len(made) == 1
    answers["link"] = "there"
    assert units.make("subject", make) == "there" and len(made) == 2


def test_a_cached_unit_hands_its_world_records_to_the_units_around_it(tmp_path: Path) -> None:
    path = tmp_path / "input.txt"
    path.write_text("one")
    units = depends.Units(Store(tmp_path / "cache", "test"))
    units.make("subject", lambda: depends.read_file(path))
    with depends.recording(values=False) as output:
        units.make("subject", lambda: depends.read_file(path))  # from the cache: nothing read
    assert [name for _, name, _ in output.records()] == [str(path)]


def test_a_setup_is_part_of_the_key(tmp_path: Path) -> None:
    store = Store(tmp_path / "cache", "test")
    with depends.recording() as first:
        depends.construct(dict, (("option", 1),))
    with depends.recording() as second:
        depends.construct(dict, (("option", 2),))
    assert depends.Units(store, first).entry("subject") != depends.Units(store, second).entry("subject")


def test_sets_digest_the_same_in_every_process() -> None:
    assert depends.stable(frozenset({"b", "a"})) == depends.stable(frozenset({"a", "b"}))
    assert repr(depends.stable(frozenset({"b", "a"}))) == "('set', ['a', 'b'])"
