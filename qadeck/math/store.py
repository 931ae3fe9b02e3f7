"""Typeset formulas on disk (`<out>/.cache/math/svgmath.sqlite3`): a cache like the rest.

Each row holds a formula's HTML under a key made from its source and the render settings, with an
HMAC of both made with this user's cache key (`qadeck.cache.signing_key`). A row whose HMAC does
not match (written by someone else: a `build/` committed from another repository) is never used:
it is deleted and the formula typeset again. A file SQLite cannot read (cut short, random bytes,
another database) is removed and started afresh; a file that cannot be written (a read-only or
full disk) leaves the formulas in memory only. Each of these is said once, in `notices`, never
raised: a cache only ever costs time.
"""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from pathlib import Path

from qadeck.cache import signing_key

NAME = "svgmath.sqlite3"
_TABLE = "signed_formula"  # `formula`, an older table without signatures, is dropped
_SCHEMA = f"CREATE TABLE IF NOT EXISTS {_TABLE} (key TEXT PRIMARY KEY, html TEXT NOT NULL, mac BLOB NOT NULL)"
_CHUNK = 500  # keys per SELECT (SQLite's limit on parameters is 999 in old builds)


class FormulaStore:
    """key -> HTML, verified on every read; `notices` holds what went wrong, one line each."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / NAME
        self.notices: list[str] = []
        self._db: sqlite3.Connection | None = None
        self._foreign = 0
        try:
            self._db = self._open()
        except sqlite3.DatabaseError as exc:
            self._restart(exc)
        except (OSError, sqlite3.Error) as exc:
            self._give_up(exc)

    def get(self, key: str) -> str | None:
        found = self._rows([key])
        return found.get(key)

    def keys(self, keys: list[str]) -> set[str]:
        """The keys among `keys` with a verified row."""
        found: set[str] = set()
        for start in range(0, len(keys), _CHUNK):
            found.update(self._rows(keys[start:start + _CHUNK]))
        return found

    def put(self, key: str, html: str) -> None:
        if self._db is None:
            return
        try:
            with self._db:
                self._db.execute(f"INSERT OR REPLACE INTO {_TABLE} VALUES (?, ?, ?)",
                                 (key, html, _mac(key, html)))
        except sqlite3.Error as exc:
            self._give_up(exc)

    def close(self) -> None:
        if self._foreign:
            self.notices.append(f"{self._foreign} formula(s) in the formula cache {self.path} were not "
                                f"written by this user's qadeck: never used, typeset again")
            self._foreign = 0
        self._close()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        try:
            db.execute("PRAGMA schema_version").fetchone()  # reads the header: fails on a file not SQLite's
            # No fsync at each formula's commit (~9 ms each: a third of typesetting a book's formulas
            # in the workers, which wait on it): a file a crash leaves damaged is started afresh (above),
            # and a row that reads back wrong fails its HMAC.
            db.execute("PRAGMA synchronous = OFF")
            with db:
                db.execute("DROP TABLE IF EXISTS formula")
                db.execute(_SCHEMA)
            db.execute(f"SELECT key, html, mac FROM {_TABLE} LIMIT 1").fetchall()
        except BaseException:
            db.close()
            raise
        return db

    def _rows(self, keys: list[str]) -> dict[str, str]:
        if self._db is None or not keys:
            return {}
        marks = ",".join("?" * len(keys))
        try:
            rows = self._db.execute(f"SELECT key, html, mac FROM {_TABLE} WHERE key IN ({marks})",
                                    keys).fetchall()
        except sqlite3.DatabaseError as exc:
            self._restart(exc)
            return {}
        except sqlite3.Error as exc:
            self._give_up(exc)
            return {}
        good, bad = {}, []
        for key, html, mac in rows:
            if isinstance(html, str) and isinstance(mac, bytes) and hmac.compare_digest(mac, _mac(key, html)):
                good[key] = html
            else:
                bad.append(key)
        if bad:
            self._foreign += len(bad)
            self._delete(bad)
        return good

    def _delete(self, keys: list[str]) -> None:
        assert self._db is not None
        marks = ",".join("?" * len(keys))
        try:
            with self._db:
                self._db.execute(f"DELETE FROM {_TABLE} WHERE key IN ({marks})", keys)
        except sqlite3.Error:
            pass  # a read-only cache: the rows stay, and stay unused

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _restart(self, exc: Exception) -> None:
        """A file SQLite cannot read: remove it and start an empty one (once)."""
        self._close()
        self.notices.append(f"the formula cache {self.path} could not be read ({_reason(exc)}): "
                            f"started afresh, its formulas typeset again")
        try:
            self.path.unlink(missing_ok=True)
            for extra in ("-journal", "-wal", "-shm"):
                self.path.with_name(NAME + extra).unlink(missing_ok=True)
            self._db = self._open()
        except (OSError, sqlite3.Error) as again:
            self._give_up(again)

    def _give_up(self, exc: Exception) -> None:
        """A cache that cannot be kept: formulas are typeset in memory for this build only."""
        self._close()
        self.notices.append(f"the formula cache {self.path} cannot be kept ({_reason(exc)}): "
                            f"formulas are typeset for this build only")


def _mac(key: str, html: str) -> bytes:
    data = key.encode() + b"\0" + html.encode("utf-8", "surrogatepass")
    return hmac.new(signing_key(), data, hashlib.sha256).digest()


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or type(exc).__name__
