"""The peak resident memory of a process and all its descendants together, sampled in a thread.

`resource.getrusage` gives each process's own peak (or the largest child's), not what a
parent and its workers hold at the same moment; this reads /proc every 100 ms, looking for new
processes every second (a scan costs ~5 ms, taken from the processes it measures; Linux only,
elsewhere the peak is the process's own).
"""

from __future__ import annotations

import os
import resource
import threading
import time
from pathlib import Path

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024 if hasattr(os, "sysconf") else 4


class TreeMemory:
    def __init__(self, interval: float = 0.1, rescan: float = 1.0) -> None:
        self.interval = interval
        self.rescan = rescan
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    @property
    def peak_mb(self) -> float:
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KB on Linux
        return max(self.peak_kb, own) / 1024

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        if not Path("/proc/self/stat").exists():
            return
        pids, scanned = _tree(os.getpid()), time.monotonic()
        while not self._stop.wait(self.interval):
            if time.monotonic() - scanned >= self.rescan:
                pids, scanned = _tree(os.getpid()), time.monotonic()
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(pid) for pid in pids))


def _tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _rss_kb(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0
