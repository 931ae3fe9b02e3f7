"""The handbook's printing processes started before the parse (printpool.Printers, handbook.warm,
build.early): they print what the build hands them, stop with it, are started only for a PDF, and
leave this process without WeasyPrint (and without ziamath when no formula needs typesetting).
In a session (build.session, as `qadeck watch` runs) they are kept from one build to the next."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from qadeck.build import build, early, session
from qadeck.config import Config, with_options
from qadeck.errors import MissingDependency
from qadeck.exporters.handbook import printpool
from qadeck.exporters.handbook.weasyprint_adapter import PrintJob
from tests.conftest import write_notes
from tests.watching import running

pypdf = pytest.importorskip("pypdf")


def _items(tmp_path: Path, *texts: str) -> list[printpool.Item]:
    job = PrintJob(tmp_path, tmp_path, (), ())
    return [(index, job, f"<p>{text}</p>") for index, text in enumerate(texts)]


def test_printers_print_each_item_and_say_when_they_start_it(tmp_path: Path):
    started: list[int] = []
    with printpool.Printers(2) as printers:
        pids = {process.pid for process, _ in printers._workers}
        printed = dict(printers.print(_items(tmp_path, "甲", "乙", "丙"), started.append))
        again = dict(printers.print(_items(tmp_path, "丁"), started.append))  # the same workers, warm
        assert {process.pid for process, _ in printers._workers} == pids
    assert sorted(printed) == [0, 1, 2] and started == [0, 1, 2, 0]
    assert all(p.pages == 1 and p.pdf.startswith(b"%PDF") for p in [*printed.values(), *again.values()])
    assert [p for p in multiprocessing.active_children() if p.pid in pids] == []


def test_printers_stopped_at_once_stop_even_where_sigterm_is_ignored():
    """A build that fails just after it started its printer (no notes folder) stops it at once,
    whatever SIGTERM does in this process (a stopped build leaves it ignored)."""
    previous = signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        for _ in range(5):
            printers = printpool.Printers(1)
            process = printers._workers[0][0]
            printers.close()
            assert not process.is_alive()
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_printers_grow_to_the_jobs_and_not_after_they_stopped(tmp_path: Path):
    printers = printpool.Printers(1)
    printers.grow(2)
    printers.grow(1)
    assert len(printers._workers) == 2
    assert sorted(dict(printers.print(_items(tmp_path, "甲", "乙"), lambda index: None))) == [0, 1]
    printers.close()
    printers.grow(2)
    assert printers._workers == []


def test_a_worker_killed_while_it_waits_is_one_sentence(tmp_path: Path):
    printers = printpool.Printers(1)
    process = printers._workers[0][0]
    os.kill(process.pid, signal.SIGKILL)
    process.join()
    with pytest.raises(printpool.PrintFailed, match="ended before it took a document"):
        list(printers.print(_items(tmp_path, "甲"), lambda index: None))
    assert printers._workers == []


def _no_pango(job, html):
    raise MissingDependency("WeasyPrint cannot start (no Pango)")


def test_a_sentence_for_the_user_comes_back_from_a_worker_as_it_is(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(printpool, "print_pdf", _no_pango)
    monkeypatch.setattr(printpool, "fork_is_safe", lambda: True)
    with printpool.Printers(1) as printers, pytest.raises(MissingDependency, match="no Pango"):
        list(printers.print(_items(tmp_path, "甲"), lambda index: None))


def _dies(job, html):
    os._exit(3)


def test_a_worker_that_dies_is_one_sentence_and_stops_the_others(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(printpool, "print_pdf", _dies)
    monkeypatch.setattr(printpool, "fork_is_safe", lambda: True)  # the children see the patch
    printers = printpool.Printers(2)
    with pytest.raises(printpool.PrintFailed, match="ended without handing its document back"):
        list(printers.print(_items(tmp_path, "甲", "乙"), lambda index: None))
    assert printers._workers == []
    with pytest.raises(printpool.PrintFailed, match="stopped by an earlier failure"):
        list(printers.print(_items(tmp_path, "丙"), lambda index: None))


def test_only_a_build_with_the_pdf_starts_printers_before_the_parse(tmp_path: Path):
    config = Config(notes=tmp_path, out=tmp_path / "out")
    before = set(multiprocessing.active_children())
    with early(["json", "anki", "html"], config):
        assert set(multiprocessing.active_children()) == before
    with early(["json", "pdf"], with_options(config, "pdf", jobs=1)):  # one job: it prints in this process
        assert set(multiprocessing.active_children()) == before
    with early(["json", "pdf"], config):
        started = set(multiprocessing.active_children()) - before
        assert len(started) == 1 and all(p.is_alive() for p in started)  # the others when the PDF is made
    assert not any(p.is_alive() for p in started)


def test_a_build_prints_in_its_workers_and_never_imports_weasyprint_or_ziamath_here(tmp_path: Path):
    """Once with a formula to typeset (ziamath needed in this process), once from the formulas' cache."""
    pytest.importorskip("weasyprint")
    notes = write_notes(tmp_path / "notes", {
        "a_QA.md": "# 甲\n\n## 问题\n\n### 1. 甲问？\n\n甲答 $x^2$。\n",
        "b_QA.md": "# 乙\n\n## 问题\n\n### 1. 乙问？\n\n乙答。\n",
    })
    code = ("import sys; from pathlib import Path\n"
            "from qadeck.build import build; from qadeck.config import Config\n"
            "_, outputs = build(Config(notes=Path(sys.argv[1]), out=Path(sys.argv[2])), only=['pdf'])\n"
            "assert outputs[0].error is None, outputs[0].error\n"
            "print('weasyprint' in sys.modules, 'ziamath' in sys.modules)\n")

    def run() -> list[str]:
        done = subprocess.run([sys.executable, "-c", code, str(notes), str(tmp_path / "out")],
                              capture_output=True, text=True, timeout=600,
                              env={**os.environ, "SOURCE_DATE_EPOCH": "1700000000"})
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert run() == ["False", "True"]  # the formula was typeset here
    pdf = next((tmp_path / "out").glob("*.pdf"))
    first = pdf.read_bytes()
    (notes / "b_QA.md").write_text("# 乙\n\n## 问题\n\n### 1. 乙问？\n\n乙答，改过。\n", encoding="utf-8")
    assert run() == ["False", "False"]
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert pdf.read_bytes() != first and "乙答，改过" in text


