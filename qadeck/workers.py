"""Work shared out to worker processes: one way to do it for every exporter.

`process_map` runs a function over items in a pool and returns the results in order. Forked
workers inherit the parent's memory (nothing pickled on the way in) but are only safe while the
parent runs no other thread; spawned ones start clean and are safe anywhere. The handbook prints
its chapters in a pool of its own (`exporters/handbook/printpool.py`): it takes results as they come,
heaviest chapters first, with a limit on every wait.

Every worker dies with its build (`start_worker`, the initializer of both pools): on Linux the
kernel sends it SIGKILL when the process that started it ends, however that ends (SIGKILL
included), so no worker goes on computing, writing into the cache or printing a BrokenPipeError
after its build is gone. A worker leaves Ctrl-C to its parent (which stops the pool) and dies
quietly on the SIGTERM a stopping pool sends.
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

# A pool started by spawn has multiprocessing's resource tracker beside it; when the build is killed,
# it removes the pool's semaphores and would say so on the build's terminal, after the build is gone.
# The option reaches it through the interpreter flags every child process is started with.
_QUIET_TRACKER = "ignore::UserWarning:multiprocessing.resource_tracker"
if _QUIET_TRACKER not in sys.warnoptions:
    sys.warnoptions.append(_QUIET_TRACKER)


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
    """`function` over `items` in `workers` processes started by `start`, results in item order;
    on any exception here (Ctrl-C, SIGTERM) the workers are stopped before it goes on."""
    context = multiprocessing.get_context(start)
    pool = concurrent.futures.ProcessPoolExecutor(workers, mp_context=context, initializer=start_worker,
                                                  initargs=(os.getpid(), initializer))
    try:
        results = list(pool.map(function, items))
    except BaseException:
        _stop(pool)
        raise
    pool.shutdown()
    return results


def _stop(pool: concurrent.futures.ProcessPoolExecutor) -> None:
    """End the workers now: the pool's own shutdown lets each finish its task first."""
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)


_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def start_worker(parent: int, then: Callable[[], None] | None = None) -> None:
    """In a new worker: die with `parent`, leave Ctrl-C to it, die quietly on SIGTERM; then `then`."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the terminal's Ctrl-C reaches the whole group
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a forked worker inherits the build's handler
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the parent died before the line above: nothing to work for
        os._exit(1)
    if then is not None:
        then()


def release_memory() -> None:
    """Give what this process no longer uses back to the system: a worker that waits between the
    builds of a session would otherwise hold its last document's layout (hundreds of MB)."""
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None).malloc_trim(0)  # glibc keeps freed memory for this process otherwise
        except (OSError, AttributeError):
            pass
