"""The no-change refresh: a walk equal to the previous build's keeps the snapshot, and any
change the walk can see (a file's stamp, a version, a family, a marker, a problem, the
options, the rezsnap version) takes the ordinary refresh, whose result equals a full build."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from rezsnap import build_snapshot, read_snapshot
from rezsnap.snapshot import read_solve_index


@pytest.fixture(scope="module")
def plain_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A slice of the benchmark repository: every package a package.py, as rez releases them."""
    from rezsnap.datasets import rez_benchmark

    source = rez_benchmark().path
    root = tmp_path_factory.mktemp("plain") / "repo"
    for family in sorted(os.listdir(source))[::25]:
        shutil.copytree(source / family, root / family)
    return root


@pytest.fixture()
def repo(plain_repo: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "repo"
    shutil.copytree(plain_repo, copy)
    return copy


def _build(repo: Path, output: Path, previous: Path | None = None, **options: Any) -> Any:
    return build_snapshot(str(repo), output, previous=previous, workers=0, progress=False, **options)


def _identity(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def test_a_refresh_that_finds_nothing_changed_keeps_the_file(repo: Path, tmp_path: Path) -> None:
    output = tmp_path / "s.parquet"
    full = _build(repo, output)
    before = _identity(output)
    report = _build(repo, output, previous=output)
    assert report.unchanged and report.files_read == 0 and report.files_reused == full.rows
    assert (report.rows, report.families, report.sources, report.errors, report.problems) == (
        full.rows, full.families, full.sources, full.errors, full.problems)
    assert _identity(output) == before  # not even rewritten
    assert read_solve_index(output) is not None
    assert report.as_dict()["unchanged"] is True and "nothing changed" in report.summary()


def test_a_kept_refresh_to_a_new_output_copies_the_snapshot_and_its_index(repo: Path, tmp_path: Path) -> None:
    previous, output = tmp_path / "old.parquet", tmp_path / "new.parquet"
    _build(repo, previous)
    report = _build(repo, output, previous=previous)
    assert report.unchanged
    assert output.read_bytes() == previous.read_bytes()
    copied, original = read_solve_index(output), read_solve_index(previous)
    assert copied is not None and original is not None  # the copy's index names the copy
    assert all(copied.rows(f) == original.rows(f) for f in original.families())


def test_an_existing_other_output_is_replaced_by_the_ordinary_path(repo: Path, tmp_path: Path) -> None:
    previous, output = tmp_path / "old.parquet", tmp_path / "other.parquet"
    _build(repo, previous)
    _build(repo, output)
    report = _build(repo, output, previous=previous)
    assert not report.unchanged and report.files_read == 0  # reused row by row, and checked for shrinking


def _touch(path: Path) -> None:
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 7_000_000_000))


def _same_size_same_mtime(path: Path) -> None:
    """An edit that restores the size and the mtime: only the change time shows it."""
    info = path.stat()
    text = path.read_text()
    path.write_text(text.replace("'", '"', 2) if "'" in text else text)
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def _changes(repo: Path) -> list[tuple[str, Callable[[], Any]]]:
    families = sorted(p for p in repo.iterdir() if p.is_dir())
    a, b, c = families[0], families[1], families[2]
    a_version = min(a.iterdir())
    return [
        ("touch", lambda: _touch(a_version / "package.py")),
        ("same size, mtime restored", lambda: _same_size_same_mtime(a_version / "package.py")),
        ("edit", lambda: (a_version / "package.py").write_text("requires = ['python-3']\n")),
        ("add version", lambda: shutil.copytree(a_version, a / "99.0")),
        ("delete version", lambda: shutil.rmtree(a / "99.0")),
        ("delete family", lambda: shutil.rmtree(b)),
        ("add family", lambda: shutil.copytree(c, repo / "newfamily")),
        ("ignore a version", lambda: (c / f".ignore{max(os.listdir(c))}").write_text("")),
        ("a version without a definition", lambda: (c / "0.0.1").mkdir()),
        ("a problem: a FIFO", lambda: os.mkfifo(c / "0.0.1" / "package.py")),
    ]


