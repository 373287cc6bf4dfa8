"""The synthetic studio generator: deterministic, realistic, and what rez lists, loads and solves.

rez is the oracle for everything the generator claims: the tree lists as the model says
(spec E05 .ignore, E06 .building, E03 combined families, E09 unversioned), every file loads
to the model's values (dynamic ones through rez's loader), and the sample requests solve
(or fail) in rez as they do in rezsnap, with the same resolves.
"""

from __future__ import annotations

import collections
import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rezsnap.datasets import SyntheticStudio, synthetic_studio, synthetic_studio_cached
from rezsnap.solver import Repository, solve_with

from rezsnap import build_snapshot, read_snapshot


@pytest.fixture(scope="module")
def studio(studio_with_snapshot: Callable[[int, int], tuple[Any, Any]]) -> tuple[SyntheticStudio, Path]:
    return studio_with_snapshot(2_000, 3)


def _tree_digest(root: Path) -> dict[str, str]:
    found = {}
    for directory, _, files in os.walk(root):
        for name in files:
            path = Path(directory, name)
            found[str(path.relative_to(root))] = hashlib.sha1(path.read_bytes()).hexdigest()
    return found


def test_same_seed_same_tree_and_requests(tmp_path: Path) -> None:
    a = synthetic_studio(tmp_path / "a", packages=600, seed=11)
    b = synthetic_studio(tmp_path / "b", packages=600, seed=11)
    c = synthetic_studio(tmp_path / "c", packages=600, seed=12)
    assert _tree_digest(a.path) == _tree_digest(b.path) != _tree_digest(c.path)
    assert (a.packages, a.requests, a.failing_requests) == (b.packages, b.requests, b.failing_requests)


def test_refuses_a_non_empty_target_and_tiny_sizes(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("")
    with pytest.raises(FileExistsError):
        synthetic_studio(tmp_path, packages=500)
    with pytest.raises(ValueError, match="at least"):
        synthetic_studio(tmp_path / "new", packages=3)


def test_has_the_features_of_a_studio_repository(studio: tuple[SyntheticStudio, Path]) -> None:
    generated, snapshot = studio
    rows = read_snapshot(snapshot).table.to_pylist()
    assert len(generated.packages) == len(rows) == 2_000
    sizes = sorted(collections.Counter(p.name for p in generated.packages).values())
    assert sizes[-1] >= 10 * sizes[len(sizes) // 2]  # skewed: the biggest family dwarfs the median
    versions = [p.version for p in generated.packages]
    assert any(re.fullmatch(r"\d+\.\d+\.\d+", v) for v in versions)
    assert any(re.fullmatch(r"20\d\d\.\d+", v) for v in versions)
    assert any(".m" in v for v in versions) and any("-rc" in v for v in versions)
    assert "" in versions  # unversioned packages
    # as written in the files (the model holds them as rez normalises them)
    written = "".join(Path(r["path"]).read_text() for r in rows if r["path"])
    requires = [a or b for a, b in re.findall(r"'([^']*)'|\"([^\"]*)\"", written)]
    for pattern in (r"^~", r"^!", r"^\.", r"\+<", r"\.\.", r"\|", r"<=", r">=", r"==", r"^[\w]+<\d",
                    r"^[\w]+>\w", r"-[\w.]+\+$", r"^[\w]+$"):
        assert any(re.search(pattern, r) for r in requires), pattern
    variants = [v for p in generated.packages for v in p.variants]
    assert any(v[0].startswith("platform-") for v in variants)
    assert any(v[0].startswith("python-") for v in variants)
    assert any(v[0].startswith(("maya-", "houdini-", "nuke-")) for v in variants)
    formats = collections.Counter(r["format"] for r in rows)
    assert formats["yaml"] > 50
    dynamic = sum(1 for r in rows if r["format"] == "py" and _is_dynamic(r["path"]))
    assert 0.05 < dynamic / len(rows) < 0.10  # "about 7%"
    combined = [r for r in rows if r["path"] and Path(r["path"]).parent == generated.path]
    assert combined  # single-file families at the root
    markers = [n for family in generated.path.iterdir() if family.is_dir() for n in os.listdir(family)]
    assert any(m.startswith(".ignore") for m in markers) and any(m.startswith(".building") for m in markers)


def _is_dynamic(path: str) -> bool:
    text = Path(path).read_text()
    return any(marker in text for marker in ("@early", "@late", "import os", "\nif "))


def test_rez_lists_and_loads_the_model(studio: tuple[SyntheticStudio, Path], rez_listing: Any,
                                       rez_loaded: Any) -> None:
    generated, snapshot = studio
    listed = rez_listing([str(generated.path)])
    assert sorted((p[0], p[1]) for p in listed["packages"]) == sorted(
        (p.name, p.version) for p in generated.packages)
    theirs = rez_loaded([str(generated.path)])
    model = {(p.name, p.version): p for p in generated.packages}
    assert len(theirs) == len(model)
    for family, version, requires, variants, timestamp in theirs.values():
        expected = model[(family, version)]
        assert (requires, variants, timestamp) == (
            list(expected.requires), [list(v) for v in expected.variants], expected.timestamp)
    rows = read_snapshot(snapshot).table.to_pylist()
    sources = collections.Counter(r["source"] for r in rows)
    assert sources["rez"] > 50 and sources["error"] == sources["late"] == 0


def test_requests_solve_in_rez_as_in_rezsnap(studio: tuple[SyntheticStudio, Path]) -> None:
    pytest.importorskip("rez")
    from rezsnap.bench.solve import rez_solve

    generated, snapshot = studio
    assert len(generated.requests) == 40 and len(generated.failing_requests) == 8
    repository = Repository.from_snapshot(snapshot)
    for request in generated.requests[::4] + generated.failing_requests[::2]:
        ours = solve_with(repository, request)
        expected = "solved" if request in generated.requests else "failed"
        assert ours.status == expected, request
        theirs = rez_solve(request, [str(generated.path)])
        if ours.status == "solved":
            assert theirs == ("solved", [str(v.uri) for v in ours.resolved_packages]), request
        else:
            assert theirs == ("failed", [ours.failure_description]), request


def test_the_cached_studio_is_generated_once(tmp_path: Path) -> None:
    first = synthetic_studio_cached(500, seed=2, cache=tmp_path)
    stamp = (first.path / "..").resolve().stat().st_mtime_ns
    again = synthetic_studio_cached(500, seed=2, cache=tmp_path)
    assert again.path == first.path and (again.path / "..").resolve().stat().st_mtime_ns == stamp
    assert (again.packages, again.requests) == (first.packages, first.requests)
    assert [p.name for p in tmp_path.iterdir()] == ["synthetic-500-2"]  # no scratch left


@pytest.mark.slow
def test_a_studio_of_100000_versions_snapshots_and_solves(tmp_path: Path) -> None:
    generated = synthetic_studio(tmp_path / "packages", packages=100_000, seed=0)
    report = build_snapshot([str(generated.path)], tmp_path / "snap.parquet", progress=False)
    assert report.rows == 100_000 and report.sources["error"] == 0
    repository = Repository.from_snapshot(tmp_path / "snap.parquet")
    assert all(solve_with(repository, r).status == "solved" for r in generated.requests)
    assert all(solve_with(repository, r).status == "failed" for r in generated.failing_requests)
