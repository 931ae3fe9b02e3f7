"""Each font subset once at the join (`fontjoin`): every page drawn by poppler the same as when
WeasyPrint subsets each document's fonts itself, every glyph a document shows drawn the same by
fontTools from the book's one program, one program per /FontName, a smaller file, the same bytes
build after build; a stand-in whose font file changed since its document was printed makes the
build print again, and a font the join cannot find at all is subset by WeasyPrint as usual."""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest

from qadeck.config import Config
from qadeck.exporters.handbook import fontjoin
from tests.conftest import export, parse, write_notes

pikepdf = pytest.importorskip("pikepdf")
EPOCH = "1700000000"
# Three chapters with different characters (so each shows other glyphs of the CJK fonts), an
# emoji (a colour font, its outlines emptied), bold text, code in the monospaced font (accented
# letters are composite glyphs) and formulas in the math font.
NOTES = {
    "注意力_QA.md": """注意力机制面试题
===

## 🏷️ **基础概念**

### 1. 什么是缩放点积注意力?
> - 权重为 $\\mathrm{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d_k}}\\right)$, 输出是值向量的加权和;
> - **除以根号维度**让方差保持稳定.

```python
café = "É½"  # 带重音的字母
```
""",
    "归一化_QA.md": """归一化面试题
===

## 🏷️ **层归一化**

### 1. 层归一化与批归一化有何区别?
> - 层归一化在特征维上求均值与方差, 与批大小无关;
> - **批归一化**依赖批统计量, 推理时改用滑动平均: $\\sum_i x_i / n$.

```python
naïve = "Êñ¾ø"
```
""",
    "解码_QA.md": """解码策略面试题
===

## 🏷️ **采样**

### 1. 温度如何影响采样?
> 🔥 温度越高分布越平坦, 生成越多样; 温度趋近零时退化为贪心搜索 $\\arg\\max_y p(y)$.
""",
}


def _codes(widths) -> list[int]:
    """The codes a CID font's /W array gives widths (WeasyPrint writes one per glyph shown)."""
    items, codes, i = list(widths), [], 0
    while i + 1 < len(items):
        if isinstance(items[i + 1], pikepdf.Array):
            codes += range(int(items[i]), int(items[i]) + len(items[i + 1]))
            i += 2
        else:
            codes += range(int(items[i]), int(items[i + 1]) + 1)
            i += 3
    return codes


def _codes_and_programs(pdf) -> dict[str, list[tuple[bytes, frozenset[int]]]]:
    """Each /FontName's programs, each with the codes its documents show."""
    shown: dict[tuple[int, int], set[int]] = {}
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") in ("/CIDFontType0", "/CIDFontType2"):
            shown.setdefault(obj.FontDescriptor.objgen, set()).update(_codes(obj.W))
    programs: dict[str, dict[tuple[int, int], tuple[bytes, set[int]]]] = {}
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
            stream = obj.get("/FontFile3") or obj.get("/FontFile2")
            found = programs.setdefault(str(obj.FontName), {})
            found.setdefault(stream.objgen, (stream.read_bytes(), set()))[1].update(shown[obj.objgen])
    return {name: [(data, frozenset(codes)) for data, codes in found.values()]
            for name, found in programs.items()}


def _build(root: Path, name: str) -> Path:
    notes = root / "notes"
    if not notes.is_dir():
        write_notes(notes, NOTES)
    config = Config(notes=notes, out=root / name, title="字体合并")
    path = root / name / "book.pdf"
    export("pdf", parse(notes, title=config.title), path, config)
    return path


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """The fixture book with its fonts subset at the join (twice: the second from the cache), and
    with each document's fonts subset by WeasyPrint (the subsetter hidden: the stand-ins step aside)."""
    root = tmp_path_factory.mktemp("fontjoin")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        paths = {"joined": _build(root, "joined")}
        paths["again"] = root / "joined" / "again.pdf"
        shutil.copy(_build(root, "joined"), paths["again"])
        monkeypatch.setattr(fontjoin, "harfbuzz", lambda: None)
        paths["documents"] = _build(root, "documents")
    return paths


def _pages(pdf: Path, folder: Path) -> list[Path]:
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", "60", str(pdf), str(folder / "p")], check=True)
    return sorted(folder.glob("p-*.ppm"))


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_every_page_looks_the_same_as_with_a_subset_per_document(books, tmp_path):
    before, after = _pages(books["documents"], tmp_path / "a"), _pages(books["joined"], tmp_path / "b")
    assert len(after) == len(before) >= 4
    for page, again in zip(before, after, strict=True):
        assert page.read_bytes() == again.read_bytes(), again.name


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_the_text_reads_back_the_same(books):
    texts = [subprocess.run(["pdftotext", str(books[name]), "-"], capture_output=True, text=True,
                            check=True).stdout for name in ("documents", "joined")]
    assert texts[0] == texts[1] and "缩放点积注意力" in texts[1]


