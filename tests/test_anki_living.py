"""The living deck: builds of changing notes imported one after another into a real Anki collection
while studying. Removed questions are found by a tag, a pinned rewording keeps its card, moved
cards are named, ids stay with their notes, and the build remembers all of it in its manifest."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from anki.collection import Collection as AnkiCollection

from qadeck import manifest
from qadeck.build import Output, build
from qadeck.config import Config
from qadeck.model import Collection
from tests.conftest import write_notes
from tests.test_anki import all_fields, guids, import_apkg, open_anki

TITLE = "题集"
ALIGN = "llm/对齐_QA.md"
VISION = "old/视觉_QA.md"
NOTES = {
    ALIGN: ("# 对齐\n\n### 什么是 RLHF?\n> 用人类反馈做强化学习.\n\n"
            "### 为什么需要 KL 约束?\n> 防止策略偏离参考模型太远.\n\n"
            "### 什么是奖励模型?\n> 给回答打分的模型.\n"),
    VISION: "# 视觉\n\n### 卷积为什么有平移等变性?\n> 权重共享, 滑动窗口.\n",
}
SCHEDULE = "SELECT id, nid, did, ivl, due, type, queue, reps, lapses, factor FROM cards WHERE id = ?"


@pytest.fixture(autouse=True)
def _no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


@pytest.fixture
def anki_col(tmp_path: Path):
    col = open_anki(tmp_path / "anki" / "collection.anki2")
    yield col
    col.close()


def deck_build(notes: Path, out: Path) -> tuple[Collection, Output]:
    collection, (output,) = build(Config(notes=notes, out=out, title=TITLE), ["anki"])
    assert output.error is None and output.report is not None
    return collection, output


def ids(collection: Collection) -> dict[str, str]:
    return {q.text: q.id for q in collection.questions()}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def study(col: AnkiCollection, deck: str = TITLE) -> list[int]:
    """Answer every card that is due now, as a person studying would."""
    col.decks.select(col.decks.id_for_name(deck))
    studied = []
    while (card := col.sched.getCard()) is not None and card.id not in studied:
        col.sched.answerCard(card, 3)
        studied.append(card.id)
    return studied


def test_removed_reworded_and_moved_questions_over_imports_while_studying(
        tmp_path: Path, anki_col: AnkiCollection) -> None:
    notes, out = write_notes(tmp_path / "notes", NOTES), tmp_path / "build"
    first, output = deck_build(notes, out)
    old = ids(first)
    assert output.report.changes.first and len(output.report.changes.added) == 4
    import_apkg(anki_col, output.path)
    assert len(study(anki_col)) == 4
    kl_card = anki_col.find_cards(f"Id:{old['为什么需要 KL 约束?']}")[0]
    kl_schedule = anki_col.db.all(SCHEDULE, kl_card)
    kl_reviews = anki_col.db.all("SELECT * FROM revlog WHERE cid = ?", kl_card)
    assert kl_reviews and kl_schedule[0][7] >= 1  # studied: reviews and a schedule to keep

    # revision 2: one question removed, one reworded in its place, one note moved to another folder
    align = notes / ALIGN
    edit(align, "### 什么是奖励模型?\n> 给回答打分的模型.\n", "")
    edit(align, "### 为什么需要 KL 约束?", "### 为什么 RLHF 需要 KL 约束?")
    (notes / "cv").mkdir()
    shutil.move(notes / VISION, notes / "cv" / "视觉_QA.md")
    second, output = deck_build(notes, out)
    report = output.report
    assert report.changes.summary() == ("deck: +0 new, 2 changed, 1 removed, 1 moved, "
                                        "1 kept through a rename, 1 kept through a rewording")
    assert ids(second)["为什么 RLHF 需要 KL 约束?"] == old["为什么需要 KL 约束?"]  # the card follows
    assert report.changes.removed == (old["什么是奖励模型?"],)
    assert report.changes.moved == (old["卷积为什么有平移等变性?"],)
    assert report.rewordings == ()  # nothing left to pin
    text = "\n".join(report.lines("build/题集.apkg"))
    assert "tag:qadeck::removed" in text and "tag:qadeck::moved" in text

    log = import_apkg(anki_col, output.path)
    assert not log.new and len(log.updated) == 3  # the report's 2 changed and 1 removed
    removed = {anki_col.get_note(n).guid for n in anki_col.find_notes("tag:qadeck::removed")}
    assert removed == set(report.changes.removed)
    moved = [anki_col.get_note(n).guid for n in anki_col.find_notes("tag:qadeck::moved")]
    assert moved == [old["卷积为什么有平移等变性?"]]
    # Anki left the moved card in its old deck: the user does what the report says (Change Deck)
    moved_cards = anki_col.find_cards("tag:qadeck::moved")
    old_deck = anki_col.decks.id_for_name(f"{TITLE}::old::视觉")
    assert {anki_col.get_card(c).did for c in moved_cards} == {old_deck}
    anki_col.set_deck(moved_cards, anki_col.decks.id(f"{TITLE}::cv::视觉"))

    # the reworded question kept its card, its schedule and its reviews, with the new words
    fields = all_fields(anki_col)
    assert "为什么 RLHF 需要 KL 约束" in fields[old["为什么需要 KL 约束?"]]["Front"]
    assert anki_col.db.all(SCHEDULE, kl_card) == kl_schedule
    assert anki_col.db.all("SELECT * FROM revlog WHERE cid = ?", kl_card) == kl_reviews
    anki_col.remove_notes(anki_col.find_notes("tag:qadeck::removed"))
    assert {anki_col.get_note(n).guid for n in anki_col.find_notes("")} == {q.id for q in second.questions()}

    # revision 3, nothing changed: nothing to import; the moved card keeps its tag (a package
    # cannot know where the user put it), and the manifest only holds live questions
    _, output = deck_build(notes, out)
    assert output.report.changes.summary() == "deck: +0 new, 0 changed, 0 removed, 0 moved"
    log = import_apkg(anki_col, output.path)
    assert not log.new and not log.updated
    assert [anki_col.get_note(n).guid for n in anki_col.find_notes("tag:qadeck::moved")] == moved
    remembered = manifest.read(manifest.path_for(output.path))
    assert remembered is not None and set(remembered.entries) == {q.id for q in second.questions()}


def test_an_id_stays_with_its_note_when_a_same_named_note_appears(tmp_path: Path,
                                                                  anki_col: AnkiCollection) -> None:
    rlhf = "# RLHF\n\n### 什么是 RLHF?\n> {}\n"
    notes = write_notes(tmp_path / "notes", {"b/RLHF_QA.md": rlhf.format("b 的回答")})
    out = tmp_path / "build"
    first, output = deck_build(notes, out)
    (held,) = ids(first).values()
    import_apkg(anki_col, output.path)
    study(anki_col)

    write_notes(notes, {"a/RLHF_QA.md": rlhf.format("a 的回答")})
    second, output = deck_build(notes, out)
    assert second.note("b/RLHF_QA.md").questions[0].id == held
    assert [d.code for d in second.diagnostics] == ["question.id-collision"]
    assert second.diagnostics[0].path == "a/RLHF_QA.md"
    assert output.report.changes.summary() == "deck: +1 new, 0 changed, 0 removed, 0 moved"
    log = import_apkg(anki_col, output.path)
    assert not log.updated and len(log.new) == 1
    assert "b 的回答" in all_fields(anki_col)[held]["Back"]  # a did not take b's card


def test_memory_read_back_from_the_package_when_the_manifest_is_gone(tmp_path: Path,
                                                                   anki_col: AnkiCollection) -> None:
    notes, out = write_notes(tmp_path / "notes", NOTES), tmp_path / "build"
    first, output = deck_build(notes, out)
    import_apkg(anki_col, output.path)
    manifest.path_for(output.path).unlink()
    edit(notes / ALIGN, "### 什么是奖励模型?\n> 给回答打分的模型.\n", "")
    shutil.move(notes / "old", notes / "cv")
    _, output = deck_build(notes, out)
    # the moved card changed (its source path, its tag): Anki updates it, and the report says so
    assert output.report.changes.summary() == ("deck: +0 new, 1 changed, 1 removed, 1 moved, "
                                               "1 kept through a rename")
    log = import_apkg(anki_col, output.path)
    assert not log.new and len(log.updated) == 2
    assert [anki_col.get_note(n).guid for n in anki_col.find_notes("tag:qadeck::removed")] == \
        [ids(first)["什么是奖励模型?"]]
    assert len(anki_col.find_notes("tag:qadeck::moved")) == 1


def test_a_removed_question_is_tagged_even_without_the_previous_package(tmp_path: Path,
                                                                       anki_col: AnkiCollection) -> None:
    notes, out = write_notes(tmp_path / "notes", NOTES), tmp_path / "build"
    first, output = deck_build(notes, out)
    import_apkg(anki_col, output.path)
    output.path.unlink()  # the manifest alone remembers the question and its card's time
    edit(notes / ALIGN, "### 什么是奖励模型?\n> 给回答打分的模型.\n", "")
    _, output = deck_build(notes, out)
    log = import_apkg(anki_col, output.path)
    gone = ids(first)["什么是奖励模型?"]
    # updated: the removed one, and (without a package to compare with) the edited note's others
    assert gone in guids(anki_col, log.updated) and not log.new
    assert guids(anki_col, log.updated) <= {q.id for q in first.note(ALIGN).questions}
    note = anki_col.get_note(anki_col.find_notes("tag:qadeck::removed")[0])
    assert note.guid == gone and note["Front"] == "什么是奖励模型?"


def test_the_same_notes_and_memory_give_the_same_bytes(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    builds = []
    for name in ("one", "two"):
        notes, out = write_notes(tmp_path / name / "notes", NOTES), tmp_path / name / "build"
        deck_build(notes, out)
        edit(notes / ALIGN, "### 什么是奖励模型?\n> 给回答打分的模型.\n", "")
        shutil.move(notes / "old", notes / "cv")
        _, output = deck_build(notes, out)
        builds.append((output.path.read_bytes(), manifest.path_for(output.path).read_bytes()))
    assert builds[0] == builds[1]
    # the same previous package and manifest, copied: the next build is the same again
    shutil.copytree(tmp_path / "one" / "build", tmp_path / "copy")
    again = []
    for out in (tmp_path / "one" / "build", tmp_path / "copy"):
        _, output = deck_build(tmp_path / "one" / "notes", out)
        again.append((output.path.read_bytes(), manifest.path_for(output.path).read_bytes()))
    assert again[0] == again[1]


def test_a_pin_pasted_and_built_again_before_importing_cannot_hurt(tmp_path: Path,
                                                                 anki_col: AnkiCollection) -> None:
    notes, out = write_notes(tmp_path / "notes", NOTES), tmp_path / "build"
    first, output = deck_build(notes, out)
    old = ids(first)
    import_apkg(anki_col, output.path)
    study(anki_col)

    # one question removed for good; one reworded and moved to the end: not its place, so a pin
    align = notes / ALIGN
    edit(align, "### 什么是 RLHF?\n> 用人类反馈做强化学习.\n\n", "")
    edit(align, "### 为什么需要 KL 约束?\n> 防止策略偏离参考模型太远.\n\n", "")
    align.write_text(align.read_text(encoding="utf-8") + "\n### 为什么需要 KL 约束呢?\n> 防止偏离.\n",
                     encoding="utf-8")
    _, output = deck_build(notes, out)
    (hint,) = output.report.rewordings
    assert hint.old_id == old["为什么需要 KL 约束?"]
    # as the report asks: the pin under the heading, and build again (that package is never imported)
    edit(align, "### 为什么需要 KL 约束呢?\n", f"### 为什么需要 KL 约束呢?\n{hint.pin()}\n")
    third, output = deck_build(notes, out)
    assert ids(third)["为什么需要 KL 约束呢?"] == old["为什么需要 KL 约束?"]
    text = "\n".join(output.report.lines("build/题集.apkg"))
    assert "1 removed by the last build" in text

    log = import_apkg(anki_col, output.path)
    assert not log.new  # no note born removed: the id the pin replaced never reaches Anki
    removed = {anki_col.get_note(n).guid for n in anki_col.find_notes("tag:qadeck::removed")}
    assert removed == {old["什么是 RLHF?"]}  # the real removal is tagged all the same
    live = {q.id for q in third.questions()}
    orphans = {anki_col.get_note(n).guid for n in anki_col.find_notes("")} - live
    assert orphans == removed

    # the build after: nothing new for Anki, and the removal is not sent again
    _, output = deck_build(notes, out)
    log = import_apkg(anki_col, output.path)
    assert not log.new and not log.updated
    assert output.report.lines("x")[0] == "deck: +0 new, 0 changed, 0 removed, 0 moved"


def test_a_question_that_comes_back_is_an_update_in_the_report_as_in_anki(tmp_path, anki_col):
    """A question removed by one build (its note stays in Anki, tagged removed) and written again
    later is the same note to Anki: the report says changed (back from removed), not new, and the
    card comes back with its review history and without the removed tag."""
    notes, out = write_notes(tmp_path / "notes", NOTES), tmp_path / "build"
    package = out / "qadeck.apkg"
    collection, _ = deck_build(notes, out)
    qid = ids(collection)["为什么需要 KL 约束?"]
    import_apkg(anki_col, package)
    studied = study(anki_col)
    kl = "### 为什么需要 KL 约束?\n> 防止策略偏离参考模型太远.\n\n"
    edit(notes / ALIGN, kl, "")
    _, output = deck_build(notes, out)
    assert output.report.changes.removed == (qid,)
    import_apkg(anki_col, package)
    gone = [n for n in anki_col.find_notes("tag:qadeck::removed")]
    assert [anki_col.get_note(n).guid for n in gone] == [qid]
    edit(notes / ALIGN, "### 什么是奖励模型?", kl + "### 什么是奖励模型?")
    _, output = deck_build(notes, out)
    found = output.report.changes
    assert found.back == (qid,) and qid in found.changed and qid not in found.added
    assert "1 back from removed" in found.summary()
    log = import_apkg(anki_col, package)
    assert (len(log.new), len(log.updated)) == (len(found.added), len(found.changed)) == (0, 1)
    note = anki_col.get_note(gone[0])
    assert "qadeck::removed" not in note.tags
    assert anki_col.card_count() == len(studied)  # no second card: the first, with its reviews
    assert all(anki_col.get_card(c).reps > 0 for c in note.card_ids())
