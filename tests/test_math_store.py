"""The formula cache (`<out>/.cache/math/svgmath.sqlite3`): damaged or foreign, it is made again."""

from __future__ import annotations

import hashlib
import hmac
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from qadeck.math import SVGMath
from qadeck.math.store import NAME, FormulaStore
from tests.conftest import write_notes

FORMULAS = [("a^2 + b^2 = c^2", False), (r"\sum_{i=1}^{n} x_i", True), ("e^{i\\pi} + 1 = 0", False)]
QADECK = [sys.executable, "-c", "from qadeck.cli import main; main()"]
EVIL = '<a href="https://evil.example/phish">click</a>'


def _fill(folder: Path) -> list[str]:
    engine = SVGMath(cache_dir=folder)
    htmls = [engine.render(latex, display) for latex, display in FORMULAS]
    engine.close()
    assert engine.rendered == len(FORMULAS) and engine.notices() == []
    return htmls


def _again(folder: Path) -> tuple[SVGMath, list[str]]:
    engine = SVGMath(cache_dir=folder)
    htmls = [engine.render(latex, display) for latex, display in FORMULAS]
    engine.close()
    return engine, htmls


@pytest.mark.parametrize("damage", ["half", "random", "empty-header", "other-database"])
def test_a_damaged_formula_cache_is_started_afresh_with_one_notice(tmp_path: Path, damage: str):
    htmls = _fill(tmp_path)
    path = tmp_path / NAME
    data = path.read_bytes()
    if damage == "half":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "random":
        path.write_bytes(os.urandom(len(data)))
    elif damage == "empty-header":
        path.write_bytes(b"SQLite format 3\0" + b"\xff" * 200)
    else:  # a database of another shape under the same name
        path.unlink()
        other = sqlite3.connect(path)
        other.execute("CREATE TABLE signed_formula (x INTEGER)")
        other.commit()
        other.close()
    engine, again = _again(tmp_path)
    assert again == htmls  # typeset again, the same bytes
    notices = engine.notices()
    assert engine.rendered + len(notices) >= 1 and len(notices) <= 1
    if engine.rendered:  # the file was unreadable: said once
        assert len(notices) == 1 and "formula cache" in notices[0]
    third, _ = _again(tmp_path)  # the cache works again after that
    assert third.rendered == 0 and third.notices() == []


def test_a_truncated_file_never_raises_even_when_sqlite_opens_it(tmp_path: Path):
    # many formulas: the file spans pages, so a cut leaves a header SQLite opens and a body it cannot read
    engine = SVGMath(cache_dir=tmp_path)
    formulas = [(f"x_{{{i}}} + \\frac{{{i}}}{{y}}", False) for i in range(60)]
    for latex, display in formulas:
        engine.render(latex, display)
    engine.close()
    path = tmp_path / NAME
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])
    second = SVGMath(cache_dir=tmp_path)
    assert len(second.missing(formulas)) >= 1
    for latex, display in formulas:
        second.render(latex, display)
    second.close()
    assert len(second.notices()) == 1 and second.rendered >= 1


def test_rows_written_by_someone_else_are_never_used(tmp_path: Path):
    htmls = _fill(tmp_path)
    db = sqlite3.connect(tmp_path / NAME)
    other_key = b"k" * 32  # another user's qadeck: its rows carry its own key's MAC
    for key, _, _ in db.execute("SELECT key, html, mac FROM signed_formula").fetchall():
        mac = hmac.new(other_key, key.encode() + b"\0" + EVIL.encode(), hashlib.sha256).digest()
        db.execute("UPDATE signed_formula SET html = ?, mac = ? WHERE key = ?", (EVIL, mac, key))
    db.commit()
    db.close()
    engine, again = _again(tmp_path)
    assert again == htmls and "evil" not in "".join(again)
    assert engine.rendered == len(FORMULAS)
    assert engine.notices() == [f"3 formula(s) in the formula cache {tmp_path / NAME} were not written by "
                                "this user's qadeck: never used, typeset again"]
    third, _ = _again(tmp_path)
    assert third.rendered == 0 and third.notices() == []


def test_an_old_unsigned_table_is_dropped(tmp_path: Path):
    db = sqlite3.connect(tmp_path / NAME)
    db.execute("CREATE TABLE formula (key TEXT PRIMARY KEY, html TEXT NOT NULL)")
    db.execute("INSERT INTO formula VALUES ('k', ?)", (EVIL,))
    db.commit()
    db.close()
    store = FormulaStore(tmp_path)
    assert store.get("k") is None
    store.close()
    tables = sqlite3.connect(tmp_path / NAME).execute("SELECT name FROM sqlite_master").fetchall()
    assert ("formula",) not in tables


def test_a_cache_folder_that_is_a_file_costs_time_only(tmp_path: Path):
    (tmp_path / "math").write_text("not a folder")
    engine = SVGMath(cache_dir=tmp_path / "math")
    assert engine.render("a+b", False).startswith("<img")
    engine.close()
    assert len(engine.notices()) == 1 and "cannot be kept" in engine.notices()[0]


def test_a_build_with_a_foreign_cache_says_so_once_and_prints_no_foreign_link(tmp_path: Path):
    """A build folder committed from another repository: another key signed every entry."""
    notes = write_notes(tmp_path / "notes", {
        "a.md": "# 代数\n\n### 勾股?\n> $a^2 + b^2 = c^2$ 与 $e^{i\\pi} + 1 = 0$\n"})
    out = tmp_path / "out"

    def build(home: str) -> subprocess.CompletedProcess:
        env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / home)}
        return subprocess.run([*QADECK, "build", str(notes), "--out", str(out), "--only", "pdf"],
                              capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)

    first = build("home-a")
    assert first.returncode == 0, first.stderr
    db = sqlite3.connect(out / ".cache" / "math" / NAME)
    db.execute("UPDATE signed_formula SET html = ?", (EVIL,))  # the other repository's rows
    db.commit()
    db.close()
    second = build("home-b")  # another user: every entry of this cache is foreign to them
    assert second.returncode == 0 and "Traceback" not in second.stderr, second.stderr
    said = [line for line in second.stderr.splitlines() if "[cache.remade]" in line]
    assert len(said) == 1 and "2 formula(s)" in said[0], second.stderr
    assert b"evil.example" not in next(out.glob("*.pdf")).read_bytes()
