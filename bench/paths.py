"""``rezsnap bench paths``: solves straight from package paths (no snapshot), rez against rezsnap.

What a tool that solves without a snapshot pays: rez's ``Solver`` lists the
families it touches and loads the versions in the ranges it asks for;
``solve(..., package_paths=...)`` does the same through rezsnap's scanner and
static reader. Each request runs in turn on both, alternating, with rez's caches
cleared and a new rezsnap repository, so every file is listed and read again.
The files read are counted on both sides (rez: its package-load callback).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from rezsnap.solver import Repository, solve_with

from ._timing import Comparison, Timing
from .rez_reference import clear_rez_caches, require_rez

__all__ = ["bench_paths"]


def _rez(request: list[str], paths: list[str]) -> tuple[float, int, str]:
    from rez.solver import Solver
    from rez.utils.formatting import PackageRequest

    loaded: list[Any] = []
    clear_rez_caches()
    start = time.perf_counter()
    solver = Solver([PackageRequest(r) for r in request], package_paths=paths,
                    package_load_callback=loaded.append)
    solver.solve()
    status = solver.status.name
    resolved = [str(v) for v in solver.resolved_packages or []] if status == "solved" else []
    return time.perf_counter() - start, len(loaded), f"{status} {resolved}"


def _ours(request: list[str], paths: list[str]) -> tuple[float, int, str]:
    start = time.perf_counter()
    repository = Repository.from_paths(paths)
    result = solve_with(repository, request)
    seconds = time.perf_counter() - start
    resolved = [v.qualified_name for v in result.resolved_packages] if result.status == "solved" else []
    return seconds, repository.packages_loaded, f"{result.status} {resolved}"


def bench_paths(paths: Sequence[str], requests: list[list[str]]) -> list[Comparison]:
    require_rez()
    paths = list(paths)
    rez_seconds, our_seconds, rez_files, our_files, differ = [], [], 0, 0, []
    for request in requests:
        seconds, files, theirs = _rez(request, paths)
        rez_seconds.append(seconds)
        rez_files += files
        seconds, files, ours = _ours(request, paths)
        our_seconds.append(seconds)
        our_files += files
        if ours != theirs:
            differ.append(request)
    comparison = Comparison(f"solve from package paths, per request ({len(requests)} requests, caches cleared)",
                            Timing("rez", tuple(rez_seconds)), Timing("rezsnap", tuple(our_seconds)))
    comparison.details.update(requests=len(requests), identical=len(requests) - len(differ),
                              differ=differ[:5], rez_packages_loaded=rez_files,
                              rezsnap_packages_loaded=our_files,
                              rez_total_s=sum(rez_seconds), rezsnap_total_s=sum(our_seconds))
    return [comparison]
