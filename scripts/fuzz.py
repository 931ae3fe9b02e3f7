"""Fuzzing: mutate real notes many times and run each through what a build does. `make fuzz`.

Each mutation (`scripts/mutate.py`) of one note of the folder is written alone into a temporary
notes folder, read (parse and checks: what `qadeck check` does) and rendered into the light
outputs (JSON, Anki cards, the cheat sheet; the PDF too on a sample). Prints counts by outcome and
the slowest notes; asserts nothing, exits 1 when an exception escaped, a note was left out for an
internal error, a note hung, one took more than a second to read, or one output spent more than
RENDER_LIMIT seconds of CPU on it.

    python scripts/fuzz.py [FOLDER] [--count 10000] [--seed 1] [--jobs 2] [--pdf 20] [--save DIR]

Mutation i is a pure function of (seed, i), so `--only i` replays one; `--save DIR` writes the
notes behind each bad outcome there.
"""

from __future__ import annotations

import argparse
import multiprocessing
import queue
import random
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from mutate import mutate  # noqa: E402

SLOW = 1.0  # seconds to read one note: more is a finding
# CPU seconds one output may spend on one note: the renderer's limit per note (`qadeck.budget`),
# plus what an exporter does around it; more is a finding
RENDER_LIMIT = 2.5
# Measured as the worker's CPU time: on a machine shared with other work the wall clock also
# counts the time others ran (both are printed).
REFUSED = "fuzz.output-refused"
HUNG = 120.0  # seconds without an answer from a worker: the mutation hangs
# refused: an output stopped with a sentence for the user (the PDF, on a character no font has)
OUTCOMES = ("parsed", "diagnosed", "refused", "internal", "escaped", "hung")


@dataclass
class Result:
    index: int
    note: str  # the original note's path
    mutations: list[str]
    outcome: str  # one of OUTCOMES
    read: float = 0.0  # CPU seconds: parse and checks
    read_wall: float = 0.0  # the same on the wall clock
    render: float = 0.0  # seconds: JSON, cards, cheat sheet (and the PDF on a sample)
    outputs: dict[str, float] = field(default_factory=dict)  # CPU seconds per output
    detail: str = ""  # the exception, or the internal diagnostic


@dataclass
class Tally:
    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    slow: list[Result] = field(default_factory=list)  # read over SLOW (CPU)
    slow_wall: int = 0  # read over SLOW on the wall clock
    results: list[Result] = field(default_factory=list)

    def add(self, result: Result) -> None:
        self.outcomes[result.outcome] += 1
        if result.read > SLOW:
            self.slow.append(result)
        self.slow_wall += result.read_wall > SLOW
        self.results.append(result)


