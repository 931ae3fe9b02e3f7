"""Join the handbook's documents (cover, contents, chapters) into one book with pikepdf (qpdf),
and lay the page numbers over it.

- Pages are appended document by document; each document's named destinations (WeasyPrint
  writes one per element id) go into one sorted name tree, and its outline is appended in order.
- A link to another document's element (`qadeck-dest:<id>`, see `documents`) becomes a link to the
  named destination `<id>`; one whose id no document has is dropped (it has nowhere to go).
- The numbers: page N of the stamps' documents (empty pages carrying only "第 N 页 / 共 M 页")
  is laid over page N of the book as a form XObject, from `numbered_from` on (the cover has none).
- Each font gets one program for the whole book: its file subset once for the glyphs all the
  documents show (`fontjoin`; `fonts` caches the subsets).
- An image the documents embed alike (an emoji's bitmap) is kept once (`sameimages`).
- The document information and language are the first document's (the cover, printed with the
  book's head). The file identifier is a digest of the content (qpdf's deterministic id), so
  the same notes give the same bytes.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

from qadeck.cache import Store
from qadeck.exporters.handbook.article import DEST_SCHEME


def join(documents: list[bytes], stamps: Sequence[bytes] = (), numbered_from: int = 0,
         fonts: Store | None = None, depths: list[int] | None = None,
         font_files: tuple[Path, ...] = ()) -> bytes:
    """`stamps`: the documents of page numbers, page after page. `depths`: the outline level
    of each document's first bookmarks (1 if not given); a document at level N sets its
    bookmarks under the last one of level N-1 before it.
    `font_files`: the font files the documents may have read by @font-face."""
    import pikepdf

    from qadeck.exporters.handbook.fontjoin import subset_fonts
    from qadeck.exporters.handbook.sameimages import share_images

    book = pikepdf.Pdf.new()
    sources = [pikepdf.open(BytesIO(data)) for data in documents]
    names: dict[bytes, Any] = {}
    with book.open_outline() as outline, warnings.catch_warnings():
        # pikepdf warns that pages.extend() leaves named destinations behind: they are copied here.
        warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
        for source, depth in zip(sources, depths or [1] * len(sources), strict=True):
            start = len(book.pages)
            book.pages.extend(source.pages)
            pages = {page.obj.objgen: book.pages[start + index].obj
                     for index, page in enumerate(source.pages)}
            for name, destination in _destinations(source):
                names.setdefault(name, _moved(destination, pages))
            with source.open_outline() as theirs:
                _under(outline.root, depth).extend(_copy_item(item, pages) for item in theirs.root)
    _link_across(book, names)
    if names:
        tree = pikepdf.Array()
        for name in sorted(names):
            tree.append(pikepdf.String(name))
            tree.append(names[name])
        book.Root.Names = pikepdf.Dictionary(Dests=book.make_indirect(pikepdf.Dictionary(Names=tree)))
    if stamps:
        numbers = [pikepdf.open(BytesIO(data)) for data in stamps]
        _stamp(book, [page for pdf in numbers for page in pdf.pages], numbered_from)
    _front_matter(book, sources[0])
    subset_fonts(book, fonts, font_files)
    share_images(book)
    out = BytesIO()
    book.save(out, deterministic_id=True, object_stream_mode=pikepdf.ObjectStreamMode.generate,
              compress_streams=True)
    return out.getvalue()


def _destinations(source: Any) -> list[tuple[bytes, Any]]:
    import pikepdf

    try:
        dests = source.Root.Names.Dests
    except AttributeError:
        return []
    return [(bytes(pikepdf.String(name)), value) for name, value in pikepdf.NameTree(dests).items()]


def _moved(destination: Any, pages: dict[tuple[int, int], Any]) -> Any:
    """An explicit destination ([page /XYZ x y zoom]) on the page the join copied it to."""
    import pikepdf

    return pikepdf.Array([pages[destination[0].objgen], *destination[1:]])


def _under(root: list[Any], depth: int) -> list[Any]:
    """The list a bookmark of level `depth` goes into: the children of the last bookmark of the
    level above (the root when there is none)."""
    items = root
    for _ in range(depth - 1):
        if not items:
            break
        items = items[-1].children
    return items


def _copy_item(item: Any, pages: dict[tuple[int, int], Any]) -> Any:
    """An outline entry of another PDF, its destination on the page the join copied."""
    from pikepdf import OutlineItem

    copied = OutlineItem(item.title, _moved(item.destination, pages))
    copied.is_closed = item.is_closed
    copied.children.extend(_copy_item(child, pages) for child in item.children)
    return copied


def _link_across(book: Any, names: dict[bytes, Any]) -> None:
    """`qadeck-dest:<id>` links made named-destination links; those to no destination dropped."""
    import pikepdf

    scheme = DEST_SCHEME.encode()
    for page in book.pages:
        annotations = page.obj.get("/Annots")
        if annotations is None:
            continue
        kept = pikepdf.Array()
        for annotation in annotations:
            uri = annotation.get("/A", {}).get("/URI") if annotation.get("/Subtype") == "/Link" else None
            target = bytes(uri) if uri is not None else b""
            if not target.startswith(scheme):
                kept.append(annotation)
                continue
            name = target[len(scheme):]
            if name in names:
                del annotation["/A"]
                annotation.Dest = pikepdf.String(name)
                kept.append(annotation)
        page.obj.Annots = kept


def _stamp(book: Any, stamps: list[Any], numbered_from: int) -> None:
    """Each stamp page as a form XObject drawn last on its book page, named for its page: a
    chapter's pages share one resource dictionary, and pikepdf's `add_overlay` picks a random
    name (the same notes would not give the same bytes)."""
    import pikepdf

    for index in range(numbered_from, min(len(book.pages), len(stamps))):
        page = book.pages[index]
        form = book.copy_foreign(stamps[index].as_form_xobject())
        if pikepdf.Name.Resources not in page.obj:
            page.obj.Resources = pikepdf.Dictionary()
        resources = page.obj.Resources
        if pikepdf.Name.XObject not in resources:
            resources.XObject = pikepdf.Dictionary()
        name = f"/QadeckPage{index + 1}"
        resources.XObject[name] = form
        page.contents_add(book.make_stream(b"q\n"), prepend=True)  # whatever the page leaves set
        page.contents_add(book.make_stream(b"Q\nq " + name.encode() + b" Do Q\n"))


def _front_matter(book: Any, first: Any) -> None:

    for key, value in first.docinfo.items():  # strings and dates: direct objects
        book.docinfo[key] = _direct(value)
    for key in ("/Lang", "/PageMode"):
        if key in first.Root:
            book.Root[key] = _direct(first.Root[key])


def _direct(value: Any) -> Any:
    """A direct string or name of another PDF, made anew in this one."""
    import pikepdf

    if isinstance(value, pikepdf.Name):
        return pikepdf.Name(str(value))
    return pikepdf.String(bytes(value))
