"""Rebuild benchmark: `qadeck build` (all four outputs) as a person runs it, side by side with
Chromium printing the same handbook HTML.

On a copy of the synthetic corpus with SOURCE_DATE_EPOCH fixed: a clean build (empty build cache,
no outputs), the first rebuild without a change (the deck reads the package it wrote, so it is made
once more to see that it comes out the same), a no-op rebuild, a rebuild after one answer was
edited, and rebuilds after a change to a style only the cheat sheet reads (cheatsheet.css) and to
the handbook's (handbook.css; the style files are restored afterwards). Each is the real command
in a fresh process; peak memory is that of all its processes together. Run by `make bench` through
bench.py, or alone: `python scripts/bench_rebuild.py [questions]`.
"""

from __future__ import annotations

import os
import shutil
import sys
from importlib.resources import files
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from bench import measure, run_alone  # noqa: E402
from bench_handbook import _chromium, _inline_html  # noqa: E402

MAX_QUESTIONS = 1_000  # the handbook of 10,000 questions is not printed (see bench_handbook)
EPOCH = "1700000000"
OLD = 1_600_000_000  # files saved long ago (a file saved just now is not recorded as up to date)


def bench(notes: Path, questions: int, work: Path) -> None:
    if questions > MAX_QUESTIONS:
        print(f"rebuild   {questions:>6} questions: skipped (benchmarked at {MAX_QUESTIONS:,} questions)")
        return
    work.mkdir(parents=True, exist_ok=True)
    copy = work / "notes"
    shutil.copytree(notes, copy)
    _age(copy)
    out = work / "out"
    rows = [("clean build", _build(copy, out))]
    # The deck reads the package it wrote: the first rebuild makes it again to see that it settles.
    rows.append(("first rebuild, no change", _build(copy, out)))
    rows.append(("no-op rebuild", _build(copy, out)))
    _edit_one_answer(copy)
    rows.append(("one answer edited", _build(copy, out)))
    for style in ("cheatsheet.css", "handbook.css"):
        with _changed_style(style):
            rows.append((f"{style} changed", _build(copy, out)))
    for label, row in rows:
        print(f"rebuild   {questions:>6} questions: {label:<25} {row['seconds']:6.2f} s, "
              f"peak {row['tree_mb']:4.0f} MB (all processes)")
    chromium = _chromium(_inline_html(copy, work / "chromium"), work / "chromium.pdf")
    if chromium is None:
        print("rebuild   chromium not found: install the Debian package `chromium` to compare")
        return
    seconds = chromium[0]
    clean, noop, edit = rows[0][1]["seconds"], rows[2][1]["seconds"], rows[3][1]["seconds"]
    print(f"chromium  {questions:>6} questions: {seconds:.1f} s print-to-pdf of the whole handbook HTML")
    print(f"rebuild/chromium: clean {clean / seconds:.2f}x (target <= 2x), one answer edited "
          f"{edit / seconds:.2f}x (target <= 0.3x); no-op {noop:.2f} s (target <= 0.5 s)")


def _build(notes: Path, out: Path) -> dict[str, float]:
    """`qadeck build` in its own process, timed from the start of that process."""
    command = [sys.executable, "-m", "qadeck", "build", str(notes), "--out", str(out)]
    return measure(f"""
        import os, subprocess
        from tree_memory import TreeMemory
        env = dict(os.environ, SOURCE_DATE_EPOCH={EPOCH!r})
        start = time.perf_counter()
        with TreeMemory() as tree:
            done = subprocess.run({command!r}, capture_output=True, text=True, env=env, timeout=1800)
        if done.returncode != 0:
            sys.exit(done.stderr)
        print("seconds=%f" % (time.perf_counter() - start))
        print("tree_mb=%.1f" % tree.peak_mb)
    """)


def _age(notes: Path) -> None:
    for path in notes.rglob("*"):
        if path.is_file():
            os.utime(path, (OLD, OLD))


def _edit_one_answer(notes: Path) -> None:
    note = sorted(notes.rglob("*.md"))[len(list(notes.rglob("*.md"))) // 2]
    text = note.read_text(encoding="utf-8")
    at = text.index("\n> ") + 3
    note.write_text(text[:at] + "改过的 " + text[at:], encoding="utf-8")


class _changed_style:
    """A style file of the installed styles with one rule added, restored on the way out."""

    def __init__(self, name: str) -> None:
        self.path = Path(str(files("qadeck.styles").joinpath(name)))
        self.original = self.path.read_bytes()

    def __enter__(self) -> None:
        self.path.write_bytes(self.original + b"\n.qd-bench-change { color: #123456; }\n")

    def __exit__(self, *exc: object) -> None:
        self.path.write_bytes(self.original)


def main() -> None:
    run_alone(bench, [MAX_QUESTIONS], "qadeck-bench-rebuild-")


if __name__ == "__main__":
    main()
