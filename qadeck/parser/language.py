"""The notes' language, and the marker names that follow it.

A marker's name is its label in every output (PDF badge, cheat-sheet filter, Anki tag), so the
default names are in the language the notes are written in; the `markers` setting overrides them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

MARKER_NAMES = {
    "en": {
        "🔥": "hot", "✅": "mastered", "☑️": "reviewed", "⬆️": "important", "💡": "open-ended",
        "❓": "unsure", "⚠️": "caution", "📌": "pinned", "❌": "wrong", "⭕": "partial",
        "✔️": "done", "⏳": "todo", "🔄": "revisit", "⬇️": "minor", "⬅️": "prev", "➡️": "next",
        "↔️": "compare", "📍": "key", "📝": "memo",
    },
    "zh": {
        "🔥": "高频", "✅": "已掌握", "☑️": "已复习", "⬆️": "重点", "💡": "开放题",
        "❓": "存疑", "⚠️": "注意", "📌": "置顶", "❌": "易错", "⭕": "半懂",
        "✔️": "完成", "⏳": "待办", "🔄": "再看", "⬇️": "次要", "⬅️": "前置", "➡️": "延伸",
        "↔️": "对比", "📍": "要点", "📝": "备忘",
    },
}
DEFAULT_MARKER_NAMES = MARKER_NAMES["en"]
# Han ideographs (with extension A and compatibility forms), kana and Hangul syllables.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
# Chinese questions carry many English terms ("Transformer 中 LayerNorm 的作用?" alone is 0.17 by
# letters) yet whole Chinese collections measure about 0.7; an English one with a Chinese term
# here and there stays near 0. A fifth is clearly Chinese.
CJK_SHARE = 0.2


def language_of(texts: Iterable[str]) -> str:
    """"zh" when CJK characters are at least `CJK_SHARE` of the letters in `texts`, else "en"."""
    cjk = latin = 0
    for text in texts:
        cjk += len(_CJK.findall(text))
        latin += len(_LATIN.findall(text))
    return "zh" if cjk and cjk >= CJK_SHARE * (cjk + latin) else "en"


def marker_names(language: str, configured: dict[str, str]) -> dict[str, str]:
    """The default names for `language`, with the configured ones over them."""
    return {**MARKER_NAMES.get(language, DEFAULT_MARKER_NAMES), **configured}
