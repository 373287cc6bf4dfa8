"""``rezsnap bench``: every stage prints rez and rezsnap figures from one run, with ratios;
--plot draws the chart, --cold drops the page cache or says why it cannot; the
pytest-benchmark suite in bench/suite keeps working."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from rezsnap.cli import main

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REZSNAP_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.mark.parametrize("stage", ["scan", "parse", "snapshot", "solve", "paths", "nightly", "rez-env"])
def test_each_stage_reports_rez_and_rezsnap_with_a_ratio(stage: str, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("rez")
    argv = ["bench", stage, "--dataset", "synthetic-2k", "--json", "--repeat", "1"]
    if stage in ("solve", "paths"):
        argv += ["--sample", "4"]
    if stage == "rez-env":
        argv += ["--sample", "3"]
    assert main(argv) == 0
    comparisons = json.loads(capsys.readouterr().out)
    for comparison in comparisons:
        assert comparison["rez"]["median"] > 0 and comparison["rezsnap"]["median"] > 0
        assert comparison["ratio"] == pytest.approx(comparison["rez"]["median"] / comparison["rezsnap"]["median"])
    details = comparisons[0]["details"]
    if stage in ("solve", "paths"):
        assert details["identical"] == 4
    if stage == "solve":
        assert details["cold_identical"] == 4 and details["hint_identical"] == 4
        assert details["packages_handed_with_hint"] <= details["packages_handed_without_hint"]
        assert details["new_repository_mean_ms"] > 0 and details["path_loop_over_warm"] > 0
        peer = importlib.util.find_spec("pyrer") is not None
        assert ("pyrer_mean_ms" in details) is peer
        assert any(c["task"].startswith("fresh process") for c in comparisons) is peer
    if stage == "paths":
        assert details["rezsnap_packages_loaded"] > 0 and details["rez_packages_loaded"] > 0
    if stage == "parse":
        assert details["rezsnap_batched_us_per_file"] > 0 and details["rezsnap_per_file_us_per_file"] > 0
    if stage == "nightly":  # whole processes: full build, no-change refresh, scan, the library's build and scan
        assert len(comparisons) == 5 and 0 < comparisons[1]["details"]["refresh_share_of_full_process"] < 1
    if stage == "rez-env":  # the real rez env, both ways: the same resolves, environments and exit codes
        assert details["requests"] == 3 and details["answered_by_rezsnap"] == 3
        assert details["exit_codes_differ"] == details["resolves_differ"] == details["environments_differ"] == 0


def test_version_stage_and_a_chart(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("rez")
    pytest.importorskip("matplotlib")
    chart = tmp_path / "chart.png"
    assert main(["bench", "version", "--repeat", "1", "--plot", str(chart)]) == 0
    assert "ratio" in capsys.readouterr().out
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cold_drops_the_cache_or_says_why_not(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("rez")
    from rezsnap.bench._cold import cold_cache_unavailable

    assert main(["bench", "scan", "--dataset", "synthetic-2k", "--repeat", "1", "--cold"]) == 0
    out, err = capsys.readouterr()
    reason = cold_cache_unavailable()
    if reason is None:
        assert "page cache dropped before every timed run" in out
    else:
        assert reason in err and "warm cache" in err


def test_scale_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("rez")
    assert main(["bench", "scale", "--sizes", "600", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert row["packages"] == 600 and row["snapshot_s"] > 0 and row["parent_peak_mib"] > 10
    assert row["identical_to_rez"] == row["rez_requests"] == 8


def test_solve_needs_requests_for_a_plain_repo(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "solve", "--paths", str(tmp_path)]) == 2
    assert "--requests" in capsys.readouterr().err


def test_the_pytest_benchmark_suite_runs() -> None:
    completed = subprocess.run([sys.executable, "-m", "pytest", "bench/suite", "-q", "--benchmark-disable"],
                               check=False, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stdout[-3000:]


@pytest.mark.parametrize("content", [None, "not json", '{"a": 1}', '[["ok"], [1]]', b"\xff\xfe"])
def test_bad_request_files_are_usage_errors(content: str | bytes | None, tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    requests = tmp_path / "requests.json"
    if isinstance(content, bytes):
        requests.write_bytes(content)
    elif content is not None:
        requests.write_text(content)
    assert main(["bench", "solve", "--paths", str(tmp_path), "--requests", str(requests)]) == 2
    assert f"{requests}:" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["demo", "--sample", "0"], ["bench", "scale", "--sizes", "3"],
                                  ["bench", "scan", "--repeat", "0"], ["compare", "--random", "-1"]])
def test_out_of_range_numbers_are_usage_errors(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "error" in capsys.readouterr().err


def test_all_runs_every_stage_in_its_own_child_and_ends() -> None:
    """``bench all`` forks a child per stage (so that no stage is timed on the heap an
    earlier one left); a child that started the shared pool must still end."""
    pytest.importorskip("rez")
    completed = subprocess.run(
        [sys.executable, "-m", "rezsnap", "bench", "all", "--dataset", "synthetic-2k", "--sample", "2",
         "--repeat", "1", "--json"],
        capture_output=True, text=True, timeout=300, check=True,
    )
    tasks = [comparison["task"] for comparison in json.loads(completed.stdout)]
    assert [tasks[0], tasks[-1]] == ["scan", "100,000 range intersections"]
    assert any(task.startswith("solve") for task in tasks) and any(task.startswith("snapshot") for task in tasks)


def test_whole_process_timing_waits_in_the_kernel_and_enforces_its_timeout() -> None:
    """``Popen.wait(timeout)`` polls up to 50 ms late; the bench's timer waits in one
    ``waitpid`` and still kills a process that runs past the limit."""
    from rezsnap.bench._timing import process_seconds, timed_process

    seconds, code = timed_process([sys.executable, "-c", "import sys; sys.exit(3)"])
    assert code == 3 and 0 < seconds < 30
    seconds, code = timed_process([sys.executable, "-c", "import time; time.sleep(60)"], timeout=0.5)
    assert code != 0 and seconds < 30
    with pytest.raises(subprocess.CalledProcessError):
        process_seconds([sys.executable, "-c", "raise SystemExit(1)"])
