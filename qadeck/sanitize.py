"""Note HTML is data: one allow-list for every output (nh3, the Rust `ammonia` sanitizer).

The shared renderer cleans what Markdown made of a note *before* it puts in what qadeck makes
itself (formulas, and the links and images its hooks rewrite), so qadeck's own markup is never
cleaned away and a note's markup is never left uncleaned. What stays: text formatting, lists,
tables, `<details>`, code, images and links with safe addresses, `class`/`title`/`lang`/`dir`,
and `text-align` as the only style. What goes: scripts, styles, frames, forms, event handlers,
ids, `javascript:` and other schemes, comments.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from qadeck.gfm.holding import MARK_CLOSE, MARK_OPEN

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "center", "code", "col", "colgroup", "dd", "del",
    "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr",
    "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
})
ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href"}, "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align", "style"}, "th": {"colspan", "rowspan", "align", "style"},
    "div": {"align"}, "p": {"align"}, "ol": {"start", "type"}, "details": {"open"}, "col": {"span"},
}
# Dropped with what they hold, not only their tags.
CONTENT_TAGS = frozenset({"script", "style", "textarea", "noscript", "template", "title"})
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
# The formula stand-ins (`qadeck.gfm.holding`): never left in an attribute value.
_MARKS_AND_ANGLES = re.compile(f"{MARK_OPEN}\\d*{MARK_CLOSE}?|{MARK_CLOSE}|[<>]")
_FENCE_ATTRIBUTES = re.compile(r"^[ \t>]*+(?:`{3,}+|~{3,}+)[^\n{]*+\{", re.M)
# Raw HTML a note should not hold: reported, as it is removed.
_RISKY = re.compile(r"<\s*(?:script|iframe|object|embed|style|form|link|meta|base)\b|\son[a-z]+\s*=|"
                    r"javascript\s*:", re.I)
_SCHEME = re.compile(r"\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


@dataclass(frozen=True)
class HtmlPolicy:
    """What an output allows beyond the common list."""

    image_schemes: frozenset[str] = frozenset({"http", "https", "data"})  # for <img src>
    reserved_class_prefix: str = ""  # classes a note may not use (the page's own)
    link_rel: str | None = None


def needs_cleaning(source: str) -> bool:
    """Markdown escapes every `<` of the text it converts, so markup can come from a note only
    as raw HTML (`<`), a link or image address (`](`, a `]:` definition) or a code fence's
    `{#id .class}` attributes; HTML made from a source without those is known safe (the
    sanitizer is a third of a field's cost)."""
    return ("<" in source or "](" in source or "]:" in source
            or ("{" in source and _FENCE_ATTRIBUTES.search(source) is not None))


def risky(source: str) -> bool:
    """Whether the note's raw HTML holds something the sanitizer will take out (to report it)."""
    return "<" in source and _RISKY.search(source) is not None or "javascript:" in source.lower()


def risky_offsets(source: str) -> list[int]:
    """Where each piece of risky raw HTML starts in `source`, one offset a line."""
    if not risky(source):
        return []
    offsets: dict[int, int] = {}  # line -> first offset on it
    for match in _RISKY.finditer(source):
        offsets.setdefault(source.count("\n", 0, match.start()), match.start())
    lower = source.lower()
    at = lower.find("javascript:")
    while at >= 0:
        offsets.setdefault(source.count("\n", 0, at), at)
        at = lower.find("javascript:", at + 1)
    return sorted(offsets.values())


def clean(fragment: str, policy: HtmlPolicy) -> str:
    return _cleaner(policy).clean(fragment) if fragment else ""


@functools.cache
def _cleaner(policy: HtmlPolicy) -> Any:
    import nh3  # lazy, like every heavy import

    schemes = set(LINK_SCHEMES | policy.image_schemes)

    def keep(tag: str, attribute: str, value: str) -> str | None:
        # No formula placeholder in an attribute (it would be filled with markup), and no angle
        # bracket: the renderer's hooks read tags with patterns after this.
        value = _MARKS_AND_ANGLES.sub("", value)
        if attribute == "href":
            scheme = _SCHEME.match(value)
            return None if scheme and scheme.group(1).lower() not in LINK_SCHEMES else value
        if attribute == "src":
            scheme = _SCHEME.match(value)
            return None if scheme and scheme.group(1).lower() not in policy.image_schemes else value
        if attribute == "class" and policy.reserved_class_prefix:
            kept = [c for c in value.split() if not c.startswith(policy.reserved_class_prefix)]
            return " ".join(kept) or None
        return value

    return nh3.Cleaner(tags=set(TAGS), attributes={k: set(v) for k, v in ATTRIBUTES.items()},
                       attribute_filter=keep, clean_content_tags=set(CONTENT_TAGS),
                       url_schemes=schemes, link_rel=policy.link_rel, strip_comments=True,
                       filter_style_properties={"text-align"})
