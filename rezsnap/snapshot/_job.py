"""``build_snapshot``: the nightly job. Check the package paths; keep the previous snapshot
when the repository is in the state its walk saw (``_unchanged.py``: no walk, and none of the
walk's or the writer's modules imported); else walk them, then keep the previous snapshot
when the walk lists the same, or load and write a new one (``_build.py``)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING, Literal

from rezsnap._gc import gc_paused
from rezsnap.scanner._paths import PathArg, normalise_paths

from ._atomic import remove_stale_temporaries
from ._errors import SnapshotError
from ._guards import MAX_DROP, Guard, check_package_paths
from ._report import SnapshotReport
from ._unchanged import ObservedState, keep_observed, keep_unchanged, walk_fingerprint

if TYPE_CHECKING:  # a refresh that keeps the previous snapshot imports no pool
    from concurrent.futures import Executor

__all__ = ["build_snapshot"]

def build_snapshot(
    paths: PathArg | Sequence[PathArg],
    output: PathArg,
    *,
    previous: PathArg | None = None,
    workers: int | None = None,
    executor: Executor | None = None,
    progress: bool | Literal["always"] = True,
    exec_fallback: bool = True,
    force: bool = False,
    max_drop: float = MAX_DROP,
) -> SnapshotReport:
    """Scan and load every package of ``paths`` into the Parquet snapshot ``output``.

    - ``previous``: a snapshot to refresh from: rows whose definition file has
      the same URI, ``mtime_ns``, size and ``ctime_ns`` are reused without reading the
      file (the result equals a full rebuild). It may be ``output`` itself. When nothing
      changed since ``previous`` was built (the repository observed as its build observed
      it, without a walk; or else the walk lists the same), ``previous`` is kept as it is
      (copied when ``output`` is another, new, file) and ``report.unchanged`` is True.
    - ``workers``: ``0`` runs serially in this process, ``N`` on N processes;
      ``None`` picks (the shared process pool for a big repository).
      ``executor`` runs every task on any ``concurrent.futures.Executor``
      (a process pool, a Dask client's ``get_executor()``) instead.
    - ``progress``: a progress bar on stderr when it is a terminal (``True``),
      always (``"always"``) or never (``False``).
    - ``exec_fallback``: let rez's loader (which executes package code) load
      the files the static reader declines; off, they are ``source="error"`` rows.

    Called from a process that has pandas installed but not imported (pyarrow would import
    it, 250-340 ms), a build that writes runs in a child interpreter of rezsnap's own, as the
    command line does, and its report or exception comes back here; not with ``workers=0``
    or an ``executor``, which run in this process.

    - ``force``: write even when a package path is empty, or when the new snapshot
      would have fewer than ``1 - max_drop`` of the rows of the snapshot it replaces
      (an unmounted share, a typo: without it, both fail the build).

    ``output`` is replaced atomically: an interrupted or failed run leaves the
    previous file as it was and raises ``SnapshotError`` (or ``KeyboardInterrupt``).
    A package path that is missing, not a directory or unreadable always fails the build.
    """
    if workers is not None and workers < 0:
        raise ValueError(f"workers must be >= 0, not {workers}")
    if not 0.0 <= max_drop <= 1.0:
        raise ValueError(f"max_drop must be between 0 and 1, not {max_drop}")
    guard = Guard(force, max_drop)
    child: dict[str, object] | None = None
    if executor is None and workers != 0:
        from ._child import imports_ahead

        if imports_ahead():
            child = {"paths": paths, "output": output, "previous": previous, "workers": workers,
                     "progress": progress, "exec_fallback": exec_fallback, "force": force, "max_drop": max_drop}
    with gc_paused():
        return _run(paths, output, previous, workers, executor, progress, exec_fallback, guard, child)


def _run(
    paths: PathArg | Sequence[PathArg],
    output: PathArg,
    previous: PathArg | None,
    workers: int | None,
    executor: Executor | None,
    progress: bool | Literal["always"],
    exec_fallback: bool,
    guard: Guard,
    child: dict[str, object] | None = None,
) -> SnapshotReport:
    """``child``: where the build is to write, it runs in a child interpreter with these
    arguments (``_child.py``: the caller's process would import pandas through pyarrow)."""
    started = time.perf_counter()
    package_paths = normalise_paths(paths)
    check_package_paths(package_paths, guard)
    options = {"exec_fallback": bool(exec_fallback)}
    report = SnapshotReport(os.path.abspath(os.fspath(output)), package_paths)
    remove_stale_temporaries(report.output)
    if previous is None and child is not None:  # a full build writes for sure
        return _built_in_child(child)
    try:
        # a refresh compares the observation first; a full build observes while it imports its writer
        state = ObservedState(package_paths, options, in_background=previous is None)
        if previous is None:
            # A full build writes for sure: import the writer (pyarrow) before the walk starts the
            # shared pool, so that its workers are forked with it instead of each importing it.
            from . import _build  # noqa: F401
        else:
            report.previous = os.fspath(previous)
            if keep_observed(report.previous, report.output, state, report):
                report.seconds["check"] = report.seconds["total"] = time.perf_counter() - started
                return report
            if child is not None:  # something changed: the child walks, and writes if it must
                return _built_in_child(child)
        _walk_and_write(package_paths, options, state, workers, executor, progress, guard, report, started)
    except SnapshotError:
        raise
    except Exception as exc:  # a failed task or write: say so, keep the previous file
        if _is_broken_pool(exc):
            raise SnapshotError(
                f"a worker process died while building the snapshot ({exc}); nothing was written "
                f"and {report.output} is unchanged"
            ) from exc
        raise SnapshotError(
            f"building the snapshot failed ({type(exc).__name__}: {exc}); nothing was written "
            f"and {report.output} is unchanged"
        ) from exc
    report.seconds["total"] = time.perf_counter() - started
    return report


def _walk_and_write(package_paths: list[str], options: dict[str, bool], state: ObservedState,
                    workers: int | None, executor: Executor | None, progress: bool | Literal["always"],
                    guard: Guard, report: SnapshotReport, started: float) -> None:
    from datetime import datetime, timezone

    from rezsnap._pool import process_pool
    from rezsnap.scanner import scan_repo

    # Taken before the walk: the snapshot shows the repository as it was then, or later.
    created = datetime.now(timezone.utc).isoformat(timespec="microseconds")
    state.digest()  # the observation ends before the walk reads anything
    with ExitStack() as stack:
        pool = executor
        if executor is None and workers:
            pool = stack.enter_context(process_pool(workers))
        scanned = scan_repo(package_paths, workers=0 if workers == 0 else None, executor=pool, stamps=True)
        report.seconds["scan"] = time.perf_counter() - started
        fingerprint = walk_fingerprint(package_paths, options, scanned, scanned.problems)
        deciding = time.perf_counter()
        if report.previous is not None and keep_unchanged(report.previous, report.output, fingerprint, state,
                                                          report):
            report.seconds["check"] = time.perf_counter() - deciding
            return
        from ._build import write_snapshot  # pyarrow: only when something is to be written

        write_snapshot(scanned, package_paths, created, options, fingerprint, state, report.previous, pool,
                       executor is None and workers is None, progress, guard, report)
        report.seconds["load+write"] = time.perf_counter() - deciding


def _built_in_child(arguments: dict[str, object]) -> SnapshotReport:
    from ._child import build_in_child

    return build_in_child(arguments)


def _is_broken_pool(exc: BaseException) -> bool:
    process = sys.modules.get("concurrent.futures.process")  # not imported: no process pool ran
    return process is not None and isinstance(exc, process.BrokenProcessPool)
