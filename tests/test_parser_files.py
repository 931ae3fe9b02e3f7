"""Which files are notes and which notes enter the outputs: include/exclude as in a
`.gitignore`, drafts/ folders, templates, notes without questions."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from qadeck.cli import cli
from qadeck.config import load_config
from qadeck.parser import parse_collection
from tests.conftest import parse, write_notes

QA = "# 题集\n\n### 问题?\n> 回答\n"
KNOWLEDGE = "# 知识\n\n## 概念\n正文, 见 [缺失](./missing.md)\n"


def paths(root: Path, **options) -> list[str]:
    return [n.path for n in parse(root, **options).notes]


def test_include_and_exclude_read_like_a_gitignore(tmp_path):
    write_notes(tmp_path, {"a.md": QA, "README.md": QA, "x/README_zh.md": QA, "x/b.md": QA,
                           "x/code/c.md": QA, "x/code/keep.md": QA, "y/d.md": QA})
    assert paths(tmp_path) == ["README.md", "a.md", "x/README_zh.md", "x/b.md", "x/code/c.md",
                               "x/code/keep.md", "y/d.md"]  # the default `*.md`: every depth
    assert paths(tmp_path, exclude=("README*", "code/", "!keep.md")) == [
        "a.md", "x/b.md", "x/code/keep.md", "y/d.md"]
    assert paths(tmp_path, include=("x/",), exclude=("/x/code/",)) == ["x/README_zh.md", "x/b.md"]


def test_drafts_folders_at_any_depth_collapse_into_one_info_line(tmp_path):
    write_notes(tmp_path, {"a.md": QA, "drafts/d1.md": QA, "x/drafts/y/d2.md": "[坏](./nowhere.md)\n",
                           "x/draft.md": "<!--info\ndraft: true\n-->\n" + QA, "x/drafts.md": QA})
    collection = parse(tmp_path)
    assert [n.path for n in collection.notes] == ["a.md", "x/drafts.md"]
    assert [(d.path, d.severity, d.code) for d in collection.diagnostics] == [("", "info", "note.draft")]
    assert collection.diagnostics[0].message.startswith("3 draft notes skipped")
    kept = parse(tmp_path, drafts="include")
    assert len(kept.notes) == 5 and {d.code for d in kept.diagnostics} == {"note.missing"}


def test_templates_make_nothing_and_no_warning(tmp_path):
    write_notes(tmp_path, {
        "note_template.md": "title\n===\n<!--info\nhidden: true\n-->\n![x](../../_assets/xxx.png)\n",
        "README_template.md": "Notes\n===\n\n- [深度学习](#深度学习)\n\n## Index\n{dl}\n",
        "algo/problem_template.md": "## <title - autoUpdate>\n<!--info\nlevel: 简单\n-->\n> <url/>\n",
        "template_matching.md": "# 模板匹配\n\n### 什么是模板匹配?\n> 滑窗比对\n",
    })
    collection = parse(tmp_path)
    assert [n.path for n in collection.notes] == ["template_matching.md"]
    assert {(d.path, d.severity, d.code) for d in collection.diagnostics} == {
        ("note_template.md", "info", "note.template"), ("README_template.md", "info", "note.template"),
        ("algo/problem_template.md", "info", "note.template")}


def test_notes_without_questions_are_checked_but_stay_out_of_the_outputs(tmp_path):
    write_notes(tmp_path, {"qa.md": QA, "knowledge.md": KNOWLEDGE})
    collection = parse(tmp_path)
    by_path = {n.path: n for n in collection.notes}
    assert by_path["qa.md"].in_outputs and not by_path["knowledge.md"].in_outputs
    assert [(d.path, d.code) for d in collection.diagnostics] == [("knowledge.md", "note.missing")]
    assert all(n.in_outputs for n in parse(tmp_path, knowledge=True).notes)


def test_the_knowledge_setting_reaches_the_parser(tmp_path):
    write_notes(tmp_path, {"notes/knowledge.md": KNOWLEDGE, "qadeck.toml": "knowledge = true\n"})
    config = load_config(tmp_path)
    assert config.knowledge and config.warnings == ()
    collection = parse_collection(tmp_path / "notes", config.parse_options())
    assert collection.notes[0].in_outputs


def test_a_pattern_git_would_reject_is_one_clear_error(tmp_path):
    notes = write_notes(tmp_path / "notes", {"a.md": QA})
    (tmp_path / "qadeck.toml").write_text('notes = "notes"\nexclude = ["!"]\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(tmp_path / "qadeck.toml"), "check", str(notes)])
    assert result.exit_code == 1 and "exclude: '!' is not a .gitignore pattern" in result.output
    assert "Traceback" not in result.output
