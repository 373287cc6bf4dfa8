"""Batched parsing and malformed input: aligned output, None for each bad file, never a raise."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rezsnap import ParseCounters, parse_static_package_py, parse_static_packages_py

GOOD = b"name = 'a'\nversion = '1'\nrequires = ['b-1']\n"


def _files(root: Path) -> list[str]:
    (root / "good.py").write_bytes(GOOD)
    (root / "dynamic.py").write_bytes(b"import os\n" + GOOD + b"description = os.sep\n")
    (root / "syntax.py").write_bytes(b"requires = [\n")
    (root / "nul.py").write_bytes(b"x = 1\0\n")
    (root / "latin1.py").write_bytes(b"description = '\xe9'\n")  # invalid UTF-8, no cookie
    (root / "cookie.py").write_bytes(b"# -*- coding: latin-1 -*-\ndescription = '\xe9'\n")
    (root / "garbage.py").write_bytes(os.urandom(4096))
    (root / "deep.py").write_bytes(b"x = " + b"[" * 5000 + b"]" * 5000 + b"\n")
    (root / "package.yaml").write_bytes(b"name: a\n")
    os.mkfifo(root / "fifo.py")
    (root / "dir.py").mkdir()
    return [str(root / n) for n in ["good.py", "dynamic.py", "syntax.py", "nul.py", "latin1.py",
                                    "cookie.py", "garbage.py", "deep.py", "package.yaml",
                                    "fifo.py", "dir.py", "missing.py"]]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("workers", [0, 2, None])  # None: the compiled reader on threads first
def test_batch_is_aligned_and_never_raises(tmp_path: Path, workers: int) -> None:
    paths = _files(tmp_path)
    counters = ParseCounters()
    results = parse_static_packages_py(paths, workers=workers, counters=counters)
    assert len(results) == len(paths)
    good = results[0]
    assert good is not None and good.requires == ("b-1",) and good.name == "a"
    assert results[5] is not None  # a coding cookie makes latin-1 valid
    assert [r is None for r in results] == [False, True, True, True, True, False, True, True,
                                            True, True, True, True]
    assert counters.files_seen == len(paths)
    assert counters.static == 2 and counters.dynamic == 1 and counters.io_errors == 3
    assert counters.not_python == 1


def test_the_automatic_batch_equals_the_python_one(tmp_path: Path, rez_bench: tuple[Any, Any]) -> None:
    """The automatic batch (the compiled reader on threads, the rest in Python) gives the
    records and counts that parsing every file in Python gives: on the benchmark repository,
    with the odd files among them, and files without a timestamp beside old release data."""
    dataset, _ = rez_bench
    paths = [str(p) for p in sorted(dataset.path.glob("*/*/package.py"))]
    for old in ("old_yaml", "old_meta"):
        (tmp_path / old).mkdir()
        (tmp_path / old / "package.py").write_bytes(GOOD)
    (tmp_path / "old_yaml" / "release.yaml").write_text("timestamp: 1\n")
    (tmp_path / "old_meta" / ".metadata").mkdir()
    rejected = []  # texts rez rejects, met again once their rejection is cached
    for i, text in enumerate([b"requires = ['!!']\n", b"variants = [['a', '!!']]\n", b"timestamp = 'x'\n"] * 2):
        (tmp_path / f"rejected{i}.py").write_bytes(GOOD + text)
        rejected.append(str(tmp_path / f"rejected{i}.py"))
    paths[100:100] = _files(tmp_path) + [str(tmp_path / "old_yaml" / "package.py"), str(tmp_path / "old_meta" / "package.py")]
    paths[3000:3000] = rejected[:3]
    paths[9000:9000] = rejected[3:]
    automatic, in_python = ParseCounters(), ParseCounters()
    assert parse_static_packages_py(paths, counters=automatic) == parse_static_packages_py(
        paths, workers=0, counters=in_python)
    assert automatic == in_python and automatic.dynamic >= 3 and automatic.errors >= 6


def test_on_a_network_file_system_many_threads_read(monkeypatch: pytest.MonkeyPatch, rez_bench: tuple[Any, Any]) -> None:
    """Where the probe finds a slow file system, the compiled reader's threads are many (each
    read waits on latency); the records are the same."""
    from rezsnap.parser import _batch

    dataset, _ = rez_bench
    paths = [str(p) for p in sorted(dataset.path.glob("*/*/package.py"))[:3000]]
    local = parse_static_packages_py(paths)
    threads: list[int] = []
    real_pmap = _batch.pmap

    def counting_pmap(func: Any, items: Any, *, workers: int, **kwargs: Any) -> Any:
        threads.append(workers)
        return real_pmap(func, items, workers=workers, **kwargs)

    monkeypatch.setattr(_batch, "stat_latency", lambda paths, samples=16: 1.0)
    monkeypatch.setattr(_batch, "pmap", counting_pmap)
    assert parse_static_packages_py(paths) == local
    if _batch.COMPILED:
        assert threads[0] == min(_batch.NETWORK_THREADS, -(-len(paths) // _batch.FILES_PER_UNIT))


def test_huge_file_is_parsed_or_declined_quickly(tmp_path: Path) -> None:
    path = tmp_path / "huge.py"
    path.write_bytes(b"name = 'a'\n" + b"x = 'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyy'\n" * 200_000)
    (result,) = parse_static_packages_py([str(path)], workers=0)
    assert result is not None and result.name == "a"


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=512))
def test_binary_garbage_never_raises(data: bytes) -> None:
    assert parse_static_package_py(data) is None or isinstance(
        parse_static_package_py(data).requires, tuple  # type: ignore[union-attr]
    )


@pytest.mark.timeout(300)
def test_unguarded_script_uses_the_automatic_pools(tmp_path: Path) -> None:
    """A user script without ``if __name__ == "__main__"`` (the pools must not re-run it)."""
    import subprocess
    import sys

    from rezsnap.datasets import rez_benchmark

    script = tmp_path / "script.py"
    script.write_text(
        "import rezsnap\n"
        f"packages = rezsnap.scan_repo({str(rez_benchmark().path)!r})\n"
        "results = rezsnap.parse_static_packages_py([p.path for p in packages])\n"
        "print(len(packages), sum(r is not None for r in results))\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=240,
                          check=True)
    assert done.stdout.split() == ["18226", "18226"]
    assert "leaked" not in done.stderr


def _scan_in_child() -> None:
    os.setpgrp()  # its own process group: a hung child is killed with its pool workers
    from rezsnap.datasets import rez_benchmark

    from rezsnap import scan_repo

    assert len(scan_repo(str(rez_benchmark().path))) == 18226  # the shared process pool


def test_a_multiprocessing_child_that_used_the_shared_pool_ends() -> None:
    """A multiprocessing child joins its non-daemon children on exit and runs no atexit
    handlers: the shared pool must stop its workers itself, or the child never ends. And a
    forked child must not use the pool it inherits from its parent (its workers and manager
    thread are the parent's): it starts its own."""
    import multiprocessing

    from rezsnap._pool import cpu_count, fork_context, shared_process_pool

    if cpu_count() < 2:
        pytest.skip("the automatic mode scans serially on one CPU: no pool to stop")
    assert shared_process_pool().submit(abs, -1).result() == 1  # the parent's pool runs when the child forks
    child = fork_context().Process(target=_scan_in_child)
    child.start()
    child.join(120)
    hung = child.is_alive()
    if hung:
        os.killpg(child.pid, signal.SIGKILL)
    assert not hung and child.exitcode == 0
    assert child not in multiprocessing.active_children()


def test_records_pickle_to_equal_records() -> None:
    """Workers send their records pickled (PackageData pickles through its constructor)."""
    import pickle

    from rezsnap.model import PackageData

    records = [PackageData("a", "1"), PackageData("b", "2.0", ("a-1+",), (("x",), ("y-2", "z")), 1600000000),
               PackageData("c", "", (), (), None)]
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):
        copies = pickle.loads(pickle.dumps(records, protocol))
        assert copies == records
        assert [type(c) for c in copies] == [PackageData] * 3
        assert [hash(c) for c in copies] == [hash(r) for r in records]
