"""Settings in one typed place: `qadeck.toml`, or `[tool.qadeck]` in `pyproject.toml`.

General settings sit at the top; each exporter's sit in a table named for it (`[pdf]` in
qadeck.toml, `[tool.qadeck.pdf]` in pyproject.toml) and become that exporter's options
dataclass. An exporter setting at the top level (`paper = "A4"`, the older flat form) still
works; its table wins when both give it. Defaults live here and in the options classes once;
unknown keys are reported; CLI flags override only when given. Config is frozen and hashable.
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from qadeck import exporters
from qadeck.errors import ConfigError
from qadeck.parser import ParseOptions
from qadeck.parser.topics import CARDS


@dataclass(frozen=True)
class Config:
    notes: Path = Path("notes")
    out: Path = Path("build")
    name: str = "qadeck"  # base name of the outputs: build/<name>.apkg, .pdf, .html, .json
    # becomes the collection's title, which every exporter reads; None: the default title in the
    # notes' language (`qadeck.strings`: 面试题集, Interview questions)
    title: str | None = None
    subtitle: str = ""
    author: str = ""
    include: tuple[str, ...] = ("*.md",)
    exclude: tuple[str, ...] = ()
    drafts: str = "skip"  # "skip" | "include"
    knowledge: bool = False  # notes without questions enter the handbook too
    cards: str = "questions"  # "questions" | "topics": what makes a card (see the notes dialect)
    # [folders."glob"] tables: (folder glob, its `cards`), in file order (the last match wins)
    folders: tuple[tuple[str, str], ...] = ()
    # marker emoji -> flag name, as set by the user; the parser fills in the defaults in the
    # notes' language (see marker_names())
    markers: tuple[tuple[str, str], ...] = ()
    exporter_options: tuple[tuple[str, Any], ...] = ()  # (exporter, its options) where configured
    source: Path | None = None  # the file these settings came from
    warnings: tuple[str, ...] = ()

    def marker_names(self) -> dict[str, str]:
        return dict(self.markers)

    def parse_options(self) -> ParseOptions:
        return ParseOptions(self.title, self.include, self.exclude, self.drafts, self.marker_names(),
                            self.knowledge, cards=self.cards, folders=self.folders)

    def output(self, suffix: str) -> Path:
        return self.out / f"{self.name}{suffix}"

    def options(self, exporter: str) -> Any:
        """`exporter`'s options: as configured, else its defaults (None if it takes none)."""
        configured = dict(self.exporter_options)
        if exporter in configured:
            return configured[exporter]
        kind = exporters.options_type(exporter)
        return kind() if kind is not None else None


GENERAL = tuple(f.name for f in fields(Config) if f.name not in ("exporter_options", "source", "warnings"))


def load_config(directory: Path, config_file: Path | None = None) -> Config:
    path, table, prefix = _find(directory, config_file)
    if path is None:
        return Config()
    return _from_table(table, path, prefix)


def with_overrides(config: Config, **values: Any) -> Config:
    """CLI flags that were given (not None) replace the configured general settings."""
    return replace(config, **{k: v for k, v in values.items() if v is not None})


def with_options(config: Config, exporter: str, **values: Any) -> Config:
    """CLI flags that were given (not None) replace `exporter`'s configured options."""
    given = {k: v for k, v in values.items() if v is not None}
    if not given:
        return config
    try:
        options = replace(config.options(exporter), **given)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    kept = tuple((name, o) for name, o in config.exporter_options if name != exporter)
    return replace(config, exporter_options=(*kept, (exporter, options)))


