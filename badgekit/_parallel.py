"""Worker processes for issuing, verifying and bundling: the one place that starts them.

- **Start method**: ``forkserver`` on Linux, ``spawn`` elsewhere, never ``fork``: forking a parent
  that runs threads (Rich's progress bar, the pool's own manager thread) can deadlock the child,
  and Python 3.12+ warns about it. The fork server is started once per parent process and imports
  the caller's module (``preload``) and ``__main__`` first, so each worker starts warm. A script
  that calls a parallel function must therefore guard its entry with ``if __name__ == "__main__":``
  (as for ``spawn``).
- **Small runs stay in this process**: two warm workers take about 0.2 s to start (0.13 s of
  CPU; fork: 0.03 s, spawn: 0.45 s), so fewer than ``min_items`` items run here, with the same
  initializer. Each caller sets it where two processes start to win (about 0.4 s of work).
- **Workers die with their parent**, however it ends (SIGKILL, OOM): each worker holds the read
  end of a pipe whose only write end is the parent's, and a watchdog thread exits the worker when
  it reads end of file (every system). Polling ``os.getppid()`` would not do: a worker's parent is
  the fork server, which stays up as long as workers hold its liveness descriptor. On Linux the
  kernel also kills a worker whose fork server dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)``).
- **A prompt stop**: workers ignore SIGINT (Ctrl-C reaches the whole process group; the parent
  decides). When the caller's loop ends with an exception (KeyboardInterrupt, the CLI's SIGTERM
  exit, an error) queued items are cancelled and the workers killed at once, instead of waiting
  for every submitted item. Callers keep their state resumable (the ledger): work a killed worker
  had not reported is simply done again by the next run.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.connection import Connection

T = TypeVar("T")


def default_workers(cgroup_cpu_max: Path = Path("/sys/fs/cgroup/cpu.max")) -> int:
    """Worker processes when --workers is not given: the CPUs this process may run on (its
    affinity, not the host's count) and, in a container with a CPU quota (cgroup v2 ``cpu.max``),
    no more than the quota allows. ``os.cpu_count()`` alone reports the host's cores, so a CI job
    limited to 2 CPUs on a 64-core host would start 64 processes."""
    count = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        quota, period = cgroup_cpu_max.read_text().split()[:2]
        if quota != "max":
            count = min(count, max(1, -(-int(quota) // int(period))))  # ceiling: 1.5 CPUs -> 2
    except (OSError, ValueError):
        pass
    return max(1, count)
R = TypeVar("R")

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def start_method() -> str:
    """``forkserver`` on Linux, ``spawn`` elsewhere (macOS's default; Windows has nothing else)."""
    return "forkserver" if sys.platform.startswith("linux") else "spawn"


@contextlib.contextmanager
def imap(
    fn: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int,
    initializer: Callable[..., object],
    initargs: tuple[Any, ...] = (),
    preload: Sequence[str] = (),
    min_items: int = 2,
) -> Iterator[Iterator[R]]:
    """``fn(item)`` for each item, results in item order, in ``workers`` processes, each set up
    once with ``initializer(*initargs)``. Items are read lazily and at most ``3 * workers`` are in
    flight, so memory stays flat for any number of items. With ``workers <= 1`` or fewer than
    ``min_items`` items, everything runs in this process (``initializer`` included).

    Use as ``with imap(...) as results: for r in results: ...``: leaving the block early by an
    exception cancels what is queued and kills the workers.

    ``fn``, ``initializer`` and ``initargs`` must be picklable (module-level functions).
    Exceptions raised by ``fn`` are re-raised here, when their result is reached.
    """
    it = iter(items)
    head = list(itertools.islice(it, max(1, min_items)))
    if workers <= 1 or len(head) < min_items:
        initializer(*initargs)
        yield map(fn, itertools.chain(head, it))
        return

    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context(start_method())
    if ctx.get_start_method() == "forkserver":
        # Only the first pool of a process starts the server; later pools reuse it as it is.
        ctx.set_forkserver_preload(["__main__", __name__, *preload])
        _start_fork_server()
    parent_alive, alive_w = ctx.Pipe(duplex=False)  # alive_w stays here, open until the pool is done
    pool = ProcessPoolExecutor(workers, mp_context=ctx, initializer=_start_worker,
                               initargs=(parent_alive, initializer, initargs))
    try:
        yield _ordered(pool, fn, itertools.chain(head, it), window=3 * workers, workers=workers)
    except BaseException:
        _kill(pool)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        alive_w.close()
        parent_alive.close()


def _start_fork_server() -> None:
    """Start the fork server (if it is not running) with SIGINT blocked. Ctrl-C reaches the whole
    process group, and the server protects itself from it (ignores it) only once its preload
    imports are done: before that it printed a KeyboardInterrupt traceback under the parent's one
    line. The blocked mask is inherited across fork and exec, so a Ctrl-C stays pending in the
    server until it ignores SIGINT (and in the workers, which ignore it too); here it is only
    deferred until the server is started, then raised: never lost."""
    from multiprocessing import forkserver, resource_tracker

    # The server starts the resource tracker first, which unblocks SIGINT when it is started
    # (it protects itself the same way): start it before blocking.
    resource_tracker.ensure_running()
    with _sigint_deferred():
        if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover - not on Windows
            forkserver.ensure_running()
            return
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            forkserver.ensure_running()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """A Ctrl-C during the block is raised when it ends, not halfway through starting a process:
    a worker whose start the interrupted pool had not recorded outlived it, and died printing a
    traceback once the pool's semaphores were gone. Only the main thread handles signals."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received and previous is not signal.SIG_IGN:
            signal.raise_signal(signal.SIGINT)


def _ordered(pool: ProcessPoolExecutor, fn: Callable[[T], R], items: Iterator[T], *, window: int,
             workers: int = 0) -> Iterator[R]:
    pending: deque[Future[R]] = deque()
    for n, item in enumerate(items):
        if n < workers:  # this submit starts a worker: a Ctrl-C waits until the pool knows it
            with _sigint_deferred():
                pending.append(pool.submit(fn, item))
        else:
            pending.append(pool.submit(fn, item))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _kill(pool: ProcessPoolExecutor) -> None:
    """Stop now: cancel queued items, kill the workers (mid-item: the caller's state is
    resumable), and reap them so none outlives this call."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(ProcessLookupError, ValueError, AttributeError):
            process.kill()
    for process in processes:
        with contextlib.suppress(ValueError, AssertionError, AttributeError):
            process.join(5)


# ---------------------------------------------------------------------------------------------
# in the worker


def _start_worker(parent_alive: Connection, initializer: Callable[..., object], initargs: tuple[Any, ...]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        _set_parent_death_signal()
    threading.Thread(target=_exit_with_parent, args=(parent_alive,), name="badgekit-parent-watchdog", daemon=True).start()
    initializer(*initargs)


def _set_parent_death_signal() -> None:
    """SIGKILL this process when the process that forked it exits (Linux ``prctl``)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (ImportError, OSError, AttributeError):
        pass  # the watchdog still applies


def _exit_with_parent(parent_alive: Connection) -> None:
    """Block on the pipe only the parent holds open: end of file means it has exited, however
    it ended (nothing is ever sent)."""
    with contextlib.suppress(EOFError, OSError):
        parent_alive.recv_bytes()
    os._exit(1)  # orphaned: nobody will read our results
