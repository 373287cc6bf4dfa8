"""The nightly job as an operated service: operator mistakes, values that cannot be stored,
files that cannot be read, and killed or interrupted builders (run as cron runs them)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest

from rezsnap import build_snapshot
from rezsnap.cli import main
from rezsnap.snapshot import SnapshotError, read_snapshot

from .trees import package_py


@pytest.fixture()
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for i in range(10):
        package_py(root, f"fam{i}", "1.0", "requires = ['base']\n")
    package_py(root, "base", "1.0")
    return root


@pytest.fixture()
def good(repo: Path, tmp_path: Path) -> tuple[Path, bytes]:
    output = tmp_path / "out" / "good.parquet"
    output.parent.mkdir()
    build_snapshot([str(repo)], output, workers=0, progress=False)
    return output, output.read_bytes()


@pytest.mark.parametrize("mistake", ["missing", "a file", "empty"])
def test_a_wrong_package_path_fails_and_keeps_the_snapshot(
    mistake: str, good: tuple[Path, bytes], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output, before = good
    wrong = tmp_path / "typo"
    if mistake == "a file":
        wrong.write_text("not a directory")
    elif mistake == "empty":
        wrong.mkdir()
    code = main(["snapshot", "--paths", str(wrong), "-o", str(output), "--previous", str(output), "--workers", "0"])
    assert code == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and str(wrong) in err
    assert output.read_bytes() == before
    if mistake == "empty":  # an empty repository on purpose: --force (the shrink guard too)
        assert main(["snapshot", "--paths", str(wrong), "-o", str(output), "--force", "--workers", "0"]) == 0
        assert len(read_snapshot(output)) == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every directory")
def test_an_unreadable_package_path_fails(good: tuple[Path, bytes], tmp_path: Path) -> None:
    output, before = good
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        with pytest.raises(SnapshotError, match="cannot be read"):
            build_snapshot([str(locked)], output, workers=0, progress=False)
    finally:
        locked.chmod(0o755)
    assert output.read_bytes() == before


def test_a_rebuild_that_drops_most_rows_is_refused_unless_forced(
    good: tuple[Path, bytes], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output, before = good
    small = tmp_path / "small"
    package_py(small, "base", "1.0")
    assert main(["snapshot", "--paths", str(small), "-o", str(output), "--workers", "0"]) == 1
    assert "dropped" in capsys.readouterr().err and output.read_bytes() == before
    assert main(["snapshot", "--paths", str(small), "-o", str(output), "--workers", "0", "--max-drop", "0.95"]) == 0
    assert len(read_snapshot(output)) == 1
    assert main(["snapshot", "--paths", str(small), "-o", str(output), "--workers", "0", "--max-drop", "2"]) == 2


def test_a_value_that_cannot_be_stored_is_an_error_row(repo: Path, tmp_path: Path) -> None:
    package_py(repo, "huge", "1.0", "timestamp = 9223372036854775808\n")
    report = build_snapshot([str(repo)], tmp_path / "s.parquet", workers=0, progress=False)
    rows = read_snapshot(tmp_path / "s.parquet").table.to_pylist()
    huge = next(r for r in rows if r["family"] == "huge")
    assert huge["source"] == "error" and "64-bit" in huge["error"]
    assert report.rows == 12 and any("64-bit" in message for _, message in report.errors)


def test_files_that_cannot_be_read_as_files_are_problems(repo: Path, tmp_path: Path) -> None:
    (repo / "fifo" / "1.0").mkdir(parents=True)
    os.mkfifo(repo / "fifo" / "1.0" / "package.py")
    big = package_py(repo, "big", "1.0")
    with big.open("a") as sink:
        sink.write("#" * (17 * 1024 * 1024) + "\n")
    report = build_snapshot([str(repo)], tmp_path / "s.parquet", workers=0, progress=False)
    problems = {(Path(p.path).parent.parent.name, p.code) for p in report.problems}
    assert ("fifo", "special-file") in problems and ("big", "unreadable-file") in problems
    stored = {(Path(p["path"]).parent.parent.name, p["code"])
              for p in read_snapshot(tmp_path / "s.parquet").metadata.problems}
    assert ("fifo", "special-file") in stored and ("big", "unreadable-file") in stored


def _dead_pid() -> int:
    pid = 4_000_000
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            pass
        pid -= 1


def test_the_next_build_removes_temporary_files_of_dead_builders(good: tuple[Path, bytes], repo: Path) -> None:
    output, _ = good
    stale = output.parent / f".{output.name}.{_dead_pid()}.abcdefgh.tmp"
    stale_index = output.parent / f".{output.name}.index.{_dead_pid()}.abcdefgh.tmp"
    alive = output.parent / f".{output.name}.{os.getpid()}.abcdefgh.tmp"
    for path in (stale, stale_index, alive):
        path.write_bytes(b"partial")
    build_snapshot([str(repo)], output, workers=0, progress=False)
    assert not stale.exists() and not stale_index.exists()
    assert alive.exists()  # a builder still running: not ours to remove


_POOL_THEN_WAIT = """
import sys, time
from rezsnap._pool import process_pool
pool = process_pool(2)
futures = [pool.submit(time.sleep, 60) for _ in range(2)]
time.sleep(1)
print(" ".join(str(pid) for pid in pool._processes), flush=True)
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ")[1][0] != "Z"  # a zombie waiting for init to reap it is gone


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_workers_exit_soon_after_their_builder_is_killed() -> None:
    parent = subprocess.Popen([sys.executable, "-c", _POOL_THEN_WAIT], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    workers = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(workers) == 2 and all(_alive(pid) for pid in workers)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in workers)


def _read_until(stream: IO[str], marker: str, seconds: float) -> str:
    """What ``stream`` gave until ``marker`` (or its end, or the deadline)."""
    seen, deadline = "", time.monotonic() + seconds
    while marker not in seen and time.monotonic() < deadline:
        char = stream.read(1)
        if not char:
            break
        seen += char
    return seen


def test_ctrl_c_prints_one_line_and_exits_130(rez_bench: tuple[object, Path], tmp_path: Path) -> None:
    """SIGINT to the whole process group, as a terminal's Ctrl-C, while the packages load (the
    progress bar has started): workers ignore it, the builder says one line, the exit code is
    the documented 130, and the output is the previous file (or, if the signal came after the
    atomic rename, the complete new snapshot, and the line says so)."""
    dataset, _ = rez_bench
    output = tmp_path / "snap.parquet"
    rezsnap = str(Path(sys.executable).with_name("rezsnap"))
    output.write_bytes(b"previous")
    run = subprocess.Popen([rezsnap, "snapshot", "--paths", str(dataset.path), "-o", str(output), "--progress"],  # type: ignore[attr-defined]
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert run.stderr is not None
    started = _read_until(run.stderr, "snapshot:", 120)  # the bar's first frame: the load has begun
    os.killpg(run.pid, signal.SIGINT)
    _, rest = run.communicate(timeout=60)
    err = started + rest
    assert run.returncode == 130, err
    assert "Traceback" not in err, err
    said = re.findall(r"rezsnap[^\r\n]*", err)  # the bar may not have ended its line
    assert len(said) == 1 and "interrupted" in said[0], err
    if output.read_bytes() == b"previous":
        assert "nothing was written" in said[0]
    else:
        assert "complete" in said[0] and read_snapshot(output).table.num_rows > 18000
    assert not [name for name in os.listdir(tmp_path) if name.endswith(".tmp")]


def test_snapshot_help_states_the_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["snapshot", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "130 interrupted" in text and "1 the run failed" in text
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert "exits 130" in readme
