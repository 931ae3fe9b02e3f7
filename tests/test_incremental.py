"""The build cache: a rebuild after any change equals a build without the cache, byte for byte, and
a rebuild after no change writes nothing."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from qadeck.build import build
from qadeck.cli import cli
from qadeck.config import Config
from qadeck.exporters.cheatsheet.options import HtmlOptions
from tests.conftest import REPO, write_notes

FAST = ["json", "anki", "html"]
PIXEL = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                      "0000000d4944415478da63f8cfc0f01f0005000201e2266e8a0000000049454e44ae426082")
NOTES = {
    "ml/attention_QA.md": "# 注意力\n\n## 基础\n\n### 什么是注意力?\n> 加权求和 $a_i$.\n\n"
                          "![图](img/a.png)\n\n### 为什么缩放?\n"
                          "> 见 [归一化](../norm_QA.md#为什么要归一化) 和 [其他](../other_QA.md).\n",
    "ml/img/a.png": PIXEL,
    "norm_QA.md": "# 归一化\n\n### 为什么要归一化?\n> 稳定训练 $\\sigma$.\n\n### 无答案?\n",
    "other_QA.md": "# 其他\n\n### 一个问题?\n> 一个答案.\n",
}


@pytest.fixture(autouse=True)
def _epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")


def age(notes: Path) -> None:
    """Files as if saved a while ago: a file saved just now may change again within its mtime tick,
    so a build records nothing as up to date until its inputs are older than that."""
    for path in notes.rglob("*"):
        if path.is_file():
            os.utime(path, (1_600_000_000, 1_600_000_000))


def files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def incremental_equals_clean(tmp_path: Path, config: Config, only: list[str]) -> dict[str, bytes]:
    """Rebuild `config.out` with its cache, and a copy of the outputs (no cache) afresh: the same."""
    clean = tmp_path / f"clean-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(config.out, clean, ignore=shutil.ignore_patterns(".cache"))
    _, fresh = build(Config(**{**config.__dict__, "out": clean}), only, cache=False)
    _, cached = build(config, only)
    assert [o.error for o in cached] == [None] * len(only)
    assert [o.diagnostics for o in cached] == [o.diagnostics for o in fresh]
    made = files(config.out)
    assert made == files(clean)
    return made


def start(tmp_path: Path, only: list[str] = FAST, **settings) -> Config:
    notes = write_notes(tmp_path / "notes", NOTES)
    config = Config(notes=notes, out=tmp_path / "out", title="题集", **settings)
    build(config, only)
    return config


def entries(config: Config, kind: str) -> dict[str, int]:
    folder = config.out / ".cache" / kind
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


def test_edit_redoes_only_that_note(tmp_path: Path) -> None:
    config = start(tmp_path)
    before = {kind: entries(config, kind) for kind in ("notes", "anki", "html")}
    path = config.notes / "other_QA.md"
    path.write_text(path.read_text("utf-8").replace("一个答案", "另一个答案"), "utf-8")
    made = incremental_equals_clean(tmp_path, config, FAST)
    assert "另一个答案".encode() in made["qadeck.html"]
    for kind in ("notes", "anki", "html"):
        after = entries(config, kind)
        kept = {name for name in after if before[kind].get(name) == after[name]}
        assert len(after) == 3 and len(kept) == 2, kind  # the two other notes' entries are reused


@pytest.mark.parametrize("change", ["add", "remove", "rename", "move", "linked title", "linked note leaves",
                                    "image"])
def test_changes_equal_a_clean_build(tmp_path: Path, change: str) -> None:
    config = start(tmp_path)
    notes = config.notes
    if change == "add":
        write_notes(notes, {"new_QA.md": "# 新\n\n### 新问题?\n> 新答案 $x^2$.\n"})
    elif change == "remove":
        (notes / "other_QA.md").unlink()
    elif change == "rename":
        (notes / "other_QA.md").rename(notes / "renamed_QA.md")
    elif change == "move":
        (notes / "other_QA.md").rename(notes / "ml" / "other_QA.md")
    elif change == "linked title":
        path = notes / "norm_QA.md"
        path.write_text(path.read_text("utf-8").replace("# 归一化", "# 规范化"), "utf-8")
    elif change == "linked note leaves":  # no questions: not on the cheat sheet, a link to it goes nowhere
        (notes / "other_QA.md").write_text("# 其他\n\n没有问题了.\n", "utf-8")
    else:
        (notes / "ml" / "img" / "a.png").write_bytes(PIXEL.replace(b"\xf8\xcf", b"\xf8\xce"))
    made = incremental_equals_clean(tmp_path, config, FAST)
    # Once more without a change: the deck reads its last package (a moved card's tag served that
    # build and goes), with the cache as without it.
    incremental_equals_clean(tmp_path, config, FAST)
    if change == "linked title":  # the note that links to it carries the new title (its read was cached)
        assert '"target_title": "规范化"'.encode() in made["qadeck.json"]


def test_option_change_rebuilds_that_output_alone(tmp_path: Path) -> None:
    config = start(tmp_path)
    age(config.notes)
    build(config, FAST)
    anki = (config.out / "qadeck.apkg").stat().st_mtime_ns
    config = Config(**{**config.__dict__, "exporter_options": (("html", HtmlOptions(image_cap_kb=0)),)})
    incremental_equals_clean(tmp_path, config, FAST)
    _, outputs = build(config, FAST)
    assert (config.out / "qadeck.apkg").stat().st_mtime_ns == anki
    assert any(d.code == "image.large" for d in next(o for o in outputs if o.name == "html").diagnostics)


def test_style_change_rebuilds_what_reads_the_style(tmp_path: Path) -> None:
    config = start(tmp_path)
    age(config.notes)
    build(config, FAST)
    anki = (config.out / "qadeck.apkg").stat().st_mtime_ns
    css = REPO / "styles" / "cheatsheet.css"
    original = css.read_bytes()
    try:
        css.write_bytes(original + b"\n.qd-test-style { color: teal; }\n")
        made = incremental_equals_clean(tmp_path, config, FAST)
    finally:
        css.write_bytes(original)
    assert b"qd-test-style" in made["qadeck.html"]
    assert (config.out / "qadeck.apkg").stat().st_mtime_ns == anki  # the deck does not read that style


def test_no_change_writes_nothing(tmp_path: Path) -> None:
    config = start(tmp_path)
    age(config.notes)
    build(config, FAST)  # records its inputs as up to date (they are old enough now)
    stats = {p.name: p.stat().st_mtime_ns for p in config.out.iterdir() if p.is_file()}
    first = files(config.out)
    collection, outputs = build(config, FAST)
    assert all(o.unchanged for o in outputs) and len(collection.notes) == 3
    assert {p.name: p.stat().st_mtime_ns for p in config.out.iterdir() if p.is_file()} == stats
    assert files(config.out) == first
    deck = next(o for o in outputs if o.name == "anki")
    assert deck.report is not None and deck.report.changes.summary().startswith("deck: +0 new, 0 changed,")
    assert [d.code for d in deck.diagnostics] == ["anki.summary"]  # the same report as before
    (config.out / "qadeck.html").unlink()  # an output gone is made again
    _, outputs = build(config, FAST)
    assert [o.unchanged for o in outputs] == [True, True, False]
    assert files(config.out) == first


def test_a_new_file_next_to_the_notes_is_seen(tmp_path: Path) -> None:
    """A link to an image that was missing resolves once the image is there."""
    config = start(tmp_path)
    write_notes(config.notes, {"other_QA.md": "# 其他\n\n### 一个问题?\n> 一个答案.\n\n![b](b.png)\n"})
    age(config.notes)
    build(config, FAST)
    build(config, FAST)
    (config.notes / "b.png").write_bytes(PIXEL)
    _, outputs = build(config, FAST)
    assert not any(o.unchanged for o in outputs)
    assert not any(d.code == "image.missing" for o in outputs for d in o.diagnostics)


def test_corrupt_entries_are_rebuilt(tmp_path: Path) -> None:
    config = start(tmp_path)
    for path in (config.out / ".cache").rglob("*.pickle"):
        path.write_bytes(path.read_bytes()[:20])
    (config.notes / "other_QA.md").write_text("# 其他\n\n### 一个问题?\n> 改了.\n", "utf-8")
    incremental_equals_clean(tmp_path, config, FAST)


def test_pdf_edit_equals_clean_and_no_change_leaves_it(tmp_path: Path) -> None:
    config = start(tmp_path, ["html", "pdf"])
    (config.notes / "other_QA.md").write_text("# 其他\n\n### 一个问题?\n> 改了.\n", "utf-8")
    incremental_equals_clean(tmp_path, config, ["html", "pdf"])
    age(config.notes)
    build(config, ["html", "pdf"])
    pdf = (config.out / "qadeck.pdf").stat().st_mtime_ns
    _, outputs = build(config, ["html", "pdf"])
    assert all(o.unchanged for o in outputs) and (config.out / "qadeck.pdf").stat().st_mtime_ns == pdf


def test_cli_no_cache_and_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no settings file: the default names
    notes = write_notes(tmp_path / "notes", NOTES)
    age(notes)
    runner = CliRunner()
    args = ["build", str(notes), "--out", str(tmp_path / "out"), "--only", "json,anki"]
    for _ in range(2):
        assert runner.invoke(cli, args).exit_code == 0
    done = runner.invoke(cli, args)
    assert "nothing changed" in done.stderr and "(unchanged)" in done.stdout
    fresh = runner.invoke(cli, [*args, "--no-cache"])
    assert fresh.exit_code == 0 and "nothing changed" not in fresh.stderr
    assert runner.invoke(cli, ["clean", "--out", str(tmp_path / "out")]).exit_code == 0
    assert not (tmp_path / "out" / ".cache").exists() and (tmp_path / "out" / "qadeck.apkg").is_file()
    gone = runner.invoke(cli, ["clean", "--out", str(tmp_path / "out"), "--outputs"])
    assert gone.exit_code == 0 and "qadeck.apkg" in gone.stderr
    assert not any(p.is_file() for p in (tmp_path / "out").iterdir())


def test_a_build_of_some_outputs_keeps_the_others_records(tmp_path: Path) -> None:
    config = start(tmp_path)
    age(config.notes)
    build(config, FAST)
    build(config, ["html"])
    stats = {p.name: p.stat().st_mtime_ns for p in config.out.iterdir() if p.is_file()}
    _, outputs = build(config, FAST)  # not the last build's outputs: parsed again, nothing rewritten
    assert all(o.unchanged for o in outputs)
    assert {p.name: p.stat().st_mtime_ns for p in config.out.iterdir() if p.is_file()} == stats
