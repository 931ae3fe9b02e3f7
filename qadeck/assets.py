"""Local files that notes point to (images): the one rule every exporter follows before it
reads one — a regular file inside the notes folder once symlinks are resolved. Each answer is
recorded (`qadeck.depends`): the unit being made depends on where the file was and what it held."""

from __future__ import annotations

from pathlib import Path

from qadeck import depends


def local_file(root: Path, target: str | Path) -> Path | None:
    """`root / target` resolved, if it is a regular file inside `root`; else None."""
    path = _resolved(root, target)
    depends.note("asset path", (str(root), str(target)), lambda: depends.digest(path))
    return path


def read_local(root: Path, target: str | Path) -> bytes | None:
    """The bytes of a local file under the same rule; None when it is outside or unreadable."""
    data = _read(root, target)
    depends.note("asset", (str(root), str(target)), lambda: "" if data is None else depends.digest(data))
    return data


@depends.world("asset path")
def _path_now(name: tuple[str, str]) -> str:
    return depends.digest(_resolved(Path(name[0]), name[1]))


@depends.world("asset")
def _bytes_now(name: tuple[str, str]) -> str:
    data = _read(Path(name[0]), name[1])
    return "" if data is None else depends.digest(data)


def _resolved(root: Path, target: str | Path) -> Path | None:
    root = root.resolve()
    try:
        path = (root / target).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):  # missing, a symlink loop, a NUL in the name
        return None
    return path if path.is_relative_to(root) and path.is_file() else None


def _read(root: Path, target: str | Path) -> bytes | None:
    path = _resolved(root, target)
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None
