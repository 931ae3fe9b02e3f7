"""The build cache under `<out>/.cache/`: what one build keeps so the next redoes only what changed.

An entry is a pickle in `<folder>/<kind>/<key>.pickle`, where the key is a digest of what the entry
is found by (`key()`), qadeck's version, code and this module's FORMAT included; what an entry read
while it was made is kept with it and checked before it is used (`qadeck.depends`), so an entry is
never stale, only unused (pruned after the build that stopped using it). An entry that cannot be
read back (cut short, corrupt, from another Python) is deleted and counts as a miss: the caller
rebuilds it. The cache holds only what this tool wrote for the user's own notes; `qadeck clean`
removes it, `qadeck build --no-cache` neither reads nor writes it.

A pickle runs code when it is read, and an output folder can come from elsewhere (committed to a
notes repository, say). So every entry carries an HMAC made with a key that lives outside any output
folder (`$XDG_CACHE_HOME/qadeck/cache.key`, made on first use, readable by the user only); an entry
whose HMAC does not match was not written by this user's qadeck and is never unpickled.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import pickle
import secrets
import shutil
from pathlib import Path
from typing import Any

from qadeck import __version__, session
from qadeck.atomic import write_bytes
from qadeck.errors import OutputError

FORMAT = 1  # bump when what an entry holds changes shape
SUFFIX = ".pickle"


def key(*parts: object) -> str:
    """A digest of the parts' reprs (frozen dataclasses, tuples, strings: content, not identity),
    qadeck's version and code included."""
    digest = hashlib.sha256(f"qadeck {__version__} cache {FORMAT} {code_digest()}".encode())
    for part in parts:
        pieces = [part] if isinstance(part, bytes) else session.encoded(part)
        digest.update(sum(map(len, pieces)).to_bytes(8, "big"))
        for piece in pieces:
            digest.update(piece)
    return digest.hexdigest()


@functools.cache
def code_digest() -> str:
    """qadeck's own Python files as one digest: a changed parser or exporter (an editable install
    between releases) is a new version as far as the cache goes."""
    import qadeck
    import qadeck.exporters

    digest = hashlib.sha256()
    for package in (qadeck, qadeck.exporters):
        folder = Path(package.__file__).parent
        for path in sorted(folder.rglob("*.py")):
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class Store:
    """One kind of entry (`kind` names a subfolder); a Store without a folder keeps nothing."""

    def __init__(self, folder: Path | None, kind: str) -> None:
        self.folder = None if folder is None else folder / kind
        self.used: set[str] = set()

    def get(self, entry: str, kind: type | tuple[type, ...] = object) -> Any | None:
        """The value stored under `entry` when it reads back as a `kind`, else None. In a session
        (`qadeck.session`) it may be the very object an earlier get or put had: never change it."""
        if self.folder is None:
            return None
        path = self.folder / (entry + SUFFIX)
        value = session.entry(self.folder, entry, path)
        if value is not session.MISSING and isinstance(value, kind):
            self.used.add(entry)
            return value
        try:
            data = path.read_bytes()
        except OSError:
            return None
        signature, payload = data[:_SIGNATURE], data[_SIGNATURE:]
        value: Any = _MISS
        if hmac.compare_digest(signature, _sign(payload)):  # else not ours: never unpickled
            try:
                value = pickle.loads(payload)
            except Exception:  # noqa: BLE001 - any damage to an entry is a miss, never a crash
                value = _MISS
        if value is _MISS or not isinstance(value, kind):
            _remove(path)
            return None
        self.used.add(entry)
        session.keep(self.folder, entry, value)
        return value

    def has(self, entry: str) -> bool:
        """Whether an entry is stored under `entry` (not read: it may still prove a miss)."""
        return self.folder is not None and (self.folder / (entry + SUFFIX)).is_file()

    def put(self, entry: str, value: Any) -> None:
        if self.folder is None:
            return
        try:
            payload = session.dumps(value)
            write_bytes(self.folder / (entry + SUFFIX), _sign(payload) + payload)
        except (OSError, OutputError):
            return  # a cache that cannot be written only costs time
        self.used.add(entry)
        session.keep(self.folder, entry, value)

    def prune(self) -> None:
        """Delete the entries this build did not use (their inputs are gone or changed)."""
        if self.folder is None:
            return
        session.forget(self.folder, self.used)
        if not self.folder.is_dir():
            return
        try:
            stale = [p for p in self.folder.iterdir() if p.suffix == SUFFIX and p.stem not in self.used]
        except OSError:
            return
        for path in stale:
            if not _remove(path):
                return  # a read-only cache: it stays as it is, and only costs room


def _remove(path: Path) -> bool:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        return False
    return True


def remove(folder: Path) -> bool:
    """Delete a cache folder; True when there was one."""
    if not folder.is_dir():
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return not folder.exists()


def stat_of(path: Path) -> tuple[int, int, int] | None:
    """(size, mtime in ns, inode): what tells a file changed without reading it; None when absent."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns, found.st_ino


_SIGNATURE = 32  # bytes of HMAC-SHA256 in front of each entry
_MISS = object()


def _sign(payload: bytes) -> bytes:
    return hmac.new(signing_key(), payload, hashlib.sha256).digest()


@functools.cache
def signing_key() -> bytes:
    """This user's key for cache entries, kept outside every output folder. Where it cannot be
    kept, a key for this process only: the cache then helps within one run and no further."""
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qadeck"
    path = home / "cache.key"
    try:
        data = path.read_bytes()
        if len(data) >= 32:
            return data
    except OSError:
        pass
    fresh = secrets.token_bytes(32)
    try:
        home.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(fresh)
    except OSError:
        try:  # another process made it first
            data = path.read_bytes()
            return data if len(data) >= 32 else fresh
        except OSError:
            return fresh
    return fresh
