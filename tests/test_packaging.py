"""A plain (non-editable) install works from another directory, styles included."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    source = tmp_path_factory.mktemp("source")  # setuptools builds in <source>/build: not our build/
    for name in ("pyproject.toml", "README.md", "qadeck", "exporters", "styles"):
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy2
        copy(REPO / name, source / name)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(out), str(source)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    return next(out.glob("qadeck-*.whl"))


def test_wheel_holds_the_package_exporters_and_styles(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"qadeck/cli.py", "qadeck/parser/scan.py", "qadeck/exporters/json_model.py"} <= names
    styles = {n for n in names if n.startswith("qadeck/styles/") and not n.endswith(".py")}
    shipped = {f"qadeck/styles/{p.name}" for p in (REPO / "styles").iterdir()
               if p.is_file() and p.suffix != ".py"}
    assert shipped <= styles, "every file in styles/ is in the wheel"
    assert not any(n.startswith(("exporters/", "styles/", "tests/")) for n in names)


def test_installed_wheel_builds_from_another_directory(wheel: Path, tmp_path: Path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {**os.environ, "PYTHONPATH": str(site)}
    code = ("import qadeck, importlib.resources as r, sys; "
            "assert qadeck.__file__.startswith(sys.argv[1]), qadeck.__file__; "
            "assert r.files('qadeck.styles').joinpath('__init__.py').is_file(); "
            "from qadeck.cli import main; sys.argv[1:] = sys.argv[2:]; main()")
    args = [sys.executable, "-c", code, str(site), "build", "--notes", str(FIXTURES / "notes"),
            "--out", str(tmp_path / "out"), "--only", "json"]
    done = subprocess.run(args, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "qadeck.json").is_file()
