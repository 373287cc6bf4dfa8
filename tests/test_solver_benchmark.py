"""The 188 requests of rez's benchmark against rez 3.4.0's recorded resolves (spec D.15, E.31).

Same status, same **ordered** list of variant URIs, same failure text. The
recorded file is regenerated with ``python -m rezsnap.datasets.record_resolves``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rezsnap.solver import Repository, solve, solve_many


def _relative(result: Any, root: str) -> list[str]:
    return [v.uri[len(root) + 1 :] for v in result.resolved_packages]


def test_all_188_benchmark_resolves_equal_rez(rez_bench: tuple[Any, Path]) -> None:
    dataset, snapshot = rez_bench
    repository = Repository.from_snapshot(snapshot)
    results = solve_many([r["request"] for r in dataset.resolves], repository)
    assert len(results) == 188
    for recorded, result in zip(dataset.resolves, results):
        if recorded["status"] == "success":
            assert result.status == "solved", recorded["request"]
            assert _relative(result, str(dataset.path)) == recorded["resolved_packages"], recorded["request"]
        else:
            assert result.status == "failed", recorded["request"]
            assert result.failure_description == recorded["failure"]


def test_sources_agree_and_load_family_is_called_once_per_touched_family(rez_bench: tuple[Any, Path]) -> None:
    from rezsnap import read_snapshot
    from rezsnap.model import PackageData

    dataset, snapshot = rez_bench
    rows = read_snapshot(snapshot).table.to_pylist()
    packages = [PackageData.from_strings(r["family"], r["version"], r["requires"], r["variants"], r["timestamp"])
                for r in rows]
    by_family: dict[str, list[PackageData]] = {}
    for package in packages:
        by_family.setdefault(package.name, []).append(package)
    calls: list[str] = []

    def load_family(name: str) -> list[PackageData]:
        calls.append(name)
        return by_family.get(name, [])

    for recorded in dataset.resolves[::15]:
        request = recorded["request"]
        calls.clear()
        reference = solve(request, snapshot=snapshot)
        via_paths = solve(request, package_paths=[str(dataset.path)])
        via_packages = solve(request, packages)
        via_callback = solve(request, load_family=load_family)
        assert len(calls) == len(set(calls))  # once per family
        assert set(calls) <= set(by_family) | {r.lstrip("~!").split("=")[0].split("-")[0] for r in request}
        if reference.status == "solved":
            assert {v.name for v in reference.resolved_packages} <= set(calls)
            assert len(calls) < len(by_family) / 2  # only what the solve touches
        for other in (via_paths, via_packages, via_callback):
            assert other.status == reference.status
            assert other.resolved == reference.resolved
            assert other.failure_description == reference.failure_description
        assert [v.uri for v in via_paths.resolved_packages] == [v.uri for v in reference.resolved_packages]


def test_timestamp_filter_matches_rez(rez_bench: tuple[Any, Path]) -> None:
    rez = pytest.importorskip("rez")
    from rez.resolved_context import ResolvedContext

    del rez
    dataset, snapshot = rez_bench
    repository = Repository.from_snapshot(snapshot)
    for recorded, moment in zip(dataset.resolves[3:60:12], (1600130000, 1600130500, 1600200000, 1600131000, 1600140000)):
        request = recorded["request"]
        try:
            context = ResolvedContext(request, package_paths=[str(dataset.path)], add_implicit_packages=False,
                                      timestamp=moment)
            theirs = ("solved" if context.success else "failed",
                      [v.qualified_name for v in context.resolved_packages or []])
        except Exception:  # noqa: BLE001  rez raises (e.g. nothing old enough): ours must say error
            theirs = ("error", [])
        ours = solve(request, snapshot=repository, timestamp=moment)
        assert (ours.status, [v.qualified_name for v in ours.resolved_packages]) == theirs, (request, moment)


def test_solve_many_on_a_process_pool_equals_serial(rez_bench: tuple[Any, Path]) -> None:
    import concurrent.futures as cf

    from rezsnap._pool import fork_context

    dataset, snapshot = rez_bench
    requests = [r["request"] for r in dataset.resolves[::9]]
    serial = solve_many(requests, snapshot)
    with cf.ProcessPoolExecutor(2, mp_context=fork_context()) as pool:
        from_path = solve_many(requests, str(snapshot), executor=pool)
    with cf.ThreadPoolExecutor(2) as threads:
        from_repository = solve_many(requests, Repository.from_snapshot(snapshot), executor=threads)
    for results in (from_path, from_repository):
        assert [(r.status, r.resolved, r.failure_description) for r in results] == [
            (r.status, r.resolved, r.failure_description) for r in serial]


def test_threads_sharing_one_repository_see_fully_built_variants(rez_bench: tuple[Any, Path]) -> None:
    """Regression: a variant's requirements were published before its by-name index, so a
    second thread could read a half-built variant (AttributeError in a CI run)."""
    import concurrent.futures as cf
    import sys

    dataset, snapshot = rez_bench
    requests = [r["request"] for r in dataset.resolves[::9]]
    expected = [r.resolved for r in solve_many(requests, snapshot)]
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible to expose races
    try:
        for _ in range(3):
            with cf.ThreadPoolExecutor(4) as threads:
                results = solve_many(requests, Repository.from_snapshot(snapshot), executor=threads)
            assert [r.resolved for r in results] == expected
    finally:
        sys.setswitchinterval(interval)
