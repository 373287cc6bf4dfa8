"""rezsnap.rez: rez's resolve step answered from a snapshot, with rez's own solver as the
fallback; and ``rezsnap compare``. rez itself is the oracle: every patched
``ResolvedContext`` is compared with an unpatched one on the same request."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("rez")

from rezsnap.bench.rez_reference import clear_rez_caches

import rezsnap.rez as rezsnap_rez
from rezsnap import build_snapshot
from rezsnap.cli import main

# A fixed --time for both sides: REZ_USED_TIMESTAMP is then the same in both environments.
MOMENT = 2_000_000_000


@pytest.fixture(autouse=True)
def _clean_patch() -> Iterator[None]:
    rezsnap_rez.uninstall()
    rezsnap_rez.stats(reset=True)
    yield
    rezsnap_rez.uninstall()


def _context(request: list[str], paths: list[str], **kwargs: Any) -> tuple[Any, ...]:
    from rez.resolved_context import ResolvedContext

    context = ResolvedContext(request, package_paths=paths, timestamp=MOMENT, **kwargs)
    solved = context.status.name == "solved"
    return (context.status.name, [v.uri for v in context.resolved_packages or []],
            [type(v).__name__ for v in context.resolved_packages or []],
            context.get_environ() if solved else context.failure_description)


def _both(requests: list[list[str]], paths: list[str], snapshot: Path, **kwargs: Any) -> None:
    plain = [_context(r, paths, **kwargs) for r in requests]
    rezsnap_rez.install(snapshot, rez_budget=0)
    patched = [_context(r, paths, **kwargs) for r in requests]
    for request, theirs, ours in zip(requests, plain, patched):
        assert ours == theirs, request


@pytest.fixture(scope="module")
def studio(studio_with_snapshot: Callable[[int, int], tuple[Any, Any]]) -> tuple[Any, Path]:
    return studio_with_snapshot(1_500, 4)


def test_patched_contexts_equal_rez_on_the_benchmark(rez_bench: tuple[Any, Path]) -> None:
    dataset, snapshot = rez_bench
    solved = [r["request"] for r in dataset.resolves if r["status"] == "success"][::15]
    _both(solved, [str(dataset.path)], snapshot)
    counters = rezsnap_rez.stats()
    assert counters.fast == len(solved) and not counters.fallbacks


def test_patched_contexts_equal_rez_on_a_studio(studio: tuple[Any, Path]) -> None:
    """Combined families, package.yaml, dynamic files, variants: the same variants and
    environments; failing requests answered too, with rez's failure description."""
    generated, snapshot = studio
    requests = generated.requests[::3] + generated.failing_requests[:2]
    _both(requests, [str(generated.path)], snapshot)
    counters = rezsnap_rez.stats()
    assert counters.fast == len(requests)
    assert not counters.fallbacks


def test_default_time_and_implicit_packages(studio: tuple[Any, Path]) -> None:
    from rez.resolved_context import ResolvedContext

    generated, snapshot = studio
    request, paths = generated.requests[0], [str(generated.path)]
    theirs = ResolvedContext(request, package_paths=paths)
    rezsnap_rez.install(snapshot, rez_budget=0)
    ours = ResolvedContext(request, package_paths=paths)
    assert [v.uri for v in ours.resolved_packages] == [v.uri for v in theirs.resolved_packages]
    assert rezsnap_rez.stats().fast == 1


def _has(context: tuple[Any, ...], package: str) -> bool:
    return any(f"/{package}/package.py[" in uri for uri in context[1])


def _tree(root: Path) -> list[str]:
    for name, version, body in [("app", "1.0", "requires = ['lib']"), ("lib", "1.0", ""), ("lib", "2.0", ""),
                                ("extra", "1.0", ""),
                                ("late", "1.0", "@late()\ndef requires():\n    return ['lib-1']")]:
        (root / name / version).mkdir(parents=True)
        (root / name / version / "package.py").write_text(f"name = '{name}'\nversion = '{version}'\n{body}\n")
    return [str(root)]


