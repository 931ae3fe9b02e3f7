"""Mutations of note files for fuzzing: each takes the note's bytes and a random source and returns
new bytes. Shared by `scripts/fuzz.py` (`make fuzz`) and `tests/test_fuzz.py` (hypothesis).

They aim at what real notes get wrong and at what has broken qadeck before: damaged bytes and
encodings, cut or repeated lines, unbalanced containers (`<details>`, `<!--`, fences, `$`), deep
nesting, very long lines, control characters, forged placeholders, odd link targets and info
blocks that YAML cannot read.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Sizes:
    """How deep the nesting and how long the lines that mutations write."""

    depths: tuple[int, ...] = (30, 100, 300, 1000)
    lengths: tuple[int, ...] = (2_000, 10_000, 30_000)


FULL = Sizes()
SMALL = Sizes(depths=(20, 150), lengths=(500, 3_000))  # past every bound, quick to render (the tests)
Mutation = Callable[[bytes, random.Random, Sizes], bytes]

TOKENS = (
    "<details>", "</details>", "<details><summary>x</summary>", "<!--", "-->", "<!--info", "```",
    "~~~", "```python", "$", "$$", "\\$", "<table>", "</table>", "<td>", "<tr>", "---", "===",
    "[^1]", "[^1]: 注", "## ", "### 问题?", "#### ", "> ", "- ", "1. ", "<!-- qid: x -->",
    "<!-- START_SECTION:toc -->", "<!-- END_SECTION:toc -->", "<!-- START_SECTION:keywords -->",
    "**", "*", "_", "`", "~~", "[", "](", ")", "<", ">", "&", "&#0;", "&#x110000;", "<br>", "</div>",
    "<div>", "<img src=x>", "<a href=", "<script>", "|---|", "| a | b |", "\\", "{", "}", "🔥", "✅",
)
CONTROLS = ("\x00", "\x01", "\x02", "\x03", "\x07", "\x08", "\x0b", "\x0c", "\x13", "\x1b", "\x1c",
            "\x1f", "\x7f", "\x85", "\u2028", "\u2029", "\ufeff", "\ufffe", "\ue000", "\uf8ff")
FORGED = ("\x000\x00", "\x0099\x00", "\x00-1\x00", "\ue0000\ue001", "\ue0007\ue001", "\x02wzxhzdk:9\x03",
          "\x02klzzwxh:9\x03", "\x00\x00")
LINK_TARGETS = ("a\x00b.md", "a%00b.md", "x" * 300 + ".md", "/".join(["d" * 200] * 30) + ".png",
                "../" * 50 + "etc/passwd", "/", "//", "#", "%", "%ff%fe.md", "./\u2028.md", "file:///etc/passwd",
                "javascript:alert(1)", "data:image/png;base64,@@@", "<a b>", "a.md#" + "#" * 100)
INFO_BLOCKS = ("<!--info\ndate: 2025-13-45\n-->", "<!--info\ndate: 2025-02-30 25:61:61\n-->",
               "<!--info\ndate: 0000-00-00\ntags: [a, b\n-->", "---\ndate: 2025-99-99\n---",
               "<!--info\na: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
               "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
               "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: [*e, *e, *e, *e, *e, *e, *e, *e, *e]\n-->",
               "<!--info\n" + "[" * 3000 + "\n-->", "<!--info\ndate: !!binary ===\n-->",
               "<!--info\n? [a, b]\n: c\n-->", "<!--info\ndraft: yes\ntags: 12\ntoc_title: {a: b}\n-->",
               "<!--info\ndate: 2025-1-1T99:99:99\n-->")
LONG_UNITS = ("<a", "<", "$", "[", "](", "[x](", "*", "**", "_", "`", "<!-", "&", "\\", "$a", "[^",
              "http://x", " ", "中文", "<a href=x>", "](a", "!", "(", ")", "~", "|", "#", "a", "<t")


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _insert_line(data: bytes, rng: random.Random, text: str) -> bytes:
    lines = _lines(data)
    lines.insert(rng.randint(0, len(lines)), text.encode("utf-8"))
    return b"\n".join(lines)


def _insert_at(data: bytes, rng: random.Random, text: str) -> bytes:
    at = rng.randint(0, len(data))
    return data[:at] + text.encode("utf-8") + data[at:]


def flip_bytes(data: bytes, rng: random.Random, sizes: Sizes = FULL) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if out:
            out[rng.randrange(len(out))] ^= 1 << rng.randrange(8)
    return bytes(out)


def truncate(data: bytes, rng: random.Random, sizes: Sizes = FULL) -> bytes:
    return data[: rng.randint(0, len(data))]


def duplicate_lines(data: bytes, rng: random.Random, sizes: Sizes = FULL) -> bytes:
    lines = _lines(data)
    start = rng.randrange(len(lines))
    end = min(len(lines), start + rng.randint(1, 30))
    lines[end:end] = lines[start:end] * rng.randint(1, 3)
    return b"\n".join(lines)


def delete_lines(data: bytes, rng: random.Random, sizes: Sizes = FULL) -> bytes:
    lines = _lines(data)
    start = rng.randrange(len(lines))
    del lines[start: start + rng.randint(1, 20)]
    return b"\n".join(lines)


def shuffle_lines(data: bytes, rng: random.Random, sizes: Sizes = FULL) -> bytes:
    lines = _lines(data)
    start = rng.randrange(len(lines))
    part = lines[start: start + rng.randint(2, 40)]
    rng.shuffle(part)
    lines[start: start + len(part)] = part
    return b"\n".join(lines)


def unbalance(data: bytes, rng: random.Random, sizes: Sizes = FULL) -> bytes:
    """A container opened or closed where it should not be, or a lone marker mid-line."""
    token = rng.choice(TOKENS)
    if rng.random() < 0.5:
        return _insert_line(data, rng, token)
    return _insert_at(data, rng, token)


def deep_nesting(data: bytes, rng: random.Random, sizes: Sizes = FULL) -> bytes:
    depth = rng.choice(sizes.depths)
    kind = rng.randrange(9)
    if kind == 0:
        block = "\n".join("  " * i + "- x" for i in range(depth))
    elif kind == 1:
        block = "\n".join(">" * i + " x" for i in range(1, depth))
    elif kind == 2:
        block = ">" * depth + " deep"
    elif kind == 3:
        block = "- " * depth + "x"
    elif kind == 4:
        block = "<div>" * depth + "x" + "</div>" * rng.choice((0, depth))
    elif kind == 5:
        block = "<details>\n" * depth + "x\n" + "</details>\n" * rng.choice((0, depth))
    elif kind == 6:
        block = "[" * depth + "x" + "](y)" * depth
    elif kind == 7:
        block = "*" * depth + "x" + "*" * depth
    else:
        block = "> - 1. " * depth + "x"
    return _insert_line(data, rng, block)


def long_line(data: bytes, rng: random.Random, sizes: Sizes = FULL) -> bytes:
    units = rng.sample(LONG_UNITS, rng.randint(1, 3))
    size = rng.choice(sizes.lengths)
    text = "".join(rng.choice(units) for _ in range(size // 2))[:size]
    return _insert_line(data, rng, text) if rng.random() < 0.7 else _insert_at(data, rng, text)


def controls(data: bytes, rng: random.Random, sizes: Sizes = FULL) -> bytes:
    for _ in range(rng.randint(1, 6)):
        data = _insert_at(data, rng, rng.choice(CONTROLS))
    return data


def forged_placeholder(data: bytes, rng: random.Random, sizes: Sizes = FULL) -> bytes:
    """A stand-in qadeck itself uses, written by the note: in a heading with math, or anywhere."""
    forged = rng.choice(FORGED)
    if rng.random() < 0.6:
        heading = f"## 问题 $x_1$ {forged} **粗** `c` $y$?"
        return _insert_line(data, rng, f"{heading}\n\n答 {forged} $z$ `{forged}`")
    return _insert_at(data, rng, forged)


def bad_link(data: bytes, rng: random.Random, sizes: Sizes = FULL) -> bytes:
    target = rng.choice(LINK_TARGETS)
    form = rng.choice(("[t]({})", "![i]({})", "<img src=\"{}\">", "[t]: {}", "<a href=\"{}\">t</a>"))
    return _insert_line(data, rng, "- " + form.format(target))


def bad_meta(data: bytes, rng: random.Random, sizes: Sizes = FULL) -> bytes:
    block = rng.choice(INFO_BLOCKS)
    if block.startswith("---") or rng.random() < 0.5:
        return block.encode("utf-8") + b"\n" + data
    return _insert_line(data, rng, block)


def bad_encoding(data: bytes, rng: random.Random, sizes: Sizes = FULL) -> bytes:
    kind = rng.randrange(5)
    text = data.decode("utf-8", errors="replace")
    if kind == 0:
        return text.encode("gb18030", errors="replace")
    if kind == 1:
        return text.encode("utf-16")
    if kind == 2:
        return _insert_at(data, rng, "").replace(b"\n", b"\r", rng.randint(1, 50))
    if kind == 3:  # a BOM in the middle, and bytes no encoding reads
        at = rng.randint(0, len(data))
        junk = rng.choice((b"\xef\xbb\xbf", b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\xf8\x88"))
        return data[:at] + junk + data[at:]
    return bytes(b if b < 0x80 else rng.randrange(0x80, 0x100) for b in data)


MUTATIONS: dict[str, Mutation] = {
    "flip_bytes": flip_bytes, "truncate": truncate, "duplicate_lines": duplicate_lines,
    "delete_lines": delete_lines, "shuffle_lines": shuffle_lines, "unbalance": unbalance,
    "deep_nesting": deep_nesting, "long_line": long_line, "controls": controls,
    "forged_placeholder": forged_placeholder, "bad_link": bad_link, "bad_meta": bad_meta,
    "bad_encoding": bad_encoding,
}


def mutate(data: bytes, rng: random.Random, count: int | None = None,
           sizes: Sizes = FULL) -> tuple[bytes, list[str]]:
    """`data` after 1 to 3 mutations (or `count`); returns the names applied, in order."""
    names = [rng.choice(sorted(MUTATIONS)) for _ in range(count or rng.randint(1, 3))]
    return apply(data, names, rng, sizes), names


def apply(data: bytes, names: list[str], rng: random.Random, sizes: Sizes = FULL) -> bytes:
    for name in names:
        data = MUTATIONS[name](data, rng, sizes) if data else data
    return data
