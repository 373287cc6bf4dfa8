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
