"""Topic cards (`cards = "topics"`): which headings explain something of their own, and why the
others make no card (`qadeck inspect` prints the reason).

A heading is a topic when its own section (up to the next heading of any level) holds an
explanation: a sentence, a formula, a table, a figure. Structural headings make none: references,
contents and related-reading headings, installation steps, a section that is empty, only links,
only a source line, only TODO, only code with no sentence, and a group heading whose sub-headings
are the cards (nothing of its own, or a one-line lead-in to them).
"""

from __future__ import annotations

import fnmatch
import re

from qadeck.gfm.lexical import INLINE_LINK
from qadeck.parser.answer import is_filler

QUESTIONS, TOPICS = "questions", "topics"
CARDS = (QUESTIONS, TOPICS)

_NAMES = {
    "references": ("参考", "参考文献", "参考资料", "参考链接", "参考文章", "参考材料", "引用", "资料",
                   "相关资料", "references", "reference", "reading", "readings", "further reading",
                   "延伸阅读", "扩展阅读", "推荐阅读", "阅读材料", "bibliography", "sources", "出处"),
    "table of contents": ("index", "目录", "toc", "contents", "table of contents", "大纲"),
    "related reading": ("相关专题", "相关阅读", "相关链接", "相关文章", "相关笔记", "相关内容", "see also",
                        "links", "链接", "友情链接"),
    "about the notes": ("注意", "说明", "声明", "免责声明", "致谢", "鸣谢", "联系方式", "联系我",
                        "交流群", "公众号", "赞赏", "打赏", "license", "许可证", "开源协议",
                        "contributing", "贡献", "更新日志", "changelog", "star history", "在线阅读",
                        "todo", "待办"),
    "installation": ("安装", "安装说明", "安装方法", "安装方式", "环境安装", "环境配置", "环境准备",
                     "installation", "install", "setup", "依赖安装"),
}
_STRUCTURAL = {name: why for why, names in _NAMES.items() for name in names}
_NAME_TRIM = re.compile(r"^[\s:：\-–—.。]+|[\s:：\-–—.。]+$")
_LIST = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_LINK = re.compile(f"{INLINE_LINK.pattern}|<https?://[^>\\s]+>|https?://\\S+")
_TODO = re.compile(r"^(?:todo|tbd|fixme|wip|待补充|待完善|待更新|待续|未完待续|施工中|略)\b", re.I)
_SOURCE_WORDS = re.compile(r"^(?:来源|出处|原文|原文链接|转载|转自|摘自|引自|参考|source|from|via|credit)",
                           re.I)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_LEAD_IN = re.compile(r"(?:[:：]|如下|以下|如下所示|如下图|见下)\W*$")
_INSTALL = re.compile(r"(?:环境|依赖|包的?)?安装(?:说明|方法|方式|步骤|包|依赖|指南|教程|与使用)?"
                      r"|快速(?:开始|上手)|quick ?start|getting started")
_CODE_NAME = re.compile(r"(?:\S{0,4}(?:代码|源码)(?:实现|示例|演示)?|code|完整代码|示例代码|实现代码)")
_BOLD_ONLY = re.compile(r"(\*\*|__)[^*_]+\1[：:]?")
_LABELS = re.compile(r"[^\s：:]{0,20}[：:]")
_QUOTE = re.compile(r"^\s*(?:>\s*)+")
_MATH_OPEN = re.compile(r"^\s*\$\$")

Lines = list[tuple[int, str]]


def cards_mode(path: str, cards: str, folders: tuple[tuple[str, str], ...]) -> str:
    """The `cards` setting for a note at `path` (relative to the notes folder): the last folder
    glob that matches one of its folders (or the note itself), else the repository's."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:end]) for end in range(1, len(parts))] + [path]
    for glob, value in folders:
        if any(fnmatch.fnmatchcase(prefix, glob) for prefix in prefixes):
            cards = value
    return cards


def structural_name(text: str) -> str:
    """Why a heading's name alone makes it structural ("references", ...), else ""."""
    name = " ".join(_NAME_TRIM.sub("", text).lower().split())
    if _INSTALL.fullmatch(name):
        return "installation"
    return _STRUCTURAL.get(name, "")


