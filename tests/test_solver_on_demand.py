"""On-demand loading: the version_range hint, range-pruned package paths, and @late candidates."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from rezsnap.bench.callbacks import RangedFamilies
from rezsnap.solver import Repository, solve, solve_with

from rezsnap.model import PackageData
from rezsnap.version import VersionRange

from .solver_oracle import our_result, rez_result, same


def _in_range(packages: list[PackageData], version_range: str | None) -> list[PackageData]:
    return RangedFamilies(packages).hinted(packages[0].name, version_range) if packages else []


def test_the_hint_gives_the_same_188_resolves_with_fewer_packages(rez_bench: tuple[Any, Path]) -> None:
    dataset, snapshot = rez_bench
    families = RangedFamilies.from_snapshot(str(snapshot))
    calls = families.calls
    reference = Repository.from_snapshot(snapshot)
    for recorded in dataset.resolves:
        request = recorded["request"]
        calls.clear()
        expected = solve_with(reference, request)
        for result in (solve(request, load_family=families.hinted), solve(request, load_family=families.whole)):
            assert (result.status, result.resolved, result.failure_description) == (
                expected.status, expected.resolved, expected.failure_description), request
        assert len(calls) == len(set(calls)), "at most one call per (family, range)"
        ranges: dict[str, list[str | None]] = {}
        for name, version_range in calls:
            ranges.setdefault(name, []).append(version_range)
        for name, asked in ranges.items():  # each later call widens the earlier one
            for before, after in itertools.pairwise(asked):
                assert before is not None
                assert after is None or VersionRange(after).issuperset(VersionRange(before)), (name, asked)
    assert families.handed["hinted"] < families.handed["whole"] * 0.8, families.handed


def test_a_wider_range_later_in_a_solve_loads_the_family_again(tmp_path: Path) -> None:
    packages = {
        "a": [PackageData("a", "1", ("b-1",)), PackageData("a", "2", ("b-2",))],
        "b": [PackageData("b", v, ()) for v in ("1", "2", "3")],
        "c": [PackageData("c", "1", ("b",))],
    }
    calls: list[tuple[str, str | None]] = []

    def load_family(name: str, version_range: str | None = None) -> list[PackageData]:
        calls.append((name, version_range))
        return _in_range(packages.get(name, []), version_range)

    repository = Repository.from_callback(load_family)
    first = solve_with(repository, ["b-1"])
    assert _names(first) == ["b-1"] and calls == [("b", "1")]
    second = solve_with(repository, ["c"])  # c needs any b: the whole family now
    assert _names(second) == ["b-3", "c-1"]
    assert calls[1:] == [("c", None), ("b", None)]
    assert _names(solve_with(repository, ["b-2"])) == ["b-2"] and len(calls) == 3


def test_callbacks_without_the_parameter_are_called_once_per_family() -> None:
    calls: list[str] = []

    def load_family(name: str) -> list[PackageData]:
        calls.append(name)
        return [PackageData(name, "1"), PackageData(name, "2")]

    repository = Repository.from_callback(load_family)
    assert _names(solve_with(repository, ["x-1"])) == ["x-1"]
    assert _names(solve_with(repository, ["x-2"])) == ["x-2"]
    assert calls == ["x"]


def _names(result: Any) -> list[str]:
    return [f"{v.name}-{v.version}" for v in result.resolved_packages]


def _write(root: Path, family: str, version: str, text: str) -> Path:
    path = root / family / version / "package.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_package_paths_read_only_the_versions_in_range(tmp_path: Path) -> None:
    """Out-of-range definition files are not read (rez does not load them either): broken
    ones there change nothing, and the packages handed over are those in range."""
    for version in ("1", "2", "3", "4"):
        _write(tmp_path, "tool", version, f"name = 'tool'\nversion = '{version}'\nrequires = ['lib-{version}']\n")
    for version in ("1", "2", "3", "4"):
        _write(tmp_path, "lib", version, "requires = [\n" if version != "2" else "name = 'lib'\n")
    repository = Repository.from_paths([str(tmp_path)])
    assert our_result(["tool-2"], repository, "version_priority") == rez_result(
        ["tool-2"], [str(tmp_path)], "version_priority")
    assert _names(solve_with(repository, ["tool-2"])) == ["lib-2", "tool-2"]
    assert repository.packages_loaded == 2
    broken = solve_with(repository, ["tool-3"])
    assert broken.status == "error" and "lib-3" in (broken.failure_description or "")
    assert rez_result(["tool-3"], [str(tmp_path)], "version_priority")["status"] == "error"


LATE = "@late()\ndef requires():\n    return {body}\n"


@pytest.fixture
def late_repo(tmp_path: Path) -> Path:
    _write(tmp_path, "alita", "0.3.17", "name = 'alita'\nversion = '0.3.17'\n"
           + LATE.format(body="['dependency-1']"))
    _write(tmp_path, "alita", "0.3.25", "name = 'alita'\nversion = '0.3.25'\nrequires = ['dependency-2']\n")
    _write(tmp_path, "reader", "1.0", "name = 'reader'\nversion = '1.0'\n"
           + LATE.format(body="['dependency-' + str(this.version).replace('1.0', '2'), str(this.name)[:0] + 'alita']"))
    for version in ("1", "2"):
        _write(tmp_path, "dependency", version, f"name = 'dependency'\nversion = '{version}'\n")
    return tmp_path


@pytest.mark.parametrize("request_", [["alita"], ["alita-0.3.17"], ["reader"], ["alita", "reader"]],
                         ids=["unused_older_late", "chosen_late", "late_reads_this", "both"])
def test_late_candidates_solve_as_in_rez(late_repo: Path, request_: list[str]) -> None:
    """With rez and exec fallback, a late-bound candidate is evaluated as rez's solver
    evaluates it (on the Package, no resolve context)."""
    pytest.importorskip("rez")
    theirs = rez_result(request_, [str(late_repo)], "version_priority")
    ours = our_result(request_, Repository.from_paths([str(late_repo)]), "version_priority")
    assert theirs["status"] == "solved"
    assert same(ours, theirs), (ours, theirs)


def test_without_exec_fallback_a_late_candidate_fails_only_where_needed(late_repo: Path) -> None:
    repository = Repository.from_paths([str(late_repo)], exec_fallback=False)
    assert _names(solve_with(repository, ["alita-0.3.25"])) == ["dependency-2", "alita-0.3.25"]
    failed = solve_with(repository, ["alita-0.3.17"])
    assert failed.status == "error"
    assert "alita-0.3.17" in (failed.failure_description or "") and "late" in (failed.failure_description or "")


def test_reads_overlapped_on_a_slow_file_system_give_the_same_resolves(
    late_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a network file system a family's files are read, and its versions' definition files
    looked up, by many threads (the stat probe decides); the packages and resolves are those
    of serial reads."""
    from rezsnap.scanner import _scan

    from rezsnap import _io

    for version in range(1, 13):
        _write(late_repo, "many", f"{version}.0", f"name = 'many'\nrequires = ['dependency-{1 + version % 2}']\n")
    _write(late_repo, "many", "13.0", "requires = [\n")  # a broken file, read in a thread too
    serial = Repository.from_paths([str(late_repo)])
    monkeypatch.setattr(_scan, "stat_latency", lambda paths, samples=16: 1.0)  # the walk's probe
    monkeypatch.setattr(_io, "stat_latency", lambda paths, samples=16: 1.0)  # the readers' probe
    threaded = Repository.from_paths([str(late_repo)])
    for request in (["many"], ["many-3+<9"], ["many-13"], ["many", "alita"]):
        a, b = solve_with(serial, request), solve_with(threaded, request)
        assert (a.status, _names(a), a.failure_description) == (b.status, _names(b), b.failure_description)
    assert threaded.packages_loaded == serial.packages_loaded
