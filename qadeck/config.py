"""Settings in one typed place: `qadeck.toml`, or `[tool.qadeck]` in `pyproject.toml`.

Defaults live here once; unknown keys are reported; CLI flags override only when given.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from qadeck.errors import ConfigError
from qadeck.parser import ParseOptions

PAPERS = ("A4", "Letter", "A5")
DECKS = ("folder", "path", "tag", "note", "flat")  # Anki deck layouts


@dataclass(frozen=True)
class Config:
    notes: Path = Path("notes")
    out: Path = Path("build")
    name: str = "qadeck"  # base name of the outputs: build/<name>.apkg, .pdf, .html, .json
    title: str = "面试题集"
    subtitle: str = ""
    author: str = ""
    include: tuple[str, ...] = ("*.md",)
    exclude: tuple[str, ...] = ()
    drafts: str = "skip"  # "skip" | "include"
    knowledge: bool = False  # notes without questions enter the handbook and cheat sheet too
    markers: dict[str, str] = field(default_factory=dict)  # over the defaults in the notes' language
    include_unanswered: bool = False  # Anki: cards for unanswered questions too
    decks: str = "folder"  # Anki: "folder" | "path" | "tag" | "note" | "flat" (see README)
    paper: str = "A4"  # PDF
    font: Path | None = None  # PDF: a CJK font file to use instead of the system's
    questions_only: bool = False  # PDF: the book without answers
    jobs: int = 0  # PDF: processes printing a long book in parts (0: two; 1: one piece)
    image_cap_kb: int = 512  # HTML: warn above this size for an embedded image
    source: Path | None = None  # the file these settings came from
    warnings: tuple[str, ...] = ()

    def parse_options(self) -> ParseOptions:
        return ParseOptions(self.title, self.include, self.exclude, self.drafts, dict(self.markers),
                            self.knowledge)

    def output(self, suffix: str) -> Path:
        return self.out / f"{self.name}{suffix}"


def load_config(directory: Path, config_file: Path | None = None) -> Config:
    path, table = _find(directory, config_file)
    if path is None:
        return Config()
    return _from_table(table, path)


def with_overrides(config: Config, **values: Any) -> Config:
    """CLI flags that were given (not None) replace the configured values."""
    given = {k: v for k, v in values.items() if v is not None}
    if "paper" in given and given["paper"] not in PAPERS:
        raise ConfigError(f"paper must be one of {', '.join(PAPERS)}, not {given['paper']!r}")
    return replace(config, **given)


def _find(directory: Path, config_file: Path | None) -> tuple[Path | None, dict[str, Any]]:
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"{config_file}: config file not found")
        data = _read(config_file)
        return config_file, data.get("tool", {}).get("qadeck", data) if config_file.name == \
            "pyproject.toml" else data
    own = directory / "qadeck.toml"
    if own.is_file():
        return own, _read(own)
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        table = _read(pyproject).get("tool", {}).get("qadeck")
        if table is not None:
            return pyproject, table
    return None, {}


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _from_table(table: dict[str, Any], path: Path) -> Config:
    names = {f.name for f in fields(Config)} - {"source", "warnings"}
    warnings = [f"{path}: unknown setting {key!r} ignored" for key in table if key not in names]
    values: dict[str, Any] = {}
    base = path.parent
    for key, value in table.items():
        if key not in names:
            continue
        values[key] = _convert(key, value, base, path)
    if values.get("drafts", "skip") not in ("skip", "include"):
        raise ConfigError(f"{path}: drafts must be \"skip\" or \"include\"")
    if values.get("decks", "folder") not in DECKS:
        raise ConfigError(f"{path}: decks must be one of {', '.join(DECKS)}")
    if values.get("paper", "A4") not in PAPERS:
        raise ConfigError(f"{path}: paper must be one of {', '.join(PAPERS)}")
    return replace(Config(), **values, source=path, warnings=tuple(warnings))


def _convert(key: str, value: Any, base: Path, path: Path) -> Any:
    expected = {f.name: f.type for f in fields(Config)}[key]
    if key in ("notes", "out", "font"):
        if not isinstance(value, str):
            raise ConfigError(f"{path}: {key} must be a path string")
        return base / value
    if key in ("include", "exclude"):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: {key} must be a list of .gitignore patterns")
        return tuple(value)
    if key == "markers":
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ConfigError(f"{path}: markers must map marker emoji to names")
        return dict(value)
    kind = {"bool": bool, "int": int}.get(str(expected), str)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{path}: {key} must be a {kind.__name__}")
    return value
