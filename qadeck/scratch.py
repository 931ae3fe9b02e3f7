"""A build's temporary files (WeasyPrint's font folders, ...) in `<out>/.cache/tmp/`, not in /tmp.

A killed build cannot clean up after itself, and what it leaves in /tmp stays there. So while a
build runs, the temporary folder of this process and of the workers it starts (`TMPDIR`) is a
folder of its own under the cache, held under an exclusive `flock` that the kernel drops when the
build and its workers are gone; the next build removes every such folder nobody holds.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # not on Windows: the system's temporary folder, as before
    fcntl = None  # type: ignore[assignment]

_SETTLED = 1.0  # seconds: a build locks its folder microseconds after making it


@contextmanager
def scratch(cache: Path) -> Iterator[Path | None]:
    """While active, temporary files go to a folder of `cache/tmp` (None where that cannot be)."""
    if fcntl is None:
        yield None
        return
    base = cache / "tmp"
    try:
        base.mkdir(parents=True, exist_ok=True)
        _remove_abandoned(base)
        folder = Path(tempfile.mkdtemp(prefix="build-", dir=base))
        lock = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a fresh folder: nobody else holds it
    except OSError:
        yield None  # a read-only or odd output folder: the system's temporary folder
        return
    saved = tempfile.tempdir, os.environ.get("TMPDIR")
    try:
        tempfile.tempdir = str(folder)
        os.environ["TMPDIR"] = str(folder)  # workers started by spawn read it
        yield folder
    finally:
        tempfile.tempdir = saved[0]
        if saved[1] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved[1]
        shutil.rmtree(folder, ignore_errors=True)
        os.close(lock)


def _remove_abandoned(base: Path) -> None:
    """Remove the folders of `base` whose build is gone (nobody holds their lock)."""
    for entry in os.scandir(base):
        if not entry.is_dir(follow_symlinks=False):
            continue
        try:
            descriptor = os.open(entry.path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            if time.time() - os.fstat(descriptor).st_mtime < _SETTLED:
                continue  # just made: its build may not hold its lock yet
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            continue  # a build still running
        finally:
            os.close(descriptor)
        shutil.rmtree(entry.path, ignore_errors=True)
