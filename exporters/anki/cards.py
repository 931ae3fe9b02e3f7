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

from qadeck import codes, svgclean
from qadeck.assets import read_local
from qadeck.isolate import isolated
from qadeck.links import ImageSource, image_source
from qadeck.model import Diagnostic, Link, LinkKind, Note, Piece, Question
from qadeck.render import Made, Renderer, Target, tag_attributes
from qadeck.strings import Strings

from .naming import deck_part, source, tag
from .problems import problem_deck, problem_fields, problem_tags

# The note type's fields. Their names and order are the schema Anki checks on every import:
# changing them later makes Anki treat every existing note as "conflicting", so the list holds
# each part of a card in its own field (templates may rearrange them freely) and one spare.
FIELDS = ("Front", "Back", "Details", "SeeAlso", "Context", "Breadcrumb", "Source", "Id", "Flags", "Extra")

_IMG_KEPT = ("alt", "title", "width", "height")  # of a note's <img>, on the card's
_TAGS = re.compile(r"<[^>]+>")
_SAFE_NAME = re.compile(r"[^\w.-]+")
_DATA_IMAGE = re.compile(r"data:image/([a-z0-9.+-]+);base64,(.*)", re.I | re.S)
TARGET = Target("anki", math="mathjax")


@dataclass(frozen=True)
class Card:
    guid: str
    source: str  # the note's path
    line: int
    deck: str
    fields: tuple[str, ...]  # in FIELDS order (a problem's: problems.FIELDS)
    tags: tuple[str, ...]
    kind: str = "qa"  # the note type: "qa" | "problem"


@dataclass
class Rendered:
    cards: list[Card] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)  # media file name -> content
    diagnostics: list[Diagnostic] = field(default_factory=list)
    left_out: int = 0  # unanswered questions without a card


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
    """Renders notes to cards; the media found on the way are kept once each."""

    def __init__(self, notes_root: Path, title: str, decks: str, include_unanswered: bool,
                 strings: Strings):
        self.title = title
        self.strings = strings  # the labels, in the notes' language
        self.decks = decks
        self.include_unanswered = include_unanswered
        self.policy = CardPolicy(notes_root)
        self.renderer = Renderer(TARGET, self.policy)
        self.out = Rendered(media=self.policy.media)

    def render(self, notes: list[Note] | tuple[Note, ...]) -> Rendered:
        out = self.out
        for note in notes:
            before = (len(out.cards), len(out.diagnostics), out.left_out)
            failed: list[Diagnostic] = []
            isolated(note.path, lambda note=note: self._render_note(note), failed, "the Anki deck")
            if failed:  # none of the note's cards: a deck holds whole notes
                del out.cards[before[0]:], out.diagnostics[before[1]:]
                out.left_out = before[2]
                out.diagnostics.extend(failed)
        return out

    def render_unit(self, note: Note) -> Rendered:
        """One note's cards, media and diagnostics on their own: the unit the build cache keeps."""
        self.policy.forget()
        self.out = Rendered(media=self.policy.media)
        return self.render([note])

    def _render_note(self, note: Note) -> None:
        if note.problem is not None:
            self._render_problem(note)
            return
        headings: dict[str, str] = {}  # question id -> heading HTML: a front, and its follow-ups' context
        deck = deck_name(self.title, note, self.decks)
        note_tags = [tag(t) for t in note.meta.tags]
        for q in note.questions:
            if not q.answered and not self.include_unanswered:
                self.out.left_out += 1
                continue
            if not plain(self._heading(note, q, headings)):
                self.out.diagnostics.append(Diagnostic(note.path, q.line, "warning", codes.QUESTION_EMPTY,
                                                       "the question renders empty; no card"))
                continue
            parent = note.question(q.parent) if q.parent else None
            self.out.cards.append(Card(q.id, note.path, q.line, deck, self._fields(note, q, parent, headings),
                                       self._tags(note_tags, q)))

    def _render_problem(self, note: Note) -> None:
        assert note.problem is not None
        for q in note.questions:
            if not q.answered and not self.include_unanswered:
                self.out.left_out += 1
                continue
            deck = problem_deck(self.title, note, self.decks, self.strings)
            self.out.cards.append(Card(q.id, note.path, q.line, deck,
                                       problem_fields(self, note, q), problem_tags(note.problem), "problem"))

    def html(self, note: Note, piece: Piece, footnotes: list[int] | None = None) -> str:
        """A piece of the note as card HTML; its diagnostics join the result's, its footnote
        references go into `footnotes`."""
        return self._html(note, piece, footnotes)

    def _html(self, note: Note, piece: Piece, footnotes: list[int] | None = None) -> str:
        made = self.renderer.render(note, piece)
        self.out.diagnostics.extend(made.diagnostics)
        if footnotes is not None:
            footnotes.extend(made.footnotes)
        return made.html

    def _heading(self, note: Note, q: Question, headings: dict[str, str]) -> str:
        if q.id not in headings:
            headings[q.id] = self._html(note, Piece(q.heading, q.line, inline=True))
        return headings[q.id]

    def _fields(self, note: Note, q: Question, parent: Question | None,
                headings: dict[str, str]) -> tuple[str, ...]:
        """The card's fields in FIELDS order. The renderer cleans the note's own HTML
        (`qadeck.sanitize`); the rest is text escaped here."""
        parts = q.parts()
        footnotes: list[int] = []  # referenced on this card: their text goes in Extra
        back = self._html(note, parts.short, footnotes) + self._html(note, parts.body, footnotes)
        details = "".join(f'<details class="qd-part"><summary>{html.escape(d.name)}</summary>'
                          f"{self._html(note, p, footnotes)}</details>"
                          for d, p in zip(q.answer.details, parts.details, strict=True))
        also = "".join(f"<p>{self._html(note, p, footnotes)}</p>" for p in parts.see_also)
        notes = self.renderer.footnote_list(note, dict.fromkeys(footnotes))
        self.out.diagnostics.extend(notes.diagnostics)
        crumb = " › ".join(html.escape(p) for p in (note.title, *q.section))
        context = self._heading(note, parent, headings) if parent is not None else ""
        if q.kind == "topic":  # a topic says where it sits: every heading above it
            crumb, context = html.escape(note.title), " › ".join(html.escape(c) for c in q.context)
        flags = "".join(f'<span class="qd-flag">{html.escape(m + " " + f)}</span>'
                        for m, f in zip(q.markers, q.flags, strict=False))
        values = {
            "Front": self._heading(note, q, headings), "Back": back, "Details": details,
            "SeeAlso": also,
            "Context": context,
            "Breadcrumb": crumb, "Source": html.escape(source(note, q)), "Id": html.escape(q.id),
            "Flags": flags, "Extra": notes.html,
        }
        return tuple(values[name] for name in FIELDS)

    def _tags(self, note_tags: list[str], q: Question) -> tuple[str, ...]:
        tags = [*note_tags, *(tag(f"marker::{f}") for f in q.flags)]
        if q.section:
            tags.append(tag("section::" + "::".join(p.replace("::", ":") for p in q.section)))
        return tuple(dict.fromkeys(t for t in tags if t))


