"""`qadeck sync`: the deck applied straight into a real Anki collection (official `anki` library)
that has review history: added, updated, moved to their decks, re-keyed, removed tagged or
deleted, empty decks gone, a dry run and refusals that change nothing, Anki's backup first."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from anki.collection import Collection as AnkiCollection

from tests.conftest import write_notes
from tests.test_cli import run

TITLE = "面试题集"  # the default: no settings file
NOTES = {
    "llm/对齐_QA.md": ("# 对齐\n\n### 什么是 RLHF?\n> 用人类反馈做强化学习.\n\n"
                     "### 为什么需要 KL 约束?\n> 防止策略偏离参考模型太远.\n\n"
                     "### 什么是奖励模型?\n> 给回答打分的模型.\n"),
    "old/视觉_QA.md": "# 视觉\n\n### 卷积为什么有平移等变性?\n> 权重共享, 滑动窗口.\n",
}
SCHEDULE = "SELECT id, nid, ivl, due, type, queue, reps, lapses FROM cards ORDER BY id"


@pytest.fixture(autouse=True)
def _no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    """An Anki profile folder with an empty collection, closed (as when Anki is not running)."""
    folder = tmp_path / "Anki2" / "User 1"
    folder.mkdir(parents=True)
    AnkiCollection(str(folder / "collection.anki2")).close()
    return folder


def sync(notes: Path, out: Path, target: Path, *flags: str) -> dict:
    result = run("sync", str(notes), "--out", str(out), "--collection", str(target), "--json", *flags,
                 cwd=notes.parent)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def study(target: Path) -> None:
    col = AnkiCollection(str(target))
    try:
        for cid in col.find_cards("-is:review"):
            card = col.get_card(cid)
            card.start_timer()
            col.sched.answerCard(card, 3)
    finally:
        col.close()


def state(target: Path) -> dict:
    col = AnkiCollection(str(target))
    try:
        notes = {col.get_note(n).guid: col.get_note(n) for n in col.find_notes("")}
        return {"decks": {g: col.decks.name(col.get_card(col.card_ids_of_note(n.id)[0]).did)
                          for g, n in notes.items()},
                "tags": {g: set(n.tags) for g, n in notes.items()},
                "front": {g: n["Front"] for g, n in notes.items()},
                "schedule": col.db.all(SCHEDULE), "revlog": col.db.all("SELECT * FROM revlog ORDER BY id"),
                "deck_names": {d.name for d in col.decks.all_names_and_ids()}}
    finally:
        col.close()


def test_sync_applies_every_change_and_keeps_review_history(tmp_path: Path, profile: Path) -> None:
    notes, out = write_notes(tmp_path / "notes", NOTES), tmp_path / "build"
    target = profile / "collection.anki2"
    first = sync(notes, out, target)
    assert len(first["added"]) == 4 and not first["updated"]
    study(target)
    studied = state(target)
    assert len(studied["revlog"]) == 4

    # a note renamed and moved to another folder, a question reworded, one removed
    align = notes / "llm" / "对齐_QA.md"
    align.write_text(align.read_text(encoding="utf-8").replace("什么是奖励模型?\n> 给回答打分的模型.\n", "")
                     .replace("为什么需要 KL 约束?", "为什么 RLHF 需要 KL 约束?"), encoding="utf-8")
    (notes / "cv").mkdir()
    shutil.move(notes / "old" / "视觉_QA.md", notes / "cv" / "卷积_QA.md")
    before = target.read_bytes()
    planned = sync(notes, out, target, "--dry-run")
    assert target.read_bytes() == before and planned["dry_run"] and planned["backup"] is None
    done = sync(notes, out, target)
    assert {k: done[k] for k in ("added", "updated", "moved", "removed")} == \
        {k: planned[k] for k in ("added", "updated", "moved", "removed")}
    assert not done["added"] and len(done["updated"]) == 2 and len(done["removed"]) == 1
    assert [(m["from"], m["to"]) for m in done["moved"]] == [(f"{TITLE}::old::视觉", f"{TITLE}::cv::视觉")]
    assert done["empty_decks"] == [f"{TITLE}::old", f"{TITLE}::old::视觉"]
    backup = Path(done["backup"])
    assert backup.parent == profile / "backups" and backup.suffix == ".colpkg"

    after = state(target)
    assert after["revlog"] == studied["revlog"]  # no review lost
    assert [row[:3] for row in after["schedule"]] == [row[:3] for row in studied["schedule"]]
    removed = {g for g, tags in after["tags"].items() if "qadeck::removed" in tags}
    assert removed == set(done["removed"])
    live = {g: d for g, d in after["decks"].items() if g not in removed}
    assert set(live.values()) == {f"{TITLE}::llm::对齐", f"{TITLE}::cv::视觉"}
    assert not any("qadeck::moved" in tags for tags in after["tags"].values())
    assert any("为什么 RLHF 需要 KL 约束" in front for front in after["front"].values())
    assert f"{TITLE}::old::视觉" not in after["deck_names"]

    # nothing changed: nothing to do; then the removed note deleted on request
    again = sync(notes, out, target)
    assert not (again["added"] or again["updated"] or again["moved"] or again["removed"])
    deleted = sync(notes, out, target, "--delete-removed")
    assert deleted["deleted"] == done["removed"]
    assert len(state(target)["front"]) == 3


def test_a_note_whose_id_changed_is_rekeyed_with_its_history(tmp_path: Path, profile: Path) -> None:
    notes, out = write_notes(tmp_path / "notes", NOTES), tmp_path / "build"
    target = profile / "collection.anki2"
    sync(notes, out, target)
    study(target)
    studied = state(target)
    # a clean checkout (no memory of the last build) of a renamed note: every id of it is new
    shutil.rmtree(out)
    (notes / "llm" / "对齐_QA.md").rename(notes / "llm" / "RLHF_QA.md")
    done = sync(notes, out, target)
    assert len(done["rekeyed"]) == 3 and not done["added"] and not done["removed"]
    after = state(target)
    assert after["revlog"] == studied["revlog"] and len(after["front"]) == 4
    assert {r["new"] for r in done["rekeyed"]} <= set(after["front"])


def test_refusals_change_nothing(tmp_path: Path, profile: Path) -> None:
    notes, out = write_notes(tmp_path / "notes", NOTES), tmp_path / "build"
    target = profile / "collection.anki2"
    missing = run("sync", str(notes), "--collection", str(profile / "none.anki2"), cwd=tmp_path)
    assert missing.exit_code == 1 and "no Anki collection there" in missing.stderr
    assert "Anki2" in missing.stderr and len(missing.stderr.strip().splitlines()) == 1

    broken = profile.parent / "broken.anki2"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x07" * 5000)
    result = run("sync", str(notes), "--collection", str(broken), cwd=tmp_path)
    assert result.exit_code == 1 and "is not an Anki collection or is damaged" in result.stderr
    assert broken.read_bytes() == b"SQLite format 3\x00" + b"\x07" * 5000

    before = target.read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from anki.collection import Collection; "
        f"c = Collection({str(target)!r}); c.db.scalar('select count() from notes'); "
        "print('open', flush=True); sys.stdin.read()")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        result = run("sync", str(notes), "--out", str(out), "--collection", str(target), cwd=tmp_path)
        assert result.exit_code == 1 and "is open in Anki" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    finally:
        holder.communicate("")
    assert target.read_bytes() == before and not (profile / "backups").exists()
