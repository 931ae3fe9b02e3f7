"""The Anki exporter, checked by importing its packages into real (temporary) Anki collections."""

from __future__ import annotations

import re
import shutil
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from anki.collection import Collection as AnkiCollection
from anki.collection import ImportAnkiPackageOptions, ImportAnkiPackageRequest

from qadeck.build import context
from qadeck.config import Config
from qadeck.exporters import anki
from qadeck.exporters.anki.cards import FIELDS, media_name
from qadeck.exporters.anki.naming import tag
from qadeck.exporters.anki.options import AnkiOptions
from qadeck.exporters.anki.package import MODEL_ID, build_package, read_previous
from qadeck.model import Collection, Diagnostic
from qadeck.parser import parse_collection
from qadeck.strings import strings_for
from tests.conftest import FIXTURES, write_notes

SAMPLE = FIXTURES / "anki"
TITLE = "测试题集"


# -- helpers ---------------------------------------------------------------------------------------

def notes_copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SAMPLE, tmp_path / "notes"))


def build(notes: Path, out: Path, include_unanswered: bool = False, decks: str = "folder",
          **settings) -> tuple[Collection, list[Diagnostic]]:
    config = Config(**{"notes": notes, "title": TITLE, **settings})
    collection = parse_collection(notes, config.parse_options())
    options = AnkiOptions(include_unanswered, decks)
    return collection, anki.export(collection, out, options, context(config))


def open_anki(path: Path) -> AnkiCollection:
    path.parent.mkdir(parents=True, exist_ok=True)
    return AnkiCollection(str(path))


def import_apkg(col: AnkiCollection, package: Path):
    """Import with Anki's default options (update notes and note types only when newer)."""
    request = ImportAnkiPackageRequest(package_path=str(package), options=ImportAnkiPackageOptions())
    log = col.import_anki_package(request).log
    col.models._clear_cache()
    return log


def guids(col: AnkiCollection, log_notes) -> set[str]:
    return {col.get_note(n.id.nid).guid for n in log_notes}


def all_fields(col: AnkiCollection) -> dict[str, dict[str, str]]:
    return {col.get_note(nid).guid: dict(col.get_note(nid).items()) for nid in col.find_notes("")}


def ids_by_text(collection: Collection) -> dict[str, str]:
    return {q.text: q.id for q in collection.questions()}


@pytest.fixture
def anki_col(tmp_path: Path):
    col = open_anki(tmp_path / "anki" / "collection.anki2")
    yield col
    col.close()


@pytest.fixture(autouse=True)
def _no_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)


# -- one import ------------------------------------------------------------------------------------