def _find(directory: Path, config_file: Path | None) -> tuple[Path | None, dict[str, Any], str]:
    """The settings file, its qadeck table, and that table's name as a prefix for sub-tables."""
    if config_file is not None:
        if not config_file.is_file():
            raise ConfigError(f"{config_file}: config file not found")
        data = _read(config_file)
        table = data.get("tool", {}).get("qadeck") if isinstance(data.get("tool"), dict) else None
        if table is not None:
            return config_file, table, "tool.qadeck."
        if config_file.name == "pyproject.toml":
            # Read as settings, the whole file would only give a page of "unknown setting" warnings.
            raise ConfigError(f"{config_file}: no [tool.qadeck] table, so no qadeck settings; "
                              "add one or leave out --config")
        return config_file, data, ""
    own = directory / "qadeck.toml"
    if own.is_file():
        return own, _read(own), ""
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        table = _read(pyproject).get("tool", {}).get("qadeck")
        if table is not None:
            return pyproject, table, "tool.qadeck."
    return None, {}, ""


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _from_table(table: dict[str, Any], path: Path, prefix: str) -> Config:
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.qadeck] must be a table")
    types_of = _option_types()
    flat = {key: name for name, kind in types_of.items() for key in _field_types(kind)}
    warnings: list[str] = []
    general: dict[str, Any] = {}
    settings: dict[str, dict[str, Any]] = {name: {} for name in types_of}
    for key, value in table.items():
        if key == "folders":
            general[key] = _folders(value, path, prefix, warnings)
        elif key in GENERAL:
            general[key] = _convert(key, value, _field_types(Config)[key], path)
        elif key in types_of:
            if not isinstance(value, dict):
                raise ConfigError(f"{path}: {key} must be a table, [{prefix}{key}]")
            settings[key].update(_exporter_table(f"{prefix}{key}", value, types_of[key], path, warnings))
        elif key in flat:
            exporter = flat[key]
            if key in (table.get(exporter) or {}):
                warnings.append(f"{path}: {key} is set both at the top level and in "
                                f"[{prefix}{exporter}]; the table's value is used")
                continue
            settings[exporter][key] = _convert(key, value, _field_types(types_of[exporter])[key], path)
        else:
            warnings.append(f"{path}: unknown setting {key!r} ignored")
    if general.get("drafts", "skip") not in ("skip", "include"):
        raise ConfigError(f"{path}: drafts must be \"skip\" or \"include\"")
    if "markers" in general:
        general["markers"] = tuple(general["markers"].items())
    if general.get("cards", "questions") not in CARDS:
        raise ConfigError(f"{path}: cards must be \"questions\" or \"topics\"")
    options = tuple((name, _options(types_of[name], values, f"{prefix}{name}", path))
                    for name, values in settings.items() if values)
    return replace(Config(), **general, exporter_options=options, source=path, warnings=tuple(warnings))


def _folders(value: Any, path: Path, prefix: str, warnings: list[str]) -> tuple[tuple[str, str], ...]:
    """`[folders."glob"]` tables: settings for the notes under some folders (only `cards` yet)."""
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise ConfigError(f'{path}: folders must hold tables, [{prefix}folders."path/glob"]')
    found = []
    for glob, settings in value.items():
        for key, setting in settings.items():
            where = f'[{prefix}folders."{glob}"]'
            if key != "cards":
                warnings.append(f"{path}: unknown setting {key!r} in {where} ignored")
            elif setting not in CARDS:
                raise ConfigError(f'{path}: {where} cards must be "questions" or "topics"')
            else:
                found.append((glob.strip("/") or "*", setting))
    return tuple(found)


def _option_types() -> dict[str, type]:
    found = {name: exporters.options_type(name) for name in exporters.names()}
    return {name: kind for name, kind in found.items() if kind is not None}


def _exporter_table(where: str, table: dict[str, Any], kind: type, path: Path,
                    warnings: list[str]) -> dict[str, Any]:
    known = _field_types(kind)
    values = {}
    for key, value in table.items():
        if key not in known:
            warnings.append(f"{path}: unknown setting {key!r} in [{where}] ignored")
            continue
        values[key] = _convert(key, value, known[key], path, where=f"[{where}] ")
    return values


def _options(kind: type, values: dict[str, Any], where: str, path: Path) -> Any:
    try:
        return kind(**values)
    except ValueError as exc:
        raise ConfigError(f"{path}: [{where}] {exc}") from None


def _field_types(kind: type) -> dict[str, Any]:
    hints = typing.get_type_hints(kind)
    return {f.name: hints[f.name] for f in dataclasses.fields(kind)}


def _convert(key: str, value: Any, expected: Any, path: Path, where: str = "") -> Any:
    """`value` from TOML as the field's type; paths are relative to the config file."""
    name = f"{where}{key}"
    if expected in (Path, Path | None):
        if not isinstance(value, str):
            raise ConfigError(f"{path}: {name} must be a path string")
        return path.parent / value
    if key == "markers":
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise ConfigError(f"{path}: markers must map marker emoji to names")
        return dict(value)
    if typing.get_origin(expected) is tuple:  # glob patterns
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: {name} must be a list of .gitignore patterns")
        return tuple(value)
    kind = expected if isinstance(expected, type) and not isinstance(expected, types.GenericAlias) else str
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        words = {bool: "true or false", int: "a whole number"}.get(kind, f"a {kind.__name__}")
        raise ConfigError(f"{path}: {name} must be {words}")
    return value
