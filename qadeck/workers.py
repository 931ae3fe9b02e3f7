"""Work shared out to worker processes: one way to do it for every exporter.

`process_map` runs a function over items in a pool and returns the results in order. Forked
workers inherit the parent's memory (nothing pickled on the way in) but are only safe while the
parent runs no other thread; spawned ones start clean and are safe anywhere. The handbook prints
its chapters in a pool of its own (`exporters/handbook/press.py`): it takes results as they come,
heaviest chapters first, with a limit on every wait.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterable
from typing import Any


def fork_is_safe() -> bool:
    """Fork exists here and this process runs no other thread (Python's or native)."""
    if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() > 1:
        return False
    try:
        return len(os.listdir("/proc/self/task")) <= 1
    except OSError:
        return True


def cores(limit: int = 8) -> int:
    return max(1, min(os.cpu_count() or 1, limit))


def process_map(function: Callable[[Any], Any], items: Iterable[Any], workers: int, start: str = "spawn",
                initializer: Callable[[], None] | None = None) -> list[Any]:
    """`function` over `items` in `workers` processes started by `start`, results in item order."""
    context = multiprocessing.get_context(start)
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context, initializer=initializer) as pool:
        return list(pool.map(function, items))
