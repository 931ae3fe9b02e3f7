"""A clean build's PDF does not depend on the time of day: no font it embeds carries the clock
(fontTools stamps a font it saves with the time unless told not to)."""

from __future__ import annotations

import io
import os
import time

import pikepdf
import pytest

from qadeck.config import Config
from qadeck.exporters.handbook.weasyprint_adapter import PrintJob, print_pdf
from tests.conftest import REPO, export, parse, write_notes

EPOCH_1904 = 2082844800  # seconds from 1904-01-01 (fonts' epoch) to 1970-01-01
NOTE = "# 热门题\n\n## 什么是 🔥 题？\n\n常考的题 🔥，**每周**都会遇到。\n"


def _font_dates(pdf: bytes) -> list[tuple[str, int]]:
    from fontTools.ttLib import TTFont

    dates = []
    with pikepdf.open(io.BytesIO(pdf)) as book:
        for obj in book.objects:
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
                stream = obj.get("/FontFile2") or obj.get("/FontFile3")
                if stream is not None:
                    font = TTFont(io.BytesIO(stream.read_bytes()), lazy=True)
                    if "head" in font:
                        dates.append((str(obj.FontName), font["head"].modified))
    return dates


def _check(dates: list[tuple[str, int]]) -> None:
    if not any("Emoji" in name for name, _ in dates):
        pytest.skip("no colour emoji font installed (fonts-noto-color-emoji)")
    day_ago = int(time.time()) - 86400 + EPOCH_1904
    assert all(modified < day_ago for _, modified in dates), dates


def test_the_books_fonts_carry_no_clock(tmp_path, monkeypatch):
    """Subset once at the join (the default)."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    notes = write_notes(tmp_path / "notes", {"热门_QA.md": NOTE})
    config = Config(notes=notes, out=tmp_path / "out", title="测试")
    out = tmp_path / "out" / "book.pdf"
    out.parent.mkdir()
    export("pdf", parse(notes), out, config)
    _check(_font_dates(out.read_bytes()))


def test_a_document_subset_by_weasyprint_carries_no_clock(tmp_path, monkeypatch):
    """WeasyPrint's own path (a font the join cannot find): its emoji font is saved by fontTools."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    job = PrintJob(root=tmp_path, styles=REPO / "styles", files=(), sheets=(), subset_at_join=False)
    printed = print_pdf(job, "<html><body><p>热门 🔥 题</p></body></html>")
    _check(_font_dates(printed.pdf))
    assert "SOURCE_DATE_EPOCH" not in os.environ  # put back as it was