def notes_of(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.md") if not any(part.startswith(".") for part in p.parts))


def mutation(folder: Path, notes: list[Path], seed: int, index: int) -> tuple[Path, bytes, list[str]]:
    rng = random.Random(f"{seed}:{index}")
    path = rng.choice(notes)
    data, names = mutate(path.read_bytes(), rng)
    return path, data, names


def run_one(folder: Path, notes: list[Path], seed: int, index: int, pdf: bool) -> Result:
    path, data, names = mutation(folder, notes, seed, index)
    rel = path.relative_to(folder).as_posix()
    result = Result(index, rel, names, "parsed")
    with tempfile.TemporaryDirectory(prefix="qadeck-fuzz-") as tmp:
        root = Path(tmp) / "notes"
        target = root / rel
        target.parent.mkdir(parents=True)
        target.write_bytes(data)
        try:
            started, cpu = time.perf_counter(), time.process_time()
            collection = read(root)
            result.read, result.read_wall = time.process_time() - cpu, time.perf_counter() - started
            started = time.perf_counter()
            found = list(collection.diagnostics) + render(collection, root, Path(tmp), pdf, result.outputs)
            result.render = time.perf_counter() - started
        except Exception as exc:  # what the fuzzing is for: nothing may escape
            result.outcome = "escaped"
            frames = traceback.extract_tb(exc.__traceback__)
            where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
            result.detail = f"{type(exc).__name__}: {str(exc)[:120]} at {where}"
            return result
    internal = [d for d in found if d.code == "note.internal"]
    refused = [d for d in found if d.code == REFUSED]
    if internal:
        result.outcome, result.detail = "internal", str(internal[0])
    elif refused:
        result.outcome, result.detail = "refused", refused[0].message[:200]
    elif any(d.severity in ("warning", "error") for d in found):
        result.outcome = "diagnosed"
    return result


def read(root: Path):
    """What `qadeck check` does; drafts included, so that every note goes all the way."""
    from qadeck import checks
    from qadeck.parser import ParseOptions, parse_collection

    return checks.run(parse_collection(root, ParseOptions(drafts="include")))


def render(collection, root: Path, work: Path, pdf: bool = False,
           times: dict[str, float] | None = None) -> list:
    """The light outputs (JSON, Anki cards, the cheat sheet), and the PDF when `pdf`; their
    diagnostics. `times` gets the CPU seconds of each output."""
    from qadeck import __version__
    from qadeck.context import BuildContext
    from qadeck.exporters import anki, json_model
    from qadeck.exporters.anki.options import AnkiOptions
    from qadeck.exporters.cheatsheet import CheatSheet
    from qadeck.exporters.cheatsheet.options import HtmlOptions
    from qadeck.model import Diagnostic

    times = {} if times is None else times
    context = BuildContext(notes=root, cache=work / "cache", version=__version__, epoch=0)
    clock = time.process_time()

    def lap(name: str) -> None:
        nonlocal clock
        times[name], clock = time.process_time() - clock, time.process_time()

    json_model.dumps(collection, full=True)
    lap("json")
    found = list(anki.render(collection, AnkiOptions(), context, workers=1).diagnostics)
    lap("anki")
    sheet = CheatSheet(collection, HtmlOptions(), context)
    sheet.html()
    found += sheet.diagnostics
    lap("html")
    if pdf:
        from qadeck.errors import ExportError
        from qadeck.exporters import handbook
        from qadeck.exporters.handbook.options import PdfOptions

        try:
            found += handbook.render(collection, PdfOptions(jobs=1), context)[1]
        except ExportError as exc:  # a sentence for the user, no traceback: counted apart
            found.append(Diagnostic("", 0, "error", REFUSED, str(exc)))
        lap("pdf")  # the processes WeasyPrint runs in count on the wall clock only
    return found


def _worker(folder: Path, notes: list[Path], seed: int, indexes: list[int], pdf_every: int,
            out: multiprocessing.Queue) -> None:
    _warm_up()
    for index in indexes:
        out.put(("start", index))
        out.put(("done", run_one(folder, notes, seed, index, pdf_every > 0 and index % pdf_every == 0)))


def _warm_up() -> None:
    """Import what reading and rendering use, so that no note's time counts the imports."""
    with tempfile.TemporaryDirectory(prefix="qadeck-fuzz-") as tmp:
        root = Path(tmp) / "notes"
        root.mkdir()
        (root / "warm.md").write_text("# T\n\n### 问题 $x$?\n> 答 $$y$$ [a](b.md)\n", encoding="utf-8")
        render(read(root), root, Path(tmp) / "work")


def run_all(folder: Path, count: int, seed: int, jobs: int, pdf: int, progress: bool) -> Tally:
    """Mutations 0..count-1 over `jobs` worker processes; a worker silent for HUNG seconds is
    ended, its mutation counted as hung, and a new worker takes the rest of its share."""
    notes = notes_of(folder)
    pdf_every = max(1, count // pdf) if pdf else 0
    context = multiprocessing.get_context("fork")
    results: queue.Queue = context.Queue()
    tally = Tally()
    todo = [list(range(start, count, jobs)) for start in range(jobs)]
    workers: dict[int, tuple[multiprocessing.Process, list[int]]] = {}

    def start(slot: int, indexes: list[int]) -> None:
        # not a daemon: the PDF's formula prefetch starts processes of its own
        process = context.Process(target=_worker, args=(folder, notes, seed, indexes, pdf_every, results))
        process.start()
        workers[slot] = (process, indexes)

    for slot, indexes in enumerate(todo):
        if indexes:
            start(slot, indexes)
    current: dict[int, tuple[int, float]] = {}  # slot -> (mutation index, started)
    slot_of = {i: slot for slot, indexes in enumerate(todo) for i in indexes}
    done = 0
    while done < count:
        try:
            kind, value = results.get(timeout=5)
        except queue.Empty:
            value = None
        if value is not None and kind == "start":
            current[slot_of[value]] = (value, time.monotonic())
            continue
        if value is not None:
            tally.add(value)
            current.pop(slot_of[value.index], None)
            done += 1
            if progress and done % 500 == 0:
                print(f"  {done}/{count} {tally.outcomes}", file=sys.stderr, flush=True)
            continue
        for slot, (index, since) in list(current.items()):
            if time.monotonic() - since > HUNG:
                process, indexes = workers[slot]
                process.kill()
                process.join()
                path, _, names = mutation(folder, notes, seed, index)
                tally.add(Result(index, path.relative_to(folder).as_posix(), names, "hung",
                                 detail=f"no answer in {HUNG:.0f} s (reading or rendering)"))
                done += 1
                del current[slot]
                rest = indexes[indexes.index(index) + 1:]
                if rest:
                    start(slot, rest)
    for process, _ in workers.values():
        process.join(timeout=10)
    return tally


def report(tally: Tally, count: int, folder: Path, seconds: float) -> None:
    print(f"{count} mutations of {len(notes_of(folder))} notes in {folder} ({seconds:.0f} s)")
    for outcome in OUTCOMES:
        print(f"  {outcome:10} {tally.outcomes[outcome]:6}")
    print(f"  {'over 1 s':10} {len(tally.slow):6}  (reading one note, parse and checks, in CPU time; "
          f"{tally.slow_wall} on the wall clock)")
    reads = sorted(r.read for r in tally.results)
    if reads:
        print(f"  read time per note (CPU): median {reads[len(reads) // 2] * 1000:.0f} ms, "
              f"p99 {reads[int(len(reads) * 0.99)] * 1000:.0f} ms, max {reads[-1] * 1000:.0f} ms")
    print("slowest to read (CPU, wall):")
    for r in sorted(tally.results, key=lambda r: -r.read)[:8]:
        print(f"  #{r.index:<6} {r.read:7.3f} s {r.read_wall:7.3f} s read {r.render:7.3f} s render  "
              f"{r.note}  {'+'.join(r.mutations)}")
    over = [r for r in tally.results if _slowest(r)[1] > RENDER_LIMIT]
    print(f"  {'render':10} {len(over):6}  over {RENDER_LIMIT:g} s of CPU in one output (the limit per note)")
    print("slowest to render (wall; the slowest output in CPU):")
    for r in sorted(tally.results, key=lambda r: -r.render)[:5]:
        name, cpu = _slowest(r)
        print(f"  #{r.index:<6} {r.render:7.3f} s render  {name} {cpu:.3f} s  {r.note}  "
              f"{'+'.join(r.mutations)}")
    bad = [r for r in tally.results if r.outcome in ("refused", "escaped", "internal", "hung")]
    for r in sorted(bad, key=lambda r: r.index)[:30]:
        print(f"  #{r.index:<6} {r.outcome}: {r.detail}  ({r.note} {'+'.join(r.mutations)})")


def main() -> int:
    default = HERE.parent.parent / "shared" / "corpus" / "sspace"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path,
                        default=default if default.is_dir() else HERE.parent / "notes")
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--pdf", type=int, default=0, help="also print the PDF for this many mutations")
    parser.add_argument("--only", type=int, help="run mutation ONLY alone, in this process")
    parser.add_argument("--save", type=Path, help="write the notes of bad outcomes into this folder")
    args = parser.parse_args()
    folder = args.folder.resolve()
    if args.only is not None:
        result = run_one(folder, notes_of(folder), args.seed, args.only, args.pdf > 0)
        print(result)
        _save(args, folder, [result])
        return 0
    started = time.perf_counter()
    tally = run_all(folder, args.count, args.seed, args.jobs, args.pdf, progress=True)
    report(tally, args.count, folder, time.perf_counter() - started)
    bad = [r for r in tally.results if r.outcome in ("escaped", "internal", "hung") or r.read > SLOW
           or _slowest(r)[1] > RENDER_LIMIT]
    _save(args, folder, bad)
    return 1 if bad else 0


def _slowest(result: Result) -> tuple[str, float]:
    """The output that spent the most CPU on the note, and how much."""
    return max(result.outputs.items(), key=lambda item: item[1], default=("", 0.0))


def _save(args: argparse.Namespace, folder: Path, results: list[Result]) -> None:
    if args.save is None:
        return
    args.save.mkdir(parents=True, exist_ok=True)
    notes = notes_of(folder)
    for r in results:
        _, data, _ = mutation(folder, notes, args.seed, r.index)
        (args.save / f"{r.index}-{r.outcome}.md").write_bytes(data)


if __name__ == "__main__":
    sys.exit(main())
