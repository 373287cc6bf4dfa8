"""The ``rezsnap`` program as a process: its exit code, its output through a pipe, and the
end of the process (``_entry.py`` skips the interpreter's teardown once the exit handlers
have run): nothing is lost, and no worker outlives the command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

_PROGRAM = [sys.executable, "-m", "rezsnap"]


def test_exit_codes_and_output_of_the_program(tmp_path: Path) -> None:
    missing = subprocess.run([*_PROGRAM, "scan", "--paths", str(tmp_path / "nope"), "--strict"],
                             check=False, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 1 and "missing-repo" in missing.stderr
    usage = subprocess.run([*_PROGRAM, "scan"], check=False, capture_output=True, text=True, timeout=120)
    assert usage.returncode == 2 and "--paths" in usage.stderr
    (tmp_path / "lib" / "1.0").mkdir(parents=True)
    (tmp_path / "lib" / "1.0" / "package.py").write_text("name = 'lib'\nversion = '1.0'\n")
    listed = subprocess.run([*_PROGRAM, "scan", "--json", "--paths", str(tmp_path)],
                            capture_output=True, text=True, timeout=120, check=True)
    assert [json.loads(line)["version"] for line in listed.stdout.splitlines()] == ["1.0"]  # flushed


def test_output_through_a_pipe_closed_early_ends_quietly(rez_bench: tuple[Any, Path]) -> None:
    """``rezsnap scan --json | head -1``: the program ends without a traceback."""
    dataset, _ = rez_bench
    with subprocess.Popen([*_PROGRAM, "scan", "--json", "--paths", str(dataset.path)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        assert json.loads(process.stdout.readline())["family"]
        process.stdout.close()
        errors = process.stderr.read().decode()
        process.wait(timeout=120)
    assert "Traceback" not in errors and "Exception ignored" not in errors, errors


def test_no_worker_outlives_the_command(rez_bench: tuple[Any, Path], tmp_path: Path) -> None:
    """The walk of a big repository runs on a process pool; the command ends only after it."""
    dataset, _ = rez_bench
    marker = tmp_path / "marked-packages"  # a path only this command's processes name
    marker.symlink_to(dataset.path)
    subprocess.run([*_PROGRAM, "scan", "--json", "--paths", str(marker)], stdout=subprocess.DEVNULL,
                   check=True, timeout=300)
    time.sleep(0.2)
    assert _processes_naming(str(marker)) == []


def _processes_naming(text: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            command = Path("/proc", entry, "cmdline").read_bytes()
        except OSError:
            continue
        if text.encode() in command:
            found.append(int(entry))
    return found