def test_fallbacks_give_rez_result_and_are_counted(tmp_path: Path) -> None:
    from rez.package_filter import PackageFilterList, Rule

    paths = _tree(tmp_path / "repo")
    snapshot = tmp_path / "snap.parquet"
    build_snapshot(paths, snapshot, progress=False)
    only_old = PackageFilterList()
    only_old.add_exclusion(Rule.parse_rule("lib-2+"))
    cases = [
        (["app"], {"building": True}, "building (build requires)"),
        (["app"], {"max_fails": 3}, "solver callback, fail or time limit"),
    ]
    for request, kwargs, reason in cases:
        rezsnap_rez.uninstall()
        theirs = _context(request, paths, **kwargs)
        rezsnap_rez.install(snapshot, rez_budget=0)
        assert _context(request, paths, **kwargs) == theirs
        assert rezsnap_rez.stats(reset=True).fallbacks == {reason: 1}

    # a package filter is answered by rezsnap, as rez applies it
    rezsnap_rez.uninstall()
    theirs = _context(["app"], paths, package_filter=only_old)
    assert _has(theirs, "lib/1.0")  # the filter really applied
    rezsnap_rez.install(snapshot, rez_budget=0)
    assert _context(["app"], paths, package_filter=only_old) == theirs
    assert rezsnap_rez.stats(reset=True).fast == 1

    rezsnap_rez.install(tmp_path / "missing.parquet", rez_budget=0)
    assert _context(["app"], paths)[0] == "solved"
    assert rezsnap_rez.stats(reset=True).fallbacks == {"snapshot unusable: SnapshotError": 1}

    # a late-bound candidate is evaluated by rez's loader, as rez's solver evaluates it
    rezsnap_rez.uninstall()
    theirs = _context(["late"], paths)
    rezsnap_rez.install(snapshot, rez_budget=0)
    assert _context(["late"], paths) == theirs and _has(theirs, "lib/1.0")
    counters = rezsnap_rez.stats(reset=True)
    assert counters.fast == 1 and not counters.fallbacks and counters.live_families == 1

    # another package path beside the snapshot's: read live, the snapshot answering for its own
    (tmp_path / "mine" / "lib" / "3.0").mkdir(parents=True)
    (tmp_path / "mine" / "lib" / "3.0" / "package.py").write_text("name = 'lib'\nversion = '3.0'\n")
    both = [str(tmp_path / "mine"), *paths]
    rezsnap_rez.uninstall()
    theirs = _context(["app"], both)
    rezsnap_rez.install(snapshot, rez_budget=0)
    assert _context(["app"], both) == theirs and _has(theirs, "lib/3.0")
    counters = rezsnap_rez.stats(reset=True)
    assert counters.fast == 1 and not counters.fallbacks and counters.live_families == 1  # lib


def _answered_live(families: int) -> None:
    counters = rezsnap_rez.stats(reset=True)
    assert counters.fast == 1 and not counters.fallbacks, counters
    assert counters.live_families == families, counters


def test_changes_after_the_snapshot_are_read_live(tmp_path: Path) -> None:
    """What changed since the snapshot is read from disk, family by family, and the solve
    goes on with it: rez's answer on the live tree, given by rezsnap."""
    paths = _tree(tmp_path / "repo")
    snapshot = tmp_path / "snap.parquet"
    build_snapshot(paths, snapshot, progress=False)

    def both(request: list[str]) -> tuple[Any, ...]:
        rezsnap_rez.uninstall()
        clear_rez_caches()  # rez caches loaded packages per process: let it see the edit
        theirs = _context(request, paths)
        rezsnap_rez.install(snapshot, rez_budget=0)
        clear_rez_caches()
        assert _context(request, paths) == theirs, request
        return theirs

    assert _has(both(["app"]), "lib/2.0")
    _answered_live(0)
    # an in-place edit of a resolved file (no directory changes)
    lib = tmp_path / "repo" / "lib" / "2.0" / "package.py"
    lib.write_text(lib.read_text() + "requires = ['extra']\n")
    assert _has(both(["lib"]), "extra/1.0")  # rez's answer, from the edited file
    _answered_live(1)
    # a new version directory
    (tmp_path / "repo" / "lib" / "3.0").mkdir()
    (tmp_path / "repo" / "lib" / "3.0" / "package.py").write_text("name = 'lib'\nversion = '3.0'\n")
    assert _has(both(["app"]), "lib/3.0")
    _answered_live(1)
    # a new family the snapshot does not know
    (tmp_path / "repo" / "fresh" / "1").mkdir(parents=True)
    (tmp_path / "repo" / "fresh" / "1" / "package.py").write_text("name = 'fresh'\nversion = '1'\n")
    assert both(["fresh"])[0] == "solved"
    _answered_live(1)


