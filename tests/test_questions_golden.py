"""The default `cards = "questions"` reading does not move: the sample notes and the sspace corpus
give the same questions (ids, fronts, backs, sections, follow-ups) as the recorded golden digests.

The golden files hold one digest per note (never the notes' text): `make golden`
(QADECK_REGEN_GOLDEN=1 pytest -k golden) rewrites them after an intended change; review the diff.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from qadeck.exporters.json_model import to_dict
from tests.conftest import REPO, parse

GOLDEN = Path(__file__).parent / "golden"


def _digests(folder: Path) -> dict[str, str]:
    """Per note: a digest of its title and its questions as the full JSON model gives them."""
    model = to_dict(parse(folder), full=True)
    out = {}
    for note in model["notes"]:
        what = {"title": note["title"], "in_outputs": note["in_outputs"], "questions": note["questions"]}
        out[note["path"]] = hashlib.sha256(json.dumps(what, ensure_ascii=False, sort_keys=True)
                                           .encode("utf-8")).hexdigest()[:16]
    return out


def _compare(name: str, folder: Path) -> None:
    golden = GOLDEN / f"questions_{name}.json"
    digests = _digests(folder)
    if os.environ.get("QADECK_REGEN_GOLDEN"):
        golden.write_text(json.dumps(digests, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                          encoding="utf-8")
    assert golden.is_file(), "no golden file yet: run `make golden`"
    expected = json.loads(golden.read_text(encoding="utf-8"))
    changed = sorted(path for path in expected.keys() | digests.keys()
                     if expected.get(path) != digests.get(path))
    assert not changed, f"questions changed in {len(changed)} notes, e.g. {changed[:5]}"


def test_golden_questions_sample_notes():
    _compare("notes", REPO / "notes")


def test_golden_questions_sspace(shared):
    folder = shared / "corpus" / "sspace"
    if not folder.is_dir():
        pytest.skip("no sspace corpus")
    _compare("sspace", folder)
