"""A real `qadeck build` with workers, killed: no process, no temporary file, no traceback left.

Each build runs in a session of its own, so its workers are found by their process group; its
TMPDIR is a folder of the test, so whatever it leaves in /tmp is seen.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import write_notes

QADECK = [sys.executable, "-c", "from qadeck.cli import main; main()"]
KILL_AFTER = {"first-worker": 0.0, "later": 2.0}  # seconds after the first worker process appears


def _book(root: Path, chapters: int = 8) -> Path:
    """Eight chapters (or `chapters`) of six formulas each (enough for the formula workers), some with
    Chinese text in them (the math font's fallback), and the handbook's printing pool (two workers)."""
    notes = {}
    for chapter in range(chapters):
        questions = "".join(
            f"### 问题 {chapter}.{i}：注意力的第 {i} 个性质?\n\n"
            f"> 答：$\\text{{头数}}_{{{chapter}}} \\times d_{{{i}}}"
            f" + \\sum_{{k={i}}}^{{n}} x_k^{{{chapter}}}$，"
            f"以及一段较长的说明文字，{'用来占满版面。' * 20}\n\n"
            for i in range(6))
        notes[f"chapter{chapter}/第{chapter}章_QA.md"] = f"# 第 {chapter} 章\n\n{questions}"
    return write_notes(root, notes)


def _group(pgid: int) -> list[int]:
    """The live processes of a process group (zombies are dead)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            found.append(int(entry))
    return found


def _start(notes: Path, out: Path, tmp: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "TMPDIR": str(tmp)}
    return subprocess.Popen([*QADECK, "build", str(notes), "--out", str(out), *extra], env=env, text=True,
                            cwd=out.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def _wait_for_workers(build: subprocess.Popen, limit: float = 120.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and build.poll() is None:
        if len(_group(build.pid)) > 1:
            return True
        time.sleep(0.02)
    return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
@pytest.mark.parametrize("moment", list(KILL_AFTER))
@pytest.mark.parametrize("number", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_build_leaves_no_process_and_no_temporary_file(tmp_path: Path, number: int, moment: str):
    notes, out, tmp = _book(tmp_path / "notes"), tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    build = _start(notes, out, tmp)
    try:
        assert _wait_for_workers(build), "the build finished before it started a worker"
        if KILL_AFTER[moment]:
            time.sleep(KILL_AFTER[moment])
            _wait_for_workers(build)  # the printing pool, after the formulas' one
        workers = len(_group(build.pid)) - 1
        os.kill(build.pid, number)
        stdout, stderr = build.communicate(timeout=60)
        time.sleep(1.0)
        left = _group(build.pid)
    finally:
        for pid in _group(build.pid):
            os.kill(pid, signal.SIGKILL)  # only this test's own build
    assert left == [], f"{len(left)} of the build's processes alive 1 s after {number.name}"
    assert "Traceback" not in stderr and "Error" not in stderr.replace("error", ""), stderr
    assert "Warning" not in stderr, stderr  # (multiprocessing's resource tracker, after the build is gone)
    if number == signal.SIGTERM:
        assert build.returncode == 143, stderr
        assert stderr.splitlines()[-1].startswith("qadeck: stopped by SIGTERM"), stderr
    else:
        assert build.returncode == -signal.SIGKILL
    assert list(tmp.iterdir()) == [], "left in TMPDIR"
    print(f"{number.name} at {moment}: {workers} worker(s) alive at the kill, 0 left after 1 s")
    # the next build finishes, and removes what the killed one left in the output folder
    again = subprocess.run([*QADECK, "build", str(notes), "--out", str(out)], cwd=tmp_path,
                           env={**os.environ, "TMPDIR": str(tmp)}, capture_output=True, text=True,
                           timeout=600)
    assert again.returncode == 0, again.stderr
    assert [p for p in out.rglob("*.tmp")] == []
    assert list(tmp.iterdir()) == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_killed_build_without_the_cache_leaves_nothing_in_tmp(tmp_path: Path):
    """--no-cache keeps its throwaway cache in the build's scratch folder, not in /tmp."""
    notes, out, tmp = _book(tmp_path / "notes"), tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    build = _start(notes, out, tmp, "--no-cache")
    try:
        assert _wait_for_workers(build), "the build finished before it started a worker"
        os.kill(build.pid, signal.SIGKILL)
        build.communicate(timeout=60)
        time.sleep(1.0)
    finally:
        for pid in _group(build.pid):
            os.kill(pid, signal.SIGKILL)
    assert list(tmp.iterdir()) == [], "left in TMPDIR"
    again = subprocess.run([*QADECK, "build", str(notes), "--out", str(out), "--no-cache", "--only", "json"],
                           cwd=tmp_path, env={**os.environ, "TMPDIR": str(tmp)}, capture_output=True,
                           text=True, timeout=600)
    assert again.returncode == 0, again.stderr
    assert list((out / ".cache" / "tmp").iterdir()) == []  # the killed build's folder is gone too
    assert list(tmp.iterdir()) == []


def test_ctrl_c_stops_a_build_with_one_line_and_exit_130(tmp_path: Path):
    # a book long enough that the build is still printing half a second after its first worker,
    # however fast the machine (eight chapters can be done by then on a quiet one)
    notes, out, tmp = _book(tmp_path / "notes", chapters=32), tmp_path / "out", tmp_path / "tmp"
    tmp.mkdir()
    build = _start(notes, out, tmp)
    try:
        assert _wait_for_workers(build)
        time.sleep(0.5)
        os.killpg(build.pid, signal.SIGINT)  # as a terminal does: the whole foreground group
        _, stderr = build.communicate(timeout=60)
        time.sleep(1.0)
        left = _group(build.pid)
    finally:
        for pid in _group(build.pid):
            os.kill(pid, signal.SIGKILL)
    assert left == [] and build.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr, stderr
    assert stderr.splitlines()[-1].startswith("qadeck: stopped by Ctrl-C"), stderr
    assert list(tmp.iterdir()) == [] and [p for p in out.rglob("*.tmp")] == []


def test_the_next_build_removes_a_temporary_file_a_killed_writer_left(tmp_path: Path):
    out = tmp_path / "out"
    (out / ".cache" / "pdf").mkdir(parents=True)
    code = ("import os, sys; from pathlib import Path; from qadeck.atomic import atomic_path\n"
            "held = [atomic_path(Path(target)) for target in sys.argv[1:]]\n"
            "for context in held:\n"
            "    context.__enter__().write_bytes(b'half')\n"
            "print('ready', flush=True); os.kill(os.getpid(), 9)\n")
    targets = [out / "qadeck.pdf", out / "qadeck.apkg", out / "qadeck.manifest.json",
               out / ".cache" / "pdf" / ("0" * 64 + ".pickle")]
    killed = subprocess.run([sys.executable, "-c", code, *map(str, targets)], capture_output=True, text=True)
    assert killed.returncode == -9 and killed.stdout == "ready\n"
    assert len(list(out.rglob(".*.tmp"))) == 4
    holder = subprocess.Popen([sys.executable, "-c", code.replace("os.kill(os.getpid(), 9)", "input()"),
                               str(out / "qadeck.html")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline() == "ready\n"  # a build beside this one, writing its file
        time.sleep(1.1)
        notes = write_notes(tmp_path / "notes", {"a.md": "# A\n\n### 问?\n> 答\n"})
        result = subprocess.run([*QADECK, "build", str(notes), "--out", str(out), "--only", "json,anki"],
                                capture_output=True, text=True, timeout=300, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert [p.name.split(".")[1] for p in out.rglob(".*.tmp")] == ["qadeck"]  # the live one's only
        assert next(out.glob(".*.tmp")).name.startswith(".qadeck.html.")
    finally:
        holder.kill()
        holder.wait()
