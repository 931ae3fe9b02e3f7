"""Atomic output: write beside the target, then rename, so a failed build never leaves a
half-written file in place of a good one.

The temporary file (`.<name>.XXXXXXXX.tmp`) is held under an exclusive `flock` while it is being
written: the kernel drops the lock when its writer dies, however it dies. So `sweep` can tell the
temporary files a killed build left (no lock) from those a build running beside it is writing
(locked), and removes only the former.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qadeck.errors import OutputError

try:
    import fcntl
except ImportError:  # not on Windows: nothing is swept there
    fcntl = None  # type: ignore[assignment]

_SETTLED = 1.0  # seconds: a writer locks its file microseconds after making it
_TEMPORARY = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")  # mkstemp's names below


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """Yield a temporary path in the target's folder; it replaces the target on success. Any OS
    error on the way is an `OutputError`: one sentence naming the target."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise OutputError(target, exc) from None
    tmp_path = Path(tmp)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a fresh file: never held by another
        yield tmp_path
        os.chmod(tmp_path, 0o644)
        os.replace(tmp_path, target)
    except OSError as exc:  # a full disk while writing, a folder in the target's place
        raise OutputError(target, exc) from None
    finally:
        try:
            tmp_path.unlink(missing_ok=True)
        except OSError:
            pass  # removed by the next build (`sweep`)
        os.close(fd)


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


def write_text(target: Path, text: str) -> None:
    write_bytes(target, text.encode("utf-8"))


def probe(folder: Path) -> OSError | None:
    """Why nothing can be written into `folder` (made if missing), or None: one small file made
    and removed, so that a read-only or misplaced folder is one sentence before any work."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=".qadeck-probe.", suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        return exc
    return None


def abandoned(path: Path, folder: bool = False) -> bool:
    """Whether `path` (a temporary file, or a build's scratch folder) was left by a writer that is
    gone: not just made, and nobody holds its lock. Only where `fcntl` is there."""
    flags = os.O_RDONLY | os.O_NOFOLLOW | (os.O_DIRECTORY if folder else 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return False
    try:
        if time.time() - os.fstat(fd).st_mtime < _SETTLED:
            return False  # just made: its writer may not hold its lock yet
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False  # held by a running build
    finally:
        os.close(fd)


def sweep(folder: Path) -> list[Path]:
    """Remove the temporary files of `atomic_path` in `folder` whose writer is gone (a killed
    build); the ones removed. A file another build holds is left to it."""
    if fcntl is None:
        return []
    try:
        names = [entry.name for entry in os.scandir(folder) if entry.is_file(follow_symlinks=False)
                 and _TEMPORARY.match(entry.name)]
    except OSError:
        return []
    removed = []
    for path in (folder / name for name in names):
        if abandoned(path):
            try:
                path.unlink()
                removed.append(path)
            except OSError:
                continue  # not ours to remove
    return removed