def test_the_math_font_is_found_where_ziamath_loads_it():
    from qadeck.math import math_font_file

    code = ("import sys; from qadeck.math import math_font_file; found = math_font_file()\n"
            "assert 'ziamath' not in sys.modules\n"
            "from ziamath import zmath; print(found == __import__('pathlib').Path(zmath.fontname))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "True", done.stderr
    assert math_font_file().is_file()


# -- a session's printers (`qadeck watch`) -------------------------------------------------------

def _two_notes(tmp_path: Path) -> Config:
    notes = write_notes(tmp_path / "notes", {
        "a_QA.md": "# 甲\n\n## 问题\n\n### 1. 甲问？\n\n甲答。\n",
        "b_QA.md": "# 乙\n\n## 问题\n\n### 1. 乙问？\n\n乙答。\n",
    })
    return Config(notes=notes, out=tmp_path / "out")


def _rebuilt(config: Config, answer: str, jobs: int | None = None) -> str | None:
    """`b_QA.md` answered `answer`, the PDF built: its error, else None once the PDF says `answer`."""
    (config.notes / "b_QA.md").write_text(f"# 乙\n\n## 问题\n\n### 1. 乙问？\n\n{answer}\n", encoding="utf-8")
    _, outputs = build(with_options(config, "pdf", jobs=jobs) if jobs else config, ["pdf"])
    if outputs[0].error is not None:
        return outputs[0].error
    text = "".join(page.extract_text() for page in pypdf.PdfReader(outputs[0].path).pages)
    assert answer in text
    return None


def _workers() -> set[int]:
    return {process.pid for process in multiprocessing.active_children()}


def test_a_session_prints_every_rebuild_in_the_same_spawned_workers_and_stops_them_at_its_end(
        tmp_path: Path, monkeypatch):
    """As in `qadeck watch`, a thread runs beside the builds: the workers are spawned, once. The
    PDF is the one a clean build makes."""
    pytest.importorskip("weasyprint")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    config = _two_notes(tmp_path)
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with session(["json", "pdf"]):
            seen = []
            for answer in ("乙答一。", "乙答二。", "乙答三。"):
                assert _rebuilt(config, answer) is None
                seen.append(_workers())
    finally:
        stop.set()
        thread.join()
    assert len(seen[0]) == 2 and seen[0] == seen[1] == seen[2]
    assert not any(running(pid) for pid in seen[0])
    pdf = next(config.out.glob("*.pdf"))
    watched = pdf.read_bytes()
    _, outputs = build(config, ["pdf"], cache=False)
    assert outputs[0].error is None and pdf.read_bytes() == watched


def test_a_session_replaces_printers_a_failure_stopped(tmp_path: Path, monkeypatch):
    """A print that fails fails that rebuild only; a worker killed while it waits, or a set of
    printers stopped, is replaced by the next rebuild."""
    pytest.importorskip("weasyprint")
    config = _two_notes(tmp_path)
    monkeypatch.setattr(printpool, "print_pdf", _dies)
    monkeypatch.setattr(printpool, "fork_is_safe", lambda: True)  # the workers, forked, see the patch
    with session(["pdf"]):
        assert "ended without handing its document back" in _rebuilt(config, "乙答一。")
        monkeypatch.undo()
        assert _rebuilt(config, "乙答二。") is None
        first = _workers()
        victim = multiprocessing.active_children()[0]
        victim.kill()  # as a crash would, while it waits for the next rebuild
        victim.join(30)
        assert _rebuilt(config, "乙答三。") is None
        second = _workers()
        assert first and second and not first & second and not any(running(pid) for pid in first)
        from qadeck.exporters import handbook

        handbook._SESSIONS[-1].take(2).close()  # as a failure stops them
        assert _rebuilt(config, "乙答四。") is None
        third = _workers()
        assert third and not third & second
    assert not any(running(pid) for pid in third)


def test_a_session_with_one_job_prints_in_this_process(tmp_path: Path):
    pytest.importorskip("weasyprint")
    config = _two_notes(tmp_path)
    before = _workers()
    with session(["pdf"]):
        assert _rebuilt(config, "乙答一。", jobs=1) is None
        assert _workers() == before


def test_the_documents_of_one_build_share_their_fonts_and_the_next_build_has_its_own(
        tmp_path: Path, monkeypatch):
    import tempfile

    from qadeck.exporters.handbook import weasyprint_adapter

    pytest.importorskip("weasyprint")
    first, second = tmp_path / "build-1", tmp_path / "build-2"
    first.mkdir()
    second.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(first))
    fonts = weasyprint_adapter._font_config()
    assert weasyprint_adapter._font_config() is fonts  # the next document of the same build
    monkeypatch.setattr(tempfile, "tempdir", str(second))  # the next build (its own scratch folder)
    assert weasyprint_adapter._font_config() is not fonts
    font = tmp_path / "own.ttf"
    font.write_bytes(b"a font")
    fonts = weasyprint_adapter._font_config((font,))
    assert weasyprint_adapter._font_config((font,)) is fonts
    font.write_bytes(b"another font")  # a --font file changed under a watch
    assert weasyprint_adapter._font_config((font,)) is not fonts


