"""One font program per font in the joined handbook (`fontmerge`): every page drawn by poppler
the same before and after the merge, every glyph a document shows drawn the same by fontTools
from the merged program, one program per /FontName, a smaller file, the same bytes build after
build, and fonts whose subsets cannot be merged left as they are."""

from __future__ import annotations

import shutil
import subprocess
from io import BytesIO
from pathlib import Path

import pytest

from qadeck.config import Config
from qadeck.exporters.handbook import cffmerge, fontmerge, sfntmerge
from tests.conftest import export, parse, write_notes

pikepdf = pytest.importorskip("pikepdf")
EPOCH = "1700000000"
# Three chapters with different characters (so each embeds other subsets of the CJK fonts),
# bold text, code in the monospaced font (accented letters are composite glyphs whose parts may
# lie past the chapter's last glyph id) and formulas in the math font.
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
> 温度越高分布越平坦, 生成越多样; 温度趋近零时退化为贪心搜索 $\\arg\\max_y p(y)$.
""",
}


def _codes_and_programs(pdf) -> dict[str, list[tuple[bytes, frozenset[int]]]]:
    """Each /FontName's programs, each with the codes its documents show (as `fontmerge` reads them)."""
    shown: dict[tuple[int, int], set[int]] = {}
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Subtype") in ("/CIDFontType0", "/CIDFontType2"):
            shown.setdefault(obj.FontDescriptor.objgen, set()).update(fontmerge._codes(obj.W))
    programs: dict[str, dict[tuple[int, int], tuple[bytes, set[int]]]] = {}
    for obj in pdf.objects:
        if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor":
            stream = obj.get("/FontFile3") or obj.get("/FontFile2")
            found = programs.setdefault(str(obj.FontName), {})
            found.setdefault(stream.objgen, (stream.read_bytes(), set()))[1].update(shown[obj.objgen])
    return {name: [(data, frozenset(codes)) for data, codes in found.values()]
            for name, found in programs.items()}


@pytest.fixture(scope="module")
def books(tmp_path_factory) -> dict[str, Path]:
    """The fixture book joined with and without the font merge (the chapters printed once)."""
    root = tmp_path_factory.mktemp("fontmerge")
    notes = write_notes(root / "notes", NOTES)
    config = Config(notes=notes, out=root / "out", title="字体合并")
    collection = parse(notes, title=config.title)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
        paths = {"merged": root / "out" / "merged.pdf", "again": root / "out" / "again.pdf"}
        export("pdf", collection, paths["merged"], config)
        export("pdf", collection, paths["again"], config)  # the merged programs from the cache
        monkeypatch.setattr(fontmerge, "merge_fonts", lambda pdf, store=None: None)
        paths["unmerged"] = root / "out" / "unmerged.pdf"
        export("pdf", collection, paths["unmerged"], config)
    return paths


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_every_page_looks_the_same_after_the_merge(books, tmp_path):
    pages = {}
    for name in ("unmerged", "merged"):
        subprocess.run(["pdftoppm", "-r", "60", str(books[name]), str(tmp_path / name)], check=True)
        pages[name] = sorted(tmp_path.glob(f"{name}-*.ppm"))
    assert len(pages["merged"]) == len(pages["unmerged"]) >= 4
    for before, after in zip(pages["unmerged"], pages["merged"], strict=True):
        assert before.read_bytes() == after.read_bytes(), after.name


def test_one_program_per_font_and_a_smaller_book(books):
    before = _codes_and_programs(pikepdf.open(books["unmerged"]))
    after = _codes_and_programs(pikepdf.open(books["merged"]))
    assert before.keys() == after.keys()
    assert any("CJK" in name and len(programs) >= 3 for name, programs in before.items())
    assert any(programs[0][0][:4] == b"\0\1\0\0" and len(programs) >= 2 for programs in before.values())
    assert {name: len(programs) for name, programs in after.items()} == dict.fromkeys(after, 1)
    assert books["merged"].stat().st_size < 0.6 * books["unmerged"].stat().st_size


def test_same_notes_same_bytes(books):
    assert books["again"].read_bytes() == books["merged"].read_bytes()  # merged once, then cached
    merged = []
    for _ in range(2):  # merged afresh, without the cache
        pdf = pikepdf.open(books["unmerged"])
        fontmerge.merge_fonts(pdf)
        out = BytesIO()
        pdf.save(out, deterministic_id=True)
        merged.append(out.getvalue())
    assert merged[0] == merged[1]


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