def test_sample_imports_with_decks_tags_media_and_math(tmp_path: Path, anki_col: AnkiCollection) -> None:
    notes = notes_copy(tmp_path)
    collection, diagnostics = build(notes, tmp_path / "out" / "deck.apkg")
    answered = [q for q in collection.questions() if q.answered]
    log = import_apkg(anki_col, tmp_path / "out" / "deck.apkg")

    assert len(log.new) == len(answered) == anki_col.note_count() == anki_col.card_count() == 6
    assert {n.guid for n in map(anki_col.get_note, anki_col.find_notes(""))} == {q.id for q in answered}
    decks = {d.name for d in anki_col.decks.all_names_and_ids()}
    assert {f"{TITLE}::llm::对齐方法 面试问题", f"{TITLE}::vision::视觉模型 面试问题"} <= decks
    tags = set(anki_col.tags.all())
    assert {"llm", "alignment_methods", "vision", "marker::高频", "marker::已掌握", "marker::开放题",
            "section::基础", "section::卷积"} <= tags
    assert all(" " not in t for t in tags)

    # two notes each have assets/fig1.png, with different pictures: two media files
    media = sorted(Path(anki_col.media.dir()).iterdir())
    assert len(media) == 2 and all(p.name.endswith("-fig1.png") for p in media)
    assert media[0].read_bytes() != media[1].read_bytes()
    sources = {(notes / "llm/assets/fig1.png").read_bytes(), (notes / "vision/assets/fig1.png").read_bytes()}
    assert {p.read_bytes() for p in media} == sources

    ids = ids_by_text(collection)
    card = anki_col.get_card(anki_col.find_cards(f"Id:{ids['什么是奖励模型? 它的输入输出是什么?']}")[0])
    out = card.render_output()
    assert "什么是奖励模型" in out.question_text and "什么是奖励模型" in out.answer_text
    assert "奖励模型给一条回答打分" in out.answer_text and "奖励模型给一条回答打分" not in out.question_text
    assert r"\(r_\theta(x, y) \in \mathbb{R}\)" in out.answer_text
    assert r"\(a &lt; b \;\&amp;\; c\)" in out.answer_text  # <, & escaped inside formulas
    assert r"\[\mathcal{L}" in out.answer_text
    assert '<details class="qd-part"><summary>详述</summary>' in out.answer_text
    assert "<table>" in out.answer_text and '<span class="k">def</span>' in out.answer_text
    assert "llm/对齐_QA.md#1--什么是奖励模型-它的输入输出是什么" in out.answer_text
    assert "qd-source" in out.answer_text
    assert not any(d.severity == "error" for d in diagnostics)


def test_follow_up_shows_parent_and_images_are_media(tmp_path: Path, anki_col: AnkiCollection) -> None:
    notes = notes_copy(tmp_path)
    collection, _ = build(notes, tmp_path / "deck.apkg")
    import_apkg(anki_col, tmp_path / "deck.apkg")
    fields = all_fields(anki_col)
    ids = ids_by_text(collection)
    follow = fields[ids["偏好数据从哪里来?"]]
    assert follow["Context"] == "什么是奖励模型? 它的输入输出是什么?"
    assert follow["Breadcrumb"] == "对齐方法 面试问题 › 基础"
    expected = media_name("llm/assets/fig1.png", (notes / "llm/assets/fig1.png").read_bytes())
    assert f'<img src="{expected}" alt="奖励模型结构">' in follow["Back"]
    assert (Path(anki_col.media.dir()) / expected).is_file()
    assert '<a href="https://example.org/paper">论文</a>' in follow["Back"]  # web links stay links


def test_cross_note_links_become_text(tmp_path: Path) -> None:
    notes = notes_copy(tmp_path)
    collection, _ = build(notes, tmp_path / "deck.apkg")
    fields = _package_fields(tmp_path / "deck.apkg")
    see_also = fields[ids_by_text(collection)["什么是奖励模型? 它的输入输出是什么?"]]["SeeAlso"]
    assert "对齐笔记 › 奖励建模" in see_also and "奖励模型的细节" in see_also
    assert "<a " not in see_also and ".md" not in see_also


def test_missing_image_is_reported_never_a_broken_img(tmp_path: Path) -> None:
    notes = notes_copy(tmp_path)
    collection, diagnostics = build(notes, tmp_path / "deck.apkg")
    reported = [d for d in (*collection.diagnostics, *diagnostics) if "missing.png" in d.message]
    assert reported and reported[0].path == "llm/对齐_QA.md" and reported[0].line == 47
    back = _package_fields(tmp_path / "deck.apkg")[ids_by_text(collection)["为什么需要 KL 约束?"]]["Back"]
    assert "missing.png" not in back and '<span class="qd-missing-image">缺失的图</span>' in back


def test_unanswered_left_out_and_counted_unless_asked(tmp_path: Path, anki_col: AnkiCollection) -> None:
    notes = notes_copy(tmp_path)
    collection, diagnostics = build(notes, tmp_path / "a.apkg")
    summary = [d for d in diagnostics if d.code == "anki.summary"]
    assert summary and "6 cards; 1 unanswered" in summary[0].message
    build(notes, tmp_path / "b.apkg", include_unanswered=True)
    log = import_apkg(anki_col, tmp_path / "b.apkg")
    assert len(log.new) == len(collection.questions()) == 7


