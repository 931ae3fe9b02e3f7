"""The changes to WeasyPrint's internals (exporters/handbook/weasyprint_patches.py and
weasyprint_speedups.py) fire on the installed WeasyPrint, and where they cannot they stand aside:
the book prints the same, only slower."""

from __future__ import annotations

import io
import tomllib
from dataclasses import replace
from importlib.resources import as_file, files
from pathlib import Path

import pytest

from qadeck.build import context
from qadeck.config import Config
from qadeck.exporters import handbook
from qadeck.exporters.handbook import documents
from qadeck.exporters.handbook import fonts as handbook_fonts
from qadeck.exporters.handbook import weasyprint_patches as patches
from qadeck.exporters.handbook import weasyprint_speedups as speedups
from qadeck.exporters.handbook.weasyprint_adapter import print_pdf
from tests.conftest import FIXTURES, REPO, parse

pypdf = pytest.importorskip("pypdf")
NOTES = FIXTURES / "handbook" / "notes"


def test_the_installed_weasyprint_is_in_the_pinned_range():
    import weasyprint
    from packaging.requirements import Requirement  # pytest's own dependency

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    pin = next(Requirement(r) for r in project["dependencies"] if r.startswith("weasyprint"))
    assert pin.specifier.contains(weasyprint.__version__), (pin, weasyprint.__version__)
    assert pin.specifier.contains("70.0") and not pin.specifier.contains("71.0")


def _chapter_print(tmp_path: Path, subset_at_join: bool = True):
    config = Config(notes=NOTES, out=tmp_path, title="测试手册")
    fonts = handbook_fonts.setup(None)
    book = handbook._book(parse(NOTES, title=config.title), config.options("pdf"), context(config), fonts)
    chapter = documents.articles(book)[0]
    with as_file(files("qadeck.styles")) as styles:
        job = handbook.print_job(config.title, config.options("pdf"), context(config), fonts, Path(styles))
        return print_pdf(replace(job, subset_at_join=subset_at_join), chapter.html)


def test_the_changes_fire_on_a_chapter_with_formulas_and_code(tmp_path):
    printed = _chapter_print(tmp_path)
    assert set(printed.fired) == {patches.LEAN_STYLESHEET, patches.SVG_FORMS, patches.INLINE_BACKGROUNDS,
                                  patches.SUBSET_AT_JOIN, speedups.QUICK_STYLES, speedups.PARSER_PATTERNS,
                                  speedups.FONT_FILES}
    assert len(pypdf.PdfReader(io.BytesIO(printed.pdf)).pages) == printed.pages > 1
    assert printed.anchors and all(0 <= page < printed.pages for page in printed.anchors.values())


def test_without_them_the_same_text_is_printed(tmp_path, monkeypatch):
    hooked = _chapter_print(tmp_path)

    monkeypatch.setattr(patches, "_lean_html_class", lambda weasyprint, fired: weasyprint.HTML)
    monkeypatch.setattr(patches, "_reused_svg_drawings", _plain)
    monkeypatch.setattr(patches, "_inline_backgrounds", _plain)
    monkeypatch.setattr(patches, "_subset_at_join", lambda fired, active: _plain(fired))
    monkeypatch.setattr(speedups, "_quick_styles", _plain)
    monkeypatch.setattr(speedups, "_kept_emoji_images", _plain)
    monkeypatch.setattr(speedups, "_parser_patterns", _plain)
    monkeypatch.setattr(speedups, "_font_files", _plain)
    plain = _chapter_print(tmp_path)
    assert plain.fired == {}
    assert plain.pages == hooked.pages

    def text(printed) -> list[list[str]]:  # characters per page: a form's text reads in another order
        return [sorted("".join(page.extract_text().split()))
                for page in pypdf.PdfReader(io.BytesIO(printed.pdf)).pages]

    assert text(plain) == text(hooked)


def _plain(fired):
    from contextlib import nullcontext

    return nullcontext()


