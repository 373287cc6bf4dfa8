"""``rezsnap bench solve``: rez's solver against rezsnap's on the same requests, in one run."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Sequence
from typing import Any

from rezsnap.solver import Repository, solve_with

from rezsnap.snapshot import build_snapshot

from ._timing import Comparison, Timing, fresh_process
from .rez_reference import isolated_rez_environ, require_rez

__all__ = ["bench_solve", "rez_solve"]


def rez_solve(requests: Sequence[str], paths: Sequence[str]) -> tuple[str, list[str]]:
    """rez's ``Solver`` on one request, as ``ResolvedContext`` calls it: (status, variant URIs)."""
    from rez.solver import Solver
    from rez.utils.formatting import PackageRequest

    solver = Solver([PackageRequest(r) for r in requests], package_paths=list(paths))
    solver.solve()
    status = solver.status.name
    if status != "solved":
        return status, [solver.failure_description()]
    return status, [v.variant.uri for v in solver.resolved_packages or []]


def _rezsnap_uris(result: Any) -> tuple[str, list[str]]:
    if result.status != "solved":
        return result.status, [str(result.failure_description)]
    return result.status, [str(v.uri) for v in result.resolved_packages]


_END_TO_END = """
import json, sys, time
start = time.perf_counter()
mode, paths, snapshot, requests = json.loads(sys.argv[1])
if mode == "rez":
    from rez.resolved_context import ResolvedContext
    for r in requests:
        ResolvedContext(r, package_paths=paths, add_implicit_packages=False)
else:
    from rezsnap.solver import Repository, solve_with
    repository = Repository.from_snapshot(snapshot)
    for r in requests:
        solve_with(repository, r)
print(json.dumps(time.perf_counter() - start))
"""


def _end_to_end(mode: str, paths: Sequence[str], snapshot: str, requests: list[list[str]]) -> float:
    """Seconds of a fresh process that loads what it needs and solves ``requests``."""
    _, seconds = fresh_process(_END_TO_END, [mode, list(paths), snapshot, requests], env=isolated_rez_environ())
    return float(seconds)


def _hint_figures(snapshot: str, requests: list[list[str]]) -> dict[str, int]:
    """The packages a ``load_family`` callback hands over per solve, with and without the
    ``version_range`` hint (a callback that honours it), and whether the resolves agree."""
    from rezsnap.solver import solve

    from rezsnap.model import PackageData
    from rezsnap.snapshot import read_snapshot
    from rezsnap.version import Version, VersionRange

    by_family: dict[str, list[tuple[Version, PackageData]]] = {}
    for row in read_snapshot(snapshot).table.to_pylist():
        data = PackageData.from_strings(row["family"], row["version"], row["requires"], row["variants"],
                                        row["timestamp"])
        by_family.setdefault(data.name, []).append((Version(data.version), data))
    handed = {"with": 0, "without": 0}

    def hinted(name: str, version_range: str | None = None) -> list[PackageData]:
        wanted = None if version_range is None else VersionRange(version_range)
        found = [d for v, d in by_family.get(name, []) if wanted is None or wanted.contains_version(v)]
        handed["with"] += len(found)
        return found

    def whole(name: str) -> list[PackageData]:
        found = [d for _, d in by_family.get(name, [])]
        handed["without"] += len(found)
        return found

    identical = 0
    for request in requests:
        a, b = solve(request, load_family=hinted), solve(request, load_family=whole)
        identical += (a.status, a.resolved, a.failure_description) == (b.status, b.resolved, b.failure_description)
    return {"packages_handed_with_hint": handed["with"], "packages_handed_without_hint": handed["without"],
            "hint_identical": identical}


def bench_solve(
    paths: Sequence[str], requests: list[list[str]], *, end_to_end: int = 5
) -> list[Comparison]:
    """Per request: rez's solver (packages already loaded in-process, as in a warm
    ``rez env``) and rezsnap's (families already loaded from the snapshot), alternating."""
    require_rez()
    paths = list(paths)
    with tempfile.TemporaryDirectory(prefix="rezsnap-bench-") as scratch:
        snapshot = os.path.join(scratch, "snapshot.parquet")
        build_snapshot(paths, snapshot, progress=False)
        repository = Repository.from_snapshot(snapshot)
        for request in requests:  # warm-up: rez loads and caches every package it touches
            rez_solve(request, paths)
            solve_with(repository, request)
        rez_times, ours, mismatches = [], [], []
        for request in requests:
            start = time.perf_counter()
            theirs = rez_solve(request, paths)
            rez_times.append(time.perf_counter() - start)
            start = time.perf_counter()
            result = solve_with(repository, request)
            ours.append(time.perf_counter() - start)
            if _rezsnap_uris(result) != theirs:
                mismatches.append(request)
        comparison = Comparison("solve (per request, warm)", Timing("rez", tuple(rez_times)),
                                Timing("rezsnap", tuple(ours)))
        comparison.details.update(
            requests=len(requests),
            identical=len(requests) - len(mismatches),
            mismatches=mismatches[:5],
            rez_mean_ms=statistics.mean(rez_times) * 1e3,
            rezsnap_mean_ms=statistics.mean(ours) * 1e3,
            mean_ratio=statistics.mean(rez_times) / statistics.mean(ours),
        )
        comparison.details.update(_hint_figures(snapshot, requests))
        results = [comparison]
        if end_to_end:
            sample = requests[:end_to_end]
            rez_e2e = _end_to_end("rez", paths, snapshot, sample)
            ours_e2e = _end_to_end("rezsnap", paths, snapshot, sample)
            results.append(Comparison(
                f"end to end, cold process ({len(sample)} requests: rez enumerate + load + solve; "
                "rezsnap read snapshot + solve)",
                Timing("rez", (rez_e2e,)), Timing("rezsnap", (ours_e2e,)),
            ))
    return results
