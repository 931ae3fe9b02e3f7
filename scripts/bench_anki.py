"""Anki export benchmark: time, CPU and peak memory of `qadeck.exporters.anki.export`, rendering
included, parsing not (bench.py measures that; the peak includes it). CPU counts the render
worker processes; "largest child" is the biggest of them (or of the parser's workers). Run by
`make bench` through bench.py, or alone: `python scripts/bench_anki.py [questions ...]`."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from bench import measure, run_alone  # noqa: E402


def bench(notes: Path, questions: int, work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    out = work / "bench.apkg"
    out.unlink(missing_ok=True)  # a cold build: no previous package to reuse
    result = measure(f"""
        from pathlib import Path
        from qadeck.build import context
        from qadeck.config import Config
        from qadeck.exporters import anki
        from qadeck.parser import parse_collection
        config = Config(notes=Path({str(notes)!r}))
        collection = parse_collection(config.notes, config.parse_options())
        def children_cpu():
            usage = resource.getrusage(resource.RUSAGE_CHILDREN)
            return usage.ru_utime + usage.ru_stime
        start, start_cpu, start_children = time.perf_counter(), time.process_time(), children_cpu()
        diagnostics = anki.export(collection, Path({str(out)!r}), config.options("anki"), context(config))
        print("seconds=%f" % (time.perf_counter() - start))
        print("cards=%d" % sum(1 for q in collection.questions() if q.answered))
        print("workers_peak_mb=%.1f" % (resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024))
        print("cpu_seconds=%f" % (time.process_time() - start_cpu + children_cpu() - start_children))
    """)
    size = out.stat().st_size / 1e6
    rate = result["cards"] / result["seconds"]
    workers = f", largest child {result['workers_peak_mb']:.0f} MB" if result["workers_peak_mb"] else ""
    print(f"anki      {questions:>6} questions: {result['seconds']:.3f} s export, {rate:,.0f} cards/s, "
          f"{result['cpu_seconds']:.1f} s CPU, peak {result['peak_mb']:.0f} MB (parse included){workers}; "
          f"{int(result['cards'])} cards, {size:.1f} MB package")


def main() -> None:
    run_alone(bench, [1_000, 10_000], "qadeck-bench-anki-")


if __name__ == "__main__":
    main()
