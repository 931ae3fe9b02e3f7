"""The HTML cheat sheet: the page's markup, and the page as Chromium shows it (search, details, math,
no network, no console errors, XSS never fires, light/dark, desktop/phone, print, without JS)."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from qadeck import checks, exporters
from qadeck.build import context as build_context
from qadeck.cli import cli
from qadeck.config import Config
from qadeck.exporters.cheatsheet.options import HtmlOptions
from qadeck.math import MathError, MathMLMath
from qadeck.model import Diagnostic
from qadeck.parser import parse_collection
from tests.conftest import FIXTURES, TESTS, write_notes

HERE = FIXTURES / "cheatsheet"
NOTES = HERE / "notes"
XSS = HERE / "xss"
ARTIFACTS = TESTS / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
MONTH = Path("corpus/sspace/notes/_archives/2025/09")


def build(notes: Path, out: Path, **options) -> list[Diagnostic]:
    config = Config(notes=notes, title="测试速查", subtitle="注意力 · 位置编码")
    collection = checks.run(parse_collection(notes, config.parse_options()))
    found = exporters.load("html").export(collection, out, HtmlOptions(**options), build_context(config))
    return [*collection.diagnostics, *checks.new_only(collection, found)]


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("cheatsheet")
    build(NOTES, out / "notes.html")
    build(XSS, out / "xss.html")
    return {"notes": out / "notes.html", "xss": out / "xss.html"}


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# -- the file ------------------------------------------------------------------------------------

def test_registered_as_html_exporter():
    assert "html" in exporters.names() and exporters.load("html").SUFFIX == ".html"


def test_one_self_contained_file(pages):
    page = text(pages["notes"])
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in page
    assert re.findall(r"<script\b[^>]*>", page) == ["<script>"]
    assert not re.search(r"""\s(?:src|href)=["']?(?:https?:)?//""", page)
    assert "<link rel=\"stylesheet\"" not in page and "@import" not in page
    assert 'src="data:image/png;base64,' in page
    script = re.search(r"<script>(.*?)</script>", page, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in page and "default-src 'none'" in page


def test_output_is_byte_identical_and_dated_only_by_source_date_epoch(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    build(NOTES, tmp_path / "a.html")
    build(NOTES, tmp_path / "b.html")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()
    assert "2025-" not in text(tmp_path / "a.html").split("<footer", 1)[1]
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1758240000")
    build(NOTES, tmp_path / "c.html")
    assert "· 2025-09-19</footer>" in text(tmp_path / "c.html")


def test_failing_formula_shows_its_source_and_a_diagnostic(tmp_path):
    diagnostics = build(NOTES, tmp_path / "p.html")
    bad = [d for d in diagnostics if d.code == "math.invalid"]
    assert [(d.path, d.line) for d in bad] == [("注意力_QA.md", 51)] * 2  # the line of the formula
    assert "$x^$" in bad[0].message and "missing" in bad[0].message.lower()
    assert '<code class="math-error">$x^$</code>' in text(tmp_path / "p.html")


def test_every_in_page_link_lands_on_an_element(pages):
    page = text(pages["notes"])
    ids = set(re.findall(r'\sid="([^"]+)"', page))
    targets = re.findall(r'href="#([^"]*)"', page)
    assert targets and set(targets) <= ids


def test_cross_note_links_go_to_the_question_or_section(pages):
    page = text(pages["notes"])
    collection = parse_collection(NOTES)
    attention = collection.note("注意力_QA.md")
    self_attention, scaling = attention.questions[0], attention.questions[1]
    assert f'<a href="#{self_attention.id}">回到自注意力</a>' in page
    assert f'<a href="#{scaling.id}">缩放的原因</a>' in page
    section = re.search(r'<h3 class="qd-sh" id="(s-[0-9a-f]+)"><a [^>]*><strong>训练与推理', page).group(1)
    assert f'<a href="#{section}">训练与推理</a>' in page
    # 知识.md has no questions, so it is not on the page: the link text stays, the link goes.
    assert '<span class="xref-off" title="知识笔记">知识笔记</span>' in page
    assert "知识笔记</h2>" not in page


def test_large_image_warns_with_its_line_and_is_still_embedded(tmp_path):
    diagnostics = build(NOTES, tmp_path / "p.html", image_cap_kb=0)
    large = [d for d in diagnostics if d.code == "image.large"]
    assert [(d.path, d.line, d.severity) for d in large] == [("注意力_QA.md", 46, "warning")]
    assert 'src="data:image/png;base64,' in text(tmp_path / "p.html")


def test_images_come_only_from_inside_the_notes_folder(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes((NOTES / "assets" / "dot.png").read_bytes() + b"SECRET")
    note = "# T\n\n## 图片?\n> ![x](leak.png) ![y](../secret.png)\n"
    notes = write_notes(tmp_path / "notes", {"a_QA.md": note})
    (notes / "leak.png").symlink_to(secret)  # inside by name, outside in fact
    build(notes, tmp_path / "p.html")
    page = text(tmp_path / "p.html")
    assert "data:image" not in page and base64.b64encode(secret.read_bytes()).decode()[:40] not in page
    assert '<span class="img-off" title="leak.png">x</span>' in page  # the alt text stays
    # The parser reported both (path:line); the exporter adds no second message for them.
    reported = parse_collection(notes).diagnostics
    assert {(d.line, d.code) for d in reported} == {(4, "image.missing"), (4, "link.outside")}


def test_xss_fixture_is_sanitized_in_the_markup(tmp_path):
    diagnostics = build(XSS, tmp_path / "x.html")
    page = text(tmp_path / "x.html")
    main = page.split('<main id="qd-main">', 1)[1]
    elements = Elements()
    elements.feed(main)
    assert not {"script", "iframe", "object", "embed", "style", "svg", "base", "meta", "link", "form",
                "maction", "img"} & {tag for tag, _ in elements.found}
    attributes = [(name, value or "") for _, attrs in elements.found for name, value in attrs]
    assert not [name for name, _ in attributes if name.startswith("on") or name in ("style", "name")]
    ids = [v for n, v in attributes if n == "id"]  # only the page's own: a note cannot clobber them
    assert all(re.fullmatch(r"q[0-9a-f]+|n-[0-9a-f]{10}(-h)?|s-[0-9a-f]{10}|qd-nomatch", i) for i in ids)
    urls = [v for n, v in attributes if n in ("href", "src")]
    assert not [v for v in urls if re.match(r"\s*(javascript|data):", v, re.I)]
    # MathML and images are put in after the note's HTML was cleaned, and never cleaned away.
    assert '<math alttext="a+b"' in page
    assert page.count('id="qd-search"') == 1 and "qd-top" not in main
    assert "example.com" not in main.replace('href="https://example.com/track.png"', "")
    unsafe = {d.line for d in diagnostics if d.code == "html.unsafe"}
    assert {7, 10, 11, 12, 15, 16, 17, 21, 22, 23, 26, 30, 31, 34, 35} <= unsafe  # each at its own line


class Elements(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))


def test_math_font_is_a_small_subset_with_the_math_table(pages):
    from fontTools.ttLib import TTFont

    page = text(pages["notes"])
    data = base64.b64decode(re.search(r"font/woff2;base64,([A-Za-z0-9+/=]+)", page).group(1))
    font = TTFont(io.BytesIO(data))
    cmap = font.getBestCmap()
    assert "MATH" in font and len(data) < 30_000 and len(font.getGlyphOrder()) < 400
    for char in "softmax√⊤" + "\U0001d458\U0001d444":  # italic k and Q: what browsers draw for <mi>k</mi>
        assert ord(char) in cmap, char


def test_mathml_is_sanitized_and_styled():
    math = MathMLMath()
    assert "<script" not in math.render(r"\text{<script>alert(1)</script>}", False)
    assert "javascript" not in math.render(r"\href{javascript:alert(1)}{x}", False).split('alttext="')[0]
    assert "<mi>𝒙</mi>" in math.render(r"\boldsymbol{x}", False)
    assert 'alttext="a &lt; b"' in math.render("a < b", True)
    with pytest.raises(MathError, match=r"unknown command \\foo"):
        math.render(r"\foo{x}", False)


def test_cli_writes_the_cheat_sheet_on_its_own(tmp_path):
    out = tmp_path / "sheet.html"
    result = CliRunner().invoke(cli, ["html", "--notes", str(NOTES), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and "注意力_QA.md:51: warning: cannot convert formula" in result.output


# -- in Chromium ---------------------------------------------------------------------------------

@dataclass
class Opened:
    page: object
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def count(self) -> str:
        return self.page.inner_text("#qd-count")

    def shown(self) -> list[str]:
        return self.page.eval_on_selector_all(
            "article.qd-q", "els => els.filter(e => e.checkVisibility()).map(e => e.id)")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing; `make test` installs Debian's chromium")
        pytest.skip("Debian's chromium is not installed (`make test` installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser):
    contexts = []

    def opener(path: Path, query: str = "", width: int = 1280, height: int = 900, scheme: str = "light",
               js: bool = True) -> Opened:
        context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme,
                                      java_script_enabled=js)
        contexts.append(context)
        page = context.new_page()
        opened = Opened(page)
        page.on("console", lambda m: m.type in ("error", "warning") and opened.errors.append(m.text))
        page.on("pageerror", lambda e: opened.errors.append(str(e)))
        page.on("request", lambda r: opened.requests.append(r.url))
        page.on("dialog", lambda d: (opened.dialogs.append(d.message), d.dismiss()))
        page.goto(path.as_uri() + query)
        page.wait_for_load_state("load")
        return opened

    yield opener
    for context in contexts:
        context.close()


def own_requests(opened: Opened, path: Path) -> list[str]:
    """Every request that is not the page itself (data: URIs never reach the network)."""
    return [u for u in opened.requests if u.split("?")[0].split("#")[0] != path.as_uri()
            and not u.startswith("data:")]


def test_search_hides_non_matching_questions_and_shows_the_count(open_page, pages):
    opened = open_page(pages["notes"])
    assert opened.count() == "共 9 题" and len(opened.shown()) == 9
    opened.page.fill("#qd-search", "位置信息")
    assert opened.count() == "显示 1 / 9 题"
    opened.page.wait_for_function("CSS.highlights.get('qd-hit')?.size === 1")  # the match is marked
    shown = opened.shown()
    assert len(shown) == 1
    assert opened.page.is_hidden("section.qd-note:has(h2 a:text('注意力机制面试问题'))")
    assert "?q=%E4%BD%8D" in opened.page.url  # the term is kept in the URL
    opened.page.fill("#qd-search", "饱和区")  # only in a follow-up: its parent stays as context
    assert opened.count() == "显示 1 / 9 题" and len(opened.shown()) == 2
    context_answer = "e => e.querySelector('.qd-ans').checkVisibility()"
    assert opened.page.eval_on_selector(".qd-ctx", context_answer) is False
    opened.page.fill("#qd-search", "没有这样的词")
    assert opened.count() == "显示 0 / 9 题" and opened.page.is_visible("#qd-nomatch")
    assert opened.errors == [] and own_requests(opened, pages["notes"]) == []


def test_search_opens_the_folded_part_that_matches(open_page, pages):
    opened = open_page(pages["notes"])
    details = "article.qd-q details:has-text('蝴蝶效应示例')"
    assert opened.page.eval_on_selector(details, "d => d.open") is False
    opened.page.fill("#qd-search", "蝴蝶效应")
    assert opened.page.eval_on_selector(details, "d => d.open") is True
    opened.page.fill("#qd-search", "")
    assert opened.page.eval_on_selector(details, "d => d.open") is False


def test_search_from_the_url_and_flag_filters(open_page, pages):
    opened = open_page(pages["notes"], "?q=rope")
    assert opened.page.input_value("#qd-search") == "rope" and opened.count() == "显示 1 / 9 题"
    opened.page.fill("#qd-search", "")
    opened.page.click("button.qd-f[data-flag='高频']")
    assert opened.count() == "显示 2 / 9 题"
    assert opened.page.get_attribute("button.qd-f[data-flag='高频']", "aria-pressed") == "true"
    assert "f=%E9%AB%98%E9%A2%91" in opened.page.url  # 高频
    opened.page.click("button.qd-f[data-flag='高频']")
    assert opened.count() == "共 9 题"


def test_details_open_and_expand_collapse_all(open_page, pages):
    opened = open_page(pages["notes"])
    summary = opened.page.locator("summary", has_text="示意图")
    body = opened.page.locator("details:has(summary:text('示意图')) img")
    assert not body.is_visible()
    summary.click()
    assert body.is_visible() and body.bounding_box()["width"] > 0
    opened.page.click("#qd-collapse")
    assert opened.page.eval_on_selector_all("main details", "ds => ds.some(d => d.open)") is False
    opened.page.click("#qd-expand")
    assert opened.page.eval_on_selector_all("main details", "ds => ds.every(d => d.open)") is True


def test_mathml_formula_has_a_size_in_the_subset_font(open_page, pages):
    opened = open_page(pages["notes"])
    page = opened.page
    page.evaluate("document.fonts.ready")
    inline = page.locator("article.qd-q math").first.bounding_box()
    display = page.locator("math[display='block']").first.bounding_box()
    assert inline["width"] > 5 and inline["height"] > 5
    assert display["height"] > inline["height"] * 1.5  # the fraction under a root really is stacked
    assert page.evaluate("document.fonts.check('16px \"QD Math\"', 'x')") is True
    assert page.evaluate("[...document.fonts].some(f => f.family.includes('QD Math') && f.status=='loaded')")


def test_keyboard_slash_focuses_search_and_escape_clears(open_page, pages):
    opened = open_page(pages["notes"])
    page = opened.page
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "qd-search"
    page.keyboard.type("KV")
    assert opened.count() == "显示 1 / 9 题"
    page.keyboard.press("Escape")
    assert page.input_value("#qd-search") == "" and opened.count() == "共 9 题"
    page.focus("summary:text('详述')")
    page.keyboard.press("Enter")
    assert page.eval_on_selector("details:has(summary:text('详述'))", "d => d.open") is True


def test_anchor_link_reveals_a_question_the_filter_hid(open_page, pages):
    target = parse_collection(NOTES).note("注意力_QA.md").questions[0].id
    opened = open_page(pages["notes"], "?q=rope")
    assert target not in opened.shown()
    opened.page.evaluate(f"location.hash = '#{target}'")
    opened.page.wait_for_function(f"document.getElementById('{target}').checkVisibility()")
    assert opened.page.input_value("#qd-search") == ""


def test_dark_mode_follows_the_system_and_the_toggle(open_page, pages):
    background = "getComputedStyle(document.body).backgroundColor"
    opened = open_page(pages["notes"], scheme="dark")
    assert opened.page.evaluate(background) == "rgb(13, 17, 23)"
    opened.page.click("#qd-theme")
    assert opened.page.evaluate(background) == "rgb(246, 247, 249)"
    assert opened.page.get_attribute("#qd-theme", "aria-pressed") == "false"


def test_readable_without_javascript(open_page, pages):
    opened = open_page(pages["notes"], js=False)
    assert len(opened.shown()) == 9
    assert opened.page.is_hidden("#qd-controls")
    opened.page.locator("summary", has_text="示意图").click()
    assert opened.page.locator("details:has(summary:text('示意图')) img").is_visible()


def test_print_shows_folded_parts_and_no_controls(open_page, pages):
    opened = open_page(pages["notes"])
    opened.page.emulate_media(media="print")
    assert opened.page.is_hidden("#qd-controls")
    code = opened.page.locator("details:has(summary:text('详述')) pre")
    assert code.bounding_box() is not None and code.bounding_box()["height"] > 10


def test_wide_screen_has_columns_and_a_phone_one(open_page, pages):
    lefts = "els => [...new Set(els.map(e => Math.round(e.getBoundingClientRect().left)))]"
    wide = open_page(pages["notes"], width=1400)
    assert len(wide.page.eval_on_selector_all(".qd-grid > article.qd-q", lefts)) >= 2
    phone = open_page(pages["notes"], width=390, height=844)
    assert len(phone.page.eval_on_selector_all(".qd-grid > article.qd-q", lefts)) == 1
    assert phone.page.evaluate("document.documentElement.scrollWidth <= innerWidth")


def test_xss_fixture_never_runs_script(open_page, pages):
    opened = open_page(pages["xss"])
    page = opened.page
    page.click("#qd-expand")
    # Click every link that stays on the page (web links would only leave it), and every span
    # that a javascript: link became.
    for link in page.locator("main a:not([href^='http']), main .xref-off").all():
        link.click(no_wait_after=True, timeout=2000)
    hrefs = page.eval_on_selector_all("[href], [src], [xlink\\:href]", "els => els.map(e => "
                                      "e.getAttribute('href') || e.getAttribute('src') || '')")
    assert not [h for h in hrefs if re.match(r"\s*(javascript|data:text)", h, re.I)]
    page.hover("main")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert opened.dialogs == [] and opened.errors == []
    assert own_requests(opened, pages["xss"]) == []
    assert page.evaluate("document.querySelectorAll('script').length") == 1
    assert page.url.startswith(pages["xss"].as_uri())


def test_screenshots_light_dark_desktop_phone(open_page, pages):
    ARTIFACTS.mkdir(exist_ok=True)
    for scheme in ("light", "dark"):
        for name, width, height in (("desktop", 1400, 1000), ("phone", 390, 844)):
            opened = open_page(pages["notes"], width=width, height=height, scheme=scheme)
            opened.page.evaluate("document.fonts.ready")
            shot = ARTIFACTS / f"cheatsheet-{name}-{scheme}.png"
            opened.page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000 and opened.errors == []


def test_corpus_page_opens_cleanly_and_every_question_is_findable(shared, open_page, tmp_path):
    notes = shared / MONTH
    out = tmp_path / "corpus.html"
    build(notes, out)
    questions = [q for n in parse_collection(notes).notes for q in n.questions]
    opened = open_page(out)
    assert opened.count() == f"共 {len(questions)} 题"
    probes = [[q.id, search_term(q.text)] for q in questions]
    missing = opened.page.evaluate("""probes => {
        const box = document.getElementById('qd-search');
        const lost = [];
        for (const [id, term] of probes) {
            box.value = term;
            box.dispatchEvent(new Event('input'));
            const card = document.getElementById(id);
            if (!card.checkVisibility() || card.classList.contains('qd-ctx')) lost.push(term);
        }
        return lost;
    }""", probes)
    assert missing == []
    assert opened.errors == [] and own_requests(opened, out) == []


def search_term(question: str) -> str:
    """What a reader would type: the longest run of the question outside formulas and code."""
    runs = re.split(r"\$[^$]*\$|`[^`]*`", question)
    return max((r.strip() for r in runs), key=len)
