"""Join the PDFs of a handbook printed in parts into one book (pypdf).

Pages, bookmarks and named destinations are appended part by part. Link annotations are
copied only after every part is in: pypdf keeps a link to a named destination only if the name
is already known, and the contents and cross-note links point forward to later parts. The
document information and language are the front matter's (WeasyPrint wrote them from the
HTML head), and the file identifier is a digest of the parts, so the same notes give the same
bytes.
"""

from __future__ import annotations

import hashlib
from io import BytesIO


def join(parts: list[bytes]) -> bytes:
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import ArrayObject, ByteStringObject, NameObject

    readers = [PdfReader(BytesIO(part)) for part in parts]
    writer = PdfWriter()
    starts = []
    for reader in readers:
        starts.append(len(writer.pages))
        writer.append(reader, excluded_fields=("/Annots", "/B"))
    for reader, start in zip(readers, starts, strict=True):
        for index, page in enumerate(reader.pages):
            annotations = page.get("/Annots")
            if annotations:
                writer.pages[start + index][NameObject("/Annots")] = ArrayObject(
                    annotation.get_object().clone(writer).indirect_reference
                    for annotation in annotations.get_object())
    front = readers[0]
    if front.metadata:
        writer.add_metadata({key: value for key, value in front.metadata.items()})
    language = front.trailer["/Root"].get("/Lang")
    if language is not None:
        writer._root_object[NameObject("/Lang")] = language
    digest = hashlib.md5(b"".join(hashlib.md5(part).digest() for part in parts),
                         usedforsecurity=False).digest()
    writer._ID = ArrayObject([ByteStringObject(digest), ByteStringObject(digest)])
    out = BytesIO()
    writer.write(out)
    return out.getvalue()
