"""PDF handbook benchmark: qadeck's handbook beside Chromium printing the same HTML.

For the handbook: wall time, CPU time, pages and peak memory of `handbook.export`, once with an
empty build cache (cold), once with the formulas cached but every chapter printed again (warm: a
clean print), both by two worker processes (the default), once more warm in one process
(`--jobs 1`), and once with every chapter's PDF cached (only the join and the numbers). Peak
memory is the largest sum of the resident memory of the main process and its workers, sampled
every 100 ms (Linux), beside each one's own peak. For Chromium: `chromium --headless
--print-to-pdf` on the very HTML WeasyPrint gets, with the same stylesheets inlined (Chromium
ignores the paged-media parts: running headers, page counters, leaders). Only the 1,000-question
corpus is printed; 10,000 questions would be a 3,000-page book that nobody prints. Run by
`make bench` through bench.py, or alone: `python scripts/bench_handbook.py [questions]`.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from bench import measure, run_alone  # noqa: E402

MAX_QUESTIONS = 1_000
CHROMIUM = ("chromium", "chromium-browser", "google-chrome")


def bench(notes: Path, questions: int, work: Path) -> None:
    if questions > MAX_QUESTIONS:
        print(f"pdf       {questions:>6} questions: skipped (the handbook is benchmarked at "
              f"{MAX_QUESTIONS:,} questions)")
        return
    work.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(work / ".cache", ignore_errors=True)  # cold: no formula cached yet
    cold = _handbook(notes, work)
    shutil.rmtree(work / ".cache" / "pdf")  # warm: formulas cached, every chapter printed again
    warm = _handbook(notes, work)
    cached = _handbook(notes, work)
    shutil.rmtree(work / ".cache" / "pdf")
    alone = _handbook(notes, work, jobs=1)
    workers = int(warm["workers"])
    print(f"pdf       {questions:>6} questions: cold {cold['seconds']:.1f} s "
          f"({cold['cpu_seconds']:.1f} s CPU, {int(cold['cached'])} formulas typeset), "
          f"warm {warm['seconds']:.1f} s ({warm['cpu_seconds']:.1f} s CPU) in {workers} worker processes; "
          f"{int(warm['pages'])} pages, {warm['mb']:.1f} MB PDF")
    print(f"pdf       {questions:>6} questions: peak memory of all its processes together "
          f"{warm['tree_mb']:.0f} MB (main process {warm['peak_mb']:.0f} MB, largest worker "
          f"{warm['workers_mb']:.0f} MB)")
    print(f"pdf       {questions:>6} questions: one process (--jobs 1) warm {alone['seconds']:.1f} s, "
          f"peak {alone['tree_mb']:.0f} MB")
    print(f"pdf       {questions:>6} questions: every chapter cached (join and numbers only) "
          f"{cached['seconds']:.2f} s, peak {cached['tree_mb']:.0f} MB")
    html = _inline_html(notes, work)
    chromium = _chromium(html, work / "chromium.pdf")
    if chromium is None:
        print("pdf       chromium not found: install the Debian package `chromium` to compare")
        return
    seconds, pages, peak = chromium
    print(f"chromium  {questions:>6} questions: {seconds:.1f} s print-to-pdf of the same HTML, "
          f"{pages} pages, largest process {peak:.0f} MB")
    print(f"pdf/chromium: warm {warm['seconds'] / seconds:.1f}x, cold {cold['seconds'] / seconds:.1f}x, "
          f"one process {alone['seconds'] / seconds:.1f}x, chapters cached "
          f"{cached['seconds'] / seconds:.2f}x (targets: clean <= 2x, < 1 GB)")


def _handbook(notes: Path, work: Path, jobs: int = 0) -> dict[str, float]:
    return measure(f"""
        from pathlib import Path
        from qadeck.build import context
        from qadeck.config import Config, with_options
        from qadeck.exporters import handbook
        from qadeck.parser import parse_collection
        import pypdf
        config = Config(notes=Path({str(notes)!r}), out=Path({str(work)!r}), title="基准手册")
        config = with_options(config, "pdf", jobs={jobs})
        collection = parse_collection(config.notes, config.parse_options())
        out = Path({str(work / "handbook.pdf")!r})
        from tree_memory import TreeMemory
        start, start_cpu = time.perf_counter(), time.process_time()
        with TreeMemory() as tree:
            handbook.export(collection, out, config.options("pdf"), context(config))
        print("tree_mb=%.1f" % tree.peak_mb)
        print("seconds=%f" % (time.perf_counter() - start))
        workers = resource.getrusage(resource.RUSAGE_CHILDREN)
        print("cpu_seconds=%f" % (time.process_time() - start_cpu + workers.ru_utime + workers.ru_stime))
        print("workers_mb=%.1f" % (workers.ru_maxrss / 1024))
        print("workers=%d" % ({jobs} or handbook.AUTO_JOBS))
        print("pages=%d" % len(pypdf.PdfReader(out).pages))
        print("mb=%f" % (out.stat().st_size / 1e6))
        import sqlite3
        cache = sqlite3.connect(Path({str(work)!r}) / ".cache" / "math" / "svgmath.sqlite3")
        print("cached=%d" % cache.execute("SELECT count(*) FROM signed_formula").fetchone()[0])
    """)


def _inline_html(notes: Path, work: Path) -> Path:
    """The handbook's HTML with its stylesheets inlined, for Chromium (formulas from the cache)."""
    target = work / "handbook.html"
    measure(f"""
        from pathlib import Path
        from qadeck.build import context
        from qadeck.config import Config
        from qadeck.exporters import handbook
        from qadeck.exporters.handbook import book as handbook_html
        from qadeck.exporters.handbook.fonts import setup
        from qadeck.parser import parse_collection
        config = Config(notes=Path({str(notes)!r}), out=Path({str(work)!r}), title="基准手册")
        collection = parse_collection(config.notes, config.parse_options())
        options, shared = config.options("pdf"), context(config)
        engine = handbook.math_engine(options, shared)
        html = handbook_html.build(collection, options, shared, engine, setup(None).coverage,
                                   font_faces=handbook.font_faces(None)).html
        style = "<style>" + "\\n".join(handbook.stylesheets(collection.title, options, None)) + "</style>"
        Path({str(target)!r}).write_text(html.replace("</head>", style + "</head>", 1), encoding="utf-8")
    """)
    return target


def _chromium(html: Path, pdf: Path) -> tuple[float, int, float] | None:
    """Seconds, pages and the largest Chromium process's peak memory (measured in a wrapper
    process, so the handbook runs before it do not count)."""
    binary = next((shutil.which(name) for name in CHROMIUM if shutil.which(name)), None)
    if binary is None:
        return None
    with tempfile.TemporaryDirectory(prefix="qadeck-chromium-") as profile:
        command = [binary, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
                   "--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri()]
        result = measure(f"""
            import subprocess
            start = time.perf_counter()
            subprocess.run({command!r}, capture_output=True, check=True, timeout=600)
            print("seconds=%f" % (time.perf_counter() - start))
            print("children_mb=%.1f" % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024))
        """)
    import pypdf

    return result["seconds"], len(pypdf.PdfReader(pdf).pages), result["children_mb"]


def main() -> None:
    run_alone(bench, [MAX_QUESTIONS], "qadeck-bench-pdf-")


if __name__ == "__main__":
    main()
