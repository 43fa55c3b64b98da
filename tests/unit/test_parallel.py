"""The worker-process helper: results in order, small runs in this process, never fork(), an
early exit kills the workers at once, and a worker exits when its parent's pipe closes."""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
import warnings

import pytest

from badgekit import _parallel
from tests._processes import wait_until

_STATE: dict[str, int] = {}


def _init(offset: int) -> None:
    _STATE["offset"] = offset


def _where(item: int) -> tuple[int, int, int, int]:
    return item + _STATE["offset"], os.getpid(), os.getppid(), threading.active_count()


def _first_then_block(item: int) -> int:
    if item:
        time.sleep(3600)  # never finishes: only killing the worker ends it
    return os.getpid()


def test_results_come_in_order_from_workers_that_were_not_forked_from_this_process() -> None:
    stop = threading.Event()
    busy = threading.Thread(target=stop.wait)  # a threaded parent: fork() here could deadlock
    busy.start()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # Python 3.12+ warns when it forks a threaded process
            with _parallel.imap(_where, range(40), workers=2, initializer=_init, initargs=(1000,)) as results:
                out = list(results)
    finally:
        stop.set()
        busy.join()
    assert [value for value, *_ in out] == list(range(1000, 1040))
    pids = {pid for _, pid, _, _ in out}
    assert os.getpid() not in pids and 1 <= len(pids) <= 2
    assert all(threads == 2 for *_, threads in out)  # the worker's own thread and its watchdog
    if sys.platform.startswith("linux"):
        assert _parallel.start_method() == "forkserver"
        assert {ppid for _, _, ppid, _ in out} != {os.getpid()}  # children of the fork server, not of us
    else:
        assert _parallel.start_method() == "spawn"


def test_few_items_or_one_worker_stay_in_this_process() -> None:
    with _parallel.imap(_where, range(3), workers=4, initializer=_init, initargs=(7,), min_items=4) as results:
        assert [(value, pid) for value, pid, *_ in results] == [(7, os.getpid()), (8, os.getpid()), (9, os.getpid())]
    with _parallel.imap(_where, range(50), workers=1, initializer=_init, initargs=(0,)) as results:
        assert {pid for _, pid, *_ in results} == {os.getpid()}


def test_leaving_early_cancels_the_queue_and_kills_the_workers_at_once() -> None:
    with pytest.raises(KeyboardInterrupt), _parallel.imap(_first_then_block, range(20), workers=2,
                                                          initializer=_init, initargs=(0,)) as results:
        first = next(results)  # the other items block for an hour: only a kill ends them
        raise KeyboardInterrupt
    wait_until(lambda: not _running(first), 15, f"worker {first} to be gone")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _orphan(parent_alive: object, ready: object) -> None:
    ready.send_bytes(b"waiting")  # type: ignore[attr-defined]
    _parallel._exit_with_parent(parent_alive)


def test_a_worker_exits_when_its_parent_pipe_closes() -> None:
    """The portable watchdog alone (no parent-death signal): the child ends once the only write
    end, held here, is closed, as the kernel closes it when the parent dies."""
    ctx = multiprocessing.get_context(_parallel.start_method())
    parent_alive, alive_w = ctx.Pipe(duplex=False)
    ready_r, ready_w = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_orphan, args=(parent_alive, ready_w))
    child.start()
    parent_alive.close()
    try:
        assert ready_r.poll(60) and ready_r.recv_bytes() == b"waiting"
        assert child.is_alive()
        alive_w.close()
        child.join(15)
        assert child.exitcode == 1
    finally:
        if child.is_alive():
            child.kill()
