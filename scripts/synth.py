"""A deterministic synthetic corpus in the notes dialect, for benchmarks.

Each note has an info block, a generated toc, 🏷️ sections, numbered questions with markers,
follow-ups, short answers with inline and display math, `<details>` parts with a table and a
code block, see-also links between notes, and some unanswered questions.
"""

from __future__ import annotations

import random
from pathlib import Path

QUESTIONS_PER_NOTE = 50
MARKERS = ["✅ ", "🔥 ", "💡 ", "", "⬆️ ", ""]
TOPICS = ["注意力", "位置编码", "奖励模型", "策略优化", "低秩适配", "解码策略", "归一化", "混合专家"]


def write_corpus(root: Path, questions: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    notes = max(1, questions // QUESTIONS_PER_NOTE)
    for n in range(notes):
        folder = root / f"topic_{n % 10:02d}"
        folder.mkdir(exist_ok=True)
        count = QUESTIONS_PER_NOTE if n < notes - 1 else questions - QUESTIONS_PER_NOTE * (notes - 1)
        (folder / f"note_{n:04d}_QA.md").write_text(_note(n, count, notes, rng), encoding="utf-8")
    return root


def _note(n: int, count: int, notes: int, rng: random.Random) -> str:
    topic = TOPICS[n % len(TOPICS)]
    out = [f"{topic} 面试问题 {n}", "===", "<!--START_SECTION:toc-->", "- [目录](#目录)",
           "<!--END_SECTION:toc-->", "<!--info", "date: 2025-01-01 00:00:00", f"tags: [bench, t{n % 5}]",
           "-->", ""]
    section = 0
    for q in range(count):
        if q % 10 == 0:
            section += 1
            out += [f"## 🏷️ **第 {section} 部分 {topic}**", ""]
        follow = q % 5 in (3, 4)
        level = "####" if follow else "###"
        marker = MARKERS[rng.randrange(len(MARKERS))]
        out.append(f"{level} {section}.{q}. {marker}为什么 {topic} 的第 {q} 个性质 $x_{{{q}}}$ 成立?")
        if q % 9 == 8:
            out.append("")  # unanswered
            continue
        other = rng.randrange(notes)
        out += [
            f"> - **结论**: 因为 $a_{{{q}}} = \\sum_i w_i h_i$ 且 $\\alpha < 1$;",
            f"> - 其次, 训练时使用 `lr = {q}e-4`, 数据量约 {rng.randrange(100, 999)} 万条;",
            f">> [相关笔记](../topic_{other % 10:02d}/note_{other:04d}_QA.md)",
            "",
        ]
        if q % 3 == 0:
            out += ["<details><summary><b>详述</b></summary>", "", "| 方法 | 复杂度 |", "| --- | --- |",
                    f"| 方法 {q} | $O(n^2)$ |", "", "```python", f"def f(x):\n    return x * {q}", "```", "",
                    "$$", f"L = -\\log \\sigma(r_{{{q}}} - r_k)", "$$", "", "</details>", ""]
    return "\n".join(out) + "\n"
