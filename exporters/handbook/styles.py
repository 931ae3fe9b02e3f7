"""The book's stylesheets: the handbook CSS, the code colours, the paper size and font from the
options, and the `@font-face` rules the document itself declares."""

from __future__ import annotations

from pathlib import Path

from qadeck import depends
from qadeck.exporters.handbook.codelines import indent_rules
from qadeck.exporters.handbook.options import PdfOptions
from qadeck.highlight import pygments_css
from qadeck.math import MATH_FAMILY, math_font_file

FONT_FAMILY = "qadeck-cjk"  # the @font-face name of a font given in config or with --font
CODE_STYLE = "print"  # friendly's light background and colours for what tells on paper (`qadeck.highlight`)


def stylesheets(title: str, options: PdfOptions, font_file: Path | None) -> list[str]:
    """The book's stylesheet, the code colours, and the paper size and font from the options."""
    css = depends.style_text("handbook.css")
    extra = [f"@page {{ size: {options.paper}; @top-right {{ content: {css_string(title)}; }} }}"]
    if options.paper == "A5":
        extra.append("@page { margin: 16mm 15mm; } html { font-size: 9.5pt; } "
                     ".cover { height: 210mm; padding: 30mm 16mm 20mm; }")
    elif options.paper == "Letter":
        extra.append(".cover { height: 279.4mm; }")
    if font_file is not None:
        extra.append(f':root {{ --serif: "{FONT_FAMILY}", "Noto Serif CJK SC", serif; '
                     f'--sans: "{FONT_FAMILY}", "Noto Sans CJK SC", sans-serif; }}')
    return [css, pygments_css(CODE_STYLE, ".highlight"), indent_rules(), "\n".join(extra)]


def css_string(text: str) -> str:
    """`text` as a quoted CSS string."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\n", "\\A ").replace("\r", "") + '"'


def font_faces(font_file: Path | None) -> str:
    """`@font-face` rules for the document itself: the SVG images of formulas only see fonts
    declared there, not in the extra stylesheets."""
    rules = [f'@font-face {{ font-family: "{MATH_FAMILY}"; src: url("{math_font_file().as_uri()}"); }}']
    if font_file is not None:
        rules.append(f'@font-face {{ font-family: "{FONT_FAMILY}"; src: url("{font_file.as_uri()}"); }}')
    return "\n".join(rules)
