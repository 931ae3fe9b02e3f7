"""The PDF handbook: golden HTML, and the real PDF read back with pypdf and poppler.

Golden files: `make golden` (QADECK_REGEN_GOLDEN=1 pytest -k golden) rewrites
tests/golden/handbook_*.html; review the diff before committing it.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from qadeck import checks
from qadeck.build import context
from qadeck.config import Config, with_options
from qadeck.errors import MissingDependency
from qadeck.exporters import handbook
from qadeck.exporters.handbook import book as handbook_html
from qadeck.exporters.handbook.fetch import SafeFetcher
from qadeck.exporters.handbook.fonts import Coverage
from qadeck.exporters.handbook.printlog import PrintLog
from qadeck.exporters.handbook.weasyprint_adapter import captured
from qadeck.math import MathError, SVGMath, math_font_file
from tests.conftest import FIXTURES, TESTS, parse, write_notes

pypdf = pytest.importorskip("pypdf")
NOTES = FIXTURES / "handbook" / "notes"
UNSAFE = FIXTURES / "handbook" / "unsafe"
GOLDEN = TESTS / "golden"
EPOCH = "1700000000"  # 2023-11-14
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def _config(notes: Path, out: Path, **options) -> Config:
    return with_options(Config(notes=notes, out=out, title="测试手册", subtitle="注意力 · 归一化",
                               author="qadeck 测试"), "pdf", **options)


def _build(notes: Path, out: Path, **values) -> tuple[Path, list]:
    config = _config(notes, out, **values)
    target = out / "book.pdf"
    collection = checks.run(parse(notes, title=config.title))
    diagnostics = handbook.export(collection, target, config.options("pdf"), context(config))
    return target, [*collection.diagnostics, *checks.new_only(collection, diagnostics)]


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> tuple[Path, list]:
    old = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    try:
        yield _build(NOTES, tmp_path_factory.mktemp("book"))
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH")
        else:
            os.environ["SOURCE_DATE_EPOCH"] = old


def _plain_text(pdf: Path) -> str:
    """The PDF's text through pypdf (a dependency, so always here; poppler may not be)."""
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)


def _text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout


def _outline(items, depth=0) -> list[tuple[int, str]]:
    out = []
    for item in items:
        if isinstance(item, list):
            out += _outline(item, depth + 1)
        else:
            out.append((depth, item.title))
    return out


# -- the HTML handed to WeasyPrint -----------------------------------------------------------

def _html(notes: Path, **values) -> str:
    config = _config(notes, Path("build"), **values)
    html = handbook_html.build(parse(notes, title=config.title), config.options("pdf"), context(config),
                               SVGMath(), font_faces=handbook.font_faces(None)).html
    # machine-independent
    return html.replace(notes.resolve().as_uri(), "file:///NOTES").replace(
        math_font_file().as_uri(), "file:///MATHFONT")


def _short_math(html: str) -> str:
    """Formula SVGs as a hash in the golden files: a changed formula still shows, as one line."""
    def digest(match: re.Match[str]) -> str:
        return f'src="data:image/svg+xml,sha1:{hashlib.sha1(match.group(1).encode()).hexdigest()[:12]}"'

    return re.sub(r'src="data:image/svg\+xml,([^"]+)"', digest, html)


