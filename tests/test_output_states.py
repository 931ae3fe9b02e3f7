"""Every bad state of the output folder is one sentence and exit 1, the previous outputs kept.

Made for real: read-only bind mounts (chmod does not stop root), a tmpfs of a few hundred KB for a
full disk, a folder where a file goes and a file where a folder goes. Tests that need `mount` skip
where it is not permitted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import write_notes

QADECK = [sys.executable, "-c", "from qadeck.cli import main; main()"]
FAST = "json,anki,html"
NOTE = "# 代数\n\n### 勾股定理?\n> $a^2 + b^2 = c^2$，直角三角形。\n\n### 欧拉?\n> $e^{i\\pi} + 1 = 0$\n"


def _build(tmp_path: Path, out: Path, only: str = FAST) -> subprocess.CompletedProcess:
    return subprocess.run([*QADECK, "build", str(tmp_path / "notes"), "--out", str(out), "--only", only],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.is_file()}


def _edit(tmp_path: Path, n: int = 1) -> None:
    with open(tmp_path / "notes" / "a_QA.md", "a", encoding="utf-8") as handle:
        handle.write(f"\n### 新问题 {n}?\n> 新答案\n")


def _one_sentence(result: subprocess.CompletedProcess) -> list[str]:
    """The lines that say something failed (no traceback, no exception's name)."""
    text = result.stderr
    assert "Traceback" not in text and "Error" not in text.replace("error", ""), text
    return [line for line in text.splitlines() if line.startswith("qadeck: error") or ": failed: " in line]


@contextmanager
def _mounted(*args: str, target: Path) -> Iterator[None]:
    done = subprocess.run(["mount", *args, str(target)], capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"mount is not permitted here: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", str(target)], check=True)


@contextmanager
def _read_only(folder: Path) -> Iterator[None]:
    with _mounted("--bind", str(folder), target=folder):
        done = subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], capture_output=True)
        if done.returncode != 0:
            pytest.skip("a read-only bind mount is not permitted here")
        yield


@pytest.fixture
def built(tmp_path: Path) -> Path:
    write_notes(tmp_path / "notes", {"a_QA.md": NOTE})
    out = tmp_path / "out"
    assert _build(tmp_path, out).returncode == 0
    _edit(tmp_path)  # the next build has something to write
    return out


def test_a_read_only_output_folder_is_one_sentence_before_any_work(tmp_path: Path, built: Path):
    before = _outputs(built)
    with _read_only(built):
        result = _build(tmp_path, built)
    assert result.returncode == 1
    assert _one_sentence(result) == [f"qadeck: error: cannot write {built}/: the file system is read-only"]
    assert _outputs(built) == before


@pytest.mark.parametrize("part", [".cache", ".cache/notes", ".cache/build"])
def test_a_read_only_cache_only_costs_time(tmp_path: Path, built: Path, part: str):
    with _read_only(built / part):
        result = _build(tmp_path, built)
    assert result.returncode == 0 and _one_sentence(result) == [], result.stderr
    warned = [line for line in result.stderr.splitlines() if line.startswith("qadeck: warning")]
    assert warned == (["qadeck: warning: the build cache out/.cache cannot be written (the file system "
                       "is read-only): it is only read, so builds redo more"] if part == ".cache" else [])
    assert "新问题 1" in (built / "qadeck.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("part", [".cache", ".cache/notes", ".cache/anki", ".cache/math"])
def test_a_file_where_a_cache_folder_goes_only_costs_time(tmp_path: Path, built: Path, part: str):
    path = built / part
    subprocess.run(["rm", "-rf", str(path)], check=True)
    path.write_text("not a folder")
    result = _build(tmp_path, built, "json,anki,html" if part != ".cache/math" else "json,pdf")
    assert result.returncode == 0 and _one_sentence(result) == [], result.stderr
    assert "新问题 1" in (built / "qadeck.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("name,exporter", [("qadeck.html", "html"), ("qadeck.apkg", "anki"),
                                           ("qadeck.manifest.json", "anki"), ("qadeck.json", "json")])
def test_a_folder_where_an_output_goes_is_one_sentence_and_the_last_line_says_what_is_old(
        tmp_path: Path, built: Path, name: str, exporter: str):
    (built / name).unlink()
    (built / name).mkdir()
    before = _outputs(built)
    result = _build(tmp_path, built)
    assert result.returncode == 1
    assert _one_sentence(result) == [f"{exporter}: failed: cannot write {built / name}: "
                                     "a folder is where the file goes"]
    new = ", ".join(n for n in FAST.split(",") if n != exporter)
    assert result.stderr.splitlines()[-1] == (f"outputs: new: {new}; old (not written, left as the "
                                              f"last build wrote them): {exporter}")
    after = _outputs(built)
    mine = {"anki": ["qadeck.apkg", "qadeck.manifest.json"]}.get(exporter, [f"qadeck.{exporter}"])
    assert all(after.get(n) == before.get(n) for n in mine)  # its files as they were, all of them
    assert all(after[n] != before[n] for n in after if n not in mine)


def test_a_full_disk_is_one_sentence_per_output_and_keeps_the_previous_files(tmp_path: Path):
    write_notes(tmp_path / "notes", {"a_QA.md": NOTE})
    disk = tmp_path / "disk"
    disk.mkdir()
    with _mounted("-t", "tmpfs", "-o", "size=400k", "tmpfs", target=disk):
        out = disk / "out"
        assert _build(tmp_path, out).returncode == 0
        before = _outputs(out)
        _edit(tmp_path)
        filler = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT)  # the disk fills up, as disks do
        try:
            while os.write(filler, b"\0" * 4096):
                pass
        except OSError:
            pass
        finally:
            os.close(filler)
        result = _build(tmp_path, out)
        after = _outputs(out)
        leftovers = [p.name for p in out.rglob("*.tmp")]
    assert result.returncode == 1
    failed = _one_sentence(result)
    assert failed and all(line.endswith("no space left on the disk") for line in failed), failed
    old = [line.split(":")[0] for line in failed]
    files = {"anki": ["qadeck.apkg", "qadeck.manifest.json"]}
    for name in FAST.split(","):  # old and whole, or new and whole (the cache's pruning frees room)
        mine = files.get(name, [f"qadeck.{name}"])
        assert all((after[n] == before[n]) == (name in old) for n in mine), name
    if len(old) < 3:
        new = ", ".join(n for n in FAST.split(",") if n not in old)
        assert result.stderr.splitlines()[-1] == (f"outputs: new: {new}; old (not written, left as the "
                                                  f"last build wrote them): {', '.join(old)}")
    assert leftovers == []
