"""The diagnostic codes: one name per event, the same in every command and output.

A code says what happened, not which output noticed it, so `qadeck check` and every exporter
report one diagnostic under one code (and the build shows it once).
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

# Reading a file (qadeck/parser/source.py, parser/collection.py)
FILE_EMPTY = "file.empty"  # a note file with nothing but blanks: skipped
FILE_BINARY = "file.binary"  # NUL bytes near the start: not text, skipped
FILE_ENCODING = "file.encoding"  # not UTF-8: decoded as GBK/GB18030, or not decodable at all
FILE_OUTSIDE = "file.outside"  # a note file that is a symlink to outside the notes folder: skipped
FILE_UNREADABLE = "file.unreadable"  # the operating system refused to read a note file
FILE_MISSING = "file.missing"  # a link to a local file (not a note, not an image) that does not exist

# A note's structure (parser/scan.py, parser/meta.py, parser/note.py)
FENCE_UNCLOSED = "fence.unclosed"  # a code fence never closed: it runs to the end of the file
COMMENT_UNCLOSED = "comment.unclosed"  # an HTML comment never closed: the rest of the file is hidden
GENERATED_UNCLOSED = "generated.unclosed"  # a START_SECTION marker with no END_SECTION: its content is kept
DETAILS_UNCLOSED = "details.unclosed"  # a <details> never closed: read as if it were
TABLE_UNCLOSED = "table.unclosed"  # a <table> never closed: read as if it were
META_YAML = "meta.yaml"  # front matter that is not usable YAML (broken, not a mapping, too big): ignored
META_CARDS = "meta.cards"  # a `cards:` value other than "questions" or "topics"
TAGINFO_UNREADABLE = "taginfo.unreadable"  # a tag-info file that cannot be read
TAGINFO_YAML = "taginfo.yaml"  # a tag-info file that is broken YAML or not a list: tags used as written

# Notes in the collection (parser/collection.py)
NOTE_TEMPLATE = "note.template"  # template notes left out of the outputs (info)
NOTE_DRAFT = "note.draft"  # notes in the drafts folder left out of the outputs (info)
NOTE_MISSING = "note.missing"  # a link to a note (.md) that does not exist

# Questions (parser/collection.py, qadeck/build.py)
QUESTION_DUPLICATE = "question.duplicate"  # the same question asked twice in one note
QUESTION_ID_COLLISION = "question.id-collision"  # same note name and question as another note
QUESTION_PIN_INVALID = "question.pin-invalid"  # a pinned qid that is not letters, digits and _.:- : ignored
QUESTION_PIN_DUPLICATE = "question.pin-duplicate"  # a pinned qid another question already has: ignored
QUESTION_UNANSWERED = "question.unanswered"  # a question with no answer (info)
QUESTION_REWORDED = "question.reworded"  # a new question that looks like a removed one reworded (info)

# Coding problems (parser/problem.py, parser/collection.py)
PROBLEM_DUPLICATE = "problem.duplicate"  # two coding-problem notes with the same source and number
PROBLEM_RELATED_MISSING = "problem.related-missing"  # linked related problems not in the notes (info)
PROBLEM_NO_APPROACH = "problem.no-approach"  # a coding-problem note with no approach section (info)

# Links (parser/collection.py); IMAGE_MISSING, NOTE_MISSING, FILE_MISSING and LINK_INVALID also
LINK_OUTSIDE = "link.outside"  # a link that leaves the notes folder (or the repository)
LINK_SCHEME = "link.scheme"  # a link with a scheme no output follows (file:, javascript:, ...)
LINK_ANCHOR_MISSING = "link.anchor-missing"  # a link to a heading the target note does not have

# The Anki deck (exporters/anki/)
ANKI_DUPLICATE_ID = "anki.duplicate-id"  # two cards that would share one Anki note id: the second is left out
ANKI_SUMMARY = "anki.summary"  # the deck's report: cards added, updated, removed (info)

# The PDF handbook (exporters/handbook/)
PDF_CONTENTS = "pdf.contents"  # the contents' page numbers did not settle: they may be one page off
PDF_URL_REFUSED = "pdf.url-refused"  # a file or URL the fetcher would not read into the PDF
PDF_WEASYPRINT = "pdf.weasyprint"  # a message from WeasyPrint's log, at the note it concerns
