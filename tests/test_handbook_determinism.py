"""A clean build's PDF does not depend on the time of day: no font it embeds carries the clock."""

from __future__ import annotations

import io
import time

import pikepdf
import pytest

from qadeck.exporters.handbook.weasyprint_adapter import FONT_CLOCK, PrintJob, print_pdf
from tests.conftest import REPO

EPOCH_1904 = 2082844800  # seconds from 1904-01-01 (fonts' epoch) to 1970-01-01


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


def test_an_emoji_font_is_not_stamped_with_the_clock(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    job = PrintJob(root=tmp_path, styles=REPO / "styles", files=(), sheets=())
    printed = print_pdf(job, "<html><body><p>热门 🔥 题</p></body></html>")
    dates = _font_dates(printed.pdf)
    if not any("Emoji" in name for name, _ in dates):
        pytest.skip("no colour emoji font installed (fonts-noto-color-emoji)")
    day_ago = int(time.time()) - 86400 + EPOCH_1904
    assert all(modified < day_ago for _, modified in dates), dates
    assert int(FONT_CLOCK) + EPOCH_1904 in {modified for _, modified in dates}
    assert "SOURCE_DATE_EPOCH" not in __import__("os").environ  # put back as it was
