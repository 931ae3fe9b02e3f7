"""Local files that notes point to (images): the one rule every exporter follows before it
reads one — a regular file inside the notes folder once symlinks are resolved."""

from __future__ import annotations

from pathlib import Path


def local_file(root: Path, target: str | Path) -> Path | None:
    """`root / target` resolved, if it is a regular file inside `root`; else None."""
    root = root.resolve()
    try:
        path = (root / target).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):  # missing, a symlink loop, a NUL in the name
        return None
    return path if path.is_relative_to(root) and path.is_file() else None


def read_local(root: Path, target: str | Path) -> bytes | None:
    """The bytes of a local file under the same rule; None when it is outside or unreadable."""
    path = local_file(root, target)
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None