def test_fonttools_draws_each_shown_glyph_from_the_merged_program_as_from_its_subset(books):
    from fontTools.ttLib import TTFont

    for name, programs in _codes_and_programs(pikepdf.open(books["unmerged"])).items():
        merged_program = sfntmerge.merge(programs)
        assert merged_program is not None, name
        merged = TTFont(BytesIO(merged_program))
        merged.ensureDecompiled()  # every table reads back
        for data, codes in programs:
            subset = TTFont(BytesIO(data))
            for code in codes:
                glyph = _name(subset, code)
                if glyph is not None:
                    assert _drawn(merged, _name(merged, code)) == _drawn(subset, glyph), (name, code)


def test_a_truetype_subset_has_composites_with_parts_past_its_last_shown_glyph(books):
    """What `glyfmerge` renumbers: HarfBuzz gives the parts of a composite (of É, ½...) that lie
    past a subset's last shown glyph new ids in that subset only."""
    from fontTools.ttLib import TTFont

    found = []
    for programs in _codes_and_programs(pikepdf.open(books["unmerged"])).values():
        for data, codes in programs:
            if data[:4] != b"\0\1\0\0":
                continue
            font = TTFont(BytesIO(data))
            order, glyf = font.getGlyphOrder(), font["glyf"]
            composites = [glyf[order[c]] for c in codes if c < len(order) and glyf[order[c]].isComposite()]
            found += [glyph for glyph in composites
                      if max(font.getGlyphID(part.glyphName) for part in glyph.components) > max(codes)]
    assert found


def test_subsets_of_different_fonts_under_one_name_are_left_alone(books):
    programs = _codes_and_programs(pikepdf.open(books["unmerged"]))
    serif = next(p for name, p in programs.items() if "Serif-CJK" in name)
    sans = next(p for name, p in programs.items() if "Sans-CJK" in name and "Bold" not in name)
    assert sfntmerge.merge([serif[0], sans[0]]) is None  # the same CIDs, other outlines
    assert sfntmerge.merge([serif[0], (b"OTTO" + bytes(200), serif[1][1])]) is None
    assert sfntmerge.merge([serif[0], (serif[1][0][:5000], serif[1][1])]) is None  # cut short


def test_a_font_with_a_broken_subset_keeps_one_program_per_document(books):
    pdf = pikepdf.open(books["unmerged"])
    descriptors = [obj for obj in pdf.objects
                   if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"]
    serif = [d for d in descriptors if "Serif-CJK" in str(d.FontName)]
    assert len(serif) >= 2
    serif[0].FontFile3.write(b"OTTO not a font")
    fontmerge.merge_fonts(pdf)
    assert len({d.FontFile3.objgen for d in serif}) == len(serif)  # left as they were
    sans = [d for d in descriptors if str(d.FontName).endswith("+Noto-Sans-CJK-SC")]
    assert len(sans) >= 2 and len({d.FontFile3.objgen for d in sans}) == 1  # the others merged


def test_filled_glyphs_are_found_by_binary_search_as_by_reading_every_length(books):
    from fontTools.ttLib.sfnt import SFNTReader

    programs = _codes_and_programs(pikepdf.open(books["unmerged"]))
    data = next(p for name, p in programs.items() if "CJK" in name)[0][0]
    cff = cffmerge.Cff(SFNTReader(BytesIO(data))["CFF "])
    lengths = [len(cff.charstrings.item(gid)) for gid in range(cff.count)]
    assert cff.filled() == [gid for gid, length in enumerate(lengths) if length > 1]
    assert 0 < len(cff.filled()) < cff.count // 10


@pytest.mark.parametrize("sizes", [[0], [1, 2, 3], [300] * 100, [300] * 300])
def test_index_round_trip(sizes):
    items = [bytes([n % 251]) * n for n in sizes]
    written = b"xx" + cffmerge.write_index(items)
    index = cffmerge.read_index(written, 2)
    assert [index.item(i) for i in range(len(index))] == items
    assert index.end == len(written)


def test_codes_shown_are_read_from_both_forms_of_w():
    assert fontmerge._codes(pikepdf.Array([1, pikepdf.Array([500, 600]), 10, 12, 700])) == [1, 2, 10, 11, 12]
    assert fontmerge._codes(pikepdf.Array([pikepdf.Name("/W"), pikepdf.Array([1])])) == []
    assert fontmerge._codes(pikepdf.Array([0, 70_000, 500])) == []  # not two-byte codes
    assert fontmerge._codes(None) == []
