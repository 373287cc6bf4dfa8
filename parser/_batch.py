"""Parse many package files at once, across processes (the parse is CPU-bound)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack
from typing import Final, cast

from rezsnap._gc import gc_paused
from rezsnap._io import NETWORK_THREADS, SLOW_STAT, read_regular_file, stat_latency
from rezsnap._pool import cpu_count, pmap, process_pool, shared_process_pool
from rezsnap.model import PackageData

from ._counters import ParseCounters
from ._fallback import has_old_release_data, with_old_release_data
from ._package import analyse_package_py, read_regular_records, regular_data
from ._regular import COMPILED, RegularFields

__all__ = ["parse_static_packages_py"]

#: Files per task: big enough to amortise the transfer, small enough to balance.
FILES_PER_UNIT: Final = 256
#: Below this many files a process pool costs more than it saves.
MIN_FILES_FOR_PROCESSES: Final = 2000


def _parse_unit(paths: list[str]) -> tuple[list[PackageData | None], ParseCounters]:
    """Task: parse a batch of files (runs in a worker): the compiled reader's files first
    (when it is installed), the others in Python."""
    counters = ParseCounters()
    results: list[PackageData | None] = []
    others: list[int] = []
    _convert([paths], [read_regular_records(paths)], results, others, counters)
    counters.files_seen += len(paths) - len(others)
    if others:
        rest, met = _parse_in_python([paths[i] for i in others])
        for position, parsed in zip(others, rest):
            results[position] = parsed
        counters.add(met)
    return results, counters


def _parse_in_python(paths: list[str]) -> tuple[list[PackageData | None], ParseCounters]:
    """Task: parse a batch of files with the Python readers (the compiled one declined them,
    or is not installed)."""
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


def _compiled_first(names: list[str], counters: ParseCounters) -> list[PackageData | None]:
    """The automatic batch with the compiled reader: threads read and recognise the files in
    rez's plain layout (it lets go of the GIL, so they overlap), this thread turns their
    value texts into data as they come; the other files go to ``_parse_in_python``."""
    units = [names[i : i + FILES_PER_UNIT] for i in range(0, len(names), FILES_PER_UNIT)]
    results: list[PackageData | None] = []
    others: list[int] = []  # positions of the files the compiled reader left to Python
    readers = 0  # one unit: read it here
    if len(units) > 1:  # on a network file system each read waits on latency: many in flight
        readers = min(NETWORK_THREADS if stat_latency(names) > SLOW_STAT else cpu_count(), len(units))
    with gc_paused():  # the records hold no cycles
        _convert(units, pmap(read_regular_records, units, workers=readers), results, others, counters)
    counters.files_seen += len(names) - len(others)
    if others:
        rest = _parse_units([names[i] for i in others], None, None, counters, _parse_in_python)
        for position, parsed in zip(others, rest):
            results[position] = parsed
    return results


def _convert(units: list[list[str]], reads: Iterable[list[PackageData | RegularFields | None]],
             results: list[PackageData | None], others: list[int], counters: ParseCounters) -> None:
    """The compiled reader's records and fields to records, and the positions it left to Python."""
    for unit, read in zip(units, reads):
        for name, found in zip(unit, read):
            if found is None or not name.endswith(".py"):
                others.append(len(results))
                results.append(None)
                continue
            data = found if found.__class__ is PackageData else regular_data(cast(RegularFields, found))
            if isinstance(data, str):  # why rez rejects the file
                counters.errors += 1
                results.append(None)
            elif data.timestamp is None and has_old_release_data(name):
                counters.dynamic += 1  # rez merges old release data: its loader's to read
                results.append(None)
            else:
                counters.static += 1
                results.append(data)


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
    processes, ``executor`` runs the tasks on any Executor. ``workers=None`` lets
    the compiled reader (when installed) read the files in rez's plain layout on
    threads, then parses the others on the shared process pool for big batches
    (in this process for small ones).
    Pass a ``ParseCounters`` to read the hit rate afterwards.
    """
    names = [os.fspath(p) for p in paths]
    total = counters if counters is not None else ParseCounters()
    automatic = executor is None and workers is None
    if automatic and COMPILED:
        return _compiled_first(names, total)
    return _parse_units(names, workers, executor, total)


def _parse_units(
    names: list[str], workers: int | None, executor: Executor | None, total: ParseCounters,
    task: Callable[[list[str]], tuple[list[PackageData | None], ParseCounters]] = _parse_unit,
) -> list[PackageData | None]:
    """``parse_static_packages_py`` with ``task`` on every unit of files."""
    automatic = executor is None and workers is None
    units = [names[i : i + FILES_PER_UNIT] for i in range(0, len(names), FILES_PER_UNIT)]
    results: list[PackageData | None] = []
    with ExitStack() as stack:
        if automatic:
            if len(names) >= MIN_FILES_FOR_PROCESSES and cpu_count() > 1:
                executor = shared_process_pool()
        elif executor is None and workers:
            executor = stack.enter_context(process_pool(workers))
        try:
            for found, met in pmap(task, units, workers=0, executor=executor):
                results += found
                total.add(met)
        except (BrokenProcessPool, OSError):
            if not automatic:
                raise
            # the automatic pool could not run (no more processes...): parse here
            results, fresh = [], ParseCounters()
            for found, met in map(task, units):
                results += found
                fresh.add(met)
            total.add(fresh)
    return results