def test_a_forked_child_leaves_the_fonts_of_its_parent_alone(tmp_path: Path):
    """The documents of a build share a FontConfiguration, whose `@font-face` files live in a
    folder it removes when it goes: a forked worker letting go of its copy must not remove them."""
    import gc

    pytest.importorskip("weasyprint")
    ziamath = pytest.importorskip("ziamath")
    from qadeck.exporters.handbook import weasyprint_adapter

    font = next((Path(ziamath.__file__).parent / "fonts").glob("*.ttf"))
    html = (f'<style>@font-face {{ font-family: "own"; src: url("{font.as_uri()}"); }}</style>'
            '<p style="font-family: own">x + y</p>')
    job = PrintJob(tmp_path, tmp_path, (font,), ())
    weasyprint_adapter.print_pdf(job, html)
    folder = weasyprint_adapter._font_config(job.files)._folder
    assert folder is not None and any(folder.iterdir())
    child = os.fork()
    if child == 0:  # a worker forked from this process, idle: it lets go of what it keeps
        weasyprint_adapter.forget()
        gc.collect()
        os._exit(0)
    os.waitpid(child, 0)
    assert folder.is_dir() and any(folder.iterdir())
    assert weasyprint_adapter.print_pdf(job, html).pages == 1


def test_a_process_that_printed_in_itself_exits_cleanly(tmp_path: Path):
    """The fonts a process keeps for its documents are let go before the interpreter's teardown,
    where their finalizers crashed the process (exit code 139 after a good build)."""
    pytest.importorskip("weasyprint")
    script = ("import sys; from pathlib import Path\n"
              "from tests.test_handbook_weasyprint_patches import _emoji_print\n"
              "_emoji_print(Path(sys.argv[1]), '<p>中文 Latin 🔥 <code>x</code></p>')\n")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path)], capture_output=True, text=True,
                          timeout=300, cwd=Path(__file__).parent.parent)
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert "Exception ignored" not in done.stderr
