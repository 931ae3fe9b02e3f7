"""The words the outputs show around the notes (labels, counts, buttons), one table per language.

The table is chosen by the notes' language (`Collection.language`, detected by the parser), so
English notes get English labels. A value is a `str.format` template with named placeholders; a
(singular, plural) pair is chosen by the placeholder `n`. The style files (CSS, JS, HTML
templates) name their strings with markers that `fill` writes in the form each language needs:
`{{html:key}}` escaped for HTML, `{{css:key}}` a CSS string (placeholders become `counter(name)`),
`{{js:key(expr, ...)}}` a JavaScript string expression (placeholders become the given expressions,
in order).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from string import Formatter

Value = str | tuple[str, str]

ZH: Mapping[str, Value] = {
    "default_title": "面试题集",  # the collection's title when no `title` is set
    # the handbook
    "html_lang": "zh-CN",
    "date": "{year} 年 {month} 月 {day} 日",
    "kicker": "面试手册",
    "kicker_questions": "模拟面试 · 题目版",
    "count_notes": "{n} 篇笔记",
    "count_questions": "{n} 道题",
    "count_problems": "{n} 道算法题",
    "count_open": "{n} 道待补充",
    "contents": "目录",
    "cover": "封面",
    "page_numbers": "页码",
    "page_of": "第 {page} 页 / 共 {pages} 页",
    "chapter_no": "第 {n} 章",
    "chapter_questions": "{n} 题",
    "keywords": "关键词",
    "footnotes": "注释",
    "references": "参考",
    "open": "待补充",
    "follow_up": "追问 ",
    "follow_up_no": "追问 ",  # before a follow-up's number, in the handbook's 4.6em number column
    "see_also": "参见",
    "image_off": "[图片: {label}]",
    "image_missing": "[图片缺失: {label}]",
    "problems": "算法题",
    "no_topic": "其他",
    "problem_index": "题目索引",
    "part_problems": "{n} 道题",  # the handbook's part of coding problems: how many
    "section_problems": "{n} 题",  # the cheat sheet's section of coding problems: how many
    "appendix": "附",
    "related_more": "及其他 {n} 题",
    "related_short": "相关",
    "by_level": "按难度",
    "by_source": "按来源",
    # the cheat sheet
    "answered": "{n} 已答",
    "no_questions": "没有问题。",
    "question_link": "本题链接",
    "more": "更多",
    "details": "详述",
    "image": "图片",
    "level": "难度",
    "source": "来源",
    "topic": "专题",
    "company": "公司",
    "problem_filters": "{title}筛选",
    "companies": "公司: {companies}",
    "related": "相关题目",
    "related_count": "相关题目 ({n})",
    "skip": "跳到内容",
    "search": "搜索问题与答案（按 / 聚焦）",
    "search_label": "搜索问题与答案",
    "filter": "筛选",
    "dark_mode": "深色模式",
    "clear_filters": "清除筛选",
    "filter_flags": "按标记筛选",
    "expand_all": "全部展开",
    "collapse_all": "全部折叠",
    "no_match": "没有匹配的问题。",
    "shown_in_note": "{shown} / {total} 题",
    "shown_of": "显示 {shown} / {total} 题",
    "total": "共 {total} 题",
    "filtered": "筛选 · {filters}",
    "to_light": "切换到浅色",
    "to_dark": "切换到深色",
    "companies_before": "公司: ",
}

EN: Mapping[str, Value] = {
    "default_title": "Interview questions",
    "html_lang": "en",
    "date": "{year}-{month:02}-{day:02}",
    "kicker": "Interview handbook",
    "kicker_questions": "Mock interview · questions only",
    "count_notes": ("{n} note", "{n} notes"),
    "count_questions": ("{n} question", "{n} questions"),
    "count_problems": ("{n} coding problem", "{n} coding problems"),
    "count_open": "{n} to be answered",
    "contents": "Contents",
    "cover": "Cover",
    "page_numbers": "Page numbers",
    "page_of": "Page {page} of {pages}",
    "chapter_no": "Chapter {n}",
    "chapter_questions": ("{n} question", "{n} questions"),
    "keywords": "Keywords",
    "footnotes": "Notes",
    "references": "References",
    "open": "To be answered",
    "follow_up": "Follow-up ",
    "follow_up_no": "",  # "Follow-up 1.1" is wider than the column: the number and the rule say it
    "see_also": "See also",
    "image_off": "[image: {label}]",
    "image_missing": "[missing image: {label}]",
    "problems": "Coding problems",
    "no_topic": "Other",
    "problem_index": "Problem index",
    "part_problems": ("{n} problem", "{n} problems"),
    "section_problems": ("{n} problem", "{n} problems"),
    "appendix": "Appendix",
    "related_more": ("and {n} more", "and {n} more"),
    "related_short": "Related",
    "by_level": "By level",
    "by_source": "By source",
    "answered": "{n} answered",
    "no_questions": "No questions.",
    "question_link": "Link to this question",
    "more": "More",
    "details": "Details",
    "image": "image",
    "level": "Level",
    "source": "Source",
    "topic": "Topic",
    "company": "Company",
    "problem_filters": "{title} filters",
    "companies": "Companies: {companies}",
    "related": "Related problems",
    "related_count": "Related problems ({n})",
    "skip": "Skip to content",
    "search": "Search questions and answers (press / to focus)",
    "search_label": "Search questions and answers",
    "filter": "Filter",
    "dark_mode": "Dark mode",
    "clear_filters": "Clear filters",
    "filter_flags": "Filter by marker",
    "expand_all": "Expand all",
    "collapse_all": "Collapse all",
    "no_match": "No question matches.",
    "shown_in_note": "{shown} / {total} questions",
    "shown_of": "Showing {shown} / {total} questions",
    "total": "{total} questions",
    "filtered": "Filtered · {filters}",
    "to_light": "Switch to light",
    "to_dark": "Switch to dark",
    "companies_before": "Companies: ",
}

TABLES: Mapping[str, Mapping[str, Value]] = {"zh": ZH, "en": EN}
DEFAULT = "en"  # a language with no table of its own
_MARKER = re.compile(r"\{\{(html|css|js):(\w+)(?:\(([^)]*(?:\([^)]*\)[^)]*)*)\))?\}\}")


@dataclass(frozen=True)
class Strings:
    """The interface strings of one language: `strings("chapter_no", n=3)`."""

    language: str

    @property
    def table(self) -> Mapping[str, Value]:
        return TABLES.get(self.language, TABLES[DEFAULT])

    def template(self, key: str, n: int | None = None) -> str:
        value = self.table[key]
        if isinstance(value, tuple):
            return value[0] if n == 1 else value[1]
        return value

    def __call__(self, key: str, **values: object) -> str:
        n = values.get("n")
        return self.template(key, n if isinstance(n, int) else None).format(**values)


def strings_for(language: str) -> Strings:
    return Strings(language if language in TABLES else DEFAULT)


def title_for(configured: str | None, language: str) -> str:
    """The collection's title: the configured one, else the default title in the notes' language."""
    return strings_for(language)("default_title") if configured is None else configured


def fill(text: str, strings: Strings) -> str:
    """`text` (a style file) with its `{{form:key}}` markers written in `strings`' language."""
    def write(found: re.Match[str]) -> str:
        form, key, args = found.groups()
        template = strings.template(key)
        if form == "html":
            return html.escape(template, quote=True)
        names = [a.strip() for a in args.split(",")] if args else []
        return _joined(template, form, names)

    return _MARKER.sub(write, text)


def _joined(template: str, form: str, expressions: list[str]) -> str:
    """A CSS content list or JS expression: the literal runs quoted, each placeholder in between
    as `counter(name)` (CSS) or the next of `expressions` (JS)."""
    out: list[str] = []
    given = iter(expressions)
    for literal, name, _, _ in Formatter().parse(template):
        if literal:
            out.append(json.dumps(literal, ensure_ascii=False))
        if name is not None:
            out.append(f"counter({name})" if form == "css" else next(given))
    return (" " if form == "css" else " + ").join(out)
