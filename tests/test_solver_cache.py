"""``solve(r, snapshot=path)`` and ``solve(r, snapshot=<Snapshot>)`` keep one repository per
snapshot (by file identity), so the simplest use of the API is not the slowest."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rezsnap.solver._api import _cached_repository

from rezsnap import build_snapshot, read_snapshot, solve

from .trees import package_py


def test_one_repository_per_snapshot_file_read_again_when_replaced(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    package_py(repo, "app", "1.0", "requires = ['lib']\n")
    package_py(repo, "lib", "1.0")
    snapshot = tmp_path / "s.parquet"
    build_snapshot([str(repo)], snapshot, workers=0, progress=False)
    first = _cached_repository(snapshot)
    assert _cached_repository(str(snapshot)) is first
    assert [v.qualified_name for v in solve(["app"], snapshot=snapshot).resolved_packages] == ["lib-1.0[]", "app-1.0[]"]
    package_py(repo, "lib", "2.0")
    build_snapshot([str(repo)], snapshot, workers=0, progress=False)  # replaced: another identity
    assert _cached_repository(snapshot) is not first
    assert [v.qualified_name for v in solve(["app"], snapshot=snapshot).resolved_packages] == ["lib-2.0[]", "app-1.0[]"]
    read = read_snapshot(snapshot)
    assert _cached_repository(read) is _cached_repository(read)


def test_cached_solves_are_safe_across_threads(studio_with_snapshot: object) -> None:
    generated, snapshot = studio_with_snapshot(1_500, 4)  # type: ignore[operator]
    requests = generated.requests[:12]
    alone = [solve(r, snapshot=snapshot).resolved for r in requests]
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(lambda r: solve(r, snapshot=snapshot).resolved, requests * 4))
    assert together == alone * 4


def test_memoised_requirements_serve_repositories_with_lists_as_with_tuples() -> None:
    """Requirement lists and dependency groups are memoised by content across repositories;
    packages given with lists (not hashable) where PackageData wants tuples still solve."""
    from rezsnap.solver import Repository, solve_with

    from rezsnap.model import PackageData

    def packages(kind: type) -> list[PackageData]:
        return [PackageData("app", "1", kind(["lib-1+"]), kind([kind(["py-2"]), kind(["py-3"])])),  # type: ignore[arg-type]
                PackageData("lib", "1", kind(["py"])), PackageData("lib", "2", kind(["py-3"])),  # type: ignore[arg-type]
                PackageData("py", "2"), PackageData("py", "3")]

    results = [solve_with(Repository.from_packages(packages(kind)), ["app", "py-2"]) for kind in (tuple, list, tuple)]
    assert len({tuple(v.qualified_name for v in r.resolved_packages) for r in results}) == 1
    assert [v.qualified_name for v in results[0].resolved_packages] == ["py-2[]", "lib-1[]", "app-1[0]"]


def test_repositories_of_one_snapshot_share_its_records_until_the_file_is_replaced(tmp_path: Path) -> None:
    """A new Repository per solve reuses the package records decoded from the same snapshot
    file, never those of the file it replaced."""
    from rezsnap.solver import Repository, solve_with

    repo = tmp_path / "repo"
    package_py(repo, "app", "1.0", "requires = ['lib']\n")
    package_py(repo, "lib", "1.0")
    snapshot = tmp_path / "s.parquet"
    build_snapshot([str(repo)], snapshot, workers=0, progress=False)
    first, second = Repository.from_snapshot(snapshot), Repository.from_snapshot(snapshot)
    ours, theirs = first.family("lib"), second.family("lib")
    assert ours is not theirs and ours is not None and theirs is not None
    assert ours.packages[0].data is theirs.packages[0].data  # shared records
    assert ours.facts is theirs.facts  # and what was worked out from them
    # each repository's own variants (the solver's state)
    assert ours.variants(ours.packages[0])[0] is not theirs.variants(theirs.packages[0])[0]
    package_py(repo, "lib", "2.0")
    build_snapshot([str(repo)], snapshot, workers=0, progress=False)
    resolved = solve_with(Repository.from_snapshot(snapshot), ["app"]).resolved_packages
    assert [v.qualified_name for v in resolved] == ["lib-2.0[]", "app-1.0[]"]
