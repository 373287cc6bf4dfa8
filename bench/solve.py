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

from ._timing import Comparison, Timing, byte_compile_rezsnap, fresh_process
from .rez_reference import isolated_rez_environ, require_rez

__all__ = ["bench_solve", "rez_solve"]


def rez_solve(requests: Sequence[str], paths: Sequence[str], package_filter: Any = None,
              package_orderers: Any = None) -> tuple[str, list[str]]:
    """rez's ``Solver`` on one request, as ``ResolvedContext`` calls it: (status, variant URIs);
    ``package_filter`` and ``package_orderers`` in rez's config forms (None: none)."""
    from rez.package_filter import PackageFilterList
    from rez.package_order import PackageOrderList
    from rez.solver import Solver
    from rez.utils.formatting import PackageRequest

    solver = Solver([PackageRequest(r) for r in requests], package_paths=list(paths),
                    package_filter=PackageFilterList.from_pod(package_filter) if package_filter else None,
                    package_orderers=PackageOrderList.from_pod(package_orderers) if package_orderers else None)
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


def _pyrer() -> Any:
    try:
        import pyrer  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        return None
    return pyrer


def _pyrer_packages(snapshot: str) -> list[tuple[str, str, list[str], list[list[str]]]]:
    from rezsnap.snapshot import read_snapshot

    return [(r["family"], r["version"], list(r["requires"] or []), [list(v) for v in r["variants"] or []])
            for r in read_snapshot(snapshot).table.to_pylist()]


def _cold_figures(snapshot: str, requests: list[list[str]], kept: Repository) -> dict[str, Any]:
    """Mean milliseconds per solve, alternating request by request: a kept ``Repository``
    (warm), a new one per solve (what a fresh process builds), ``solve(r, snapshot=path)``
    and ``solve(r, snapshot=<Snapshot>)`` in a loop, and pyrer with its package list built
    once (when installed)."""
    from rezsnap.solver import solve

    from rezsnap.snapshot import read_snapshot

    pyrer = _pyrer()
    read = read_snapshot(snapshot)
    contenders: dict[str, Any] = {
        "warm": lambda r: solve_with(kept, r),
        "new_repository": lambda r: solve_with(Repository.from_snapshot(snapshot), r),
        "path_loop": lambda r: solve(r, snapshot=snapshot),
        "snapshot_object_loop": lambda r: solve(r, snapshot=read),
    }
    if pyrer is not None:
        packages = [pyrer.PackageData(*p) for p in _pyrer_packages(snapshot)]
        contenders["pyrer"] = lambda r: pyrer.solve(r, packages)
    for request in requests[:3]:  # warm-up
        for run in contenders.values():
            run(request)
    times: dict[str, list[float]] = {name: [] for name in contenders}
    identical = 0
    for request in requests:
        statuses = []
        for name, run in contenders.items():
            start = time.perf_counter()
            result = run(request)
            times[name].append(time.perf_counter() - start)
            statuses.append((result.status, [str(v) for v in result.resolved_packages])
                            if name != "pyrer" else None)
        identical += all(s == statuses[0] for s in statuses if s is not None)
    means = {name: statistics.mean(seconds) * 1e3 for name, seconds in times.items()}
    figures: dict[str, Any] = {f"{name}_mean_ms": mean for name, mean in means.items()}
    figures.update({f"{name}_over_warm": mean / means["warm"] for name, mean in means.items() if name != "warm"},
                   cold_identical=identical)
    return figures


_FRESH_REZSNAP = """
import json, sys, time
start = time.perf_counter()
import rezsnap
snapshot, request = json.loads(sys.argv[1])
result = rezsnap.solve(request, snapshot=snapshot)
print(json.dumps([time.perf_counter() - start, result.status]))
"""
_FRESH_PYRER = """
import json, pickle, sys, time
start = time.perf_counter()
import pyrer
packages_file, request = json.loads(sys.argv[1])
with open(packages_file, "rb") as stream:
    packages = [pyrer.PackageData(*p) for p in pickle.load(stream)]
result = pyrer.solve(request, packages)
print(json.dumps([time.perf_counter() - start, result.status]))
"""


def _fresh_process_figures(snapshot: str, requests: list[list[str]], runs: int = 7) -> Comparison | None:
    """A fresh interpreter that solves one request (the benchmark's #110 when it is in the
    sample, else the sample's middle one) from the snapshot file, against pyrer unpickling
    its package list and solving, alternating; whole processes, medians of ``runs``.
    rezsnap's modules are byte-compiled first, as a pip install leaves them."""
    import pickle

    pyrer = _pyrer()
    if pyrer is None:
        return None
    byte_compile_rezsnap()
    request = next((r for r in requests if r == _REQUEST_110), requests[len(requests) // 2])
    packages_file = snapshot + ".pyrer.pickle"
    with open(packages_file, "wb") as stream:
        pickle.dump(_pyrer_packages(snapshot), stream)
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(fresh_process(_FRESH_REZSNAP, [snapshot, request], env=os.environ.copy())[0])
        theirs.append(fresh_process(_FRESH_PYRER, [packages_file, request], env=os.environ.copy())[0])
    comparison = Comparison(f"fresh process: import, read the packages, solve one request ({len(request)} "
                            "requirements); 'rez' here is pyrer 1.0.0rc3 unpickling its package list",
                            Timing("pyrer", tuple(theirs)), Timing("rezsnap", tuple(ours)))
    comparison.details.update(request=request, runs=runs, peer="pyrer")
    return comparison


_REQUEST_110 = ["~diam==linux", "~understatement==x86_64", "~aftershave==CentOS-7", "increase-0"]


def _hint_figures(snapshot: str, requests: list[list[str]]) -> dict[str, int]:
    """The packages a ``load_family`` callback hands over per solve, with and without the
    ``version_range`` hint (a callback that honours it), and whether the resolves agree."""
    from rezsnap.solver import solve

    from .callbacks import RangedFamilies

    families = RangedFamilies.from_snapshot(snapshot)
    identical = 0
    for request in requests:
        a, b = solve(request, load_family=families.hinted), solve(request, load_family=families.whole)
        identical += (a.status, a.resolved, a.failure_description) == (b.status, b.resolved, b.failure_description)
    return {"packages_handed_with_hint": families.handed["hinted"],
            "packages_handed_without_hint": families.handed["whole"],
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
        comparison.details.update(_cold_figures(snapshot, requests, repository))
        results = [comparison]
        fresh = _fresh_process_figures(snapshot, requests)
        if fresh is not None:
            results.append(fresh)
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