def _pixels(pdf: bytes, tmp_path: Path, name: str) -> list[bytes]:
    import subprocess

    source = tmp_path / f"{name}.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-gray", str(source), str(tmp_path / name)], check=True)
    return [page.read_bytes() for page in sorted(tmp_path.glob(f"{name}-*.pgm"))]


def test_code_lines_look_the_same_drawn_in_place(tmp_path, monkeypatch):
    """The continuation marks of wrapped code lines: the same pixels without the page-sized
    group per line, and fewer objects."""
    import shutil

    if shutil.which("pdftoppm") is None:
        pytest.skip("poppler-utils not installed")
    hooked = _chapter_print(tmp_path, subset_at_join=False)  # a document that draws on its own
    monkeypatch.setattr(patches, "_inline_backgrounds", _plain)
    plain = _chapter_print(tmp_path, subset_at_join=False)
    assert _pixels(hooked.pdf, tmp_path, "hooked") == _pixels(plain.pdf, tmp_path, "plain")

    def objects(pdf: bytes) -> int:
        import pikepdf

        return len(pikepdf.open(io.BytesIO(pdf)).objects)

    assert objects(hooked.pdf) < objects(plain.pdf)  # a group less for each line with a mark


def test_a_font_file_is_known_by_its_whole_bytes_not_by_its_ends():
    import hashlib

    speedups.forget_files()
    font = bytes(range(256)) * 100
    again = bytes(bytearray(font))  # the same file read again: equal bytes, another object
    changed = font[:12_000] + b"\xff" + font[12_001:]  # same length and ends, one byte in the middle
    assert speedups.file_digest(font) == hashlib.sha256(font).hexdigest()
    assert speedups.file_digest(again) == hashlib.sha256(font).hexdigest()
    assert speedups.file_digest(changed) == hashlib.sha256(changed).hexdigest()
    assert hashlib.sha256(changed).hexdigest() != hashlib.sha256(font).hexdigest()
    speedups.forget_files()
    kept = speedups.kept_file(font)
    assert kept is font and speedups.kept_file(bytearray(font)) is speedups.kept_file(again) is font
    speedups.forget_files()
    assert not speedups._FILES


def test_the_changes_that_only_save_time_change_no_byte(tmp_path, monkeypatch):
    """Four changes that only save time: the same PDF, byte for byte, with them and without."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    emoji = "<p>热门 🔥 题 ⬆️ 与 🔥 再一次</p>" * 3
    chapter = _chapter_print(tmp_path)
    with_emoji = _emoji_print(tmp_path, emoji)
    again = _emoji_print(tmp_path, emoji)  # a second document shows the images kept from the first
    monkeypatch.setattr(speedups, "_quick_styles", _plain)
    monkeypatch.setattr(speedups, "_kept_emoji_images", _plain)
    monkeypatch.setattr(speedups, "_parser_patterns", _plain)
    monkeypatch.setattr(speedups, "_font_files", _plain)
    assert _chapter_print(tmp_path).pdf == chapter.pdf
    assert _emoji_print(tmp_path, emoji).pdf == with_emoji.pdf == again.pdf
    assert chapter.fired[speedups.QUICK_STYLES] > 0
    if _has_bitmap_emoji():
        assert again.fired[speedups.EMOJI_IMAGES] > 0


def _emoji_print(tmp_path: Path, body: str):
    config = Config(notes=NOTES, out=tmp_path, title="测试手册")
    fonts = handbook_fonts.setup(None)
    with as_file(files("qadeck.styles")) as styles:
        job = handbook.print_job(config.title, config.options("pdf"), context(config), fonts, Path(styles))
        return print_pdf(job, f"<html lang='zh-CN'><body>{body}</body></html>")


def _has_bitmap_emoji() -> bool:
    import subprocess

    try:
        found = subprocess.run(["fc-list", ":charset=1f525", "file"], capture_output=True, text=True).stdout
    except OSError:
        return False
    return "Color" in found or "Emoji" in found
