"""Bad entries never hang or crash a scan, and every one is reported as a problem."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from rezsnap.scanner import _fs

from rezsnap import scan_repo

NOBODY = 65534


def _hostile_tree(root: Path) -> None:
    fam = root / "fam"
    (fam / "1.0").mkdir(parents=True)
    (fam / "1.0/package.py").write_text("name = 'fam'\n")
    os.mkfifo(fam / "2.0")  # a FIFO where a version dir would be
    os.symlink("3.0", fam / "3.0")  # a version symlink loop
    os.symlink("nowhere", fam / "4.0")  # a broken version symlink
    os.symlink("loopfam", root / "loopfam")  # a family symlink loop
    os.symlink("loop.py", root / "loop.py")  # a combined-family symlink loop
    os.mkfifo(root / "fifo.py")  # rez blocks forever reading this (spec E23)
    (root / "locked/1.0").mkdir(parents=True)
    (root / "locked/1.0/package.py").write_text("")
    os.chmod(root / "locked", 0)  # an unreadable family directory
    base = os.fsencode(root)
    os.makedirs(base + b"/bad\xfffam/1.0")  # a non-UTF-8 family name
    os.makedirs(base + b"/fam/5\xff0")  # a non-UTF-8 version name
    open(base + b"/fam/5\xff0/package.py", "w").close()


@pytest.fixture
def hostile_tree() -> Iterator[Path]:
    # Outside tmp_path: an unprivileged child must be able to reach it.
    root = Path(tempfile.mkdtemp(prefix="rezsnap-hostile-"))
    os.chmod(root, 0o755)
    _hostile_tree(root)
    yield root
    os.chmod(root / "locked", 0o755)
    shutil.rmtree(root)


# The child imports everything first, then (as root) becomes nobody: root reads
# every directory, and nobody cannot reach the interpreter under /root.
_CHILD = f"""
import json, os, sys
from rezsnap import scan_repo
import rezsnap.scanner._scan, rezsnap._pool, concurrent.futures.thread
if os.geteuid() == 0:
    os.setgid({NOBODY})
    os.setuid({NOBODY})
result = scan_repo(sys.argv[1], workers=int(sys.argv[2]))
print(json.dumps({{"packages": [[p.family, p.version] for p in result],
                  "problems": [[p.code, p.path] for p in result.problems]}}))
"""


@pytest.mark.timeout(120)
@pytest.mark.parametrize("workers", [0, 8])
def test_hostile_tree_scans_and_reports(hostile_tree: Path, workers: int) -> None:
    completed = subprocess.run(
        [sys.executable, "-c", _CHILD, str(hostile_tree), str(workers)],
        capture_output=True, text=True, timeout=60,
        errors="surrogateescape", check=True,
    )
    result = json.loads(completed.stdout)
    packages = {tuple(p) for p in result["packages"]}
    codes = {code for code, _ in result["problems"]}
    assert ("fam", "1.0") in packages
    assert ("fam", "5\udcff0") in packages  # listed, as rez lists it (spec S08)
    assert {"special-file", "symlink-loop", "broken-symlink", "permission-denied",
            "non-utf8-name", "unreadable-file"} <= codes
    problem_paths = {path for _, path in result["problems"]}
    assert str(hostile_tree / "fifo.py") in problem_paths
    assert str(hostile_tree / "locked") in problem_paths


def test_entry_vanishing_mid_scan_is_a_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for family in ("gone", "kept"):
        (tmp_path / family / "1.0").mkdir(parents=True)
        (tmp_path / family / "1.0/package.py").write_text("")
    real_open = os.open

    def vanishing_open(path: str, flags: int, *args: int, **kwargs: int) -> int:
        if str(path).endswith("gone"):  # deleted between the root listing and its own
            raise FileNotFoundError(2, "No such file or directory", path)
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(_fs.os, "open", vanishing_open)
    result = scan_repo(tmp_path, workers=0)
    assert [(p.family, p.version) for p in result] == [("kept", "1.0")]
    assert [(p.code, Path(p.path).name) for p in result.problems] == [("vanished", "gone")]


def test_missing_path_lists_nothing(tmp_path: Path) -> None:
    result = scan_repo(tmp_path / "missing")
    assert result == [] and [p.code for p in result.problems] == ["missing-repo"]


def test_bad_arguments_raise_type_and_value_errors(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        scan_repo([42])  # type: ignore[list-item]
    with pytest.raises(ValueError):
        scan_repo(tmp_path, workers=-1)


def test_the_compiled_stat_per_version_answers_as_python(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``package_py_stamps`` (compiled where built) gives what ``os.stat`` + ``S_ISREG`` give:
    the stamp of a regular ``package.py`` (through a symlink too), None for anything else."""
    fam = tmp_path / "fam"
    for name in ("file", "dir", "link", "broken", "fifo", "empty", "notdir"):
        (fam / name).mkdir(parents=True)
    (fam / "file/package.py").write_text("name = 'fam'\n")
    (fam / "dir/package.py").mkdir()
    (fam / "link/package.py").symlink_to(fam / "file/package.py")
    (fam / "broken/package.py").symlink_to("nowhere")
    os.mkfifo(fam / "fifo/package.py")
    (fam / "notdir.txt").write_text("")
    base = os.fsencode(fam)
    os.makedirs(base + b"/5\xff0")  # a version name that is not UTF-8
    open(base + b"/5\xff0/package.py", "w").close()
    names = sorted(os.listdir(fam)) + ["missing", "notdir.txt", "a/../file", "\udcff"]
    fd = os.open(fam, os.O_RDONLY | os.O_DIRECTORY)
    try:
        found = _fs.package_py_stamps(fd, names)
        monkeypatch.setattr(_fs, "_cwalk", None)
        assert found == _fs.package_py_stamps(fd, names)
    finally:
        os.close(fd)
    info = os.stat(fam / "file/package.py")
    stamp = (info.st_mtime_ns, info.st_size, info.st_ctime_ns)
    assert dict(zip(names, found)) == {
        "5\udcff0": found[0], "broken": None, "dir": None, "empty": None, "fifo": None, "file": stamp,
        "link": stamp, "notdir": None, "notdir.txt": None, "missing": None, "a/../file": None, "\udcff": None,
    }
    assert found[0] is not None
