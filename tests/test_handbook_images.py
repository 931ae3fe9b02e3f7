"""An image the handbook's documents embed alike (an emoji's bitmap) is kept once in the joined
book (exporters/handbook/sameimages.py), and still drawn wherever it was."""

from __future__ import annotations

import shutil
import subprocess

import pikepdf
import pytest

from qadeck.exporters.handbook import sameimages
from tests.conftest import write_notes
from tests.test_handbook_printpool import _print

EMOJI = "🔥"


def _images(pdf) -> list:
    with pikepdf.open(pdf) as book:
        return [(int(o.Width), int(o.Height), "/SMask" in o) for o in book.objects
                if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]


def _red_pixels(pdf, page: int, tmp_path) -> int:
    out = tmp_path / f"page{page}"
    subprocess.run(["pdftoppm", "-r", "50", "-f", str(page), "-l", str(page), "-singlefile", str(pdf),
                    str(out)], check=True)
    data = (out.with_suffix(".ppm")).read_bytes()
    header, pixels = data.split(b"\n255\n", 1)
    return sum(1 for i in range(0, len(pixels) - 2, 3)
               if pixels[i] > 200 and pixels[i + 1] < 140 and pixels[i + 2] < 90)


def test_an_emoji_in_every_chapter_is_embedded_once(tmp_path, monkeypatch):
    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils not installed")
    notes = write_notes(tmp_path / "notes", {
        f"{name}_QA.md": f"# {name}\n\n## 问题\n\n### 1. {name}问？\n\n{name}答 {EMOJI} 热门。\n"
        for name in ("甲", "乙", "丙")})
    shared = _print(notes, tmp_path / "shared", 1, monkeypatch)
    images = _images(shared)
    if not images:
        pytest.skip("no colour emoji font: the emoji is not drawn as an image")
    monkeypatch.setattr(sameimages, "share_images", lambda pdf: 0)
    copies = _print(notes, tmp_path / "copies", 1, monkeypatch)
    assert len(_images(copies)) == 3 * len(images)  # one per chapter without the sharing
    assert shared.stat().st_size < copies.stat().st_size
    for page in (3, 4, 5):  # cover, contents, then each chapter: the emoji still drawn on each
        assert _red_pixels(shared, page, tmp_path) > 3
        assert _red_pixels(shared, page, tmp_path) == _red_pixels(copies, page, tmp_path)
