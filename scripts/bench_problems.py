"""The handbook of a whole real repository: ../shared/corpus/sspace as it is (136 coding problems,
its Q&A notes) and grown to the real repository's size (~290 problems, `synth_problems`).

For each, the real command in a fresh process (`qadeck build --only pdf`, as the edit loop runs it:
the parse cached too; two workers, SOURCE_DATE_EPOCH set):
a clean build (empty build cache), then one problem edited and the PDF rebuilt; then a later edit
in the loop `qadeck watch` runs (one process that rebuilt after an edit already), beside Chromium
printing the same notes as one HTML page (as in bench_rebuild); then the PDF read back: its size
and objects, the time `pdffonts` takes, the slowest page `pdftoppm` renders (each page on its own,
100 dpi), and the pages ending with a label (scripts/pagebreaks.py). Figures only, no assertion.
Run by `make bench` (with the 1,000-question corpus) or alone: `python scripts/bench_problems.py`.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from bench_handbook import _chromium, _inline_html  # noqa: E402
from pagebreaks import book_html, ending_with_a_label  # noqa: E402
from synth_problems import FULL_SIZE, problem_notes, real_corpora  # noqa: E402

EPOCH = "1700000000"


def bench(notes: Path, questions: int, work: Path) -> None:
    if questions != 1_000:
        return  # once per `make bench`, on the real notes (the synthetic corpus is not used)
    corpora = real_corpora(work, "problems  the whole-repository handbook is")
    if corpora is not None:
        one_repository(corpora[0], work / "sspace-out", "sspace")
        one_repository(corpora[1], work / "full-out", f"{FULL_SIZE} problems")


def one_repository(notes: Path, out: Path, label: str) -> None:
    count = len(problem_notes(notes))
    clean, clean_cpu = _pdf(notes, out)
    _edit(problem_notes(notes)[count // 2])
    edit, edit_cpu = _pdf(notes, out)
    watched, watched_cpu = _watched_edit(notes, out, problem_notes(notes)[count // 2 + 1:count // 2 + 3])
    pdf = next(out.glob("*.pdf"))
    size, objects = pdf.stat().st_size / 1e6, _objects(pdf)
    fonts = _seconds(["pdffonts", str(pdf)])
    pages, slowest, page = _slowest_page(pdf)
    labels = ending_with_a_label(pdf, book_html(notes, out))
    print(f"problems  {label}: {count} problems, {pages} pages; clean build {clean:.1f} s "
          f"(CPU {clean_cpu:.1f} s), one problem edited {edit:.1f} s (CPU {edit_cpu:.1f} s), "
          f"one edited in watch's loop {watched:.1f} s (CPU {watched_cpu:.1f} s)")
    print(f"problems  {label}: PDF {size:.1f} MB (target <= 8), {objects:,} objects; pdffonts {fonts:.2f} s "
          f"(target < 5); slowest page {slowest:.2f} s (p.{page}; target < 1); "
          f"{len(labels)} pages end with a label (target 0){': ' if labels else ''}"
          + ", ".join(f"p.{n} {line}" for n, line in labels[:8]))
    chromium = _chromium(_inline_html(notes, out / "chromium"), out / "chromium.pdf")
    if chromium is None:
        print("problems  chromium not found: install the Debian package `chromium` to compare")
        return
    seconds = chromium[0]
    print(f"problems  {label}: chromium {seconds:.1f} s print-to-pdf of the same notes as one page; "
          f"clean {clean / seconds:.2f}x (target <= 3x), one problem edited {edit / seconds:.2f}x, "
          f"in watch's loop {watched / seconds:.2f}x (target <= 0.3x)")


def _edit(note: Path) -> None:
    """A few characters into the note's first list line (else a line at its end)."""
    text = note.read_text(encoding="utf-8")
    at = text.index("\n- ") + 3 if "\n- " in text else len(text)
    note.write_text(text[:at] + "改过的 " + text[at:], encoding="utf-8")


def _watched_edit(notes: Path, out: Path, edited: list[Path]) -> tuple[float, float]:
    """(wall, CPU seconds) of the rebuild after the second of `edited` is edited, in one process
    that rebuilt after the first (what `qadeck watch` does on each save: `qadeck.build.build`
    again, in the session watch keeps, `qadeck.build.session`). The CPU counts the session's
    printing processes too, which live on after the build."""
    script = f"""
import multiprocessing, os, resource, sys, threading, time
from pathlib import Path
threading.Thread(target=threading.Event().wait, daemon=True).start()  # watch's watcher threads
sys.path.insert(0, {str(HERE)!r})
from bench_problems import _edit
from qadeck.build import build, session
from qadeck.config import load_config, with_overrides
config = with_overrides(load_config(Path({str(notes)!r})), notes=Path({str(notes)!r}), out=Path({str(out)!r}))
def cpu():
    used = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    live = 0
    for child in multiprocessing.active_children():  # not counted by RUSAGE_CHILDREN until they end
        try:
            fields = Path(f"/proc/{{child.pid}}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        live += int(fields[11]) + int(fields[12])  # utime, stime
    return sum(u.ru_utime + u.ru_stime for u in used) + live / os.sysconf("SC_CLK_TCK")
def pdf():
    _, outputs = build(config, ["pdf"])
    if outputs[0].error:  # a failed print is quick: no figure from it
        sys.exit(outputs[0].error)
with session(["pdf"]):
    pdf()
    _edit(Path({str(edited[0])!r}))
    pdf()
    _edit(Path({str(edited[1])!r}))
    start, before = time.perf_counter(), cpu()
    pdf()
    print(time.perf_counter() - start, cpu() - before)
"""
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                          timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    wall, cpu = done.stdout.split()[-2:]
    return float(wall), float(cpu)


def _pdf(notes: Path, out: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the build and its workers): the CPU time is what a shared
    machine disturbs least."""
    env = dict(os.environ, SOURCE_DATE_EPOCH=EPOCH)
    command = [sys.executable, "-m", "qadeck", "build", str(notes), "--out", str(out), "--only", "pdf"]
    start, before = time.perf_counter(), _children_cpu()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return time.perf_counter() - start, _children_cpu() - before


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _objects(pdf: Path) -> int:
    import pikepdf

    with pikepdf.open(pdf) as book:
        return len(book.objects)


def _seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True, timeout=600)
    return time.perf_counter() - start


def _slowest_page(pdf: Path) -> tuple[int, float, int]:
    """(pages, seconds of the slowest page, its number), each page rendered on its own."""
    import pypdf

    pages = len(pypdf.PdfReader(pdf).pages)
    with tempfile.TemporaryDirectory(prefix="qadeck-pages-") as tmp:
        times = [(_seconds(["pdftoppm", "-r", "100", "-f", str(n), "-l", str(n), str(pdf),
                            f"{tmp}/p"]), n) for n in range(1, pages + 1)]
    seconds, page = max(times)
    return pages, seconds, page


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="qadeck-bench-problems-") as tmp:
        bench(Path(tmp), 1_000, Path(tmp) / "work")


if __name__ == "__main__":
    main()
