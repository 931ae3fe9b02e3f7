"""One way to share work out to processes: results in order, fork only where it is safe."""

from __future__ import annotations

import os
import threading

import pytest

from qadeck.workers import fork_is_safe, process_map


def _square_and_pid(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


@pytest.mark.parametrize("start", ["spawn", "fork"])
def test_process_map_keeps_the_order_and_uses_other_processes(start: str):
    results = process_map(_square_and_pid, range(12), 2, start)
    assert [r for r, _ in results] == [n * n for n in range(12)]
    assert os.getpid() not in {pid for _, pid in results}


def test_fork_is_not_safe_while_another_thread_runs():
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert not fork_is_safe()
    finally:
        stop.set()
        thread.join()
