"""The benchmark's 188 requests steered as a studio steers them, against rez 3.4.0 live:
a ``glob(*.beta)`` exclusion, an ``after(T)`` exclusion at the median release time, and a
``version_split`` orderer on the most required family: the same resolves, failures and
exceptions for all 188."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("rez", reason="the rez extra is needed for differential tests")

from rezsnap.bench.steering import typical_steering
from rezsnap.solver import Repository, solve_many


def _rez(request: list[str], paths: list[str], filters: Any, orderers: Any) -> dict[str, Any]:
    from rez.config import config

    config.override("package_filter", filters)
    config.override("package_orderers", orderers)
    try:
        from rez.package_filter import PackageFilterList
        from rez.package_order import PackageOrderList
        from rez.solver import Solver
        from rez.utils.formatting import PackageRequest

        try:
            solver = Solver([PackageRequest(r) for r in request], package_paths=paths,
                            package_filter=PackageFilterList.from_pod(filters),
                            package_orderers=PackageOrderList.from_pod(orderers))
            solver.solve()
        except Exception as exc:  # noqa: BLE001
            return {"status": "error", "exception": type(exc).__name__, "message": str(exc)}
        if solver.status.name != "solved":
            return {"status": solver.status.name, "failure": solver.failure_description()}
        return {"status": "solved", "resolved": [str(v) for v in solver.resolved_packages]}
    finally:
        config.remove_override("package_filter")
        config.remove_override("package_orderers")


def test_steered_benchmark_resolves_equal_rez(rez_bench: tuple[Any, Path]) -> None:
    dataset, snapshot = rez_bench
    filters, orderers = typical_steering(snapshot)
    requests = [r["request"] for r in dataset.resolves]
    ours = solve_many(requests, Repository.from_snapshot(snapshot), package_filter=filters, package_orderers=orderers)
    plain = solve_many(requests, Repository.from_snapshot(snapshot))
    changed = 0
    for request, result, unsteered in zip(requests, ours, plain):
        theirs = _rez(request, [str(dataset.path)], filters, orderers)
        assert result.status == ("solved" if theirs["status"] == "solved" else
                                 "error" if theirs["status"] == "error" else "failed"), (request, theirs)
        if theirs["status"] == "solved":
            assert [v.qualified_name for v in result.resolved_packages] == theirs["resolved"], request
        elif theirs["status"] == "failed":
            assert result.failure_description == theirs["failure"], request
        else:
            assert theirs["exception"] in (result.failure_description or ""), request
        changed += result.resolved != unsteered.resolved or result.status != unsteered.status
    assert changed > len(requests) / 10  # the steering really changes resolves
