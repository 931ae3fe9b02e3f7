"""Digests of every output a build makes of a notes folder, to prove a refactor changed no byte.

    python scripts/output_digests.py NOTES [--out DIR] > digests.json

JSON model, cheat sheet and Anki package by their bytes; the PDF by its bytes and, as a second
line for changes that only move bytes (a font subset made elsewhere), its page count and the text
of every page, so a diff says which kind of change it is.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
from pathlib import Path


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def _pdf_text(pdf: Path) -> dict[str, object]:
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    pages = [page.extract_text() or "" for page in reader.pages]
    return {"pages": len(pages), "text": _sha("\f".join(pages).encode())}


def digests(notes: Path, out: Path) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-m", "qadeck", "build", str(notes), "--out", str(out)],
                          capture_output=True, text=True, cwd=out)
    result: dict[str, object] = {"rc": done.returncode}
    for path in sorted(out.iterdir()):
        if path.is_file() and path.suffix in {".json", ".apkg", ".html", ".pdf"}:
            result[path.name] = _sha(path.read_bytes())
            if path.suffix == ".pdf":
                result[path.name + " text"] = _pdf_text(path)
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("notes", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        out = args.out or Path(scratch)
        out.mkdir(parents=True, exist_ok=True)
        print(json.dumps(digests(args.notes.resolve(), out), indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
