"""The failure graph of a failed solve that rezsnap answers for rez: drawn by rez's own
``_ResolvePhase.get_graph`` from rezsnap's failed phase (``rezsnap.rez._graph``), it must be
the graph rez's solver returns (``rez context --print-graph`` of a saved failed context)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("rez", reason="the rez extra is needed for differential tests")

from rezsnap.solver import Repository, solve_with

from rezsnap.rez._graph import rez_graph

from .test_solver_random import _repository, _requirement


def _graphs(requests: list[str], paths: list[str], repository: Repository) -> tuple[Any, Any] | None:
    """(rez's graph, rezsnap's) of a request both fail with the same description; else None."""
    from rez.solver import Solver
    from rez.utils.graph_utils import write_compacted
    from rez.version import Requirement

    try:
        solver = Solver([Requirement(r) for r in requests], package_paths=paths, prune_unfailed=True)
        solver.solve()
    except Exception:  # noqa: BLE001  rez aborts: no graph
        return None
    ours = solve_with(repository, requests, validate_names=False, graph=True)
    if solver.status.name != "failed" or ours.status != "failed":
        return None
    if solver.failure_description() != ours.failure_description:
        return None  # a reduction listed in another set order, or another of several cycles
    assert ours.graph is not None
    drawn = rez_graph(ours.graph, [Requirement(r) for r in requests])
    return write_compacted(solver.get_graph()), write_compacted(drawn)


def test_failure_graphs_equal_rez_on_the_benchmark_and_a_studio(rez_bench: tuple[Any, Path],
                                                                 studio_with_snapshot: Any) -> None:
    dataset, _ = rez_bench
    studio, _ = studio_with_snapshot(1_500, 4)
    compared = 0
    for paths, requests in (([str(dataset.path)], [r["request"] for r in dataset.resolves if r["status"] != "success"]),
                            ([str(studio.path)], studio.failing_requests)):
        repository = Repository.from_paths(paths)
        for request in requests:
            found = _graphs(request, paths, repository)
            assert found is not None, request
            assert found[1] == found[0], request
            compared += 1
    assert compared >= 5


def test_failure_graphs_equal_rez_on_random_repositories(tmp_path: Path) -> None:
    rng = random.Random(20261206)
    compared = 0
    for index in range(30):
        root = tmp_path / f"repo{index}"
        names = _repository(rng, root)
        repository = Repository.from_paths([str(root)])
        for _ in range(15):
            requests = [_requirement(rng, names) for _ in range(rng.randint(1, 3))]
            found = _graphs(requests, [str(root)], repository)
            if found is not None:
                assert found[1] == found[0], (str(root), requests)
                compared += 1
    assert compared >= 40, compared
