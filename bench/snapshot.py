"""``rezsnap bench snapshot``: rez's enumerate + load + stringify against ``build_snapshot``."""

from __future__ import annotations

import gc
import os
import statistics
import tempfile
from collections.abc import Callable, Sequence

from rezsnap.snapshot import build_snapshot, read_snapshot

from ._timing import Comparison, compare, timed
from .parse import rez_load_all
from .rez_reference import clear_rez_caches, require_rez

__all__ = ["bench_snapshot"]


def bench_snapshot(paths: Sequence[str], *, repeat: int = 3, workers: int | None = None,
                   before_each: Callable[[], None] | None = None) -> list[Comparison]:
    """Full snapshot against rez loading every package; then, rezsnap only, a
    no-change refresh and ``read_snapshot``, as shares of the full build."""
    require_rez()
    paths = list(paths)
    with tempfile.TemporaryDirectory(prefix="rezsnap-bench-") as scratch:
        full_path = os.path.join(scratch, "full.parquet")

        def run_full() -> object:
            return build_snapshot(paths, full_path, workers=workers, progress=False)

        def run_refresh() -> object:  # in place, as cron runs it (another existing output is rebuilt)
            return build_snapshot(paths, full_path, previous=full_path, workers=workers, progress=False)

        def run_rez() -> object:
            try:
                return len(rez_load_all(paths))
            finally:  # rez's caches hold every package: do not make rezsnap's runs carry them
                clear_rez_caches()
                gc.collect()

        # The warm-up: starts the worker pool before rez fills this process's memory.
        report = build_snapshot(paths, full_path, workers=workers, progress=False)
        full = compare("snapshot (enumerate + load every package, write)", run_rez, run_full, repeat=repeat,
                       before_each=before_each)
        refreshes, fulls = [], []
        for _ in range(max(repeat, 5)):  # alternate, so that drift hits both
            refreshes.append(timed(run_refresh))
            fulls.append(timed(run_full))
        reads = [timed(lambda: read_snapshot(full_path)) for _ in range(max(repeat, 5))]
        full.details.update(
            packages=report.rows,
            sources=report.sources,
            refresh_median_s=statistics.median(refreshes),
            full_median_s=statistics.median(fulls),
            refresh_share_of_full=statistics.median(refreshes) / statistics.median(fulls),
            read_snapshot_median_s=statistics.median(reads),
            file_bytes=os.path.getsize(full_path),
        )
    return [full]
