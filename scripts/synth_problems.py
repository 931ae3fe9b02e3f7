"""A repository of coding-problem notes at a chosen size, grown from real ones, for benchmarks.

`grow(source, target, problems)` copies the notes folder `source` (a repository such as
../shared/corpus/sspace: Q&A notes, `algorithms/` with its problems) to `target`, then writes
variants of its problem notes beside them until `problems` problem notes are there: the same
text with the problem's name (heading and `name:`) marked `（变体 N）`, so each variant is a
problem of its own. Deterministic: the same source gives the same corpus.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

_NAME = re.compile(r"^name: *(.+)$", re.M)
_HEADING = re.compile(r"^## +(.+)$", re.M)


def problem_notes(root: Path) -> list[Path]:
    """The problem notes under `root` (those with a `name:` in their info block), in order."""
    found = []
    for path in sorted(root.rglob("*.md")):
        if "problems" in path.parts and _NAME.search(path.read_text(encoding="utf-8", errors="replace")):
            found.append(path)
    return found


CORPUS = Path(__file__).parent.parent.parent / "shared" / "corpus" / "sspace"
FULL_SIZE = 290  # problem notes in the real repository


def real_corpora(work: Path, what: str) -> tuple[Path, Path] | None:
    """A writable copy of the real notes (../shared/corpus/sspace) and the same grown to the real
    repository's size, in `work`; None, after saying which figures (`what`) are not measured,
    when the corpus is not here."""
    if not CORPUS.is_dir():
        print(f"{CORPUS} not found: {what} not measured")
        return None
    work.mkdir(parents=True, exist_ok=True)
    copy = work / "sspace"
    shutil.copytree(CORPUS, copy)
    return copy, grow(CORPUS, work / "full", FULL_SIZE)


def grow(source: Path, target: Path, problems: int) -> Path:
    shutil.copytree(source, target)
    originals = problem_notes(target)
    for index in range(max(0, problems - len(originals))):
        original = originals[index % len(originals)]
        variant = index // len(originals) + 2
        text = original.read_text(encoding="utf-8")
        text = _marked(_marked(text, _NAME, "name: ", variant), _HEADING, "## ", variant)
        original.with_name(f"{original.stem}_变体{variant}.md").write_text(text, encoding="utf-8")
    return target


def _marked(text: str, pattern: re.Pattern[str], prefix: str, variant: int) -> str:
    found = pattern.search(text)
    if found is None:
        return text
    return text[:found.start()] + f"{prefix}{found.group(1).strip()}（变体 {variant}）" + text[found.end():]