def test_one_program_per_font_and_a_smaller_book(books):
    before = _codes_and_programs(pikepdf.open(books["documents"]))
    after = _codes_and_programs(pikepdf.open(books["joined"]))
    assert before.keys() == after.keys()
    assert any("CJK" in name and len(programs) >= 3 for name, programs in before.items())
    assert any(programs[0][0][:4] == b"\0\1\0\0" and len(programs) >= 2 for programs in before.values())
    assert any("Emoji" in name for name in after)
    assert {name: len(programs) for name, programs in after.items()} == dict.fromkeys(after, 1)
    assert not any(fontjoin.MAGIC in data for programs in after.values() for data, _ in programs)
    assert books["joined"].stat().st_size < 0.6 * books["documents"].stat().st_size


def test_same_notes_same_bytes(books):
    assert books["again"].read_bytes() == books["joined"].read_bytes()  # the second from the cache


def _drawn(font, name: str) -> tuple:
    """A glyph's outline (composites decomposed), advance, and Private DICT (CFF hints)."""
    from fontTools.pens.recordingPen import DecomposingRecordingPen

    glyphs = font.getGlyphSet()
    pen = DecomposingRecordingPen(glyphs)
    glyphs[name].draw(pen)
    private = None
    if "CFF " in font:
        private = font["CFF "].cff.topDictIndex[0].CharStrings[name].private.rawDict
    return tuple(pen.value), glyphs[name].width, private


def _name(font, code: int) -> str | None:
    """The glyph a code shows: by CID in a CID-keyed CFF font, by glyph id in a TrueType one."""
    if "CFF " in font:
        name = ".notdef" if code == 0 else f"cid{code:05d}"
        return name if name in font.getReverseGlyphMap() else None
    return font.getGlyphOrder()[code] if code < len(font.getGlyphOrder()) else None


def test_fonttools_draws_each_shown_glyph_from_the_book_program_as_from_its_document_subset(books):
    from fontTools.ttLib import TTFont

    joined = _codes_and_programs(pikepdf.open(books["joined"]))
    for name, programs in _codes_and_programs(pikepdf.open(books["documents"])).items():
        book = TTFont(BytesIO(joined[name][0][0]))
        book.ensureDecompiled()  # every table reads back
        for data, codes in programs:
            subset = TTFont(BytesIO(data))
            for code in codes:
                glyph = _name(subset, code)
                if glyph is not None:
                    assert _drawn(book, _name(book, code)) == _drawn(subset, glyph), (name, code)


def test_a_font_file_changed_since_the_print_prints_the_documents_again(books, tmp_path, monkeypatch):
    """The first join cannot find the font file its cached documents name (as after an upgrade of
    the fonts): the documents are printed afresh and the book is the same."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = books["joined"].parent.parent
    shutil.copytree(root / "joined", tmp_path / "stale")
    reads = []
    real = fontjoin.Sources.read

    def stale_once(self, stand):
        reads.append(stand.family)
        return None if len(reads) == 1 else real(self, stand)

    monkeypatch.setattr(fontjoin.Sources, "read", stale_once)
    for entry in (tmp_path / "stale" / ".cache" / "pdf-fonts").glob("*.pickle"):
        entry.unlink()  # the subsets are made again: the font files are read
    (tmp_path / "notes").symlink_to(root / "notes")
    assert _build(tmp_path, "stale").read_bytes() == books["joined"].read_bytes()
    assert len(reads) > 1


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_a_font_the_join_cannot_find_is_subset_in_each_document(books, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(fontjoin.Sources, "read", lambda self, stand: None)
    write_notes(tmp_path / "notes", NOTES)
    book = _build(tmp_path, "nowhere")
    programs = _codes_and_programs(pikepdf.open(book))
    assert any(len(found) >= 3 for found in programs.values())  # WeasyPrint's subsets, one a document
    before, after = _pages(books["documents"], tmp_path / "a"), _pages(book, tmp_path / "b")
    assert [p.read_bytes() for p in before] == [p.read_bytes() for p in after]


def test_a_stand_in_reads_back_and_a_font_is_not_one(books):
    stand = fontjoin.Stand("Noto Sans CJK SC", 2, "ab" * 32, (0, 1, 2, 7, 300, 301), True, False, True)
    program = stand.program()
    assert program.startswith(b"OTTO") and fontjoin.Stand.read(program) == stand
    assert fontjoin.Stand.read(program[:-2]) is None  # cut short: not a stand-in
    for programs in _codes_and_programs(pikepdf.open(books["joined"])).values():
        assert fontjoin.Stand.read(programs[0][0]) is None


def test_the_subset_keeps_glyph_ids_and_drops_what_follows_the_last(books):
    from fontTools.ttLib import TTFont

    files = fontjoin._family_files("DejaVu Sans Mono")
    mono = next((path for path in files if path.name == "DejaVuSansMono.ttf"), None)
    if mono is None:
        pytest.skip("DejaVu Sans Mono is not installed")
    program = fontjoin.subset(mono.read_bytes(), 0, [0, 36, 68], False, False)
    font, full = TTFont(BytesIO(program)), TTFont(mono)
    assert len(font.getGlyphOrder()) == 69
    assert _drawn(font, font.getGlyphOrder()[36]) == _drawn(full, full.getGlyphOrder()[36])
    assert font["glyf"][font.getGlyphOrder()[40]].numberOfContours == 0  # not shown: emptied
