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
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qadeck.atomic import abandoned

try:
    import fcntl
except ImportError:  # not on Windows: the system's temporary folder, as before
    fcntl = None  # type: ignore[assignment]



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
        if entry.is_dir(follow_symlinks=False) and abandoned(Path(entry.path), folder=True):
            shutil.rmtree(entry.path, ignore_errors=True)
