"""``REZSNAP_STATS_DIR`` and ``rezsnap rez report``: one record per process, written with no
lock and no append (a shared NFS folder, many hosts), read back whole or not at all."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rezsnap.cli import main
from rezsnap.rez._stats import SolveRecorder, iter_records, summarise

_WRITER = """
import sys
from rezsnap.rez._stats import SolveRecorder
folder, index = sys.argv[1], int(sys.argv[2])
recorder = SolveRecorder(folder, host=f"host{index % 7}")
for solve in range(index % 4 + 1):
    answered = "rez" if solve == 1 else "rezsnap"
    recorder([f"fam{index}-1", "other"], answered, "failed solve" if answered == "rez" else None, solve, 0.25)
assert recorder.flush() is not None
"""


def test_hundreds_of_concurrent_writers(tmp_path: Path) -> None:
    """200 processes (7 "hosts", so the same pid may repeat across hosts) write at once."""
    folder = tmp_path / "stats"
    count = 200
    writers = [subprocess.Popen([sys.executable, "-c", _WRITER, str(folder), str(i)]) for i in range(count)]
    assert all(w.wait(timeout=300) == 0 for w in writers)
    solves = [i % 4 + 1 for i in range(count)]
    rez_answers = sum(1 for n in solves if n > 1)
    summary = summarise(str(folder))
    assert summary["processes"] == count and summary["hosts"] == 7 and summary["unreadable_files"] == 0
    assert summary["solves"] == sum(solves)
    assert summary["answered_by_rez"] == rez_answers and summary["rez_reasons"] == {"failed solve": rez_answers}
    assert summary["answered_by_rezsnap"] == sum(solves) - rez_answers
    assert summary["live_families"] == sum(sum(range(n)) for n in solves)
    assert summary["seconds"]["rezsnap"]["median"] == 0.25
    assert not [name for name in os.listdir(folder) if name.startswith(".")]  # no temporary file left


def test_report_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "stats"
    recorder = SolveRecorder(str(folder))
    assert recorder.flush() is None and not folder.exists()  # a process that solved nothing writes nothing
    recorder(["maya-2024"], "rezsnap", None, 2, 0.5)
    recorder(["nuke"], "rez", "package filter", 0, 1.5)
    written = recorder.flush()
    assert written is not None and json.loads(Path(written).read_text())["solves"][0]["requests"] == ["maya-2024"]
    (folder / "damaged.json").write_text('{"solves": [')  # a truncated or foreign file: counted, skipped
    (folder / ".half-written.json.tmp").write_text("{")  # a writer's temporary file: never read
    assert main(["rez", "report", str(folder), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["solves"] == 2 and summary["rezsnap_share"] == 0.5 and summary["unreadable_files"] == 1
    assert summary["rez_reasons"] == {"package filter": 1} and summary["live_families"] == 2
    assert main(["rez", "report", str(folder)]) == 0
    text = capsys.readouterr().out
    assert "answered by rezsnap: 1 (50.0%)" in text and "package filter" in text
    assert main(["rez", "report", str(tmp_path / "nowhere")]) == 2
    assert main(["rez", "report"]) == 2
    assert [r is None for r in iter_records(str(folder))].count(True) == 1


def test_an_unwritable_folder_never_fails_the_process(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    recorder = SolveRecorder(str(blocker / "stats"))
    recorder(["x"], "rezsnap", None, 0, 0.1)
    assert recorder.flush() is None