def test_every_change_the_walk_can_see_is_rebuilt_and_equals_a_full_build(repo: Path, tmp_path: Path) -> None:
    previous = tmp_path / "0.parquet"
    _build(repo, previous)
    for index, (what, change) in enumerate(_changes(repo), start=1):
        change()
        refreshed, rebuilt = tmp_path / f"{index}.parquet", tmp_path / f"{index}-full.parquet"
        report = _build(repo, refreshed, previous=previous)
        assert not report.unchanged, what
        _build(repo, rebuilt)
        assert read_snapshot(refreshed).table.equals(read_snapshot(rebuilt).table), what
        # the ordinary refresh records the walk too: the next one, with no change, keeps it
        assert _build(repo, tmp_path / f"{index}-again.parquet", previous=refreshed).unchanged, what
        previous = refreshed


def test_other_options_or_another_rezsnap_version_rebuild(repo: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import rezsnap

    output = tmp_path / "s.parquet"
    _build(repo, output)
    assert not _build(repo, tmp_path / "noexec.parquet", previous=output, exec_fallback=False).unchanged
    monkeypatch.setattr(rezsnap, "__version__", "999")
    assert not _build(repo, output, previous=output).unchanged


def test_a_file_changed_while_the_build_read_it_records_no_walk(repo: Path, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk saw one stamp, the load read another: the rows are not the walk's, so the next
    refresh may not keep them without looking."""
    import rezsnap.scanner as job

    walked = job.scan_repo
    victim = min(min(p for p in repo.iterdir() if p.is_dir()).iterdir()) / "package.py"

    def walk_then_edit(*args: Any, **kwargs: Any) -> Any:
        found = walked(*args, **kwargs)
        victim.write_text("requires = ['python-3']\n")
        return found

    output = tmp_path / "s.parquet"
    monkeypatch.setattr(job, "scan_repo", walk_then_edit)
    _build(repo, output)
    monkeypatch.setattr(job, "scan_repo", walked)
    index = read_solve_index(output)
    assert index is not None and index.walk is None
    report = _build(repo, output, previous=output)
    assert not report.unchanged
    rebuilt = tmp_path / "full.parquet"
    _build(repo, rebuilt)
    assert read_snapshot(output).table.equals(read_snapshot(rebuilt).table)


def test_yaml_and_unversioned_packages_are_stamped_by_the_walk_too(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "yammy" / "1.0").mkdir(parents=True)
    (repo / "yammy" / "1.0" / "package.yaml").write_text("requires: [python-2.7]\n")
    (repo / "loose").mkdir()
    (repo / "loose" / "package.py").write_text("name = 'loose'\nrequires = ['yammy']\n")
    (repo / "python" / "2.7").mkdir(parents=True)
    (repo / "python" / "2.7" / "package.py").write_text("name = 'python'\n")
    output = tmp_path / "s.parquet"
    _build(repo, output)
    assert _build(repo, output, previous=output).unchanged
    for changed in (repo / "yammy" / "1.0" / "package.yaml", repo / "loose" / "package.py"):
        _touch(changed)
        assert not _build(repo, output, previous=output).unchanged, changed
        assert _build(repo, output, previous=output).unchanged, changed


def test_the_fingerprint_depends_on_the_values_only() -> None:
    """Two processes hold equal walks in objects shared and interned differently: the
    fingerprint must not see it (marshal's later versions would)."""
    import sys

    from rezsnap.model import PackageKind, ScannedPackage
    from rezsnap.snapshot._unchanged import walk_fingerprint

    def walk(family: Callable[[], str]) -> list[ScannedPackage]:
        return [ScannedPackage(family(), f"{major}.0", "py", f"/r/{family()}/{major}.0/package.py", "/r",
                               PackageKind.DIRECTORY, (major, 10, major)) for major in range(3)]

    name = sys.intern("python")
    shared = walk(lambda: name)  # one interned object everywhere
    separate = walk(lambda: "".join(["py", "thon"]))  # noqa: FLY002  a new object each time
    assert shared[0].family is shared[1].family and separate[0].family is not separate[1].family
    assert walk_fingerprint(["/r"], {"a": True}, shared, []) == walk_fingerprint(["/r"], {"a": True}, separate, [])
