"""Process-tree helpers for the tests that kill a badgekit parent and look for orphaned workers
(Linux: read from /proc)."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable

#: How long killed processes may take to disappear on a busy machine (polled, not slept).
GONE_WITHIN = 15.0


def _stat(pid: int) -> list[str] | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()  # fields from 3 (state) on; the name may hold spaces


def descendants(pid: int) -> dict[int, str]:
    """Every process below ``pid``: pid -> start time (to tell a reused pid apart)."""
    children: dict[int, list[tuple[int, str]]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields is not None:
                children.setdefault(int(fields[1]), []).append((int(entry), fields[19]))
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        for child, started in children.get(todo.pop(), []):
            found[child] = started
            todo.append(child)
    return found


def alive(processes: dict[int, str]) -> list[int]:
    """Those of ``processes`` still running (a zombie has exited; a reused pid is another process)."""
    out = []
    for pid, started in processes.items():
        fields = _stat(pid)
        if fields is not None and fields[19] == started and fields[0] != "Z":
            out.append(pid)
    return out


def wait_until(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)


def assert_all_gone(processes: dict[int, str]) -> None:
    """Every process in ``processes`` exits within :data:`GONE_WITHIN` seconds (survivors are
    killed before the assertion fails, so a failing test leaves nothing behind)."""
    deadline = time.monotonic() + GONE_WITHIN
    while alive(processes):
        if time.monotonic() > deadline:
            survivors = alive(processes)
            for pid in survivors:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            raise AssertionError(f"orphaned processes still running: {survivors}")
        time.sleep(0.02)
