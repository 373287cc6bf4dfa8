"""The command line: data on stdout, summary and problems on stderr, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rezsnap.cli import main

from .trees import TREES


def test_scan_json_lines_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = TREES["e01_basic"](tmp_path)
    assert main(["scan", "--json", "--threads", "0", "--paths", *paths]) == 0
    out, err = capsys.readouterr()
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["family"], r["version"], r["format"]) for r in rows] == [
        ("bar", "3", "yaml"), ("foo", "1.0", "py"), ("foo", "2.0", "py")]
    assert set(rows[0]) == {"family", "version", "format", "path", "repo", "kind", "uri"}  # as documented
    assert rows[1]["uri"] == rows[1]["path"]
    assert "3 packages in 2 families" in err


def test_scan_strict_fails_on_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--strict", "--paths", str(tmp_path / "missing")]) == 1
    assert "missing-repo" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["scan"], ["scan", "--threads", "-1", "--paths", "x"],
                                  ["scan", "--threads", "two", "--paths", "x"], ["bench", "nope"], ["frobnicate"],
                                  ["solve", "", "--dataset", "synthetic-2k"], ["solve", "a"],
                                  ["solve", "a", "--time", "yesterday", "--paths", "x"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    assert "error" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["scan", "--json"], ["solve", " ", "--paths", "x", "--json"],
                                  ["info", "missing.parquet", "--json"], ["frobnicate", "--json"]])
def test_json_errors_are_a_json_object_on_stdout(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(argv)
    error = json.loads(capsys.readouterr().out)["error"]
    assert code == error["exit_code"] == 2 and error["message"] and error["type"]


def test_snapshot_failure_with_json_is_a_json_object(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["snapshot", "--paths", str(tmp_path / "missing"), "-o", str(tmp_path / "s.parquet"), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["error"]["exit_code"] == 1


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    import rezsnap

    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"rezsnap {rezsnap.__version__}\n"


@pytest.mark.parametrize("text", ["1393014494", " 42 ", "-10s", "-5m", "-0.5h", "-10d", "-1.5d", "x", "-3x", "", "-d"])
def test_time_takes_what_rez_env_time_takes(text: str) -> None:
    """Rule: rez env --time goes through rez.utils.formatting.get_epoch_time_from_str."""
    import argparse

    rez_formatting = pytest.importorskip("rez.utils.formatting")
    from rezsnap.cli._parser import epoch_time as _epoch_time

    try:
        theirs: object = rez_formatting.get_epoch_time_from_str(text)
    except ValueError as exc:
        theirs = str(exc)
    try:
        ours: object = _epoch_time(text)
    except argparse.ArgumentTypeError as exc:
        ours = str(exc)
    if isinstance(theirs, int) and text.startswith("-"):
        assert isinstance(ours, int) and abs(ours - theirs) <= 2  # "now" moved on
    else:
        assert ours == theirs


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
    assert main(["snapshot", "--paths", *paths, "-o", str(output), "--workers", "0", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["rows"] == 3 and report["sources"]["static"] == 3 and output.exists()
    assert main(["snapshot", "--paths", *paths, "-o", str(output), "--previous", str(output), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "reused from the previous snapshot: 3" in out


def test_snapshot_that_cannot_be_written_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    paths = TREES["e01_basic"](tmp_path / "repo")
    assert main(["snapshot", "--paths", *paths, "-o", str(tmp_path / "no" / "dir" / "s.parquet")]) == 1
    assert "failed" in capsys.readouterr().err


def test_snapshot_needs_an_output(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["snapshot", "--paths", str(tmp_path)]) == 2


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
    capsys.readouterr()
    # one request per argument, as rez env: "pyfoo python" is one (malformed) request, not two
    assert main(["solve", "pyfoo python", "--snapshot", str(snapshot), "--json"]) == 2
    assert json.loads(capsys.readouterr().out)["requests"] == ["pyfoo python"]
    assert main(["solve", "pyfoo", "--snapshot", str(snapshot), "--paths", PACKAGES]) == 2


@pytest.mark.parametrize("dataset", ["synthetic-2k", None])
def test_demo_snapshots_solves_and_matches_rez(dataset: str | None, tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("rez")
    monkeypatch.setenv("REZSNAP_CACHE_DIR", str(tmp_path))
    if dataset is None:  # the README's first command: the default dataset, the text summary
        assert main(["demo", "--sample", "2"]) == 0
        out = capsys.readouterr().out
        assert "snapshot: 18226 packages" in out and "2/2 resolves identical to rez" in out
        assert f"the cache directory {tmp_path} holds" in out.splitlines()[0]
        # in order: the dataset, the snapshot, each request with rez's figures, the summary
        assert out.index("dataset") < out.index("snapshot:") < out.index("same resolve as rez") < out.index("2/2")
        return
    assert main(["demo", "--dataset", dataset, "--sample", "3", "--json", "--no-progress"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["packages"] == 2000 and summary["sources"]["rez"] > 0
    assert len(summary["solves"]) == 3
    assert all(s["status"] == "solved" and s["same_as_rez"] and s["packages"] > 0 for s in summary["solves"])
    assert summary["cache_dir"] == str(tmp_path) and summary["cache_bytes"] > 0
    assert Path(summary["snapshot"]).is_file()


def test_the_readme_cli_reference_matches_help(capsys: pytest.CaptureFixture[str]) -> None:
    """The README's command table names every command of --help, and every option its
    conventions name is in the --help of each command that takes package paths or requests."""
    import re

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme[readme.index("## Command line reference"):readme.index("## Datasets and benchmarks")]
    listed = set(re.findall(r"^\| `rezsnap (\w[\w-]*)`", section, re.MULTILINE))
    listed |= set(re.findall(r"/ `(\w+)`", section))
    assert main(["--help"]) == 0
    help_text = capsys.readouterr().out
    listing = help_text[help_text.index("COMMAND\n"):]
    commands = set(re.findall(r"^    (\w[\w-]*)\s", listing, re.MULTILINE))
    assert listed == commands
    conventions = {"scan": ["--paths", "--dataset", "--threads", "--progress", "--no-progress", "--json"],
                   "snapshot": ["--paths", "--dataset", "--workers", "--progress", "--no-progress", "--json"],
                   "solve": ["--paths", "--dataset", "--time", "--json"],
                   "compare": ["--paths", "--dataset", "--requests", "--progress", "--json"],
                   "demo": ["--dataset", "--sample", "--progress", "--json"],
                   "bench": ["--paths", "--dataset", "--requests", "--sample", "--threads", "--workers", "--json"]}
    for command, options in conventions.items():
        assert main([command, "--help"]) == 0
        text = capsys.readouterr().out
        for option in options:
            assert option in text and option in section, (command, option)


def test_scan_json_lines_are_json_dumps_of_the_record() -> None:
    """The scan prints its records with json's own string encoder: the same text as json.dumps."""
    from rezsnap.cli._scan import _json_lines
    from rezsnap.model import PackageKind, ScannedPackage

    packages = []
    for family, path in (("a\udcff\"\\\u00e9\n\t", None), ("plain", "/r/plain/1/package.py")):
        for kind in PackageKind:
            packages.append(ScannedPackage(family, "1", "py" if path else None, path, "/r", kind))
            packages.append(ScannedPackage(family, "2\u00e9", "yaml", path, "/r\\x", kind))
    expected = [json.dumps({"family": p.family, "version": p.version, "format": p.format, "path": p.path,
                            "repo": p.repo, "kind": p.kind.value, "uri": p.uri}) + "\n" for p in packages]
    assert list(_json_lines(packages)) == expected


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "python"])
def test_scan_json_texts_of_listed_families_are_json_dumps_of_their_records(compiled: bool) -> None:
    """``json_texts`` (what ``scan --json`` renders) writes a family directory's rows without a
    record per package, in C where it is built: the same text as json.dumps of each package,
    for names json escapes (quotes, backslashes, control characters, DEL, non-ASCII, surrogate
    escapes, beyond the BMP), a version without a definition file and rez's dropped version."""
    from rezsnap.scanner import FamilyRef, ListedFamily
    from rezsnap.scanner._families import NO_VERSION

    from rezsnap.cli import _scan as cli_scan
    from rezsnap.model import PackageKind

    if compiled and cli_scan._directory_lines is None:
        pytest.skip("the compiled module is not built")
    odd = ["1.0", 'q"uote', "back\\slash", "nl\n", "tab\t", "del\x7f", "\x01", "\u00e9t\u00e9", "\udcff1",
           "\U0001f600", "~ ok", NO_VERSION, ""]
    rows = [(name, fmt, None) for name in odd for fmt in ("py", "yaml", None)]
    families = [ListedFamily(FamilyRef(location, repo, name, None), PackageKind.DIRECTORY, rows)
                for location, repo, name in (("/r", "/r", "fam"), ('/r\u00e9"', "~/r\\x", "f\udcff"))]
    families.append(ListedFamily(FamilyRef("/r", "/r", "combo", "py"), PackageKind.COMBINED, [("1", "py", None)]))
    families.append(ListedFamily(FamilyRef("/r", "/r", "solo", None), PackageKind.UNVERSIONED, [("", "yaml", None)]))
    packages = [package for family in families for package in family.packages()]
    expected = "".join(json.dumps({"family": p.family, "version": p.version, "format": p.format, "path": p.path,
                                   "repo": p.repo, "kind": p.kind.value, "uri": p.uri}) + "\n" for p in packages)
    with pytest.MonkeyPatch.context() as patch:
        if not compiled:
            patch.setattr(cli_scan, "_directory_lines", None)
        assert "".join(cli_scan.json_texts(families)) == expected
