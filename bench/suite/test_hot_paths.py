"""pytest-benchmark suite for the hot functions (not part of the default test run).

Run: ``python -m pytest bench/suite --benchmark-only`` (add ``--benchmark-json FILE`` to
keep the figures, ``--benchmark-compare`` to compare with a saved run). The data is a
synthetic studio of 2,000 package versions, generated once per session: no rez needed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rezsnap.datasets import SyntheticStudio, synthetic_studio
from rezsnap.parser import parse_static_package_py
from rezsnap.solver import Repository, solve_with

from rezsnap import build_snapshot, read_snapshot
from rezsnap.version import Version, VersionRange


@pytest.fixture(scope="session")
def studio(tmp_path_factory: pytest.TempPathFactory) -> tuple[SyntheticStudio, Path]:
    root = tmp_path_factory.mktemp("studio")
    generated = synthetic_studio(root / "packages", packages=2_000, seed=5)
    snapshot = root / "snapshot.parquet"
    build_snapshot([str(generated.path)], snapshot, progress=False)
    return generated, snapshot


def test_version_sort_key(benchmark: Any, studio: tuple[SyntheticStudio, Path]) -> None:
    texts = [p.version for p in studio[0].packages]

    def keys() -> list[Any]:
        return [Version(t).key for t in texts]  # a new Version each time: parse + key

    assert len(benchmark(keys)) == len(texts)


def test_range_lookup_in_a_sorted_family(benchmark: Any) -> None:
    keys = sorted(Version(f"{a}.{b}.{c}").packed_key for a in range(10) for b in range(10) for c in range(10))
    ranges = [VersionRange(text) for text in ("3+<7", "2.5", "==4.4.4", "1|5+<5.5|8", "<2.1", "")]

    def lookups() -> int:
        return sum(len(r.positions_in(keys)) for r in ranges)

    assert benchmark(lookups) > 0


def test_parse_one_package_py(benchmark: Any, studio: tuple[SyntheticStudio, Path]) -> None:
    sources = [p.read_text() for p in sorted(studio[0].path.glob("*/*/package.py"))]
    source = max((s for s in sources if parse_static_package_py(s) is not None), key=len)
    assert benchmark(parse_static_package_py, source) is not None


def test_solve_one_request(benchmark: Any, studio: tuple[SyntheticStudio, Path]) -> None:
    generated, snapshot = studio
    repository = Repository.from_snapshot(snapshot)
    request = max(generated.requests, key=len)
    solve_with(repository, request)  # families built once; the benchmark times the solve
    assert benchmark(solve_with, repository, request).status == "solved"


def test_read_snapshot(benchmark: Any, studio: tuple[SyntheticStudio, Path]) -> None:
    assert benchmark(read_snapshot, studio[1]).table.num_rows == 2_000