class CardPolicy:
    """Links and images inside Anki: a card cannot follow a link to another note, and images
    travel as media files packed with the deck."""

    def __init__(self, notes_root: Path) -> None:
        self.root = notes_root.resolve()
        self.media: dict[str, bytes] = {}  # media file name -> content
        self._images: dict[str, str | None] = {}  # target -> media name (None: unreadable)
        self._said: dict[str, str] = {}  # target -> what cleaning its SVG took out, not yet reported

    def link(self, note: Note, link: Link, inner: str) -> Made:
        if link.kind in (LinkKind.WEB, LinkKind.MAIL):
            return Made(None)
        if link.kind in (LinkKind.NOTE, LinkKind.ANCHOR) and link.ok:
            title = link.target_title or note.title
            return Made(_ref(inner, " › ".join(p for p in (title, link.target_heading) if p)))
        return Made(_ref(inner, link.target))  # no target (javascript:, file:): the words alone

    def image(self, note: Note, link: Link, tag_html: str) -> Made:
        alt = tag_attributes(tag_html).get("alt", "")
        src = link.href
        kind = image_source(link, note.link(src) is not None)
        if kind is ImageSource.DATA:
            return self._data_image(note, link, tag_html)
        if kind is ImageSource.WEB:
            return Made(f'<a href="{html.escape(src)}">{html.escape(alt or src)}</a>')
        if kind is ImageSource.FAILED:  # the parser reported it already
            return Made(_missing(alt or src))
        if kind is not ImageSource.LOCAL or link.target is None:
            return Made(_missing(alt or src), (_diagnostic(note, link, codes.IMAGE_MISSING,
                                                           f"image left out of the card: {src}"),))
        name = self._media_for(link.target)
        said = self._said.pop(link.target, None)  # once per file, at its first use
        if name is None:
            unreadable = _diagnostic(note, link, codes.IMAGE_INVALID if said else codes.IMAGE_UNREADABLE,
                                     said or f"image unreadable, left out: {src}")
            return Made(_missing(alt or src), (unreadable,))
        return Made(_img(name, tag_html), (_diagnostic(note, link, codes.HTML_UNSAFE, said),) if said else ())

    def forget(self) -> None:
        """Start a new unit: media found so far belong to the last one."""
        self.media = {}
        self._images = {}
        self._said = {}

    def _media_for(self, target: str) -> str | None:
        if target not in self._images:
            data = read_local(self.root, target)  # only files inside the notes folder reach a package
            if data is not None:
                data, said = svgclean.for_output(target, data)  # an SVG only draws, in every client
                if said:
                    self._said[target] = said
            self._images[target] = None if data is None else self._add(target, data)
        return self._images[target]

    def _add(self, target: str, data: bytes) -> str:
        name = media_name(target, data)
        self.media[name] = data
        return name

    def footnote(self, note: Note, number: int) -> str:
        return f'<sup class="qd-fn">{number}</sup>'

    def _data_image(self, note: Note, link: Link, tag_html: str) -> Made:
        """An inline `data:image/...;base64,` picture, packed as a media file like any other."""
        match = _DATA_IMAGE.fullmatch(link.href.strip())
        data = b""
        if match:
            try:
                data = base64.b64decode("".join(match.group(2).split()), validate=True)
            except (binascii.Error, ValueError):
                data = b""
        if match is None or not data:
            return Made(_missing("image"), (_diagnostic(note, link, codes.IMAGE_INVALID,
                                                        "inline data image is not valid base64, left out"),))
        suffix = match.group(1).lower().replace("svg+xml", "svg")
        data, said = svgclean.for_output(f"inline.{suffix}", data) if suffix == "svg" else (data, None)
        if data is None:
            return Made(_missing("image"), (_diagnostic(note, link, codes.IMAGE_INVALID, str(said)),))
        made = _img(self._add(f"inline.{suffix}", data), tag_html)
        return Made(made, (_diagnostic(note, link, codes.HTML_UNSAFE, said),) if said else ())


def _diagnostic(note: Note, link: Link, code: str, message: str) -> Diagnostic:
    return Diagnostic(note.path, link.line, "warning", code, message)


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