def test_note_type_is_fixed_and_styled(tmp_path: Path, anki_col: AnkiCollection) -> None:
    build(notes_copy(tmp_path), tmp_path / "deck.apkg")
    import_apkg(anki_col, tmp_path / "deck.apkg")
    model = anki_col.models.get(MODEL_ID)
    assert model is not None and [f["name"] for f in model["flds"]] == list(FIELDS)
    assert ".nightMode" in model["css"] and ".night_mode" in model["css"] and "Noto Sans CJK" in model["css"]
    assert ".highlight .k" in model["css"]  # pygments classes


def test_template_change_updates_note_type(tmp_path: Path, anki_col: AnkiCollection) -> None:
    notes = notes_copy(tmp_path)
    out = tmp_path / "deck.apkg"
    collection, _ = build(notes, out)
    import_apkg(anki_col, out)
    config = Config(notes=notes, title=TITLE)
    rendered = anki.render(collection, AnkiOptions(), context(config))
    style = anki.load_style(strings_for(collection.language))
    bases = {c.guid: 1_700_000_000 for c in rendered.cards}
    new_style = replace(style, css=style.css + "\n.qd-question { color: teal; }")
    data = build_package(rendered.cards, rendered.media, new_style, bases, read_previous(out), TITLE)
    out.write_bytes(data)
    log = import_apkg(anki_col, out)
    assert "color: teal" in anki_col.models.get(MODEL_ID)["css"]
    assert not log.updated and anki_col.note_count() == 6


# -- notes are data --------------------------------------------------------------------------------

def test_html_from_notes_cannot_run_or_reach_outside(tmp_path: Path) -> None:
    (tmp_path / "secret.png").write_bytes(b"\x89PNG secret")
    notes = write_notes(tmp_path / "notes", {"a/x_QA.md": (
        "X\n===\n\n### 危险吗?\n> <script>alert(1)</script>安全\n\n"
        '<img src="assets/p.png" onerror="alert(2)">\n\n[点我](javascript:alert(3))\n\n'
        "![外面](../../secret.png)\n\n[引用][r] &lt;i&gt;\n\n[r]: javascript:alert(4)\n"
    ), "a/assets/p.png": b"\x89PNG p"})
    collection, diagnostics = build(notes, tmp_path / "deck.apkg")
    back = next(iter(_package_fields(tmp_path / "deck.apkg").values()))["Back"]
    assert "script" not in back and "onerror" not in back and "javascript" not in back
    assert "安全" in back and 'src="qd-' in back and "&lt;i&gt;" in back
    with zipfile.ZipFile(tmp_path / "deck.apkg") as package:
        packed = [package.read(n) for n in package.namelist() if n.isdigit()]
    assert packed == [b"\x89PNG p"]
    assert any("secret.png" in d.message for d in (*collection.diagnostics, *diagnostics))


def test_tags_are_valid() -> None:
    assert tag("alignment methods") == "alignment_methods"
    assert tag('a "b"\tc') == "a_b_c"
    assert tag("section::参数 高效::") == "section::参数_高效"


# -- rebuilds --------------------------------------------------------------------------------------

def test_two_builds_are_byte_identical(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    first, second = notes_copy(tmp_path / "one"), notes_copy(tmp_path / "two")
    build(first, tmp_path / "one.apkg")
    build(second, tmp_path / "two.apkg")
    data = (tmp_path / "one.apkg").read_bytes()
    assert data == (tmp_path / "two.apkg").read_bytes()
    build(first, tmp_path / "one.apkg")  # again over its own previous package
    assert (tmp_path / "one.apkg").read_bytes() == data
    with zipfile.ZipFile(tmp_path / "one.apkg") as package:
        infos = package.infolist()
    assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}
    assert {i.date_time for i in infos} == {(2023, 11, 14, 22, 13, 20)}
    assert [i.filename for i in infos] == ["collection.anki2", "media", "0", "1"]


