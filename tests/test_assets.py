"""The one rule for local files that notes point to: regular files inside the notes folder."""

from __future__ import annotations

from pathlib import Path

from qadeck.assets import local_file, read_local


def test_only_regular_files_inside_the_root(tmp_path: Path):
    root = tmp_path / "notes"
    (root / "assets").mkdir(parents=True)
    (root / "assets" / "a.png").write_bytes(b"png")
    (tmp_path / "secret.txt").write_text("no", encoding="utf-8")
    (root / "out.png").symlink_to(tmp_path / "secret.txt")
    (root / "loop.png").symlink_to(root / "loop.png")
    assert read_local(root, "assets/a.png") == b"png"
    assert local_file(root, root / "assets" / "a.png") == (root / "assets" / "a.png").resolve()
    for target in ("../secret.txt", "out.png", "loop.png", "missing.png", "assets", "/etc/hostname"):
        assert local_file(root, target) is None and read_local(root, target) is None, target
