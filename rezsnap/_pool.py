"""Map a function over work units: serially, on a bounded pool, or on any Executor."""

from __future__ import annotations

import atexit
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

from ._unused import keep_unused_modules_out, own_process

# concurrent.futures' process pool and multiprocessing are imported when a pool starts: with
# logging, socket, pickle, tempfile and shutil they cost a process about 30 ms (measured),
# which a serial walk or a walk on threads does not need.
if TYPE_CHECKING:
    import concurrent.futures as cf
    import multiprocessing.context

__all__ = [
    "cpu_count", "fork_context", "pmap", "process_pool", "shared_process_pool", "shutdown_shared_pool", "worker_setup",
]

T = TypeVar("T")
R = TypeVar("R")


def pmap(
    func: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int,
    executor: cf.Executor | None = None,
    window: int | None = None,
) -> Iterator[R]:
    """Yield ``func(item)`` for each item, in input order.

    ``executor`` wins when given (a process pool, a Dask client's executor...);
    otherwise ``workers == 0`` runs in this process, one item after another
    (debuggable, and the reference for parallel == serial), and ``workers > 0``
    runs on a private pool of that many threads. ``window`` bounds the tasks
    in flight (and so the results held in memory); ``None`` submits them all.
    """
    if executor is not None:
        yield from _ordered(executor, func, items, window)
    elif workers == 0:
        yield from map(func, items)
    else:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=workers) as private:
            yield from _ordered(private, func, items, window)


def _ordered(
    executor: cf.Executor, func: Callable[[T], R], items: Iterable[T], window: int | None
) -> Iterator[R]:
    pending: deque[cf.Future[R]] = deque()
    source = iter(items)
    try:
        for item in source:
            pending.append(executor.submit(func, item))
            if window is not None and len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()


def cpu_count() -> int:
    """CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def fork_context() -> multiprocessing.context.BaseContext:
    """Fork where the platform can: a forkserver or spawn child re-imports the caller's
    ``__main__`` script, which breaks a pool for a script without a ``__main__`` guard."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else None)


def worker_setup() -> None:
    """Initializer of every worker process rezsnap starts: Ctrl-C is the parent's to handle
    (workers ignore SIGINT instead of printing tracebacks), a worker whose parent dies
    (SIGKILL, OOM) exits within a second instead of living on, holding pipes open, and the
    modules pyarrow would import for nothing stay out (``_unused.py``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    own_process()
    keep_unused_modules_out()
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_POLL_S)
        os._exit(1)

    threading.Thread(target=watch, name="rezsnap-parent-watch", daemon=True).start()


_PARENT_POLL_S = 0.5


def process_pool(workers: int) -> cf.ProcessPoolExecutor:
    """A process pool of ``workers`` forked workers set up by ``worker_setup``."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=fork_context(), initializer=worker_setup)


_SHARED_POOL: cf.ProcessPoolExecutor | None = None


def shared_process_pool() -> cf.ProcessPoolExecutor:
    """One process pool per process (one worker per CPU, at most 8), started on first
    use and reused by later calls.

    Starting workers costs more than a warm scan of 18,226 packages when the
    caller is a big process, so a program that scans or parses repeatedly (a
    daemon, a benchmark) pays it once. Workers are forked where the platform
    can: a forkserver or spawn child re-imports the caller's ``__main__``
    script, which breaks the pool for a script without a ``__main__`` guard.
    """
    global _SHARED_POOL
    if _SHARED_POOL is None or getattr(_SHARED_POOL, "_broken", False):
        import multiprocessing.util

        _SHARED_POOL = process_pool(min(cpu_count(), 8))
        atexit.register(_SHARED_POOL.shutdown, wait=True, cancel_futures=True)
        # A multiprocessing child runs no atexit handlers: on exit it joins its non-daemon
        # children, and the pool's workers would wait for work forever. Finalizers with an
        # exit priority run before that join (in the main process too, harmlessly); above
        # 10, the priority at which the pool's own queues close their feeder threads, or
        # the workers' stop sentinels would never be sent.
        multiprocessing.util.Finalize(
            None, _SHARED_POOL.shutdown, kwargs={"wait": True, "cancel_futures": True}, exitpriority=20
        )
    return _SHARED_POOL


def _forget_shared_pool() -> None:
    """In a forked child: the inherited pool object's workers and manager thread belong to
    the parent (submitting to it would wait forever); the child starts its own on first use."""
    global _SHARED_POOL
    _SHARED_POOL = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_shared_pool)


def shutdown_shared_pool() -> None:
    """Stop the shared pool's workers, if started (the next use starts a new pool)."""
    global _SHARED_POOL
    pool, _SHARED_POOL = _SHARED_POOL, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
