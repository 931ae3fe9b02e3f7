"""SVG from the notes only draws, in every output; `data:` URLs are never links."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from urllib.parse import quote

import pytest

from qadeck.config import Config
from qadeck.svgclean import clean
from tests.conftest import export, parse, write_notes

EVIL = b"""<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="20"
     onload="alert(1)">
  <script>alert(2)</script>
  <style>@import url(http://127.0.0.1:9/x.css); rect { fill: red }</style>
  <a xlink:href="javascript:alert(3)"><rect width="20" height="10" onclick="alert(4)" fill="url(#g)"/></a>
  <image href="file:///etc/passwd" width="1" height="1"/>
  <image xlink:href="http://127.0.0.1:9/leak" width="1" height="1"/>
  <foreignObject><div xmlns="http://www.w3.org/1999/xhtml" onmouseover="alert(5)">hi</div></foreignObject>
  <animate attributeName="href" to="javascript:alert(6)"/>
  <linearGradient id="g"><stop offset="0" stop-color="blue"/></linearGradient>
  <text x="1" y="18" style="fill:url(http://evil.example/x)">drawn text</text>
  <circle cx="30" cy="10" r="5" style="fill:url(#g)"/>
</svg>
"""
REACHING = ("script", "alert", "javascript", "onload", "onclick", "onmouseover", "@import", "/etc/passwd",
            "127.0.0.1", "evil.example", "foreignObject", "animate")


def _only_draws(svg: bytes) -> None:
    text = svg.decode("utf-8")
    assert not [word for word in REACHING if word in text], text
    assert "<rect" in text and ">drawn text</text>" in text and 'style="fill:url(#g)"' in text


def test_what_could_run_or_reach_out_is_removed_and_the_drawing_kept():
    cleaned = clean(EVIL)
    assert cleaned.data is not None
    _only_draws(cleaned.data)
    assert {"script", "onload", "onclick", "foreignObject", "animate", "a link", "href=file:///etc/passwd",
            "a style sheet reaching out"} <= set(cleaned.removed)


@pytest.mark.parametrize("data", [
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
    b'<svg xmlns="http://www.w3.org/2000/svg"><text>&b;</text></svg>',
    b'<!DOCTYPE svg SYSTEM "file:///etc/passwd"><svg xmlns="http://www.w3.org/2000/svg"/>',
    '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE svg [<!ENTITY a "x">]>'
    '<svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'.encode("utf-16"),
])
def test_a_document_type_is_refused_before_any_entity(data: bytes):
    assert clean(data).data is None and clean(data).removed == ("a document type",)


@pytest.mark.parametrize("data", [b"not xml", b"<html><body/></html>", b"<svg>no namespace</svg>", b""])
def test_what_is_not_an_svg_document_is_left_out(data: bytes):
    assert clean(data).data is None


def _notes(tmp_path: Path) -> Path:
    inline = "data:image/svg+xml;base64," + base64.b64encode(EVIL).decode("ascii")
    page = "data:text/html," + quote("<script>alert(7)</script>")
    return write_notes(tmp_path / "notes", {
        "evil.svg": EVIL,
        "a_QA.md": f"# 图\n\n### 文件?\n> ![图一](evil.svg)\n\n### 内嵌?\n> ![图二]({inline})\n\n"
                   f"### 网页?\n> ![图三]({page}) 与 [链接]({page})\n",
    })


def test_the_anki_package_holds_only_cleaned_svg(tmp_path: Path):
    from anki.collection import Collection as AnkiCollection
    from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

    notes = _notes(tmp_path)
    diagnostics = export("anki", parse(notes), tmp_path / "deck.apkg", Config(notes=notes))
    said = [(d.line, d.code) for d in diagnostics if d.code == "html.unsafe"]
    assert said == [(4, "html.unsafe"), (7, "html.unsafe")]
    (tmp_path / "anki").mkdir()
    col = AnkiCollection(str(tmp_path / "anki" / "collection.anki2"))
    try:
        col.import_anki_package(ImportAnkiPackageRequest(package_path=str(tmp_path / "deck.apkg"),
                                                         options=ImportAnkiPackageOptions()))
        media = sorted(Path(col.media.dir()).iterdir())
        fields = " ".join(" ".join(col.get_note(n).fields) for n in col.find_notes(""))
    finally:
        col.close()
    svgs = [p for p in media if p.suffix == ".svg"]
    assert len(svgs) == 2
    for path in svgs:
        _only_draws(path.read_bytes())
    assert 'href="data:' not in fields and "alert(7)" not in fields


def test_the_cheat_sheet_embeds_only_cleaned_svg_and_links_no_data_url(tmp_path: Path):
    notes = _notes(tmp_path)
    diagnostics = export("html", parse(notes), tmp_path / "page.html", Config(notes=notes))
    page = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert not re.search(r'<a\b[^>]*href\s*=\s*"\s*data:', page, re.I)  # (the page's own icon is `data:,`)
    embedded = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert embedded, page
    for data in embedded:
        _only_draws(base64.b64decode(data))
    assert [d.line for d in diagnostics if d.code == "html.unsafe"][:1] == [4]


def test_the_handbook_reads_a_note_svg_cleaned(tmp_path: Path):
    from qadeck.exporters.handbook.fetch import SafeFetcher

    notes = _notes(tmp_path)
    fetched = SafeFetcher([notes]).fetch((notes / "evil.svg").resolve().as_uri())
    _only_draws(fetched.read() if hasattr(fetched, "read") else fetched.body)