def _is_label(line: str) -> bool:
    """A short label line: `参考资料：`, `**离线批量推理**` (it names what follows, says nothing)."""
    text = _bare(line)
    return len(text) <= 24 and (bool(re.fullmatch(r"[^：:]+[：:]", text)) or bool(_BOLD_ONLY.fullmatch(text)))


FRONT_PAGE = "structural: the notes' front page (README.md at the top)"


def front_page(path: str) -> bool:
    """The README at the top of the notes folder: the repository's landing page, not a topic note."""
    return path.lower() in ("readme.md", "readme.markdown", "index.md")


def verdict(text: str, lines: Lines, code: set[int], has_children: bool) -> str:
    """Why a heading with this plain `text` and its own `lines` (code: the line numbers inside
    fences) makes no topic card, or "" when it is one."""
    why = structural_name(text)
    if why:
        return f"structural: {why}"
    content = [(n, t) for n, t in lines if not is_filler(t)]
    if not content:
        return "group: only sub-headings" if has_children else "structural: empty section"
    prose = [t for n, t in content if n not in code]
    if not prose:
        return "structural: only code, no sentence"
    if all(_TODO.match(_bare(t)) for t in prose) and len(prose) == len(content):
        return "structural: only TODO"
    labels = [t for t in prose if _is_label(t)]
    if len(labels) < len(prose) == len(content) and all(_is_link_line(t) or t in labels for t in prose):
        return "structural: only links"
    if len(content) == 1 and _is_source_line(content[0][1]):
        return "structural: only a source line"
    if len(prose) < len(content) and not any(_explains(t) for t in prose):
        return "structural: usage code, no sentence"
    if _CODE_NAME.fullmatch(_NAME_TRIM.sub("", text).lower()) and 3 * len(prose) <= len(content):
        return "structural: a code listing"
    if has_children and _lead_in(content, prose):
        return "group: only a lead-in to its sub-headings"
    return ""


def _lead_in(content: Lines, prose: list[str]) -> bool:
    """A short introduction that ends by pointing at what follows (`主要有以下两种：`, `…其用法如下。`)."""
    words = "".join(_LINK.sub("", _bare(t)) for t in prose)
    return len(content) == len(prose) <= 3 and len(words) <= 80 and bool(_LEAD_IN.search(_bare(prose[-1])))


def _bare(line: str) -> str:
    """A line without its quote and list marks."""
    return _LIST.sub("", _QUOTE.sub("", line)).strip()


def _is_link_line(line: str) -> bool:
    if "![" in line or "<img" in line.lower():
        return False  # a figure explains
    rest = _LINK.sub("", _bare(line))
    return rest != _bare(line) and not _sentence(_LABELS.sub("", rest))  # `在线阅读链接：[…](…)`


def _is_source_line(line: str) -> bool:
    """A line that only names where the text comes from: `> 《深度学习》 5.2`, `来源：…`, a quoted link."""
    quoted = bool(_QUOTE.match(line))
    text = _bare(line)
    if len(text) > 80:
        return False
    if _SOURCE_WORDS.match(text) or ("《" in text and len(_CJK.findall(_strip_titles(text))) < 6):
        return True
    return quoted and _is_link_line(line)


def _strip_titles(text: str) -> str:
    return re.sub(r"《[^》]*》", "", text)


def _sentence(text: str) -> bool:
    """Enough words to say something: six CJK characters or four words."""
    return len(_CJK.findall(text)) >= 6 or len(_WORD.findall(text)) >= 4


def _explains(line: str) -> bool:
    """A line that explains rather than introduces code: a sentence not ending in a colon, a
    formula, a table row or a figure."""
    text = _bare(line)
    if _MATH_OPEN.match(text) or text.startswith("|") or "![" in text or "<img" in text.lower():
        return True
    if _is_label(line):
        return False
    return _sentence(_LINK.sub("", text)) and not (_LEAD_IN.search(text) and len(text) <= 40)
