"""The parse as a build runs it (`qadeck.build.parse`: read, links, checks), on the real notes:
../shared/corpus/sspace as it is and grown to the real repository's size (~290 problems,
`synth_problems`).

Each figure is a fresh process: the parse without a build cache (what `qadeck check` does), the
parse with a warm build cache and no change (what a build pays before its outputs are looked at),
and the parse after one problem note was edited (the edit loop). Wall and CPU seconds, best of 3;
figures only, no assertion. Run by `make bench` or alone: `python scripts/bench_parse.py`.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from bench import measure  # noqa: E402
from synth_problems import problem_notes, real_corpora  # noqa: E402


def bench(notes: Path, questions: int, work: Path) -> None:
    return  # the synthetic corpora's parse is bench.py's `bench_parse`; this one is `bench_corpus`


def bench_corpus(work: Path) -> None:
    corpora = real_corpora(work, "parse     the real-notes parse is")
    for notes in corpora or ():
        out = work / f"{notes.name}-out"
        problems = problem_notes(notes)
        cold = _parse(notes, None)
        _parse(notes, out)  # fills the build cache
        warm = _parse(notes, out)
        note = problems[len(problems) // 2]
        text = note.read_text(encoding="utf-8")
        edited = []
        for n in range(3):  # each edit is new to the cache
            note.write_text(text + f"\n改过 {n}\n", encoding="utf-8")
            edited.append(_parse(notes, out, repeat=1))
        note.write_text(text, encoding="utf-8")
        edit = min(edited, key=lambda r: r["wall"])
        for label, row in (("no build cache", cold), ("warm cache, no change", warm),
                           ("one problem edited", edit)):
            print(f"parse     {notes.name} ({len(problems)} problems): {label:<22} "
                  f"{row['wall']:.3f} s wall, {row['cpu']:.3f} s CPU")


def _parse(notes: Path, out: Path | None, repeat: int = 3) -> dict[str, float]:
    return measure(f"""
        from pathlib import Path
        from qadeck.build import parse
        from qadeck.config import load_config, with_overrides
        notes, out = Path({str(notes)!r}), {None if out is None else str(out)!r}
        config = with_overrides(load_config(notes), notes=notes, out=Path(out or notes / "build"))
        wall, cpu = time.perf_counter(), time.process_time()
        parse(config, None, None if out is None else Path(out) / ".cache")
        print("seconds=%f" % (time.perf_counter() - wall))
        print("wall=%f" % (time.perf_counter() - wall))
        print("cpu=%f" % (time.process_time() - cpu))
    """, repeat=repeat)


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="qadeck-bench-parse-") as tmp:
        bench_corpus(Path(tmp))


if __name__ == "__main__":
    main()
