"""What an image reference is to an output (`qadeck.links.image_source`): the one branching the
Anki, handbook and cheat-sheet image policies start from."""

from __future__ import annotations

import pytest

from qadeck.links import ImageSource, Link, LinkKind, image_source


@pytest.mark.parametrize(("link", "listed", "source"), [
    (Link("data:image/png;base64,AAAA", 1, LinkKind.WEB), True, ImageSource.DATA),
    (Link("DATA:image/png;base64,AAAA", 1, LinkKind.WEB), False, ImageSource.DATA),  # any case
    (Link("https://example.com/a.png", 1, LinkKind.WEB), True, ImageSource.WEB),
    (Link("img/a.png", 1, LinkKind.IMAGE, "img/a.png"), True, ImageSource.LOCAL),
    (Link("img/gone.png", 1, LinkKind.IMAGE, "img/gone.png", ok=False), True, ImageSource.FAILED),
    (Link("../../outside.png", 1, LinkKind.IMAGE, ok=False), True, ImageSource.FAILED),
    (Link("other.md", 1, LinkKind.NOTE, "other.md"), True, ImageSource.NOT_IMAGE),
    (Link("file:///etc/passwd", 1, LinkKind.FILE, ok=False), True, ImageSource.FAILED),
    (Link("raw.png", 1, LinkKind.of_href("raw.png")), False, ImageSource.UNLISTED),  # raw HTML's src
    (Link("mailto:a@b.c", 1, LinkKind.MAIL), False, ImageSource.UNLISTED),
])
def test_each_kind_of_image_reference(link: Link, listed: bool, source: ImageSource):
    assert image_source(link, listed) is source
