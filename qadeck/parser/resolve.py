"""A note's links resolved across the collection: to another note and its heading, a file inside
the notes folder (or the repository around it), the web; each one that fails is reported where
it is written."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from qadeck import codes
from qadeck.model import Link, LinkKind, scheme_of
from qadeck.parser.drafts import NoteDraft
from qadeck.parser.heading import anchor_key
from qadeck.parser.source import LineDiagnostic

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp"}
# a missing link target, by what it was meant to be
_MISSING = {"image": codes.IMAGE_MISSING, "note": codes.NOTE_MISSING, "file": codes.FILE_MISSING}
_NAME_MAX, _PATH_MAX = 255, 4096  # bytes in one file name, in a path


LinkWarning = tuple[str, str]  # (code, message) of a link that failed
_Resolved = tuple[Link, LinkWarning | None]  # the link at line 0, and its warning


@dataclass(frozen=True)
class Places:
    """Where links are resolved: the notes folder and the repository a link may not leave, and
    the links resolved so far in this parse. A link's fate depends on the folder it is written in
    (the note itself for `#anchor`), its href and whether it is an image, all else being fixed for
    one parse: a related-problems list names the same notes from the same folder in every note, so
    each is resolved, and each file looked up, once."""

    root: Path  # the notes folder (resolved)
    repository: Path  # the git work tree around it (root when there is none)
    _links: dict[tuple[str, str, bool], _Resolved] = field(default_factory=dict, repr=False, compare=False)
    _found: dict[str, bool] = field(default_factory=dict, repr=False, compare=False)

    def exists(self, target: str) -> bool:
        """Whether the file `target` (relative to the notes folder) is there, inside the repository."""
        if target not in self._found:
            self._found[target] = _exists_inside(os.path.join(self.root, target), str(self.repository))
        return self._found[target]


def resolve(draft: NoteDraft, by_path: dict[str, NoteDraft], places: Places) -> tuple[Link, ...]:
    """The links written in `draft`, resolved; each failure is warned about at its line."""
    folder = posixpath.dirname(draft.path)
    links = []
    for line, href, image in draft.raw_links:
        asked = (draft.path if href.startswith("#") or not href else folder, href, image)
        found = places._links.get(asked)
        if found is None:
            found = places._links[asked] = _resolve(draft, folder, href, image, by_path, places)
        link, warning = found
        if warning is not None:
            draft.diagnostics.append(LineDiagnostic(line, "warning", *warning))
        links.append(Link(link.href, line, link.kind, link.target, link.anchor, link.target_title,
                          link.target_heading, link.target_id, link.ok))
    return tuple(links)


def _resolve(draft: NoteDraft, folder: str, href: str, image: bool, by_path: dict[str, NoteDraft],
             places: Places) -> _Resolved:
    """The link `href` written in `draft` (in `folder`), at line 0, and its warning."""
    scheme = scheme_of(href)
    if scheme:
        return _scheme_link(href, scheme)
    path_part, _, anchor = href.partition("#")
    path_part, anchor = unquote(path_part), unquote(anchor)
    if not path_part:
        return _anchor_link(href, draft, anchor, "anchor")
    unusable = _unusable(path_part)
    if unusable:  # said before the file system is asked: it would raise, not answer
        return (Link(href, 0, "image" if image else "file", None, anchor or None, ok=False),
                (codes.LINK_INVALID, f"{href} is not a usable file name: {unusable}"))
    target = _target(folder, path_part, str(places.root), str(places.repository))
    if target is None:
        where = "notes folder" if places.repository == places.root else "repository"
        return (Link(href, 0, "image" if image else "file", None, anchor or None, ok=False),
                (codes.LINK_OUTSIDE, f"{href} points outside the {where}"))
    if target in by_path:
        return _anchor_link(href, by_path[target], anchor, "note")
    kind = "image" if image or posixpath.splitext(target)[1].lower() in IMAGE_SUFFIXES else "file"
    if not places.exists(target):
        what = "image" if kind == "image" else ("note" if target.lower().endswith(".md") else "file")
        return (Link(href, 0, kind, target, anchor or None, ok=False),
                (_MISSING[what], f"{what} not found: {href}"))
    return Link(href, 0, kind, target, anchor or None), None


def _exists_inside(path: str, folder: str) -> bool:
    """Whether `path` exists once symlinks are resolved and stays inside `folder`; a file system
    that will not say (no permission, a symlink loop) counts as no."""
    try:
        full = os.path.realpath(path)
    except (OSError, ValueError):
        return False
    return _inside(full, folder) and os.path.exists(full)


def _inside(path: str, folder: str) -> bool:
    """Whether the normalised absolute `path` is `folder` or below it (`Path.is_relative_to`)."""
    return path == folder or path.startswith(folder if folder.endswith("/") else folder + "/")


def _unusable(path: str) -> str:
    """Why no file system has a file by this name ("" when it may): a NUL (`%00`), a name longer
    than NAME_MAX or a path longer than PATH_MAX (the common limits, in UTF-8 bytes)."""
    if "\x00" in path:
        return "it holds a NUL character"
    if len(path.encode("utf-8", "surrogatepass")) > _PATH_MAX:
        return f"longer than {_PATH_MAX} bytes"
    if any(len(part.encode("utf-8", "surrogatepass")) > _NAME_MAX for part in path.split("/")):
        return f"a part of it is longer than {_NAME_MAX} bytes"
    return ""


def _target(folder: str, path_part: str, root: str, repository: str) -> str | None:
    """The link's path relative to the notes folder (`../` when it leaves the folder but stays in
    the repository), or None outside the repository; `folder` is the note's, relative to `root`.
    `/x` starts at the repository root, as on GitHub."""
    if path_part.startswith("/"):
        full = os.path.join(repository, path_part.lstrip("/"))
    else:
        full = os.path.join(root, folder, path_part)
    full = os.path.normpath(full)
    if not _inside(full, repository):
        return None
    if full != root and _inside(full, root):  # most links: what relpath gives, without its work
        return full[len(root.rstrip("/")) + 1:]
    return os.path.relpath(full, root)


def _scheme_link(href: str, scheme: str) -> _Resolved:
    kind = LinkKind.of_href(href)
    if kind is not LinkKind.FILE:
        return Link(href, 0, kind), None
    # file:, javascript: and the like: never followed by any output
    return Link(href, 0, "file", ok=False), (codes.LINK_SCHEME, f"{scheme}: links are not followed: {href}")


def _anchor_link(href: str, target: NoteDraft, anchor: str, kind: str) -> _Resolved:
    if not anchor:
        return Link(href, 0, kind, target.path, None, target.title), None
    found = target.anchors.get(anchor.lower())
    if found is None:
        key = anchor_key(anchor)
        found = next((v for k, v in target.anchors.items() if anchor_key(k) == key and key), None)
    if found is None:
        return (Link(href, 0, kind, target.path, anchor, target.title, ok=False),
                (codes.LINK_ANCHOR_MISSING, f"no heading #{anchor} in {target.path}"))
    heading, qindex = found
    target_id = target.questions[int(qindex)].id if qindex is not None else None
    return Link(href, 0, kind, target.path, anchor, target.title, heading, target_id), None
