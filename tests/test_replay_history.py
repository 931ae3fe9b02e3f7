"""The real history of a real repository (../shared's bundle), built and imported commit by commit
into one Anki collection while studying (scripts/replay_history.py): what the issue promised."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from replay_history import replay  # noqa: E402


@pytest.fixture(autouse=True)
def _no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


def test_the_owners_history_loses_no_review_and_the_report_matches_anki(shared: Path, tmp_path: Path) -> None:
    bundle = shared / "corpus" / "sspace-history.bundle"
    if not bundle.is_file():
        pytest.skip("the history bundle is not in ../shared/corpus")
    figures = replay(bundle, tmp_path)
    assert figures.steps >= 60 and figures.live >= 70
    assert figures.history_lost == []
    assert figures.removed_copies == []
    assert figures.orphans_untagged == 0 and figures.orphans > 0
    assert figures.outside > 0 and figures.outside_untagged == 0
    assert figures.mismatches == []
    assert figures.born_removed == 0
