"""``rezsnap bench scan``: rez's enumeration against ``scan_repo`` on the same tree."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rezsnap.scanner import scan_repo

from ._timing import Comparison, compare
from .rez_reference import RezRow, clear_rez_caches, require_rez, rez_enumerate

__all__ = ["bench_scan"]


def bench_scan(
    paths: Sequence[str],
    *,
    repeat: int = 5,
    workers: int | None = None,
    before_each: Callable[[], None] | None = None,
) -> Comparison:
    """Time rez's ``iter_package_families`` + ``iter_packages`` (with each package's
    definition path, which ``scan_repo`` also returns) against ``scan_repo``."""
    require_rez()
    paths = list(paths)

    def run_rez() -> list[RezRow]:
        clear_rez_caches()  # a fresh repository object: no listing is reused
        return rez_enumerate(paths)

    def run_rezsnap() -> object:
        return scan_repo(paths, workers=workers)

    rez_count = len(run_rez())
    ours = scan_repo(paths, workers=workers)
    comparison = compare("scan", run_rez, run_rezsnap, repeat=repeat, before_each=before_each)
    comparison.details.update(
        packages_rez=rez_count, packages_rezsnap=len(ours), problems=len(ours.problems),
        workers=workers, paths=paths,
    )
    return comparison
