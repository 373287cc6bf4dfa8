"""Parse many package files at once, across processes (the parse is CPU-bound)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from typing import Final

from rezsnap._io import read_regular_file
from rezsnap._pool import cpu_count, pmap, process_pool, shared_process_pool
from rezsnap.model import PackageData

from ._counters import ParseCounters
from ._fallback import with_old_release_data
from ._package import analyse_package_py

__all__ = ["parse_static_packages_py"]

#: Files per task: big enough to amortise the transfer, small enough to balance.
FILES_PER_UNIT: Final = 256
#: Below this many files a process pool costs more than it saves.
MIN_FILES_FOR_PROCESSES: Final = 2000


def _parse_unit(paths: list[str]) -> tuple[list[PackageData | None], ParseCounters]:
    """Task: parse a batch of files (runs in a worker)."""
    counters = ParseCounters()
    results: list[PackageData | None] = []
    for path in paths:
        counters.files_seen += 1
        if not path.endswith(".py"):
            counters.not_python += 1
            results.append(None)
            continue
        try:
            source = read_regular_file(path)
        except OSError:
            counters.io_errors += 1
            results.append(None)
            continue
        outcome = with_old_release_data(analyse_package_py(source), path)
        counters.count(outcome.status)
        results.append(outcome.data)
    return results, counters


def parse_static_packages_py(
    paths: Sequence[str | os.PathLike[str]],
    *,
    workers: int | None = None,
    executor: Executor | None = None,
    counters: ParseCounters | None = None,
) -> list[PackageData | None]:
    """``parse_static_package_py`` for many files, aligned with ``paths``.

    A missing, unreadable, non-UTF-8 (without a coding cookie), dynamic or
    non-``.py`` file gives ``None`` at its index; no exception escapes for file
    content. ``workers=0`` parses in this process, ``workers=N`` on N fresh
    processes, ``workers=None`` on the shared process pool for big batches (in
    this process for small ones); ``executor`` runs the tasks on any Executor.
    Pass a ``ParseCounters`` to read the hit rate afterwards.
    """
    names = [os.fspath(p) for p in paths]
    units = [names[i : i + FILES_PER_UNIT] for i in range(0, len(names), FILES_PER_UNIT)]
    total = counters if counters is not None else ParseCounters()
    results: list[PackageData | None] = []
    automatic = executor is None and workers is None
    with ExitStack() as stack:
        if automatic:
            if len(names) >= MIN_FILES_FOR_PROCESSES and cpu_count() > 1:
                executor = shared_process_pool()
        elif executor is None and workers:
            executor = stack.enter_context(process_pool(workers))
        try:
            for found, met in pmap(_parse_unit, units, workers=0, executor=executor):
                results += found
                total.add(met)
        except (BrokenProcessPool, OSError):
            if not automatic:
                raise
            # the automatic pool could not run (no more processes...): parse here
            results, fresh = [], ParseCounters()
            for found, met in map(_parse_unit, units):
                results += found
                fresh.add(met)
            total.add(fresh)
    return results
