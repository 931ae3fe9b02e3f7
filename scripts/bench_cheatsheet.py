"""Cheat sheet benchmark: export time, peak memory and page size, then Chromium's load time for the
page and the time one search keystroke takes over every question; on the real notes (when
../shared/corpus/sspace is there) and on a copy grown to the whole repository's ~290 problems, the
share of the screen the sticky search bar covers and what a related problem's name finds. Run by
`make bench` through bench.py, or alone: `python scripts/bench_cheatsheet.py [questions ...]`.
Prints; asserts nothing."""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from bench import measure, run_alone  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CORPUS = HERE.parent.parent / "shared" / "corpus" / "sspace"
FULL_SIZE = 289  # coding problems in the whole repository the corpus is copied from
VIEWPORTS = ((1280, 900), (1024, 768), (390, 844))
RELATED = "接雨水"  # a problem many others list as related
# The share of the viewport the page's sticky or fixed elements cover at its top, scrolled halfway.
COVERED = """() => {
    window.scrollTo(0, document.documentElement.scrollHeight / 2);
    let covered = 0;
    for (const el of document.querySelectorAll('body *')) {
        const position = getComputedStyle(el).position;
        if ((position === 'sticky' || position === 'fixed') && el.checkVisibility()) {
            const box = el.getBoundingClientRect();
            if (box.top <= 1) covered = Math.max(covered, box.bottom);
        }
    }
    return covered / innerHeight;
}"""
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def bench(notes: Path, questions: int, work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    out = work / "bench.html"
    result = export(notes, out)
    size = out.stat().st_size / 1e6
    print(f"html      {questions:>6} questions: {result['seconds']:.3f} s export, "
          f"{result['questions'] / result['seconds']:,.0f} questions/s, peak {result['peak_mb']:.0f} MB "
          f"(parse included in peak), {size:.2f} MB page")
    browser = load_times(out)
    if browser:
        print(f"html      {questions:>6} questions in Chromium: load {browser['load']:.0f} ms, "
              f"ready {browser['ready']:.0f} ms (script indexed), "
              f"search {browser['search']:.0f} ms, clear {browser['clear']:.0f} ms "
              "(keystroke to result, best of 3)")


def bench_corpus(work: Path) -> None:
    """The real notes as they are, then grown to the whole repository's size."""
    if not CORPUS.is_dir():
        print(f"html      {CORPUS} not found: the real-notes figures skipped")
        return
    work.mkdir(parents=True, exist_ok=True)
    for notes in (CORPUS, grow(CORPUS, work / "full", FULL_SIZE)):
        out = work / f"{notes.name}.html"
        result = export(notes, out)
        problems = int(result["problems"])
        print(f"html      {notes.name} ({problems} problems): {result['seconds']:.3f} s export, "
              f"{out.stat().st_size / 1e6:.2f} MB page")
        if not CHROMIUM.exists():
            continue
        screen = on_screen(out)
        sticky = ", ".join(f"{screen[v]:.1%} of {v[0]}×{v[1]}" for v in VIEWPORTS)
        print(f"html      {notes.name} ({problems} problems): sticky bar {sticky} (scrolled halfway); "
              f"search {RELATED!r}: {screen['found']}")


def grow(source: Path, root: Path, problems: int) -> Path:
    """A copy of the repository with its problem notes copied under new names (题名 (副本 n)) until
    it holds `problems` of them: the same shape (topics, companies, related lists) at full size."""
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(source, root)
    real = sorted(p for p in (root / "algorithms" / "problems").rglob("*.md"))
    for n in range(max(0, problems - len(real))):
        original = real[n % len(real)]
        text = original.read_text(encoding="utf-8")
        for line in (r"^## .+$", r"^name: .+$"):  # the title and the info block's name
            text = re.sub(line, lambda m, n=n: f"{m.group(0)} (副本 {n})", text, count=1, flags=re.M)
        original.with_name(f"{original.stem}_副本{n}.md").write_text(text, encoding="utf-8")
    return root


def export(notes: Path, out: Path) -> dict[str, float]:
    """The cheat sheet of `notes` exported in a fresh process: seconds, questions, problems, peak."""
    return measure(f"""
        from pathlib import Path
        from qadeck.build import context
        from qadeck.config import Config
        from qadeck.exporters import cheatsheet
        from qadeck.parser import parse_collection
        config = Config(notes=Path({str(notes)!r}))
        collection = parse_collection(config.notes, config.parse_options())
        start = time.perf_counter()
        cheatsheet.export(collection, Path({str(out)!r}), config.options("html"), context(config))
        print("seconds=%f" % (time.perf_counter() - start))
        print("questions=%d" % len(collection.questions()))
        print("problems=%d" % len(collection.problems()))
    """, repeat=2)


def on_screen(page_path: Path) -> dict:
    """The sticky bar's share of each viewport, and the result count of a search for `RELATED`."""
    from playwright.sync_api import sync_playwright

    figures: dict = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        for width, height in VIEWPORTS:
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            page.goto(page_path.as_uri(), wait_until="load", timeout=180_000)
            page.wait_for_function("performance.getEntriesByName('qadeck-ready').length > 0", timeout=180_000)
            figures[(width, height)] = page.evaluate(COVERED)
            if "found" not in figures:
                page.fill("#qd-search", RELATED)
                figures["found"] = page.text_content("#qd-count")
            context.close()
        browser.close()
    return figures


def load_times(page_path: Path) -> dict[str, float] | None:
    """Best of three cold loads: the load event, the script's index, one search over every card."""
    if not CHROMIUM.exists():
        print("html      Chromium not installed: browser figures skipped")
        return None
    from playwright.sync_api import sync_playwright

    runs = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        for _ in range(3):
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.goto(page_path.as_uri(), wait_until="load", timeout=180_000)
            page.wait_for_function("performance.getEntriesByName('qadeck-ready').length > 0", timeout=180_000)
            timing = page.evaluate("""async () => {
                const nav = performance.getEntriesByType('navigation')[0];
                const ready = performance.getEntriesByName('qadeck-ready')[0].startTime;
                const box = document.getElementById('qd-search');
                const count = document.getElementById('qd-count');
                // From the keystroke to the updated count and layout (typing pauses included).
                const type = async (value) => {
                    const before = count.textContent, start = performance.now();
                    box.value = value;
                    box.dispatchEvent(new Event('input'));
                    while (count.textContent === before) await new Promise(r => setTimeout(r, 2));
                    document.body.offsetHeight;
                    return performance.now() - start;
                };
                const search = await type('性质');
                const clear = await type('');
                return {load: nav.loadEventEnd, ready: ready, search: search, clear: clear};
            }""")
            runs.append(timing)
            context.close()
            time.sleep(0.2)
        browser.close()
    return {key: min(run[key] for run in runs) for key in runs[0]}


def main() -> None:
    run_alone(bench, [1_000, 10_000], "qadeck-bench-html-")
    with tempfile.TemporaryDirectory(prefix="qadeck-bench-html-corpus-") as tmp:
        bench_corpus(Path(tmp))


if __name__ == "__main__":
    main()
