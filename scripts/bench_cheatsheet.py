"""Cheat sheet benchmark: export time, peak memory and page size, then Chromium's load time for the
page and the time one search keystroke takes over every question. Run by `make bench` through
bench.py, or alone: `python scripts/bench_cheatsheet.py [questions ...]`. Prints; asserts nothing."""

from __future__ import annotations

import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from bench import measure, run_alone  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def bench(notes: Path, questions: int, work: Path) -> None:
    work.mkdir(parents=True, exist_ok=True)
    out = work / "bench.html"
    result = measure(f"""
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
    """, repeat=2)
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


if __name__ == "__main__":
    main()
