"""Questions to Anki card fields: HTML from the shared renderer, made safe and self-contained.

Inside Anki a card cannot follow a link to another note or load a file from the notes folder, so
cross-note links become readable text and local images become media files packed with the deck.
Images are read only through the parser's resolved links, from inside the notes folder.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from qadeck.assets import read_local
from qadeck.model import Diagnostic, Link, Note, Question
from qadeck.render import tag_attributes

# The note type's fields. Their names and order are the schema Anki checks on every import:
# changing them later makes Anki treat every existing note as "conflicting", so the list holds
# each part of a card in its own field (templates may rearrange them freely) and one spare.
FIELDS = ("Front", "Back", "Details", "SeeAlso", "Context", "Breadcrumb", "Source", "Id", "Flags", "Extra")

_TAG_SPACE = re.compile(r"\s+")
_TAG_BAD = re.compile(r'["\x00-\x1f\x7f]')
_IMG_KEPT = ("alt", "title", "width", "height")  # of a note's <img>, on the card's
_TAGS = re.compile(r"<[^>]+>")
_SAFE_NAME = re.compile(r"[^\w.-]+")
_DATA_IMAGE = re.compile(r"data:image/([a-z0-9.+-]+);base64,(.*)", re.I | re.S)


@dataclass(frozen=True)
class Card:
    guid: str
    source: str  # the note's path
    line: int
    deck: str
    fields: tuple[str, ...]  # in FIELDS order
    tags: tuple[str, ...]


@dataclass
class Rendered:
    cards: list[Card] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)  # media file name -> content
    diagnostics: list[Diagnostic] = field(default_factory=list)
    left_out: int = 0  # unanswered questions without a card


def tag(text: str) -> str:
    """A valid Anki tag: no spaces or quotes; `::` keeps its meaning (a tag hierarchy)."""
    text = _TAG_BAD.sub("", _TAG_SPACE.sub("_", unicodedata.normalize("NFC", text).strip()))
    return "::".join(part for part in text.split("::") if part.strip("_:"))


def deck_part(text: str) -> str:
    """One level of a deck name: `::` would open a level of its own."""
    text = " ".join(unicodedata.normalize("NFC", text).replace("::", ":").split())
    return text or "_"


# Folder names that file notes away rather than say what they are about: dates (`2025`, `09`,
# `2025-09`), `_archives`-like names and drafts.
_FILING = re.compile(r"[\d._-]+|_.*|drafts?", re.I)


def deck_name(title: str, note: Note, decks: str = "folder") -> str:
    """The deck of a note's cards under the collection's deck `title`, by the `decks` setting:
    "folder" (its folders, filing levels left out, then the note), "path" (every folder as
    written), "tag" (its first tag), "note" (the note), "flat" (the collection's deck)."""
    folders = note.folder.split("/") if note.folder else []
    if decks == "flat":
        parts = []
    elif decks == "tag":
        parts = [note.meta.tags[0]] if note.meta.tags else []
    elif decks == "note":
        parts = [note.title]
    elif decks == "path":
        parts = [*folders, note.title]
    else:
        parts = [*(f for f in folders if not _FILING.fullmatch(f)), note.title]
    return "::".join(deck_part(p) for p in [title, *parts])


def media_name(target: str, data: bytes) -> str:
    """Unique per file and content: two notes' `assets/fig1.png` never collide, and an edited
    image gets a new name, so the notes that show it update and Anki fetches the new file."""
    target = unicodedata.normalize("NFC", target)  # the same name on macOS (NFD paths) and Linux
    digest = hashlib.sha1(target.encode("utf-8") + b"\0" + data).hexdigest()[:12]
    base = target.rsplit("/", 1)[-1]
    stem, dot, suffix = base.rpartition(".")
    stem = _SAFE_NAME.sub("_", stem if dot else base).strip("_.") or "image"
    suffix = _SAFE_NAME.sub("", suffix.lower()) if dot else "img"
    return f"qd-{digest}-{stem[:40]}.{suffix}"


def plain(html_text: str) -> str:
    return " ".join(html.unescape(_TAGS.sub("", html_text)).split())


class CardRenderer:
    """Renders one note's questions at a time; the link and image hooks read the current note."""

    def __init__(self, notes_root: Path, title: str, decks: str, include_unanswered: bool):
        from qadeck.render import Renderer, RenderOptions

        self.root = notes_root.resolve()
        self.title = title
        self.decks = decks
        self.include_unanswered = include_unanswered
        self.renderer = Renderer(RenderOptions(math="mathjax", link=self._link, image=self._image,
                                               problem=self._problem))
        self.out = Rendered()
        self._note: Note | None = None
        self._line = 0
        self._images: dict[str, str | None] = {}  # target -> media name (None: unreadable)
        self._headings: dict[str, str] = {}  # question id -> heading HTML, for the current note

    def render(self, notes: list[Note] | tuple[Note, ...]) -> Rendered:
        for note in notes:
            self._render_note(note)
        return self.out

    def _render_note(self, note: Note) -> None:
        self._note = note
        self._headings = {}
        by_id = {q.id: q for q in note.questions}
        deck = deck_name(self.title, note, self.decks)
        note_tags = [tag(t) for t in note.meta.tags]
        for q in note.questions:
            if not q.answered and not self.include_unanswered:
                self.out.left_out += 1
                continue
            if not plain(self._heading(q)):
                self._report(q.line, "anki.empty-question", "the question renders empty; no card")
                continue
            parent = by_id.get(q.parent) if q.parent else None
            self.out.cards.append(Card(q.id, note.path, q.line, deck, self._fields(note, q, parent),
                                       self._tags(note_tags, q)))

    def _heading(self, q: Question) -> str:
        """A question's heading as HTML, rendered once: it is a card's front and its follow-ups' context."""
        if q.id not in self._headings:
            self._line = q.line
            self._headings[q.id] = self.renderer.inline(q.heading)
        return self._headings[q.id]

    def _fields(self, note: Note, q: Question, parent: Question | None) -> tuple[str, ...]:
        """The card's fields in FIELDS order. The renderer cleans the note's own HTML
        (`qadeck.sanitize`); the rest is text escaped here."""
        r = self.renderer
        answer = q.answer
        self._line = q.line
        back = r.block(answer.short) + r.block(answer.body)
        details = "".join(f'<details class="qd-part"><summary>{html.escape(d.name)}</summary>'
                          f"{self._at(d.line, d.markdown)}</details>" for d in answer.details)
        self._line = q.line
        see_also = "".join(f"<p>{r.inline(s)}</p>" for s in answer.see_also)
        crumb = " › ".join(html.escape(p) for p in (note.title, *q.section))
        flags = "".join(f'<span class="qd-flag">{html.escape(m + " " + f)}</span>'
                        for m, f in zip(q.markers, q.flags, strict=False))
        values = {
            "Front": self._heading(q), "Back": back, "Details": details, "SeeAlso": see_also,
            "Context": self._heading(parent) if parent is not None else "",
            "Breadcrumb": crumb, "Source": html.escape(f"{note.path}:{q.line}"), "Id": html.escape(q.id),
            "Flags": flags, "Extra": "",
        }
        return tuple(values[name] for name in FIELDS)

    def _at(self, line: int, markdown: str) -> str:
        self._line = line
        return self.renderer.block(markdown)

    def _tags(self, note_tags: list[str], q: Question) -> tuple[str, ...]:
        tags = [*note_tags, *(tag(f"marker::{f}") for f in q.flags)]
        if q.section:
            tags.append(tag("section::" + "::".join(p.replace("::", ":") for p in q.section)))
        return tuple(dict.fromkeys(t for t in tags if t))

    # -- hooks -------------------------------------------------------------------------------

    def _problem(self, message: str) -> None:
        self._report(self._line, "anki.math", message)

    def _report(self, line: int, code: str, message: str, severity: str = "warning") -> None:
        assert self._note is not None
        self.out.diagnostics.append(Diagnostic(self._note.path, line, severity, code, message))

    def _link(self, href: str, inner: str) -> str | None:
        assert self._note is not None
        link = self._note.link(href)
        if link is None:
            return None if _is_web(href) else _ref(inner, None)
        if link.kind in ("web", "mail"):
            return None
        if link.kind in ("note", "anchor") and link.ok:
            title = link.target_title or self._note.title
            return _ref(inner, " › ".join(p for p in (title, link.target_heading) if p))
        return _ref(inner, link.target)  # no target (javascript:, file:): the words alone

    def _image(self, src: str, tag_html: str) -> str:
        assert self._note is not None
        alt = tag_attributes(tag_html).get("alt", "")
        if src.startswith("data:"):
            return self._data_image(src, tag_html)
        link = self._note.link(src)
        if (link is not None and link.kind == "web") or _is_web(src):
            return f'<a href="{html.escape(src)}">{html.escape(alt or src)}</a>'
        line = link.line if link is not None else self._line
        if link is None or link.kind != "image" or not link.ok or link.target is None:
            if link is None or link.ok:  # a failed link was reported by the parser already
                self._report(line, "anki.image", f"image left out of the card: {src}")
            return _missing(alt or src)
        name = self._media_for(link)
        if name is None:
            self._report(line, "anki.image", f"image cannot be read, left out of the card: {src}")
            return _missing(alt or src)
        return _img(name, tag_html)

    def _media_for(self, link: Link) -> str | None:
        assert link.target is not None
        if link.target not in self._images:
            self._images[link.target] = self._read_image(link.target)
        return self._images[link.target]

    def _read_image(self, target: str) -> str | None:
        data = read_local(self.root, target)  # only files inside the notes folder reach a package
        if data is None:
            return None
        name = media_name(target, data)
        self.out.media[name] = data
        return name

    def _data_image(self, src: str, tag_html: str) -> str:
        """An inline `data:image/...;base64,` picture, packed as a media file like any other."""
        match = _DATA_IMAGE.fullmatch(src.strip())
        data = b""
        if match:
            try:
                data = base64.b64decode("".join(match.group(2).split()), validate=True)
            except (binascii.Error, ValueError):
                data = b""
        if match is None or not data:
            self._report(self._line, "anki.image", "inline data image is not valid base64, left out")
            return _missing("image")
        suffix = match.group(1).lower().replace("svg+xml", "svg")
        name = media_name(f"inline.{suffix}", data)
        self.out.media[name] = data
        return _img(name, tag_html)


def _is_web(href: str) -> bool:
    return "://" in href or href.startswith(("mailto:", "//"))


def _ref(inner: str, target: str | None) -> str:
    """A link Anki cannot follow, as text: its words, then where it points if that adds anything."""
    text = plain(inner)
    if not target or target == text:
        return f'<span class="qd-ref">{inner if text else html.escape(target or "")}</span>'
    if not text:
        return f'<span class="qd-ref">{html.escape(target)}</span>'
    return f'<span class="qd-ref">{inner}</span> <span class="qd-ref-target">({html.escape(target)})</span>'


def _img(name: str, tag_html: str) -> str:
    attrs = {k: v for k, v in tag_attributes(tag_html).items() if k in _IMG_KEPT}
    extra = "".join(f' {k}="{html.escape(v)}"' for k, v in sorted(attrs.items()))
    return f'<img src="{html.escape(name)}"{extra}>'


def _missing(label: str) -> str:
    return f'<span class="qd-missing-image">{html.escape(label)}</span>'
