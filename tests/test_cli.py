"""The command line: data on stdout, summary and problems on stderr, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rezsnap.cli import main

from .trees import TREES


def test_scan_json_lines_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = TREES["e01_basic"](tmp_path)
    assert main(["scan", "--json", "--workers", "0", *paths]) == 0
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["family"], r["version"], r["format"]) for r in rows] == [
        ("bar", "3", "yaml"), ("foo", "1.0", "py"), ("foo", "2.0", "py")]
    assert "3 packages in 2 families" in err


def test_scan_strict_fails_on_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--strict", str(tmp_path / "missing")]) == 1
    assert "missing-repo" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["scan"], ["scan", "--workers", "-1", "x"], ["scan", "--workers", "two", "x"],
                                  ["bench", "nope"], ["frobnicate"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "error" in capsys.readouterr().err


def test_help_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "scan" in capsys.readouterr().out


def test_bench_parse_survives_broken_packages(tmp_path: Path) -> None:
    pytest.importorskip("rez")
    from rezsnap.bench.parse import bench_parse

    (tmp_path / "ok/1.0").mkdir(parents=True)
    (tmp_path / "ok/1.0/package.py").write_text("requires = ['a']\n")
    (tmp_path / "bad/1.0").mkdir(parents=True)
    (tmp_path / "bad/1.0/package.py").write_text("raise ValueError('broken')\n")
    (tmp_path / "badfam.py").write_text("versions = [1]\n")
    comparison = bench_parse([str(tmp_path)], repeat=1)
    assert comparison.details["files"] == 2
    assert comparison.details["counters"]["static"] == 1


def test_snapshot_writes_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = TREES["e01_basic"](tmp_path / "repo")
    output = tmp_path / "snap.parquet"
    assert main(["snapshot", *paths, "-o", str(output), "--workers", "0", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rows"] == 3 and report["sources"]["static"] == 3 and output.exists()
    assert main(["snapshot", *paths, "-o", str(output), "--previous", str(output), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "reused from the previous snapshot: 3" in out


def test_snapshot_that_cannot_be_written_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = TREES["e01_basic"](tmp_path / "repo")
    assert main(["snapshot", *paths, "-o", str(tmp_path / "no" / "dir" / "s.parquet")]) == 1
    assert "failed" in capsys.readouterr().err


def test_snapshot_needs_an_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["snapshot", str(tmp_path)]) == 2


def test_solve_from_a_snapshot_and_from_paths(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from rezsnap import build_snapshot

    from .test_solver_rez_cases import PACKAGES

    snapshot = tmp_path / "s.parquet"
    build_snapshot([PACKAGES], snapshot, workers=0, progress=False)
    assert main(["solve", "pyfoo", "--snapshot", str(snapshot)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split("/")[-3] for line in lines] == ["python", "pyfoo"]
    assert main(["solve", "pyfoo", "--paths", PACKAGES, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [v["qualified_name"] for v in result["resolved_packages"]] == ["python-2.6.8[]", "pyfoo-3.1.0[]"]
    assert main(["solve", "nada", "!nada", "--snapshot", str(snapshot)]) == 1
    assert "conflicts occurred" in capsys.readouterr().err
    assert main(["solve", "no_such_family", "--snapshot", str(snapshot)]) == 2
    assert main(["solve", "bad request!", "--snapshot", str(snapshot)]) == 2
    assert main(["solve", "pyfoo", "--snapshot", str(tmp_path / "missing.parquet")]) == 2


@pytest.mark.parametrize("dataset", ["synthetic-2k", None])
def test_demo_snapshots_solves_and_matches_rez(dataset: str | None, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("rez")
    monkeypatch.setenv("REZSNAP_CACHE_DIR", str(tmp_path))
    if dataset is None:  # the README's first command: the default dataset, the text summary
        assert main(["demo", "--requests", "2"]) == 0
        out = capsys.readouterr().out
        assert "snapshot: 18226 packages" in out and "2/2 resolves identical to rez" in out
        return
    assert main(["demo", "--dataset", dataset, "--requests", "3", "--json", "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["packages"] == 2000 and summary["sources"]["rez"] > 0
    assert len(summary["solves"]) == 3
    assert all(s["status"] == "solved" and s["same_as_rez"] for s in summary["solves"])
    assert Path(summary["snapshot"]).is_file()
