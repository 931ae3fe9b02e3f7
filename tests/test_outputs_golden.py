"""The outputs do not move under a refactor: a build of the sample notes and of the sspace corpus gives
the recorded digests (the JSON model, the cheat sheet and the Anki package by their bytes; the PDF by
its page count and text, since its bytes follow the installed fonts).

`make golden` (QADECK_REGEN_GOLDEN=1) rewrites tests/golden/outputs.json after an intended change;
`scripts/output_digests.py` prints the same digests for any notes folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

GOLDEN = Path(__file__).parent / "golden" / "outputs.json"
BYTES = (".json", ".html", ".apkg")
EPOCH = "1700000000"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _digests(notes: Path, out: Path, only: tuple[str, ...]) -> dict[str, object]:
    flags = ["--only", ",".join(only)] if only else []
    # a fixed date: else the deck's note times follow the files' mtimes (a fresh clone's are new)
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH}
    done = subprocess.run([sys.executable, "-m", "qadeck", "build", str(notes), "--out", str(out), *flags],
                          capture_output=True, text=True, cwd=out, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    found: dict[str, object] = {}
    for path in sorted(out.iterdir()):
        if path.suffix in BYTES and not path.name.endswith(".manifest.json"):
            found[path.name] = _sha(path.read_bytes())
        elif path.suffix == ".pdf":
            from pypdf import PdfReader

            pages = [page.extract_text() or "" for page in PdfReader(path).pages]
            found[path.name + " text"] = {"pages": len(pages), "text": _sha("\f".join(pages).encode())}
    return found


def _compare(name: str, digests: dict[str, object]) -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8")) if GOLDEN.is_file() else {}
    if os.environ.get("QADECK_REGEN_GOLDEN"):
        golden[name] = digests
        GOLDEN.write_text(json.dumps(golden, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                          encoding="utf-8")
    assert name in golden, "no golden digests yet: run `make golden`"
    assert digests == golden[name]


def test_golden_outputs_sample_notes(tmp_path):
    _compare("notes", _digests(REPO / "notes", tmp_path, ()))


def test_golden_outputs_corpus(shared, tmp_path):
    """The corpus without its PDF (the sample notes' PDF stands for it; the corpus's takes minutes)."""
    sspace = shared / "corpus" / "sspace"
    if not sspace.is_dir():
        pytest.skip("no sspace corpus")
    _compare("sspace", _digests(sspace, tmp_path, ("json", "anki", "html")))