@pytest.mark.parametrize("name,values", [("full", {}), ("questions", {"questions_only": True})])
def test_golden_html(name, values, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    html = _short_math(_html(NOTES, **values))
    golden = GOLDEN / f"handbook_{name}.html"
    if os.environ.get("QADECK_REGEN_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(html, encoding="utf-8")
    assert golden.is_file(), "no golden file yet: run `make golden`"
    assert html == golden.read_text(encoding="utf-8"), "HTML changed: review, then `make golden`"


def test_html_structure(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    html = _html(NOTES)
    assert '<html lang="zh-CN">' in html and "2023 年 11 月 14 日" in html
    assert "2 篇笔记 · 8 道题 · 2 道待补充" in html
    # follow-ups are nested inside their parent's section, numbered under it
    first = html[html.index('<span class="q-no">1</span>'):html.index('<span class="q-no">2</span>')]
    assert "追问 1.1" in first and "追问 1.2" in first
    # details parts expanded with their names as labels; see-also line; open questions ruled
    assert '<p class="part-label">详述</p>' in html and '<p class="part-label">代码演示</p>' in html
    assert 'class="see-also"' in html and html.count('class="open-badge">待补充') == 2
    assert html.count('<div class="rule"></div>') == 2 * handbook_html.WRITING_LINES
    # cross-note links point into the book, web links stay web links
    assert re.search(r'<a class="xref" href="#s-[0-9a-f]{10}">层归一化的作用</a>', html)
    assert re.search(r'<a class="xref" href="#q-[0-9a-f]{10}">回到注意力</a>', html)
    assert '<a class="web" href="https://arxiv.org/abs/1706.03762">' in html
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    targets = set(re.findall(r'href="#([^"]+)"', html))
    assert targets <= set(ids)


def test_questions_only_leaves_answers_out(monkeypatch):
    html = _html(NOTES, questions_only=True)
    assert "缩放点积注意力" in html and "避免 softmax 饱和" not in html and 'class="answer"' not in html
    assert 'class="references"' not in html


def test_math_images_sit_on_the_baseline_and_have_unique_ids():
    html = _html(NOTES)
    images = re.findall(r'<img class="math-svg" alt="([^"]*)" style="([^"]*)" '
                        r'src="data:image/svg\+xml,([^"]+)"', html)
    assert len(images) > 8
    inline = [style for _, style, _ in images if "vertical-align" in style]
    assert inline and all(re.search(r"vertical-align:-\d+\.\d{3}em", s) for s in inline)
    for alt, _, data in images:
        svg = unquote(data)
        ids = re.findall(r'\bid="([^"]+)"', svg)
        assert svg.startswith("<svg") and all(i.startswith("z") for i in ids), alt


def test_text_in_formulas_uses_a_cjk_font_not_boxes():
    engine = SVGMath()
    html = engine.render(r"\text{头数} \times d_{head}", False)
    svg = unquote(re.search(r'svg\+xml,([^"]+)', html).group(1))
    # the ideographs come from a CJK font, the rest from the math font, all as text
    assert re.search(r'<text [^>]*font-family="Noto Serif CJK[^"]*"[^>]*>头</text>', svg)
    assert re.search(r'<text [^>]*font-family="qadeck-math"[^>]*>×</text>', svg) and "<path" not in svg
    with pytest.raises(MathError, match="U\\+1F600"):
        engine.render("\U0001F600 x", False)  # no installed font has it: an error, not a box


def test_formula_cache_is_reused_across_builds(tmp_path):
    first = SVGMath(cache_dir=tmp_path)
    html = first.render("a^2 + b^2 = c^2", False) + first.render("a^2 + b^2 = c^2", False)
    first.close()
    assert first.rendered == 1
    second = SVGMath(cache_dir=tmp_path)
    assert second.render("a^2 + b^2 = c^2", False) * 2 == html and second.rendered == 0
    assert second.missing([("a^2 + b^2 = c^2", False), ("x", True)]) == [("x", True)]


def test_broken_formula_is_a_diagnostic_and_prints_its_source(book):
    pdf, diagnostics = book
    broken = [d for d in diagnostics if d.code == "math.invalid"]
    assert [(d.path, d.line) for d in broken] == [("注意力_QA.md", 66)]


# -- the PDF, read back ------------------------------------------------------------------------

@needs_poppler
def test_pdf_text_is_chinese_and_extractable(book):
    text = _text(book[0])
    squeezed = re.sub(r"\s+", "", text)  # pdftotext drops some spaces between CJK and digits
    for words in ("测试手册", "目录", "注意力机制面试题", "缩放点积注意力", "待补充", "追问1.1", "层归一化",
                  "第3页/共5页", "详述", "代码演示", "\\frac{1}{"):
        assert words in squeezed, words
    assert "return scores.softmax(dim=-1) @ v" in text


def test_pdf_outline_metadata_and_links(book):
    reader = pypdf.PdfReader(book[0])
    outline = _outline(reader.outline)
    assert (0, "注意力机制面试题") in outline and (0, "归一化方法") in outline
    assert (1, "基础概念") in outline and (1, "面试问题") in outline
    assert any(depth == 2 and title.startswith("1. 什么是缩放点积注意力") for depth, title in outline)
    assert any(depth == 3 and title.startswith("1.1. 若不做缩放") for depth, title in outline)
    meta = reader.metadata
    assert meta.title == "测试手册" and meta.author == "qadeck 测试" and "attention" in meta["/Keywords"]
    assert reader.trailer["/Root"]["/Lang"] == "zh-CN"
    internal, web = 0, set()
    for page in reader.pages:
        for annot in page.get("/Annots", []):
            annot = annot.get_object()
            action = annot.get("/A", {})
            if "/Dest" in annot or action.get("/S") == "/GoTo":
                internal += 1
            elif "/URI" in action:
                web.add(action["/URI"])
    assert internal >= 10  # contents, see-also, cross-note and in-note links
    assert "https://arxiv.org/abs/1706.03762" in web


@needs_poppler
def test_fonts_are_embedded_and_subset(book):
    rows = subprocess.run(["pdffonts", str(book[0])], capture_output=True, text=True, check=True).stdout
    fonts = rows.splitlines()[2:]
    assert fonts and any("CJK" in row for row in fonts)
    for row in fonts:
        assert re.match(r"[A-Z]{6}\+", row), row  # subset tag
        emb, sub = row.split()[-5:-3]
        assert (emb, sub) == ("yes", "yes"), row
    assert book[0].stat().st_size < 3_000_000


def test_two_builds_are_byte_identical(book, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    again, _ = _build(NOTES, tmp_path)
    assert again.read_bytes() == book[0].read_bytes()


@pytest.mark.parametrize("paper,size", [("A5", (420, 595)), ("Letter", (612, 792))])
def test_paper_sizes(paper, size, tmp_path):
    pdf, _ = _build(NOTES, tmp_path, paper=paper)
    box = pypdf.PdfReader(pdf).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == size


@needs_poppler
def test_questions_only_pdf(tmp_path):
    pdf, _ = _build(NOTES, tmp_path, questions_only=True)
    text = _text(pdf)
    assert "缩放点积注意力" in text and "BatchNorm 沿批维统计" not in text and "模拟面试" in text


# -- fonts -------------------------------------------------------------------------------------

def test_character_without_any_font_is_a_diagnostic_not_a_box(tmp_path):
    notes = write_notes(tmp_path / "notes", {"a.md": "标题\n===\n\n### 问题?\n> 古文字 \U00013000 在这里\n"})
    pdf, diagnostics = _build(notes, tmp_path / "out")
    missing = [d for d in diagnostics if d.code == "glyph.missing"]
    assert [(d.path, d.line) for d in missing] == [("a.md", 5)] and "U+13000" in missing[0].message
    assert "[U+13000]" in _plain_text(pdf)


def test_notdef_in_weasyprint_log_is_a_warning_at_its_place_not_a_failed_book(tmp_path):
    import weasyprint

    notes = write_notes(tmp_path, {"x.md": "标题\n===\n\n正文 \U00013000\n"})
    with captured() as records:
        weasyprint.HTML(string="<p>\U00013000</p>").write_pdf()
    log = PrintLog([], parse(notes))
    log.read_log([r.getMessage() for r in records], [])
    assert [(d.path, d.line, d.severity, d.code) for d in log.diagnostics] == [
        ("x.md", 4, "warning", "glyph.missing")]
    assert "U+13000" in log.diagnostics[0].message


def test_a_visible_format_character_no_font_has_costs_that_character(tmp_path):
    # U+0604 (an Arabic number sign) is a format character that prints: not skipped as invisible
    notes = write_notes(tmp_path / "notes", {"a.md": "标题\n===\n\n### 问题\u0604?\n> 答案 \u0604 在这里\n"})
    done = subprocess.run([sys.executable, "-m", "qadeck", "build", str(notes), "--out", "out",
                           "--only", "pdf"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    missing = [line for line in done.stderr.splitlines() if "[glyph.missing]" in line]
    assert [line.split(": warning")[0] for line in missing] == ["notes/a.md:4", "notes/a.md:5"], done.stderr
    assert "the outputs reported 2 warnings or errors" in done.stderr
    text = _plain_text(next((tmp_path / "out").glob("*.pdf")))
    assert "问题[U+0604]" in text and "答案 [U+0604] 在这里" in text


def test_no_cjk_font_stops_with_one_sentence(tmp_path):
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?><fontconfig><dir>/nonexistent</dir>'
                    f"<cachedir>{tmp_path}/cache</cachedir></fontconfig>")
    notes = write_notes(tmp_path / "notes", {"a.md": "标题\n===\n\n### 问题?\n> 答案\n"})
    env = {**os.environ, "FONTCONFIG_FILE": str(conf)}
    done = subprocess.run([sys.executable, "-m", "qadeck", "pdf", "--notes", str(notes), "-o",
                           str(tmp_path / "x.pdf")], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert done.returncode == 1 and not (tmp_path / "x.pdf").exists()
    assert "no font with Chinese characters is installed" in done.stderr and "Traceback" not in done.stderr


def test_font_file_without_chinese_is_refused(tmp_path):
    found = subprocess.run(["fc-match", "-f", "%{file}", "DejaVu Sans"], capture_output=True, text=True)
    latin = Path(found.stdout.strip())
    if not latin.is_file() or Coverage.of_file(latin).covers("中"):
        pytest.skip("no Latin-only font to try")
    notes = write_notes(tmp_path / "notes", {"a.md": "标题\n===\n"})
    with pytest.raises(MissingDependency, match="has no Chinese characters"):
        _build(notes, tmp_path / "out", font=latin)


# -- safety ------------------------------------------------------------------------------------

SECRET = "QADECK-SECRET-7f3a"


def _unsafe_tree(tmp_path: Path) -> Path:
    notes = tmp_path / "notes"
    shutil.copytree(UNSAFE, notes)
    (tmp_path / "secret.txt").write_text(SECRET)
    (tmp_path / "secret.svg").write_text(f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                                         f"<text>{SECRET}</text></svg>")
    (notes / "link.svg").symlink_to(tmp_path / "secret.svg")
    return notes


def test_notes_cannot_reach_outside_files_the_network_or_attach_files(tmp_path):
    notes = _unsafe_tree(tmp_path)
    pdf, diagnostics = _build(notes, tmp_path / "out")
    data = pdf.read_bytes()
    assert b"/EmbeddedFile" not in data and SECRET.encode() not in data
    for href in ("file:///etc/passwd", "../secret.svg", "./link.svg", "../../../../../../../../etc/hostname"):
        assert any(href in d.message and d.severity == "warning" for d in diagnostics), href  # each said
    assert any(d.code == "image.remote" and "127.0.0.1" in d.message for d in diagnostics)
    assert SECRET not in _plain_text(pdf)
    # The note's <link rel=attachment>, rel= and style= never reach WeasyPrint: the shared
    # sanitizer takes them out (test_fetcher_refuses_each_way_out tries them on WeasyPrint alone).
    config = _config(notes, tmp_path / "out")
    html = handbook_html.build(parse(notes, title=config.title), config.options("pdf"), context(config),
                               SVGMath()).html
    assert "attachment" not in html and "background" not in html and "<link" not in html


def test_a_file_url_image_is_never_embedded_as_the_parser_warns(tmp_path):
    """Even inside the notes folder: the parser says "not followed", so the book does not read it."""
    notes = tmp_path / "notes"
    notes.mkdir()
    shutil.copy(FIXTURES / "anki" / "llm" / "assets" / "fig1.png", notes / "fig.png")
    url = (notes / "fig.png").resolve().as_uri()
    write_notes(notes, {"a.md": f"# A\n\n### 图?\n> 答\n\n![图]({url})\n"})
    collection = parse(notes)
    assert [d.code for d in collection.diagnostics] == ["link.scheme"]
    config = _config(notes, tmp_path / "out")
    book = handbook_html.build(collection, config.options("pdf"), context(config), SVGMath())
    assert "fig.png" not in book.html and "[图片缺失: 图]" in book.html and book.diagnostics == []


@pytest.mark.parametrize("markup", [
    '<img src="file:///etc/passwd">',
    '<img src="../secret.svg">',
    '<img src="../../../../../../../../etc/hostname">',
    '<img src="link.svg">',
    '<img src="http://127.0.0.1:9/x.png">',
    '<link rel="attachment" href="../secret.txt">',
    '<a rel="attachment" href="../secret.txt">x</a>',
    '<div style="background: url(../secret.svg)">x</div>',
])
def test_fetcher_refuses_each_way_out(markup, tmp_path):
    """Straight through WeasyPrint, without the HTML clean-up: the fetcher alone holds."""
    import weasyprint

    notes = _unsafe_tree(tmp_path)
    fetcher = SafeFetcher([notes])
    with captured():
        data = weasyprint.HTML(string=f"<p>{markup}</p>", base_url=notes.as_uri() + "/",
                               url_fetcher=fetcher).write_pdf()
    assert fetcher.refused, markup
    assert b"/EmbeddedFile" not in data and SECRET.encode() not in data


def test_fetcher_allows_data_and_files_inside(tmp_path):
    import weasyprint

    notes = _unsafe_tree(tmp_path)
    (notes / "ok.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    fetcher = SafeFetcher([notes])
    markup = ('<img src="ok.svg"><img src="data:image/svg+xml;base64,'
              + base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>').decode()
              + '">')
    with captured() as log:
        weasyprint.HTML(string=markup, base_url=notes.as_uri() + "/", url_fetcher=fetcher).write_pdf()
    assert fetcher.refused == [] and not log


@needs_poppler
def test_font_file_is_embedded_under_its_own_family(tmp_path):
    found = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True)
    files = sorted(line.split(":")[0] for line in found.stdout.splitlines() if line.strip())
    cjk = Path(files[0]) if files else Path("/nonexistent")
    if not cjk.is_file():
        pytest.skip("no CJK font file to pass as --font")
    pdf, _ = _build(NOTES, tmp_path, font=cjk)
    rows = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "+qadeck-cjk" in rows
