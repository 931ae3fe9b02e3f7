"""The diagnostic codes: one name per event, the same in every command and output.

A code says what happened, not which output noticed it, so `qadeck check` and every exporter
report one problem under one code (and the build shows it once).
"""

from __future__ import annotations

MATH_INVALID = "math.invalid"  # a formula that cannot be typeset
HTML_UNSAFE = "html.unsafe"  # raw HTML that could run script or load content: removed
IMAGE_MISSING = "image.missing"  # no such image file
IMAGE_OUTSIDE = "image.outside"  # outside the notes folder (a symlink out, a file: URL)
IMAGE_REMOTE = "image.remote"  # a web image an output does not fetch
IMAGE_UNREADABLE = "image.unreadable"
IMAGE_INVALID = "image.invalid"  # an inline data: image that does not decode
IMAGE_TYPE = "image.type"  # a file type an output cannot embed
IMAGE_LARGE = "image.large"
GLYPH_MISSING = "glyph.missing"  # a character no installed font has
QUESTION_EMPTY = "question.empty"  # a question whose heading renders to nothing
NESTING_DEEP = "nesting.deep"  # lists, quotes or elements nested deeper than an output can take
TEXT_CONTROL = "text.control"  # control characters, dropped from every output
LINK_INVALID = "link.invalid"  # a link target no file system can hold (a NUL, a name too long)
NOTE_INTERNAL = "note.internal"  # qadeck failed on this note (a bug): the note is left out
CACHE_REMADE = "cache.remade"  # a cache file or entry that was damaged or not ours: made again, never used
DECK_MEMORY_LOST = "deck.memory-lost"  # the deck's manifest is damaged: the last build's deck is not known
NOTE_SLOW = "note.slow"  # a note over its time in an output: shown as its source from there on