def _pair(root: Path) -> list[str]:
    """The issue's repository: foo-1 needs bar-1, foo-2 needs bar-2."""
    for name, version, body in [("foo", "1.0", "requires = ['bar-1']"), ("foo", "2.0", "requires = ['bar-2']"),
                                ("bar", "1.0", ""), ("bar", "2.0", "")]:
        (root / name / version).mkdir(parents=True)
        (root / name / version / "package.py").write_text(f"name = '{name}'\nversion = '{version}'\n{body}\n")
    return [str(root)]


def _restore_times(path: Path, before: os.stat_result) -> None:
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


@pytest.mark.parametrize("edit", ["unresolved candidate", "same size, mtime restored", "version dir, mtime restored"])
def test_edits_rez_would_see_are_read_live(tmp_path: Path, edit: str) -> None:
    """The freshness rule: every candidate of every touched family, by change time too;
    what fails it is read from disk and the solve goes on (rez's answer, by rezsnap)."""
    paths = _pair(tmp_path / "repo")
    snapshot = tmp_path / "snap.parquet"
    build_snapshot(paths, snapshot, progress=False)
    foo2 = tmp_path / "repo" / "foo" / "2.0" / "package.py"
    family_dir = tmp_path / "repo" / "foo"
    if edit == "unresolved candidate":  # foo-2.0 loses to foo-1.0 in the snapshot, wins on disk
        foo2.write_text(foo2.read_text().replace("bar-2", "bar-1"))
        request = ["foo", "bar-1"]
    elif edit == "same size, mtime restored":
        before = foo2.stat()
        foo2.write_text(foo2.read_text().replace("bar-2", "bar-1"))
        _restore_times(foo2, before)
        assert foo2.stat().st_size == before.st_size and foo2.stat().st_mtime_ns == before.st_mtime_ns
        request = ["foo", "bar-1"]
    else:
        before = family_dir.stat()
        (family_dir / "3.0").mkdir()
        (family_dir / "3.0" / "package.py").write_text("name = 'foo'\nversion = '3.0'\nrequires = ['bar-1']\n")
        _restore_times(family_dir, before)
        request = ["foo", "bar-1"]
    clear_rez_caches()
    theirs = _context(request, paths)
    rezsnap_rez.install(snapshot, rez_budget=0)
    clear_rez_caches()
    ours = _context(request, paths)
    assert ours == theirs
    assert not _has(ours, "foo/1.0")  # rez's answer: the edited or new foo
    _answered_live(1)


