"""Cache entries: read back only when this user's qadeck wrote them (a pickle runs code when read)."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from qadeck.cache import SUFFIX, Store, signing_key


class _Planted:
    """A pickle that would create a file when unpickled."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (str(self.path),))


def test_an_entry_round_trips(tmp_path: Path):
    store = Store(tmp_path, "units")
    store.put("k", {"cards": (1, 2)})
    assert Store(tmp_path, "units").get("k", dict) == {"cards": (1, 2)}


def test_a_planted_entry_is_never_unpickled(tmp_path: Path):
    planted = tmp_path / "planted"
    entry = tmp_path / "units" / ("k" + SUFFIX)
    entry.parent.mkdir()
    payload = pickle.dumps(_Planted(planted))
    for data in (payload, b"\0" * 32 + payload):  # no signature, a wrong one
        entry.write_bytes(data)
        assert Store(tmp_path, "units").get("k") is None
        assert not planted.exists() and not entry.exists()


def test_the_key_lives_outside_the_output_folder_and_is_private():
    home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "qadeck" / "cache.key"
    key = signing_key()
    assert len(key) >= 32
    if home.exists():  # where a home folder can be written, the key is kept for the next run
        assert home.read_bytes() == key and home.stat().st_mode & 0o077 == 0
