"""The no-change refresh without a walk: the repository's observed state
(``rezsnap.scanner.observe_repositories``) changes whenever the walk's result changes, a build
records the state it observed before its walk (a change during the build is never kept), and a
refresh that observes it again keeps the snapshot without walking (as the program runs, in a
fresh process)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from rezsnap.scanner._observe import _cobserve, observe_repositories

from rezsnap import build_snapshot, read_snapshot, scan_repo
from rezsnap.snapshot import read_solve_index
from rezsnap.snapshot._unchanged import walk_fingerprint

from .trees import package_py

pytestmark = pytest.mark.skipif(_cobserve is None, reason="the compiled observer is not built (or switched off)")


def _repository(root: Path) -> Path:
    """Every layout the walk knows: released, YAML, unversioned, combined, symlinked, hidden."""
    for version in ("1.0", "1.1", "2.0"):
        package_py(root, "lib", version, "requires = ['python-3']\n")
    package_py(root, "python", "3.11")
    (root / "yammy" / "1.0").mkdir(parents=True)
    (root / "yammy" / "1.0" / "package.yaml").write_text("name: yammy\nversion: '1.0'\n")
    (root / "loose").mkdir()
    (root / "loose" / "package.py").write_text("name = 'loose'\n")
    (root / "combo.py").write_text("name = 'combo'\nversions = ['1.0', '2.0']\n")
    (root / "tool.yaml").write_text("name: tool\nversions: ['3.0']\n")
    elsewhere = root.parent / "elsewhere"
    package_py(elsewhere, "linked", "1.0")
    package_py(elsewhere, "linked", "2.0")
    (root / "linked").symlink_to(elsewhere / "linked")
    package_py(elsewhere, "versions", "5.0")
    (root / "lib" / "5.0").symlink_to(elsewhere / "versions" / "5.0")
    (root / "lib" / ".ignore1.1").write_text("")
    (root / "settings.yaml").write_text("{}\n")
    return root


def _observed(root: Path) -> Any:
    return observe_repositories([str(root)])


def _walked(root: Path) -> bytes:
    scanned = scan_repo(str(root), workers=0, stamps=True)
    return walk_fingerprint([str(root)], {}, scanned, scanned.problems)


def _touch(path: Path) -> None:
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 7_000_000_000), follow_symlinks=False)


def _same_size_same_mtime(path: Path) -> None:
    info = path.stat()
    path.write_text(path.read_text().replace("'", '"', 2))
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))


def _retarget(link: Path, target: Path) -> None:
    link.unlink()
    link.symlink_to(target)


def _changes(root: Path) -> list[tuple[str, Callable[[], object]]]:
    lib, elsewhere = root / "lib", root.parent / "elsewhere"
    return [
        ("touch a package.py", lambda: _touch(lib / "1.0" / "package.py")),
        ("same size, mtime restored", lambda: _same_size_same_mtime(lib / "2.0" / "package.py")),
        ("edit", lambda: (lib / "1.0" / "package.py").write_text("requires = ['python-3.11']\n")),
        ("add a version", lambda: shutil.copytree(lib / "1.0", lib / "3.0")),
        ("rename a version", lambda: (lib / "3.0").rename(lib / "3.1")),
        ("delete a version", lambda: shutil.rmtree(lib / "3.1")),
        ("a YAML file beside package.py", lambda: (lib / "1.0" / "package.yaml").write_text("name: lib\n")),
        ("package.py gone, the YAML file stays", lambda: (lib / "1.0" / "package.py").unlink()),
        ("swap two files by renames", lambda: (
            (lib / "2.0" / "package.py").rename(root / "t"), (lib / "1.0" / "package.yaml").rename(
                lib / "2.0" / "package.py"), (root / "t").rename(lib / "1.0" / "package.yaml"))),
        ("edit a YAML package", lambda: (root / "yammy" / "1.0" / "package.yaml").write_text("name: yammy\n")),
        ("unignore a version", lambda: (lib / ".ignore1.1").unlink()),
        ("an ignore marker that is a symlink", lambda: (lib / ".ignore2.0").symlink_to(root / "settings.yaml")),
        ("the marker's target becomes a folder", lambda: _retarget(lib / ".ignore2.0", elsewhere)),
        ("a build in progress", lambda: ((lib / ".building4.0").write_text(""), (lib / "4.0").mkdir())),
        ("the build ends", lambda: package_py(root, "lib", "4.0")),
        ("retarget a symlinked version", lambda: _retarget(lib / "5.0", elsewhere / "linked" / "1.0")),
        ("a version in the linked family", lambda: package_py(elsewhere, "linked", "3.0")),
        ("retarget the linked family", lambda: _retarget(root / "linked", elsewhere / "versions")),
        ("a broken symlink version", lambda: (lib / "6.0").symlink_to(root / "missing")),
        ("a FIFO as a definition", lambda: ((lib / "7.0").mkdir(), os.mkfifo(lib / "7.0" / "package.py"))),
        ("an unversioned family gains a version folder", lambda: package_py(root, "loose", "1.0")),
        ("a released family turns unversioned", lambda: (root / "python" / "package.py").write_text("name = 'x'\n")),
        ("edit a combined family", lambda: (root / "combo.py").write_text("versions = ['1.0']\n")),
        ("edit a combined YAML family", lambda: (root / "tool.yaml").write_text("versions: ['3.0', '4.0']\n")),
        ("a family turned into a file", lambda: (shutil.rmtree(root / "yammy"), (root / "yammy").write_text(""))),
        ("a new family", lambda: package_py(root, "newcomer", "1.0")),
        ("an invalid family name", lambda: package_py(root, "not-a-name", "1.0")),
        ("a file that is no package's", lambda: (lib / "README").write_text("hello\n")),
        ("a mode change", lambda: os.chmod(lib / "2.0" / "package.py", 0o600)),
        ("settings", lambda: (root / "settings.yaml").write_text("a: 1\n")),
    ]


def test_every_change_the_walk_sees_changes_the_observation(tmp_path: Path) -> None:
    """The refresh keeps a snapshot on an equal observation: it must never be equal where the
    walk differs. Each change is made to the repository as it stands after the previous one."""
    root = _repository(tmp_path / "repo")
    observed, walked = _observed(root), _walked(root)
    assert observed is not None and observed == _observed(root)  # the same state, observed twice
    unseen_by_the_walk = []
    for what, change in _changes(root):
        change()
        now_observed, now_walked = _observed(root), _walked(root)
        assert now_observed is not None, what
        assert now_walked == walked or now_observed != observed, what
        if now_walked == walked:
            unseen_by_the_walk.append(what)
        observed, walked = now_observed, now_walked
    # the changes that list the same packages with the same stamps (the rest change the walk)
    assert unseen_by_the_walk == [
        "a YAML file beside package.py", "a build in progress", "an unversioned family gains a version folder",
        "an invalid family name", "a file that is no package's", "settings"]


def test_the_observation_does_not_depend_on_threads(tmp_path: Path) -> None:
    root = _repository(tmp_path / "repo")
    location = os.path.realpath(root)
    assert len({_cobserve.observe(location, threads) for threads in (1, 2, 7, 64, 1000)}) == 1
    # network_threads where a few stats look slower than slow_seconds: 0 makes every file system slow
    assert _cobserve.observe(location, 2, 5, 0.0) == _cobserve.observe(location, 2, 5, 10.0) == _cobserve.observe(
        location, 3)
    for wrong in ((location, 0), (location, 2, -1)):
        with pytest.raises(ValueError):
            _cobserve.observe(*wrong)
    with pytest.raises(ValueError):  # as every os call: an embedded NUL
        _cobserve.observe(location + "\0x", 2)


@pytest.mark.parametrize("what", ["symlink loop", "missing path", "a file", "unreadable"])
def test_no_observation_where_a_call_fails(tmp_path: Path, what: str) -> None:
    """What the walk reports as a problem (or cannot list) is not vouched for: no observation,
    and the refresh walks."""
    root = _repository(tmp_path / "repo")
    location = str(root)
    if what == "symlink loop":
        (root / "lib" / "8.0").symlink_to(root / "lib" / "8.0")
    elif what == "missing path":
        location = str(tmp_path / "nothing")
    elif what == "a file":
        location = str(root / "settings.yaml")
    else:
        if os.geteuid() == 0:
            pytest.skip("root reads every directory")
        (root / "lib").chmod(0)
    try:
        assert _cobserve.observe(location, 2) is None
    finally:
        (root / "lib").chmod(0o755)


def test_nothing_changed_keeps_the_snapshot_without_walking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rezsnap.scanner

    root = _repository(tmp_path / "repo")
    output = tmp_path / "s.parquet"
    full = build_snapshot(str(root), output, workers=0, progress=False)
    index = read_solve_index(output)
    assert index is not None and index.observed is not None and index.walk is not None

    def no_walk(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("walked")

    monkeypatch.setattr(rezsnap.scanner, "scan_repo", no_walk)
    for target in (output, tmp_path / "copy.parquet"):
        report = build_snapshot(str(root), target, previous=output, workers=0, progress=False)
        assert report.unchanged and (report.rows, report.sources, report.problems) == (
            full.rows, full.sources, full.problems)
    assert read_snapshot(tmp_path / "copy.parquet").table.equals(read_snapshot(output).table)
    copied = read_solve_index(tmp_path / "copy.parquet")
    assert copied is not None and copied.observed == index.observed
    (root / "lib" / "README").write_text("not a package\n")  # observed: the refresh walks
    with pytest.raises(Exception, match="walked"):
        build_snapshot(str(root), output, previous=output, workers=0, progress=False)


def test_a_walk_that_lists_the_same_records_the_new_state(tmp_path: Path) -> None:
    """A change no package shows (a README) makes one refresh walk; it keeps the snapshot and
    records the new state, so that the next refresh need not walk."""
    root = _repository(tmp_path / "repo")
    output = tmp_path / "s.parquet"
    build_snapshot(str(root), output, workers=0, progress=False)
    before = read_solve_index(output)
    assert before is not None
    (root / "lib" / "README").write_text("not a package\n")
    report = build_snapshot(str(root), output, previous=output, workers=0, progress=False)
    assert report.unchanged and "scan" in report.seconds  # walked
    after = read_solve_index(output)
    assert after is not None and after.observed not in (None, before.observed) and after.walk == before.walk
    report = build_snapshot(str(root), output, previous=output, workers=0, progress=False)
    assert report.unchanged and "scan" not in report.seconds  # not walked


@pytest.mark.parametrize("when", ["before the walk", "after the walk"])
def test_a_change_during_the_build_is_never_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str) -> None:
    """A version added while the build runs, after its observation: whether the walk saw it or
    not, the recorded state can never be observed again (the family folder's change time moved),
    so the next refresh walks, and its result equals a full build; the one after need not walk."""
    import rezsnap.scanner

    root = _repository(tmp_path / "repo")
    walked = rezsnap.scanner.scan_repo

    def walk_with_a_change(*args: Any, **kwargs: Any) -> Any:
        if when == "before the walk":
            package_py(root, "lib", "9.0")
        found = walked(*args, **kwargs)
        if when == "after the walk":
            package_py(root, "lib", "9.0")
        return found

    output = tmp_path / "s.parquet"
    monkeypatch.setattr(rezsnap.scanner, "scan_repo", walk_with_a_change)
    build_snapshot(str(root), output, workers=0, progress=False)
    monkeypatch.setattr(rezsnap.scanner, "scan_repo", walked)
    recorded = read_solve_index(output)
    assert recorded is not None and recorded.observed is not None
    report = build_snapshot(str(root), output, previous=output, workers=0, progress=False)
    assert "scan" in report.seconds and report.unchanged == (when == "before the walk")  # walked
    full = tmp_path / "full.parquet"
    build_snapshot(str(root), full, workers=0, progress=False)
    assert read_snapshot(output).table.equals(read_snapshot(full).table)
    assert "9.0" in read_snapshot(output).table.column("version").to_pylist()
    report = build_snapshot(str(root), output, previous=output, workers=0, progress=False)
    assert report.unchanged and "scan" not in report.seconds


_REFRESH_THEN_MODULES = """
import atexit, json, sys
from rezsnap._entry import run
sys.argv[1:] = json.loads(sys.argv[1])
atexit.register(lambda: print(json.dumps(sorted(sys.modules))))
run()
"""


def test_the_program_refreshes_without_walking_or_importing_the_walk(tmp_path: Path) -> None:
    """As cron runs it: a full build, then a refresh in a fresh process that neither walks nor
    imports the walk's pool, the version ordering or the writer; then an edit, and a refresh
    that rebuilds."""
    root = _repository(tmp_path / "repo")
    output = tmp_path / "s.parquet"
    argv = ["snapshot", "--paths", str(root), "-o", str(output), "--no-progress", "--json"]

    def program(arguments: list[str]) -> tuple[dict[str, Any], list[str]]:
        completed = subprocess.run([sys.executable, "-c", _REFRESH_THEN_MODULES, json.dumps(arguments)],
                                   capture_output=True, text=True, check=False, timeout=120)
        assert completed.returncode == 0, completed.stderr
        report, modules = completed.stdout.splitlines()[-2:]
        return json.loads(report), json.loads(modules)

    program(argv)
    report, modules = program([*argv, "--previous", str(output)])
    assert report["unchanged"] and "scan" not in report["seconds"]
    walk_modules = ("rezsnap.scanner._scan", "rezsnap._pool", "concurrent.futures", "multiprocessing", "pyarrow",
                    "rezsnap.version._version", "dataclasses", "tempfile")
    assert [name for name in walk_modules if name in modules] == []
    package_py(root, "lib", "1.0", "requires = ['python-3.11']\n")
    report, _ = program([*argv, "--previous", str(output)])
    assert not report["unchanged"] and report["files_read"] == 1


def test_real_files_refresh_without_a_walk_and_an_edit_equals_a_full_build(tmp_path: Path,
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """On the real-world corpora (a copy, outside the project): a no-change refresh does not
    walk, an edited file makes the next refresh read it, and the result equals a full build."""
    import rezsnap.scanner

    from .test_parser_realcorpus import _corpora

    walked = rezsnap.scanner.scan_repo
    corpora = [corpus for corpus in _corpora() if corpus.is_dir()]
    if not corpora:
        pytest.skip("no real-world corpus")
    for number, corpus in enumerate(corpora):
        root = tmp_path / f"corpus{number}"
        shutil.copytree(corpus, root, symlinks=True)
        output = tmp_path / f"corpus{number}.parquet"
        build_snapshot(str(root), output, workers=0, progress=False, exec_fallback=False)
        monkeypatch.setattr(rezsnap.scanner, "scan_repo", _no_walk)
        assert build_snapshot(str(root), output, previous=output, workers=0, progress=False,
                              exec_fallback=False).unchanged
        monkeypatch.setattr(rezsnap.scanner, "scan_repo", walked)
        edited = min(root.rglob("package.py"))
        edited.write_text(edited.read_text() + "\n# edited after the snapshot\n")
        report = build_snapshot(str(root), output, previous=output, workers=0, progress=False, exec_fallback=False)
        assert not report.unchanged and report.files_read == 1
        full = tmp_path / f"corpus{number}-full.parquet"
        build_snapshot(str(root), full, workers=0, progress=False, exec_fallback=False)
        assert read_snapshot(output).table.equals(read_snapshot(full).table)


def _no_walk(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("walked")