def test_clean_rebuild_of_unchanged_notes_updates_nothing(tmp_path: Path, anki_col: AnkiCollection) -> None:
    notes = notes_copy(tmp_path)
    build(notes, tmp_path / "first" / "deck.apkg")
    import_apkg(anki_col, tmp_path / "first" / "deck.apkg")
    build(notes, tmp_path / "second" / "deck.apkg")  # no previous package there
    assert (tmp_path / "first" / "deck.apkg").read_bytes() == (tmp_path / "second" / "deck.apkg").read_bytes()
    log = import_apkg(anki_col, tmp_path / "second" / "deck.apkg")
    assert not log.new and not log.updated and len(log.duplicate) == 6


def test_renamed_markers_update_notes_whose_files_did_not_change(tmp_path: Path,
                                                                anki_col: AnkiCollection) -> None:
    notes = notes_copy(tmp_path)
    out = tmp_path / "deck.apkg"
    collection, _ = build(notes, out)
    import_apkg(anki_col, out)
    build(notes, out, markers=(*Config().markers, ("🔥", "热门")))
    log = import_apkg(anki_col, out)
    assert guids(anki_col, log.updated) == {ids_by_text(collection)["什么是奖励模型? 它的输入输出是什么?"]}
    assert "marker::热门" in anki_col.tags.all()


@pytest.mark.parametrize("epoch", [None, "1700000000"])
def test_rebuild_after_edits_updates_in_place_and_keeps_history(
        tmp_path: Path, anki_col: AnkiCollection, monkeypatch: pytest.MonkeyPatch, epoch: str | None) -> None:
    if epoch:
        monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    notes = notes_copy(tmp_path)
    out = tmp_path / "build" / "deck.apkg"
    before, _ = build(notes, out)
    ids = ids_by_text(before)
    import_apkg(anki_col, out)

    # study a few cards
    anki_col.decks.select(anki_col.decks.id_for_name(TITLE))
    studied = []
    for ease in (3, 4, 1, 3):
        card = anki_col.sched.getCard()
        anki_col.sched.answerCard(card, ease)
        studied.append(card.id)
    schedule = "SELECT id, nid, did, ivl, due, type, queue, reps, lapses, factor FROM cards ORDER BY id"
    cards_before = anki_col.db.all(schedule)
    revlog_before = anki_col.db.all("SELECT * FROM revlog ORDER BY id")
    assert len(revlog_before) == 4

    qa = notes / "llm" / "对齐_QA.md"
    text = qa.read_text(encoding="utf-8")
    text = text.replace("直接用偏好对优化策略", "直接在偏好对上优化策略")  # change an answer
    text = text.replace("### 2. ✅ 为什么", "### 2. 🔥 为什么")  # toggle a marker
    text = (text.replace("### 1. ", "### 7. ").replace("#### 1.1. ", "#### 7.1. ")
            .replace("#### 1.2. ", "#### 7.2. "))  # renumber
    text += "\n### 4. 什么是 PPO?\n> 一种带裁剪的策略梯度方法.\n"  # add a question
    qa.write_text(text, encoding="utf-8")
    shutil.move(notes / "vision", notes / "cv")  # move a note (and its pictures) to another folder

    after, _ = build(notes, out)
    log = import_apkg(anki_col, out)

    moved = {ids["卷积为什么有平移等变性?"], ids["感受野怎么计算?"]}
    # renumbered only: the same id, but the heading's anchor in the Source field moved with the number
    renumbered = {ids["什么是奖励模型? 它的输入输出是什么?"], ids["偏好数据从哪里来?"]}
    assert guids(anki_col, log.updated) == {ids["什么是 DPO?"], ids["为什么需要 KL 约束?"], *moved,
                                            *renumbered}
    assert guids(anki_col, log.new) == {ids_by_text(after)["什么是 PPO?"]}
    assert not log.duplicate
    assert not log.conflicting
    assert anki_col.note_count() == anki_col.card_count() == 7  # no duplicates

    fields = all_fields(anki_col)
    assert "直接在偏好对上优化策略" in fields[ids["什么是 DPO?"]]["Back"]
    assert "🔥" in fields[ids["为什么需要 KL 约束?"]]["Flags"]
    kl = anki_col.get_note(anki_col.find_notes(f"Id:{ids['为什么需要 KL 约束?']}")[0])
    assert "marker::高频" in kl.tags and "marker::已掌握" not in kl.tags
    assert fields[ids["感受野怎么计算?"]]["Source"] == "cv/视觉_QA.md#感受野怎么计算"
    assert all(fields[g]["Id"] == g for g in fields)

    # history: every old card keeps its id, deck and schedule; the review log is untouched
    old_ids = {row[0] for row in cards_before}
    assert [row for row in anki_col.db.all(schedule) if row[0] in old_ids] == cards_before
    assert anki_col.db.all("SELECT * FROM revlog ORDER BY id") == revlog_before
    assert set(studied) <= old_ids

    # importing the same package again changes nothing
    again = import_apkg(anki_col, out)
    assert not again.updated and not again.new and len(again.duplicate) == 7

    # a second edit of an updated note still lands: Anki kept the package's mtime on update
    qa.write_text(qa.read_text(encoding="utf-8").replace("直接在偏好对上", "直接用偏好对"), encoding="utf-8")
    build(notes, out)
    third = import_apkg(anki_col, out)
    # (the moved cards keep their qadeck::moved tag while Anki holds them outside their deck)
    assert guids(anki_col, third.updated) == {ids["什么是 DPO?"]} and not third.new
    assert {anki_col.get_note(n).guid for n in anki_col.find_notes("tag:qadeck::moved")} == moved
    assert "直接用偏好对优化策略" in all_fields(anki_col)[ids["什么是 DPO?"]]["Back"]


