"""Pages of a handbook PDF that end with a label: a heading, a problem's title, a fold's label
(`Python`, `思路2: …`, `详细描述`) left at the bottom while what it opens starts on the next page.

Read back from the PDF with poppler (`pdftotext -bbox-layout`): the last line of text above the
bottom margin (where the page number sits) is compared with the labels of the book's HTML.
Used by the tests (on a fixture) and by the benchmark (on real notes):
`python scripts/pagebreaks.py NOTES book.pdf` prints the pages and their last line.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

MARGIN = 50.0  # points: the page numbers sit in the bottom 20 mm, the running header in the top 22
_LABELS = re.compile(r'<summary\b[^>]*>(.*?)</summary>|<p class="part-label">(.*?)</p>'
                     r"|<h[1-6]\b[^>]*>(.*?)</h[1-6]>", re.S)
_TAG = re.compile(r"<[^>]*>")
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_LINE = re.compile(r'<line xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">(.*?)</line>', re.S)
_WORD = re.compile(r"<word [^>]*>(.*?)</word>", re.S)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def labels(book_html: str) -> set[str]:
    """The texts of the book's headings and labels, without spaces; not an open question's
    heading (待补充): the ruled space to write in, drawn under it, is what it opens."""
    found = set()
    for match in _LABELS.finditer(book_html):
        if 'class="open-badge"' in match.group(0):
            continue
        text = squeeze(html.unescape(_TAG.sub("", next(g for g in match.groups() if g is not None))))
        if text:
            found.add(text)
    return found


def last_lines(pdf: Path) -> list[str]:
    """Each page's last line of text above the bottom margin, without spaces ("" on an empty page)."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    out = []
    for _, height, body in _PAGE.findall(xml):
        lines = [(float(y_max), squeeze(html.unescape("".join(_WORD.findall(words)))))
                 for y_min, y_max, words in _LINE.findall(body)
                 if float(y_min) > MARGIN and float(y_max) < float(height) - MARGIN]
        out.append(max(lines)[1] if lines else "")
    return out


def is_label(line: str, known: set[str]) -> bool:
    """The line is a label, or the last line of one that wraps."""
    return bool(line) and (line in known or (len(line) >= 6 and any(k.endswith(line) for k in known)))


def ending_with_a_label(pdf: Path, book_html: str) -> list[tuple[int, str]]:
    """(page number from 1, its last line) for each page whose last line is a label."""
    known = labels(book_html)
    return [(number, line) for number, line in enumerate(last_lines(pdf), 1) if is_label(line, known)]


def book_html(notes: Path, out: Path) -> str:
    """The handbook's HTML for the notes in `notes` as `qadeck pdf` makes it (formulas cached in `out`)."""
    from qadeck.build import context, parse
    from qadeck.config import load_config, with_overrides
    from qadeck.exporters import handbook
    from qadeck.exporters.handbook import book
    from qadeck.exporters.handbook.fonts import setup

    config = with_overrides(load_config(notes), notes=notes, out=out)
    options, shared = config.options("pdf"), context(config)
    engine = handbook.math_engine(options, shared)
    try:
        return book.build(parse(config, None), options, shared, engine, setup(None).coverage,
                          font_faces=handbook.font_faces(None)).html
    finally:
        engine.close()


def main() -> None:
    notes, pdf = Path(sys.argv[1]), Path(sys.argv[2])
    pages = ending_with_a_label(pdf, book_html(notes, pdf.parent))
    for number, line in pages:
        print(f"page {number}: {line}")
    print(f"{len(pages)} pages end with a label")


if __name__ == "__main__":
    main()
