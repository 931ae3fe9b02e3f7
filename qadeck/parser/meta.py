"""Note metadata from the `<!--info ... -->` block or YAML front matter, and keywords."""

from __future__ import annotations

import re
from typing import Any

import yaml

from qadeck.model import Keyword, NoteMeta
from qadeck.parser.scan import Scan
from qadeck.parser.source import Problem

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster
_KNOWN = {"date", "tags", "draft", "hidden", "toc_title"}
_LINK = re.compile(r"\[([^\]]*)\]\(\s*(?:<([^<>\n]+)>|((?:[^()\s<>]|\([^()\s]*\))*))\s*\)")
_SPLIT = re.compile(r"[,，、;；|]")


def read_meta(scan: Scan, problems: list[Problem]) -> NoteMeta:
    values: dict[str, Any] = {}
    for block, name in ((scan.front_matter, "front matter"), (scan.info, "info block")):
        if block is not None:
            values.update(_load(block, name, problems))
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


def _load(block: tuple[str, int], name: str, problems: list[Problem]) -> dict[str, Any]:
    text, first_line = block
    try:
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + (mark.line if mark is not None else 0)
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        problems.append(Problem(line, "warning", "meta.yaml", f"broken YAML in {name}: {reason}; "
                                "its metadata is ignored"))
        return {}
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(Problem(first_line, "warning", "meta.yaml",
                                f"{name} is not a mapping of keys to values; ignored"))
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
    text = re.sub(r"\**\s*keywords\s*\**\s*[:：]", "", text, flags=re.I)
    links: list[Keyword] = []

    def hold(match: re.Match[str]) -> str:
        links.append(Keyword(match.group(1).strip(" *_"), match.group(2) or match.group(3)))
        return f"\x00{len(links) - 1}\x00"

    found: list[Keyword] = []
    for word in _SPLIT.split(_LINK.sub(hold, text)):
        held = [links[int(n)] for n in re.findall(r"\x00(\d+)\x00", word)]
        if held:  # a link, maybe after a label (`相关: [RLHF](./偏好学习.md)`): the link is the keyword
            found.extend(held)
        elif word.strip(" *_>\t"):
            found.append(Keyword(word.strip(" *_>\t")))
    return found