# -- the real corpus -------------------------------------------------------------------------------

def test_corpus_exports_and_imports(shared: Path, tmp_path: Path, anki_col: AnkiCollection) -> None:
    corpus = shared / "corpus" / "sspace"
    collection, diagnostics = build(corpus, tmp_path / "corpus.apkg")
    assert all(d.path == "" or (corpus / d.path).is_file() for d in diagnostics)
    log = import_apkg(anki_col, tmp_path / "corpus.apkg")
    answered = {q.id for q in collection.questions() if q.answered}
    assert answered and len(log.new) == len(answered) == anki_col.note_count()
    assert {n.guid for n in map(anki_col.get_note, anki_col.find_notes(""))} == answered
    for nid in anki_col.find_notes(""):
        note = anki_col.get_note(nid)
        if note.note_type()["name"] == "qadeck Problem":  # the corpus's coding problems
            assert note["Title"].strip() and note["Approaches"]
            assert not re.search(r'<img [^>]*src="(?!qd-)', note["Statement"] + note["Approaches"])
            continue
        assert note["Front"].strip() and (note["Back"] or note["Details"])
        assert not re.search(r'<img [^>]*src="(?!qd-)', note["Back"] + note["Details"])


def _package_fields(path: Path) -> dict[str, dict[str, str]]:
    """The fields of a package's notes by GUID, read straight from its SQLite file."""
    import sqlite3

    with zipfile.ZipFile(path) as package:
        data = package.read("collection.anki2")
    db = sqlite3.connect(":memory:")
    db.deserialize(data)
    rows = db.execute("SELECT guid, flds FROM notes").fetchall()
    db.close()
    return {guid: dict(zip(FIELDS, flds.split("\x1f"), strict=True)) for guid, flds in rows}