def test_shadow_mode_logs_divergences_and_returns_rez_result(tmp_path: Path,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    paths = _tree(tmp_path / "repo")
    snapshot = tmp_path / "snap.parquet"
    build_snapshot(paths, snapshot, progress=False)
    rezsnap_rez.install(snapshot, shadow=True, verify_files=False, rez_budget=0)
    assert _context(["app"], paths)[0] == "solved"
    assert rezsnap_rez.stats().shadow_compared == 1 and rezsnap_rez.stats().divergences == 0
    # an edit the cheap checks cannot see (same directory, verify_files off): a divergence
    lib = tmp_path / "repo" / "lib" / "2.0" / "package.py"
    stamp = lib.stat()
    lib.write_text("name = 'lib'\nversion = '2.0'\nrequires = ['late']\n")
    os.utime(lib, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    clear_rez_caches()
    with caplog.at_level(logging.WARNING, logger="rezsnap.rez"):
        result = _context(["app"], paths)
    assert _has(result, "lib/1.0")  # rez's result was used (lib-2.0 now conflicts)
    assert rezsnap_rez.stats().divergences == 1
    assert "DIVERGENCE" in caplog.text


def test_activate_from_environment(tmp_path: Path) -> None:
    assert rezsnap_rez.activate_from_environment({}) is False
    assert rezsnap_rez.activate_from_environment({"REZSNAP_SNAPSHOT": "x", "REZSNAP_DISABLE": "1"}) is False
    assert not rezsnap_rez.installed()
    assert rezsnap_rez.activate_from_environment({"REZSNAP_SNAPSHOT": str(tmp_path / "s.parquet")}) is True
    assert rezsnap_rez.installed()


def test_small_solves_stay_with_rez(studio: tuple[Any, Path]) -> None:
    """Within the budget rez solves alone (importing rezsnap would cost more than it saves)."""
    generated, snapshot = studio
    rezsnap_rez.install(snapshot, rez_budget=10_000)
    _context(generated.requests[0], [str(generated.path)])
    assert rezsnap_rez.stats().as_dict()["rez_within_budget"] == 1 and rezsnap_rez.stats().fast == 0


@pytest.mark.parametrize("source", ["rez_bench", "studio"])
def test_compare_reports_no_divergence(source: str, request: pytest.FixtureRequest, tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    generated, snapshot = request.getfixturevalue(source)
    argv = ["compare", "--paths", str(generated.path), "--snapshot", str(snapshot), "--json"]
    argv += ["--random", "25", "--seed", "1"] if source == "rez_bench" else ["--random", "60"]
    assert main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["diverged"] == 0 and sum(report["counts"].values()) == (25 if source == "rez_bench" else 60)
    assert report["counts"]["identical"] > 0


def test_compare_finds_a_divergence(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = _tree(tmp_path / "repo")
    snapshot = tmp_path / "snap.parquet"
    build_snapshot(paths, snapshot, progress=False)
    (tmp_path / "repo" / "lib" / "2.0" / "package.py").write_text("name = 'lib'\nversion = '2.0'\nrequires = ['nope']\n")
    requests = tmp_path / "requests.json"
    requests.write_text(json.dumps([["app"], ["lib-1"]]))
    assert main(["compare", "--paths", *paths, "--snapshot", str(snapshot), "--requests", str(requests)]) == 1
    out = capsys.readouterr().out
    assert "rez-only failure: app" in out and "1 identical" in out


def test_compare_refuses_a_snapshot_of_other_package_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = _tree(tmp_path / "repo")
    other = _tree(tmp_path / "other")
    snapshot = tmp_path / "snap.parquet"
    build_snapshot(other, snapshot, progress=False)
    assert main(["compare", "--paths", *paths, "--snapshot", str(snapshot), "--random", "3", "--json"]) == 2
    error = json.loads(capsys.readouterr().out)["error"]
    assert "was built from" in error["message"] and str(tmp_path / "other") in error["message"]


def test_compare_counts_failure_text_differences_apart() -> None:
    from rezsnap.rez._compare import CompareReport, _classify

    report = CompareReport([
        _classify(["a"], ("failed", ["x"]), ("failed", ["x"]), 1.0, 1.0),
        _classify(["b"], ("failed", ["x"]), ("failed", ["y"]), 1.0, 1.0),
        _classify(["c"], ("solved", ["u"]), ("failed", ["y"]), 1.0, 1.0),
    ])
    assert report.counts["both fail"] == 1 and report.counts["failure text differs"] == 1
    assert report.text_differences == 1 and report.diverged == 1


def test_without_a_current_solve_index_the_parquet_file_answers(tmp_path: Path) -> None:
    """The index is a cache: gone, or left from another snapshot file, the Parquet file is read."""
    from rezsnap.snapshot import read_solve_index

    paths = _tree(tmp_path / "repo")
    snapshot = tmp_path / "snap.parquet"
    build_snapshot(paths, snapshot, progress=False)
    theirs = _context(["app"], paths)
    os.utime(snapshot, ns=(1, 1))  # the snapshot file changed identity: its index no longer matches
    assert read_solve_index(snapshot) is None
    rezsnap_rez.install(snapshot, rez_budget=0)
    assert _context(["app"], paths) == theirs
    Path(str(snapshot) + ".index").unlink()
    rezsnap_rez.install(snapshot, rez_budget=0)  # a new install reads the snapshot again
    assert _context(["app"], paths) == theirs
    assert rezsnap_rez.stats().fast == 2
