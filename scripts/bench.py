"""Benchmark: prints figures, asserts nothing. `make bench`.

Generates synthetic corpora (1,000 and 10,000 questions) and measures each step in its own
process, so peak memory (max RSS) belongs to that step alone. Exporter benchmarks live in
`scripts/bench_<name>.py` modules with `bench(notes: Path, questions: int, work: Path) -> None`.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from synth import write_corpus  # noqa: E402

SIZES = (1_000, 10_000)


def measure(code: str, repeat: int = 1) -> dict[str, float]:
    """Run Python code in a fresh process; it prints `key=value` lines. Adds peak RSS (MB)."""
    wrapper = textwrap.dedent("""
        import resource, sys, time
        sys.path.insert(0, {here!r})
        {code}
        print("peak_mb=%.1f" % (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    """).format(here=str(HERE), code=textwrap.indent(textwrap.dedent(code), "").strip())
    best: dict[str, float] = {}
    for _ in range(repeat):
        done = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(done.stderr)
        values = {k: float(v) for k, v in (line.split("=", 1) for line in done.stdout.split() if "=" in line)}
        if not best or values.get("seconds", 0) < best.get("seconds", 0):
            best = values
    return best


def run_alone(bench, default_sizes: list[int], prefix: str) -> None:
    """`python scripts/bench_<name>.py [questions ...]`: one exporter's benchmark on its own."""
    sizes = [int(a) for a in sys.argv[1:]] or default_sizes
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        for size in sizes:
            notes = write_corpus(Path(tmp) / f"corpus_{size}", size)
            bench(notes, size, Path(tmp) / f"work_{size}")


def bench_parse(notes: Path, questions: int) -> None:
    result = measure(f"""
        from pathlib import Path
        from qadeck.parser import parse_collection
        start = time.perf_counter()
        collection = parse_collection(Path({str(notes)!r}))
        seconds = time.perf_counter() - start
        print("seconds=%f" % seconds)
        print("questions=%d" % len(collection.questions()))
    """, repeat=3)
    rate = result["questions"] / result["seconds"]
    print(f"parse     {questions:>6} questions: {result['seconds']:.3f} s, {rate:,.0f} questions/s, "
          f"peak {result['peak_mb']:.0f} MB (best of 3, {int(result['questions'])} parsed)")


def exporter_benches() -> list:
    modules = []
    for path in sorted(HERE.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        modules.append(module)
    return modules


def main() -> None:
    benches = exporter_benches()
    with tempfile.TemporaryDirectory(prefix="qadeck-bench-") as tmp:
        for size in SIZES:
            notes = write_corpus(Path(tmp) / f"corpus_{size}", size)
            bench_parse(notes, size)
            for module in benches:
                module.bench(notes, size, Path(tmp) / f"work_{size}_{module.__name__}")
        for module in benches:  # figures on the real notes, for the exporters that have them
            if hasattr(module, "bench_corpus"):
                module.bench_corpus(Path(tmp) / f"corpus_{module.__name__}")


if __name__ == "__main__":
    main()