# -- speed without changing a byte ------------------------------------------------------------------

def test_parallel_render_equals_sequential(tmp_path: Path) -> None:
    notes = notes_copy(tmp_path)
    config = Config(notes=notes, title=TITLE)
    collection = parse_collection(notes, config.parse_options())
    shared = context(config)  # each its own build cache: the second must render, not reuse the first's
    one, two = (anki.render(collection, AnkiOptions(), replace(shared, cache=tmp_path / f"c{n}"),
                            workers=n) for n in (1, 2))
    assert one.cards == two.cards and one.media == two.media and one.diagnostics == two.diagnostics
    assert one.left_out == two.left_out == 1


def test_root_note_deck_and_inline_data_image(tmp_path: Path) -> None:
    import base64

    pixel = (SAMPLE / "llm" / "assets" / "fig1.png").read_bytes()
    notes = write_notes(tmp_path / "notes", {"根_QA.md": (
        "A::B 笔记\n===\n\n### 有图吗?\n> 有.\n\n"
        f"![点](data:image/png;base64,{base64.b64encode(pixel).decode()})\n"
    )})
    collection, _ = build(notes, tmp_path / "deck.apkg", title="题::集")
    rendered = anki.render(collection, AnkiOptions(), context(Config(notes=notes)))
    assert [c.deck for c in rendered.cards] == ["题:集::A:B 笔记"]
    assert list(rendered.media.values()) == [pixel]
    back = rendered.cards[0].fields[FIELDS.index("Back")]
    assert f'<img src="{next(iter(rendered.media))}" alt="点">' in back


# -- deck layouts ----------------------------------------------------------------------------------

DECK_NOTES = {
    "_archives/2025/09/Transformer/位置编码_QA.md": "位置编码\n===\n<!--info\ntags: [编码, 基础]\n-->\n\n"
                                                    "## 什么是 RoPE?\n> 旋转位置编码。\n",
    "drafts/草稿_QA.md": "草稿\n===\n\n## 草稿问题?\n> 草稿答案。\n",
    "llm/对齐_QA.md": "对齐\n===\n<!--info\ntags: [对齐]\n-->\n\n## 什么是 DPO?\n> 直接偏好优化。\n",
    "根_QA.md": "根笔记\n===\n\n## 根问题?\n> 根答案。\n",
}


@pytest.mark.parametrize("decks,expected", [
    ("folder", {"位置编码": "Transformer::位置编码", "草稿": "草稿", "对齐": "llm::对齐",
                "根笔记": "根笔记"}),
    ("path", {"位置编码": "_archives::2025::09::Transformer::位置编码", "草稿": "drafts::草稿",
              "对齐": "llm::对齐", "根笔记": "根笔记"}),
    ("tag", {"位置编码": "编码", "草稿": "", "对齐": "对齐", "根笔记": ""}),
    ("note", {"位置编码": "位置编码", "草稿": "草稿", "对齐": "对齐", "根笔记": "根笔记"}),
    ("flat", {"位置编码": "", "草稿": "", "对齐": "", "根笔记": ""}),
])
def test_decks_setting_places_imported_cards(tmp_path: Path, anki_col: AnkiCollection, decks: str,
                                             expected: dict[str, str]) -> None:
    notes = write_notes(tmp_path / "notes", DECK_NOTES)
    collection, _ = build(notes, tmp_path / "deck.apkg", decks=decks, drafts="include")  # drafts/ too
    import_apkg(anki_col, tmp_path / "deck.apkg")
    titles = {q.id: n.title for n in collection.notes for q in n.questions}
    placed = {}
    for card_id in anki_col.find_cards(""):
        card = anki_col.get_card(card_id)
        deck = anki_col.decks.name(card.did)
        placed[titles[card.note().guid]] = deck.removeprefix(TITLE).removeprefix("::")
    assert placed == expected
