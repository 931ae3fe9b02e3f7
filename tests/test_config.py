"""Settings: qadeck.toml or [tool.qadeck], typed, per-exporter tables, unknown keys reported, flags
override."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from qadeck import exporters
from qadeck.config import Config, load_config, with_options, with_overrides
from qadeck.errors import ConfigError
from qadeck.exporters.anki.options import AnkiOptions
from qadeck.exporters.cheatsheet.options import HtmlOptions
from qadeck.exporters.handbook.options import PdfOptions
from qadeck.parser import ParseOptions


def test_defaults_without_a_file(tmp_path: Path):
    config = load_config(tmp_path)
    assert config == Config()
    assert config.options("anki") == AnkiOptions() and config.options("pdf") == PdfOptions()
    assert config.options("html") == HtmlOptions() and config.options("json") is None


def test_one_default_title_for_the_config_and_the_collection():
    # not set: the collection takes the default title of the notes' language (test_strings.py)
    assert Config().title is ParseOptions().title is Config().parse_options().title is None


def test_pyproject_table_paths_are_relative_to_the_file(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.qadeck]\nnotes = "my"\ntitle = "题集"\ndrafts = "include"\nmarkers = {"🔥" = "urgent"}\n'
        'surprise = 1\n', encoding="utf-8")
    config = load_config(tmp_path)
    assert config.notes == tmp_path / "my" and config.title == "题集" and config.drafts == "include"
    assert config.marker_names() == {"🔥": "urgent"}  # defaults join in the parser, by the notes' language
    assert config.warnings == (f"{tmp_path / 'pyproject.toml'}: unknown setting 'surprise' ignored",)
    assert config.parse_options().marker_names["🔥"] == "urgent"


def test_exporter_tables_in_pyproject(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.qadeck]\ntitle = "T"\n[tool.qadeck.anki]\ninclude_unanswered = true\n'
        '[tool.qadeck.pdf]\npaper = "A5"\nfont = "fonts/cjk.otf"\nquestions_only = true\njobs = 1\n'
        '[tool.qadeck.html]\nimage_cap_kb = 64\n', encoding="utf-8")
    config = load_config(tmp_path)
    assert config.options("anki") == AnkiOptions(include_unanswered=True)
    assert config.options("pdf") == PdfOptions("A5", tmp_path / "fonts" / "cjk.otf", True, 1)
    assert config.options("html") == HtmlOptions(64) and config.warnings == ()


def test_exporter_tables_in_qadeck_toml_and_flat_keys_still_work(tmp_path: Path):
    (tmp_path / "qadeck.toml").write_text(
        'paper = "Letter"\ninclude_unanswered = true\nimage_cap_kb = 9\n[pdf]\njobs = 3\n', encoding="utf-8")
    config = load_config(tmp_path)
    assert config.options("pdf") == PdfOptions(paper="Letter", jobs=3)
    assert config.options("anki").include_unanswered and config.options("html").image_cap_kb == 9
    assert config.warnings == ()


def test_a_table_wins_over_the_same_flat_key_and_says_so(tmp_path: Path):
    (tmp_path / "qadeck.toml").write_text('paper = "Letter"\n[pdf]\npaper = "A5"\n', encoding="utf-8")
    config = load_config(tmp_path)
    assert config.options("pdf").paper == "A5"
    where = tmp_path / "qadeck.toml"
    assert config.warnings == (f"{where}: paper is set both at the top level and in [pdf]; "
                               "the table's value is used",)


def test_unknown_keys_in_a_table_are_warned(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.qadeck.pdf]\npaper = "A5"\nmargins = 3\n[tool.qadeck.json]\nindent = 2\n', encoding="utf-8")
    config = load_config(tmp_path)
    where = tmp_path / "pyproject.toml"
    assert config.warnings == (f"{where}: unknown setting 'margins' in [tool.qadeck.pdf] ignored",
                               f"{where}: unknown setting 'json' ignored")
    assert config.options("pdf") == PdfOptions(paper="A5")


@pytest.mark.parametrize(("body", "message"), [
    ('[pdf]\npaper = "B5"\n', r"\[pdf\] paper must be one of A4, Letter, A5"),
    ('[pdf]\njobs = "2"\n', r"\[pdf\] jobs must be a whole number"),
    ("[html]\nimage_cap_kb = -1\n", r"\[html\] image_cap_kb must be 0 or more"),
    ("[anki]\ninclude_unanswered = 1\n", r"\[anki\] include_unanswered must be true or false"),
    ("pdf = 3\n", r"pdf must be a table"),
])
def test_bad_exporter_settings_are_one_clear_error(tmp_path: Path, body: str, message: str):
    (tmp_path / "qadeck.toml").write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_config(tmp_path)


def test_config_and_options_are_hashable(tmp_path: Path):
    (tmp_path / "qadeck.toml").write_text('markers = {"🔥" = "urgent"}\n[pdf]\nfont = "f.otf"\n',
                                          encoding="utf-8")
    config = load_config(tmp_path)
    assert hash(config) == hash(load_config(tmp_path)) and config == load_config(tmp_path)
    assert len({config, Config(), config.options("pdf"), config.options("anki")}) == 4


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
    assert load_config(tmp_path).options("anki").decks == "tag"
    (tmp_path / "qadeck.toml").write_text('decks = "folders"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="decks must be one of folder, path, tag, note, flat"):
        load_config(tmp_path)


def test_a_pyproject_without_a_qadeck_table_is_an_error_not_settings(tmp_path: Path):
    """Read as settings, the whole file would give defaults and a warning for every table."""
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "x"\n[tool.ruff]\nline-length = 100\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"pyproject.toml: no \[tool.qadeck\] table"):
        load_config(Path("/nonexistent"), pyproject)
    assert load_config(tmp_path) == Config()  # found on its own, it is simply not a qadeck file


def test_an_explicit_file_with_a_tool_qadeck_table_uses_the_table(tmp_path: Path):
    other = tmp_path / "ci.toml"
    other.write_text('[tool.qadeck]\ntitle = "CI"\n[tool.qadeck.pdf]\npaper = "A5"\n', encoding="utf-8")
    config = load_config(tmp_path, other)
    assert config.title == "CI" and config.options("pdf").paper == "A5" and config.warnings == ()


def test_flags_override_only_when_given():
    config = with_overrides(Config(title="T"), title=None, out=Path("elsewhere"))
    assert config.title == "T" and config.out == Path("elsewhere")
    pdf = with_options(config, "pdf", paper="A5", jobs=None)
    assert pdf.options("pdf") == PdfOptions(paper="A5") and pdf.options("anki") == AnkiOptions()
    assert with_options(pdf, "pdf", jobs=1).options("pdf") == PdfOptions(paper="A5", jobs=1)
    with pytest.raises(ConfigError, match="paper must be one of"):
        with_options(config, "pdf", paper="B5")


def test_the_exporter_table_names_each_options_type():
    assert exporters.options_type("anki") is AnkiOptions and exporters.options_type("pdf") is PdfOptions
    assert exporters.options_type("html") is HtmlOptions and exporters.options_type("json") is None


def test_reading_every_table_loads_no_exporter_library(tmp_path: Path):
    """Options types are read without WeasyPrint, genanki or fontTools: a PDF's needs never touch an
    Anki build."""
    (tmp_path / "qadeck.toml").write_text('[pdf]\npaper = "A5"\n[anki]\n[html]\n', encoding="utf-8")
    code = ("import sys; from pathlib import Path; from qadeck.config import load_config; "
            f"c = load_config(Path({str(tmp_path)!r})); assert c.options('pdf').paper == 'A5'; "
            "print(sorted(m for m in ('weasyprint', 'genanki', 'fontTools', 'ziamath') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
