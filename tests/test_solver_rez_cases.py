"""rez's own solver test cases (``rez/tests/test_solver.py`` and its package data), against rez live.

Every request of every case, every permutation (up to 24), both variant select
modes (spec E items 6-25), through the ``package_paths`` source (scan + static
parse + rez's loader for dynamic files) and through a snapshot.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path
from typing import Any

import pytest
from rezsnap.solver import Repository

from rezsnap import build_snapshot

from .solver_oracle import our_result, rez_result, same

rez = pytest.importorskip("rez", reason="the rez extra is needed for differential tests")
REZ_ROOT = Path(rez.__file__).parent
PACKAGES = str(REZ_ROOT / "data" / "tests" / "solver" / "packages")


def _cases() -> list[tuple[str, ...]]:
    """The request lists of test_solver.py: every ``self._solve([...])``/``self._fail(...)`` call
    and every loop over literal request lists."""
    tree = ast.parse((REZ_ROOT / "tests" / "test_solver.py").read_text())
    found: list[tuple[str, ...]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "_solve" and node.args and isinstance(node.args[0], ast.List):
                found.append(tuple(ast.literal_eval(node.args[0])))
            elif node.func.attr == "_fail" and all(isinstance(a, ast.Constant) for a in node.args):
                found.append(tuple(ast.literal_eval(a) for a in node.args))
        elif isinstance(node, ast.For) and isinstance(node.iter, (ast.List, ast.Tuple)):
            try:
                value = ast.literal_eval(node.iter)
            except ValueError:
                continue
            found += [tuple(v) if isinstance(v, (list, tuple)) else (v,) for v in value]
    unique = list(dict.fromkeys(found))
    assert len(unique) >= 50
    return unique


CASES = _cases()


@pytest.fixture(scope="module")
def repositories(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Repository]:
    snapshot = tmp_path_factory.mktemp("solver") / "snap.parquet"
    build_snapshot([PACKAGES], snapshot, workers=0, progress=False)
    return {"paths": Repository.from_paths([PACKAGES]), "snapshot": Repository.from_snapshot(snapshot)}


@pytest.mark.parametrize("mode", ["version_priority", "intersection_priority"])
@pytest.mark.parametrize("case", CASES, ids=[" ".join(c) or "empty" for c in CASES])
def test_rez_solver_case_every_permutation(case: tuple[str, ...], mode: str, repositories: dict[str, Any]) -> None:
    for order in itertools.islice(itertools.permutations(case), 24):
        # as rez's tests call the solver (Requirement), and as rez env does (PackageRequest)
        for package_requests in (False, True):
            theirs = rez_result(order, [PACKAGES], mode, package_requests)
            for source, repository in repositories.items():
                ours = our_result(order, repository, mode, package_requests)
                assert same(ours, theirs), (source, package_requests, order, ours, theirs)
