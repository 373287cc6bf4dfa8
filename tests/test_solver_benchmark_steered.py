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

from .solver_oracle import rez_result


def test_steered_benchmark_resolves_equal_rez(rez_bench: tuple[Any, Path]) -> None:
    dataset, snapshot = rez_bench
    filters, orderers = typical_steering(snapshot)
    requests = [r["request"] for r in dataset.resolves]
    ours = solve_many(requests, Repository.from_snapshot(snapshot), package_filter=filters, package_orderers=orderers)
    plain = solve_many(requests, Repository.from_snapshot(snapshot))
    changed = 0
    for request, result, unsteered in zip(requests, ours, plain):
        theirs = rez_result(request, [str(dataset.path)], "version_priority", package_filter=filters,
                            package_orderers=orderers)
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
