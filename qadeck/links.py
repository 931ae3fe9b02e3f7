"""Links and image references in the model: what a link points to once the parser resolved it
(`LinkKind`, `Link`), and what an image reference is to an output (`ImageSource`): the one
branching every output's image policy starts from."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+):")  # two letters at least: `C:` is a drive


class LinkKind(StrEnum):
    """What a link points to. A str, so it reads and serialises as its value ("note", ...)."""

    NOTE = "note"  # another note of the collection
    ANCHOR = "anchor"  # a heading of the same note
    WEB = "web"  # http(s), protocol-relative, data:
    MAIL = "mail"
    IMAGE = "image"  # a local image file
    FILE = "file"  # a local file that is not a note, or a scheme no output follows (file:, javascript:)

    @classmethod
    def of_href(cls, href: str) -> LinkKind:
        """The kind an href has by its form alone, for an href no note listed (raw HTML, say)."""
        name = scheme_of(href)
        if name in ("http", "https", "data"):
            return cls.WEB
        return cls.MAIL if name == "mailto" else cls.FILE


def scheme_of(href: str) -> str:
    """The URL scheme of `href` in lower case (`https` for `//host/…`), "" for a relative path."""
    scheme = _SCHEME.match(href)
    return scheme.group(1).lower() if scheme else ("https" if href.startswith("//") else "")


@dataclass(frozen=True)
class Link:
    """A link or image reference found in a note, with what it points to once resolved."""

    href: str
    line: int
    kind: LinkKind
    target: str | None = None  # note or file path relative to the notes root
    anchor: str | None = None  # the #fragment as written
    target_title: str | None = None  # target note's title
    target_heading: str | None = None  # plain text of the heading the anchor names
    target_id: str | None = None  # question id or section anchor of that heading
    ok: bool = True  # False: the parser warned about it (missing, outside, a scheme not followed)

    def __post_init__(self) -> None:
        if not isinstance(self.kind, LinkKind):
            object.__setattr__(self, "kind", LinkKind(self.kind))

    @property
    def followed(self) -> bool:
        """Points into the collection or the web: what an output may turn into a live link."""
        return self.ok and self.kind is not LinkKind.FILE


class ImageSource(StrEnum):
    """What an image reference is to an output, in the order the policies ask (`image_source`)."""

    DATA = "data"  # an inline `data:` image
    WEB = "web"  # an image on the web
    UNLISTED = "unlisted"  # an src no note listed (raw HTML the parser did not read): not reported yet
    FAILED = "failed"  # the parser reported it: missing, outside the notes folder, a scheme not followed
    NOT_IMAGE = "not-image"  # resolved, but to something that is not an image file (a note, say)
    LOCAL = "local"  # an image file inside the notes folder, at `link.target`


def image_source(link: Link, listed: bool) -> ImageSource:
    """What the image `link` is; `listed`: the note's own link for this src (`Note.link`) exists."""
    if link.kind is LinkKind.WEB:
        return ImageSource.DATA if scheme_of(link.href) == "data" else ImageSource.WEB
    if link.kind is LinkKind.IMAGE and link.ok and link.target is not None:
        return ImageSource.LOCAL
    if not listed:
        return ImageSource.UNLISTED
    return ImageSource.NOT_IMAGE if link.ok else ImageSource.FAILED
