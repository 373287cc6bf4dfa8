"""Map a function over work units: serially, on a bounded pool, or on any Executor."""

from __future__ import annotations

import concurrent.futures as cf
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

__all__ = ["pmap"]

T = TypeVar("T")
R = TypeVar("R")


def pmap(
    func: Callable[[T], R],
    items: Iterable[T],
    *,
    workers: int,
    executor: cf.Executor | None = None,
    pool: type[cf.ThreadPoolExecutor | cf.ProcessPoolExecutor] = cf.ThreadPoolExecutor,
) -> Iterator[R]:
    """Yield ``func(item)`` for each item, in input order.

    ``executor`` wins when given (a process pool, a Dask client's executor...);
    otherwise ``workers == 0`` runs in this process, one item after another
    (debuggable, and the reference for parallel == serial), and ``workers > 0``
    runs on a private pool of that many workers of type ``pool``.
    """
    if executor is not None:
        yield from _ordered(executor, func, items)
    elif workers == 0:
        yield from map(func, items)
    else:
        with pool(max_workers=workers) as private:
            yield from _ordered(private, func, items)


def _ordered(executor: cf.Executor, func: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
    futures = [executor.submit(func, item) for item in items]
    try:
        for future in futures:
            yield future.result()
    finally:
        for future in futures:
            future.cancel()
