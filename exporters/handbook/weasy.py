"""Every change this project makes to WeasyPrint's internals, in one place (known: 68 to 70, the
range pinned in pyproject.toml). `hooked` installs them for one print and counts in `fired`
each time one ran, so that a WeasyPrint that no longer calls a patched place is noticed.

Needed by a book printed in parts (`NEEDED`): if one of these does not fire, `HookMissing` is
raised and the caller prints the book in one piece instead (never a book with wrong numbers):
- `page-numbers` (`layout.make_margin_boxes`, `LayoutContext.page_maker`): WeasyPrint
  paginates the whole document first and makes the margin boxes (where `counter(page)` and
  `counter(pages)` are printed) only afterwards, from the counters it kept for each page. Before
  the first margin box the page count is known and the counters can still be moved: that is
  when `numbering` is asked. The page maker also holds each page's anchors.
- `links-across` (`pdf.resolve_links`): WeasyPrint drops a link whose anchor is not in the
  document; a link to another part (`known`) stays a link to the named destination, which the
  joined PDF defines.

Optimisations and progress, which fall back to WeasyPrint's own path silently:
- `lean-stylesheet` (`HTML._ua_stylesheets`, `html.UA`): WeasyPrint's user-agent stylesheet
  styles `::marker`, `::footnote-*`, `::note-*` for every element (six extra computed styles
  each: ~15% of the memory and style time at 1,000 questions). The handbook has no footnotes
  and only lists and summaries have markers, so those rules are narrowed or dropped.
- `svg-forms` (`SVGImage.draw`, `Stream._resources`): WeasyPrint draws an SVG image anew each
  time it appears (every glyph through Pango again); a book repeats the same formulas hundreds
  of times, a fifth of the build. The first drawing of a `data:` SVG at a size goes into a PDF
  form XObject (WeasyPrint's own `add_group`) and every later one only says `/xN Do`.
- `layout-progress` (`layout.make_all_pages`) and `draw-progress` (`Page.paint`): each page
  laid out (with the anchors first seen on it) and each page drawn, for a progress line.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any

PAGE_NUMBERS = "page-numbers"
LINKS_ACROSS = "links-across"
LEAN_STYLESHEET = "lean-stylesheet"
SVG_FORMS = "svg-forms"
LAYOUT_PROGRESS = "layout-progress"
DRAW_PROGRESS = "draw-progress"
NEEDED = (PAGE_NUMBERS, LINKS_ACROSS)

# (page count, element id -> 0-based page) -> (pages before this document, pages in the book)
Numbering = Callable[[int, dict[str, int]], tuple[int, int]]
# (stage "layout" or "draw", 1-based page, anchors first seen on that page when laid out)
Report = Callable[[str, int, tuple[str, ...]], None]


class HookMissing(Exception):
    """A change printing in parts needs did not take hold in this WeasyPrint."""

    def __init__(self, hook: str, why: str) -> None:
        super().__init__(f"{hook}: {why}")
        self.hook, self.why = hook, why


@dataclass
class Hooks:
    html: Any  # the HTML class to print with (the lean one when it applies)
    fired: Counter[str]


def missing_for_parts() -> HookMissing | None:
    """What printing in parts needs and this WeasyPrint lacks, found before any work."""
    from weasyprint import layout
    from weasyprint import pdf as wp_pdf

    if not callable(getattr(layout, "make_margin_boxes", None)):
        return HookMissing(PAGE_NUMBERS, "weasyprint.layout.make_margin_boxes is gone")
    if not callable(getattr(wp_pdf, "resolve_links", None)):
        return HookMissing(LINKS_ACROSS, "weasyprint.pdf.resolve_links is gone")
    return None


@contextmanager
def hooked(weasyprint: Any, numbering: Numbering | None = None, known: frozenset[str] = frozenset(),
           report: Report | None = None) -> Iterator[Hooks]:
    """The changes for one print: page numbers if `numbering`, links to `known` anchors of
    other parts if any, progress to `report`. Raises `HookMissing` at the end if a needed one
    did not fire (so the print is to be thrown away)."""
    fired: Counter[str] = Counter()
    with ExitStack() as stack:
        stack.enter_context(_reused_svg_drawings(fired))
        if report is not None:
            stack.enter_context(_layout_progress(report, fired))
            stack.enter_context(_draw_progress(report, fired))
        if numbering is not None:
            stack.enter_context(_numbered_pages(numbering, fired))
        if known:
            stack.enter_context(_links_across(known, fired))
        yield Hooks(_lean_html_class(weasyprint, fired), fired)
    if numbering is not None and not fired[PAGE_NUMBERS]:
        raise HookMissing(PAGE_NUMBERS, "WeasyPrint made no margin box through "
                                        "weasyprint.layout.make_margin_boxes")
    if known and not fired[LINKS_ACROSS]:
        raise HookMissing(LINKS_ACROSS, "WeasyPrint did not resolve links through "
                                        "weasyprint.pdf.resolve_links")


@contextmanager
def _numbered_pages(numbering: Numbering, fired: Counter[str]) -> Iterator[None]:
    from weasyprint import layout

    original = getattr(layout, "make_margin_boxes", None)
    if not callable(original):
        raise HookMissing(PAGE_NUMBERS, "weasyprint.layout.make_margin_boxes is gone")

    def make_margin_boxes(context: Any, page: Any, state: Any) -> Any:
        if not fired[PAGE_NUMBERS]:
            maker = _page_maker(context)
            count = len(maker) - 1  # the last entry is where a next page would start
            offset, total = numbering(count, _anchors(maker[:count]))
            _shift_counters(maker, offset, total)
            fired[PAGE_NUMBERS] += 1
        return original(context, page, state)

    layout.make_margin_boxes = make_margin_boxes
    try:
        yield
    finally:
        layout.make_margin_boxes = original


def _page_maker(context: Any) -> list[Any]:
    """The page maker, if it has the shape this module knows: one entry per page,
    (resume_at, next_page, right_page, page_state, remake_state), page_state[1] the counters."""
    maker = getattr(context, "page_maker", None)
    if isinstance(maker, list) and len(maker) > 1 and all(_known_entry(entry) for entry in maker):
        return maker
    raise HookMissing(PAGE_NUMBERS, "LayoutContext.page_maker has another shape")


def _known_entry(entry: Any) -> bool:
    try:
        return len(entry) == 5 and isinstance(entry[3][1], dict) and isinstance(entry[4]["anchors"], list)
    except (TypeError, KeyError, IndexError):
        return False


def _anchors(page_maker: list[Any]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, entry in enumerate(page_maker):
        for name in entry[-1]["anchors"]:  # remake_state: the anchors first seen on this page
            found.setdefault(name, index)
    return found


def _shift_counters(page_maker: list[Any], offset: int, total: int) -> None:
    seen: set[int] = set()
    for entry in page_maker:
        counters = entry[3][1]
        if id(counters) in seen:
            continue
        seen.add(id(counters))
        if "page" in counters:
            counters["page"] = [value + offset for value in counters["page"]]
        counters["pages"] = [total]


@contextmanager
def _links_across(known: frozenset[str], fired: Counter[str]) -> Iterator[None]:
    from weasyprint import pdf as wp_pdf

    original = getattr(wp_pdf, "resolve_links", None)
    if not callable(original):
        raise HookMissing(LINKS_ACROSS, "weasyprint.pdf.resolve_links is gone")

    def resolve_links(pages: list[Any]) -> Iterator[Any]:
        fired[LINKS_ACROSS] += 1
        local = {name for page in pages for name in page.anchors}
        held = []
        for page in pages:
            if any(not isinstance(link, tuple) or len(link) != 4 for link in page.links):
                raise HookMissing(LINKS_ACROSS, "a page's links have another shape")
            foreign = [link for link in page.links
                       if link[0] == "internal" and link[1] in known and link[1] not in local]
            if foreign:
                page.links = [link for link in page.links if not any(link is f for f in foreign)]
            held.append(foreign)
        for (links, anchors), foreign in zip(original(pages), held, strict=True):
            yield links + foreign, anchors

    wp_pdf.resolve_links = resolve_links
    try:
        yield
    finally:
        wp_pdf.resolve_links = original


@contextmanager
def _layout_progress(report: Report, fired: Counter[str]) -> Iterator[None]:
    from weasyprint import layout

    original = getattr(layout, "make_all_pages", None)
    if not callable(original):
        yield  # no progress during layout
        return

    def make_all_pages(context: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
        for index, page in enumerate(original(context, *args, **kwargs)):
            fired[LAYOUT_PROGRESS] += 1
            report("layout", index + 1, _page_anchors(context, index))
            yield page

    layout.make_all_pages = make_all_pages
    try:
        yield
    finally:
        layout.make_all_pages = original


def _page_anchors(context: Any, index: int) -> tuple[str, ...]:
    try:
        return tuple(context.page_maker[index][-1]["anchors"])
    except (AttributeError, TypeError, KeyError, IndexError):
        return ()  # only the chapter's title is missing from the progress line


@contextmanager
def _draw_progress(report: Report, fired: Counter[str]) -> Iterator[None]:
    from weasyprint.document import Page

    original = getattr(Page, "paint", None)
    if not callable(original):
        yield
        return

    def paint(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = original(self, *args, **kwargs)
        fired[DRAW_PROGRESS] += 1
        report("draw", fired[DRAW_PROGRESS], ())
        return result

    Page.paint = paint
    try:
        yield
    finally:
        Page.paint = original


@contextmanager
def _reused_svg_drawings(fired: Counter[str]) -> Iterator[None]:
    """While active, identical `data:` SVG images share one PDF drawing per size."""
    from weasyprint.images import SVGImage
    from weasyprint.pdf.stream import Stream

    original = getattr(SVGImage, "draw", None)
    if not (callable(original) and all(hasattr(Stream, name) for name in
                                       ("add_group", "draw_x_object", "clone"))):
        yield  # an unknown WeasyPrint: draw the usual way rather than guess its internals
        return

    def draw(self: Any, stream: Any, width: float, height: float, style: Any) -> None:
        resources = getattr(stream, "_resources", None)
        if not str(getattr(self, "_base_url", "")).startswith("data:") or resources is None:
            return original(self, stream, width, height, style)
        fired[SVG_FORMS] += 1
        forms: dict[tuple[int, float, float], tuple[Any, str]] = self.__dict__.setdefault(
            "_qadeck_forms", {})
        key = (id(resources), round(width, 4), round(height, 4))
        found = forms.get(key)
        if found is None or found[0] is not resources:  # first use in this PDF (or this group)
            # A generous box: the drawing is not clipped more than when drawn in place.
            group = stream.add_group(-width, -height, 3 * width, 3 * height)
            original(self, group, width, height, style)
            found = forms[key] = (resources, group.id)
        stream.draw_x_object(found[1])

    SVGImage.draw = draw
    try:
        yield
    finally:
        SVGImage.draw = original


def _lean_html_class(weasyprint: Any, fired: Counter[str]) -> Any:
    """`weasyprint.HTML` with the lean user-agent stylesheet (or plain `HTML` if its internals
    are not the expected ones)."""
    global _LEAN
    try:
        from weasyprint import html as wp_html
        from weasyprint.css.counters import CounterStyle

        ua = wp_html.UA
    except (ImportError, AttributeError):
        return weasyprint.HTML
    if not callable(getattr(weasyprint.HTML, "_ua_stylesheets", None)) or not isinstance(ua, str):
        return weasyprint.HTML
    if _LEAN is None:
        ua = ua.replace("\n::marker {", "\nli::marker, summary::marker {")
        ua = _FOOTNOTE_RULE.sub("", ua)
        # Its @counter-style rules are already in WeasyPrint's own UA counter styles, which
        # refuse a second definition of `disc` and `decimal` (one warning each): parse into a
        # throwaway set, as the document uses WeasyPrint's.
        _LEAN = weasyprint.CSS(string=ua, counter_style=CounterStyle())
    sheet = _LEAN

    class LeanHTML(weasyprint.HTML):
        def _ua_stylesheets(self, forms: bool = False) -> list[Any]:
            fired[LEAN_STYLESHEET] += 1
            return [sheet]

    return LeanHTML


_LEAN: Any = None
_FOOTNOTE_RULE = re.compile(r"(?m)^::(?:footnote|note)-[a-z]+ \{[^\n]*\}$")
