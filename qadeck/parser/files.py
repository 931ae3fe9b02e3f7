"""Which files of a notes folder are notes: include/exclude with `.gitignore` semantics,
`drafts/` folders, and the repository the folder lives in."""

from __future__ import annotations

from pathlib import Path

from pathspec import GitIgnoreSpec

from qadeck.errors import ConfigError

DRAFTS_FOLDER = "drafts"


def note_files(root: Path, include: tuple[str, ...], exclude: tuple[str, ...]) -> list[Path]:
    """Markdown files under root that `include` selects and `exclude` does not, sorted.

    Both lists read like a `.gitignore`: `README*` matches at any depth, `dir/` a folder,
    `!pattern` takes back what an earlier line matched. Hidden folders and node_modules never count.
    """
    wanted, unwanted = patterns("include", include), patterns("exclude", exclude)
    found = []
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if any(part.startswith(".") or part == "node_modules" for part in rel.split("/")):
            continue
        if not rel.lower().endswith(".md") or not path.is_file():
            continue
        if wanted.match_file(rel) and not unwanted.match_file(rel):
            found.append(path)
    return found


def patterns(key: str, lines: tuple[str, ...]) -> GitIgnoreSpec:
    """The lines as one `.gitignore` spec; a line git would reject is a setting error."""
    for line in lines:
        try:
            GitIgnoreSpec.from_lines([line])
        except ValueError as exc:
            raise ConfigError(f"{key}: {line!r} is not a .gitignore pattern ({exc})") from None
    return GitIgnoreSpec.from_lines(lines)


def in_drafts_folder(rel: str) -> bool:
    """A file anywhere below a folder named `drafts` is a draft (LLM dumps, work in progress)."""
    return DRAFTS_FOLDER in rel.split("/")[:-1]


def repository_root(root: Path) -> Path:
    """The git work tree holding the notes folder (a `.git` folder, or file in a worktree),
    else the notes folder itself: links may leave the notes folder but not the repository."""
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            return folder
    return root
