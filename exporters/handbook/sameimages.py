"""Identical images of the joined handbook kept once.

Each document of the book (a chapter, an article of the 算法题 part) embeds its own copy of every
image it shows: an emoji such as 🔥 is a bitmap of the colour emoji font (with its alpha as a
soft mask), drawn in nearly every article of the problem part. After the join, every resource
dictionary that names a copy is pointed at the first one, and the copies, no longer reachable,
are not written.
"""

from __future__ import annotations

import hashlib
from typing import Any

_SAME = ("/Width", "/Height", "/BitsPerComponent", "/ColorSpace", "/Filter", "/DecodeParms", "/Decode",
         "/Interpolate", "/ImageMask")


def share_images(pdf: Any) -> int:
    """Point every use of an image at one copy of it; returns how many copies are left out."""
    import pikepdf

    images = [obj for obj in pdf.objects
              if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"]
    digests: dict[tuple[int, int], str] = {}
    # Masks first: an image's digest holds its mask's.
    for image in sorted(images, key=lambda i: "/SMask" in i):
        digests[image.objgen] = _digest(image, digests)
    first: dict[str, Any] = {}
    for image in images:
        first.setdefault(digests[image.objgen], image)
    moved = 0
    for obj in list(pdf.objects):
        if not isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            continue
        resources = obj.get("/Resources")
        xobjects = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
        if not isinstance(xobjects, pikepdf.Dictionary):
            continue
        for name, used in list(xobjects.items()):
            digest = digests.get(used.objgen) if isinstance(used, pikepdf.Stream) else None
            if digest is not None and first[digest].objgen != used.objgen:
                xobjects[name] = first[digest]
                moved += 1
    return moved


def _digest(image: Any, digests: dict[tuple[int, int], str]) -> str:
    digest = hashlib.sha256(image.read_raw_bytes())
    digest.update(repr([(key, str(image.get(key))) for key in _SAME]).encode())
    mask = image.get("/SMask")
    if mask is not None:
        digest.update(digests.get(mask.objgen, repr(mask.objgen)).encode())
    return digest.hexdigest()
