"""Settings: qadeck.toml or [tool.qadeck], typed, unknown keys reported, flags override."""

from __future__ import annotations

from pathlib import Path

import pytest

from qadeck.config import Config, load_config, with_overrides
from qadeck.errors import ConfigError


def test_defaults_without_a_file(tmp_path: Path):
    assert load_config(tmp_path) == Config()


def test_pyproject_table_paths_are_relative_to_the_file(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.qadeck]\nnotes = "my"\ntitle = "题集"\ndrafts = "include"\nmarkers = {"🔥" = "urgent"}\n'
        'surprise = 1\n', encoding="utf-8")
    config = load_config(tmp_path)
    assert config.notes == tmp_path / "my" and config.title == "题集" and config.drafts == "include"
    assert config.markers == {"🔥": "urgent"}  # the defaults join in the parser, by the notes' language
    assert config.warnings == (f"{tmp_path / 'pyproject.toml'}: unknown setting 'surprise' ignored",)
    assert config.parse_options().marker_names["🔥"] == "urgent"


def test_qadeck_toml_wins_over_pyproject(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.qadeck]\ntitle = "A"\n', encoding="utf-8")
    (tmp_path / "qadeck.toml").write_text('title = "B"\n', encoding="utf-8")
    assert load_config(tmp_path).title == "B"


@pytest.mark.parametrize("body", ['drafts = "maybe"', "title = 3", "include = [1]", 'paper = "B5"', "x = ["])
def test_bad_values_are_one_clear_error(tmp_path: Path, body: str):
    (tmp_path / "qadeck.toml").write_text(body + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="qadeck.toml"):
        load_config(tmp_path)


def test_decks_setting_is_checked(tmp_path: Path):
    (tmp_path / "qadeck.toml").write_text('decks = "tag"\n', encoding="utf-8")
    assert load_config(tmp_path).decks == "tag"
    (tmp_path / "qadeck.toml").write_text('decks = "folders"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="decks must be one of folder, path, tag, note, flat"):
        load_config(tmp_path)


def test_flags_override_only_when_given():
    config = with_overrides(Config(title="T"), title=None, out=Path("elsewhere"))
    assert config.title == "T" and config.out == Path("elsewhere")
