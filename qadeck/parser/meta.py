"""Note metadata from the `<!--info ... -->` block or YAML front matter, and keywords."""

from __future__ import annotations

import re
from typing import Any

from qadeck import codes
from qadeck.gfm.holding import Placeholders
from qadeck.gfm.lexical import INLINE_LINK, link_target
from qadeck.model import Keyword, NoteMeta
from qadeck.parser.scan import Scan
from qadeck.parser.source import LineDiagnostic
from qadeck.parser.yamlsafe import DEPTH, NODES, YAML_ERRORS, bounded, load_yaml

_KNOWN = {"date", "tags", "draft", "hidden", "toc_title"}
_SPLIT = re.compile(r"[,，、;；|]")
# `**Keywords**:`; starting only where a run of `*` starts: a line of stars is no label to try at each
_LABEL = re.compile(r"(?<!\*)\**+\s*+keywords\s*+\**+\s*+[:：]", re.I)


def read_meta(scan: Scan, diagnostics: list[LineDiagnostic]) -> NoteMeta:
    values: dict[str, Any] = {}
    for block, name in ((scan.front_matter, "front matter"), (scan.info, "info block")):
        if block is not None:
            values.update(_load(block, name, diagnostics))
    tags = values.get("tags") or ()
    if isinstance(tags, str):
        tags = [t for t in _SPLIT.split(tags)]
    if not isinstance(tags, (list, tuple)):
        tags = [tags]
    extra = tuple(sorted((str(k), _text(v)) for k, v in values.items() if k not in _KNOWN))
    return NoteMeta(
        date=_text(values["date"]) if values.get("date") is not None else None,
        tags=tuple(dict.fromkeys(str(t).strip() for t in tags if str(t).strip())),
        draft=values.get("draft") is True,
        hidden=values.get("hidden") is True,
        toc_title=_text(values["toc_title"]) if values.get("toc_title") else None,
        extra=extra,
    )


def _load(block: tuple[str, int], name: str, diagnostics: list[LineDiagnostic]) -> dict[str, Any]:
    text, first_line = block
    try:
        data = load_yaml(text)
    except YAML_ERRORS as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + (mark.line if mark is not None else 0)
        reason = getattr(exc, "problem", None) or (str(exc).splitlines() or [type(exc).__name__])[0]
        diagnostics.append(LineDiagnostic(line, "warning", codes.META_YAML,
                                          f"broken YAML in {name}: {reason}; its metadata is ignored"))
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        diagnostics.append(LineDiagnostic(first_line, "warning", codes.META_YAML,
                                          f"{name} is not a mapping of keys to values; ignored"))
        return {}
    if not bounded(data):
        diagnostics.append(LineDiagnostic(first_line, "warning", codes.META_YAML,
                                          f"{name} holds more than {NODES} values or nests deeper than "
                                          f"{DEPTH} levels (aliases count where they are used); ignored"))
        return {}
    return data


def _text(value: Any) -> str:
    return str(value).strip()


def read_keywords(scan: Scan) -> tuple[Keyword, ...]:
    """Keywords in written order; a linked keyword keeps its href. Each line is read on its own:
    a `>>` line (a related note) must not run into the keywords line above it."""
    return tuple(keyword for _, line in scan.keywords for keyword in _line_keywords(line))


def _line_keywords(line: str) -> list[Keyword]:
    text = re.sub(r"^[>\s]*", "", line)
    text = _LABEL.sub("", text)
    links: list[Keyword] = []
    stand_ins = Placeholders(text)

    def hold(match: re.Match[str]) -> str:
        links.append(Keyword(match.group(2).strip(" *_"), link_target(match) or None))
        return stand_ins.hold(str(len(links) - 1))

    found: list[Keyword] = []
    for word in _SPLIT.split(INLINE_LINK.sub(hold, text)):
        held = [links[int(n)] for n in stand_ins.held_in(word)]
        if held:  # a link, maybe after a label (`相关: [RLHF](./偏好学习.md)`): the link is the keyword
            found.extend(held)
        elif word.strip(" *_>\t"):
            found.append(Keyword(word.strip(" *_>\t")))
    return found
