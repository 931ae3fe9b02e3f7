"""SVG images from the notes, cleaned before any output holds them: an allow-list over an XML parse.

An SVG is a document, not a picture: it can hold script, event handlers, links and references to
other files or to the network, which a viewer other than a browser's `<img>` (an Anki client, a
file manager's preview, a PDF tool) may follow. What stays is what draws: the SVG elements of
shapes, text, paint servers, clipping, masking and filters, with their geometry and presentation
attributes. References stay only inside the image (`#id`, `url(#id)`) or to a raster `data:`
image. A document type (entities, external DTDs) makes the image unreadable: nothing is expanded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from xml.etree import ElementTree
from xml.parsers import expat

SVG = "http://www.w3.org/2000/svg"
XLINK = "http://www.w3.org/1999/xlink"
XML = "http://www.w3.org/XML/1998/namespace"

ELEMENTS = frozenset({
    "svg", "g", "defs", "symbol", "use", "title", "desc", "path", "rect", "circle", "ellipse", "line",
    "polyline", "polygon", "text", "tspan", "textPath", "linearGradient", "radialGradient", "stop",
    "clipPath", "mask", "pattern", "marker", "image", "style", "filter", "feBlend", "feColorMatrix",
    "feComponentTransfer", "feComposite", "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG",
    "feFuncR", "feGaussianBlur", "feMerge", "feMergeNode", "feMorphology", "feOffset", "feTile",
})
UNWRAPPED = frozenset({"a", "switch"})  # their children stay, they go
ATTRIBUTES = frozenset({
    "id", "class", "style", "transform", "d", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry",
    "fx", "fy", "fr", "width", "height", "points", "viewBox", "preserveAspectRatio", "version",
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-linecap", "stroke-linejoin",
    "stroke-miterlimit", "stroke-dasharray", "stroke-dashoffset", "stroke-opacity", "opacity",
    "font-family", "font-size", "font-weight", "font-style", "font-variant", "font-stretch", "text-anchor",
    "dominant-baseline", "alignment-baseline", "baseline-shift", "letter-spacing", "word-spacing",
    "text-decoration", "writing-mode", "direction", "unicode-bidi", "dx", "dy", "rotate", "textLength",
    "lengthAdjust", "startOffset", "method", "spacing", "side", "pathLength", "offset", "stop-color",
    "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod", "clip-path", "clip-rule",
    "clipPathUnits", "mask", "maskUnits", "maskContentUnits", "patternUnits", "patternContentUnits",
    "patternTransform", "marker-start", "marker-mid", "marker-end", "markerWidth", "markerHeight",
    "markerUnits", "refX", "refY", "orient", "visibility", "display", "overflow", "color", "paint-order",
    "vector-effect", "shape-rendering", "text-rendering", "image-rendering", "color-interpolation",
    "color-interpolation-filters", "filter", "filterUnits", "primitiveUnits", "in", "in2", "result",
    "stdDeviation", "mode", "operator", "k1", "k2", "k3", "k4", "values", "type", "tableValues", "slope",
    "intercept", "amplitude", "exponent", "flood-color", "flood-opacity", "lighting-color", "radius",
    "mix-blend-mode", "isolation", "role", "aria-label", "lang", "href", "media",
})
_URL = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.I | re.S)
_RASTER = re.compile(r"data:image/(?:png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]*\Z", re.I)


@dataclass(frozen=True)
class Cleaned:
    data: bytes | None  # None: not an SVG this module reads (left out)
    removed: tuple[str, ...] = ()  # what could act or reach out, as `script`, `onload`, `href=...`


def clean(data: bytes) -> Cleaned:
    """The SVG in `data` with only what draws; what was taken out that could act or reach out."""
    scan = expat.ParserCreate()
    scan.StartDoctypeDeclHandler = _refuse_doctype  # before any entity is declared, let alone expanded
    try:
        scan.Parse(data, True)
        root = ElementTree.fromstring(data)
    except _DocumentType:
        return Cleaned(None, ("a document type",))
    except (expat.ExpatError, ElementTree.ParseError, ValueError, RecursionError):
        return Cleaned(None)
    if root.tag != f"{{{SVG}}}svg":
        return Cleaned(None)
    removed: list[str] = []
    _clean(root, removed)
    ElementTree.register_namespace("", SVG)
    ElementTree.register_namespace("xlink", XLINK)
    return Cleaned(ElementTree.tostring(root, encoding="utf-8", xml_declaration=False),
                   tuple(dict.fromkeys(removed)))


class _DocumentType(Exception):
    pass


def _refuse_doctype(*_: object) -> None:
    raise _DocumentType


def for_output(src: str, data: bytes) -> tuple[bytes | None, str | None]:
    """An image file's bytes as an output may hold them (an SVG cleaned, anything else as it is),
    and what to tell the user about it (None: nothing)."""
    if not is_svg(src, data):
        return data, None
    cleaned = clean(data)
    if cleaned.data is None:
        why = f" (it has {cleaned.removed[0]})" if cleaned.removed else ""
        return None, f"SVG image {src} cannot be read as SVG{why}: left out"
    if cleaned.removed:
        return cleaned.data, (f"SVG image {src}: removed what could run or reach out "
                              f"({', '.join(cleaned.removed)}); what it draws is kept")
    return cleaned.data, None


def is_svg(src: str, data: bytes) -> bool:
    """Named .svg, or `data:image/svg+xml`, or starting like an SVG document."""
    if src.lower().split("?")[0].endswith(".svg") or src.lower().startswith("data:image/svg"):
        return True
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n")  # a text document, not a picture's bytes
    return head.startswith(b"<") and b"<svg" in head.lower()


def _clean(element: ElementTree.Element, removed: list[str]) -> None:
    _attributes(element, removed)
    if _local(element.tag) == "style" and element.text and not _safe_css(element.text):
        removed.append("a style sheet reaching out")
        element.text = ""
    index = 0
    while index < len(element):
        child = element[index]
        svg = isinstance(child.tag, str) and child.tag.startswith(f"{{{SVG}}}")
        name = _local(child.tag) if svg else None
        if name in ELEMENTS:
            _clean(child, removed)
            index += 1
        elif name in UNWRAPPED:
            if name == "a":
                removed.append("a link")
            _unwrap(element, index)
        else:
            if isinstance(child.tag, str) and not child.tag.startswith("{"):
                removed.append(child.tag)  # an element outside any namespace
            elif name is not None:
                removed.append(name)  # script, foreignObject, iframe, animate, set, ...
            _drop(element, index)


def _attributes(element: ElementTree.Element, removed: list[str]) -> None:
    name = _local(element.tag)
    for key in list(element.attrib):
        value = element.attrib.pop(key)
        local = _local(key)
        space = key[1:].split("}")[0] if key.startswith("{") else ""
        if space == XML and local == "space":
            element.set(key, value)
            continue
        if space not in ("", XLINK) or local not in ATTRIBUTES:
            if local.lower().startswith("on"):
                removed.append(local)
            continue
        if local == "href":
            if value.strip().startswith("#") or (name == "image" and _RASTER.match(value.strip())):
                element.set(f"{{{XLINK}}}href" if space else "href", value)
            else:
                removed.append(f"href={value[:40]}")
            continue
        if not _safe_css(value):
            removed.append(f"{local}={value[:40]}")
            continue
        element.set(key, value)


def _safe_css(text: str) -> bool:
    """Only references inside the image: no @import, no url() but url(#id), no expression()."""
    lowered = text.lower()
    if "@import" in lowered or "expression(" in lowered or "javascript:" in lowered:
        return False
    return all(target.strip().startswith("#") for _, target in _URL.findall(text))


def _unwrap(parent: ElementTree.Element, index: int) -> None:
    """Replace parent[index] by its children (its text and tail kept)."""
    child = parent[index]
    grandchildren = list(child)
    parent.remove(child)
    for offset, grandchild in enumerate(grandchildren):
        parent.insert(index + offset, grandchild)
    if child.tail:
        last = parent[index + len(grandchildren) - 1] if grandchildren else None
        if last is not None:
            last.tail = (last.tail or "") + child.tail


def _drop(parent: ElementTree.Element, index: int) -> None:
    parent.remove(parent[index])


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""
