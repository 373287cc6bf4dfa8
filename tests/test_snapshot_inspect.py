"""``rezsnap info``, ``diff`` and ``query``: looking inside snapshots, with rez's range
semantics checked against rez itself (its ``iter_packages`` and ``Requirement``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rezsnap import build_snapshot
from rezsnap.cli import main

from .trees import package_py


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_info_counts_problems_and_error_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    package_py(repo, "good", "1.0")
    package_py(repo, "late", "1.0", "@late()\ndef requires():\n    return ['good']\n")
    package_py(repo, "huge", "1.0", "timestamp = 9223372036854775808\n")
    (repo / "nodef" / "1.0").mkdir(parents=True)
    build_snapshot([str(repo)], tmp_path / "s.parquet", workers=0, progress=False, exec_fallback=False)
    code, found = _run(["info", str(tmp_path / "s.parquet")], capsys)
    assert code == 0 and found["rows"] == 4 and found["families"] == 4
    assert found["by_source"] == {"error": 2, "late": 1, "static": 1}
    # a package without a definition file has no URI: the row is named by its family
    assert {Path(r["uri"]).parent.parent.name if "/" in r["uri"] else r["uri"] for r in found["error_rows"]} \
        == {"late", "huge", "nodef"}
    assert main(["info", str(tmp_path / "s.parquet")]) == 0
    assert "4 packages in 4 families" in capsys.readouterr().out
    assert main(["info", str(tmp_path / "missing.parquet")]) == 2


def test_diff_names_added_removed_and_changed_fields(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repo = tmp_path / "repo"
    for version in ("1.0", "2.0"):
        package_py(repo, "foo", version, "requires = ['bar-1']\n")
    package_py(repo, "bar", "1.0")
    build_snapshot([str(repo)], tmp_path / "old.parquet", workers=0, progress=False)
    assert _run(["diff", str(tmp_path / "old.parquet"), str(tmp_path / "old.parquet")], capsys) == (
        0, {"added": [], "removed": [], "changed": []})
    package_py(repo, "foo", "2.0", "requires = ['bar-2']\n")  # edited
    package_py(repo, "foo", "3.0")  # added
    (repo / "foo" / "1.0" / "package.py").unlink()
    (repo / "foo" / "1.0").rmdir()  # removed
    build_snapshot([str(repo)], tmp_path / "new.parquet", workers=0, progress=False)
    code, found = _run(["diff", str(tmp_path / "old.parquet"), str(tmp_path / "new.parquet")], capsys)
    assert code == 1
    assert [a["package"] for a in found["added"]] == ["foo-3.0"]
    assert [r["package"] for r in found["removed"]] == ["foo-1.0"]
    assert found["changed"] == [{"package": "foo-2.0", "uri": str(repo.resolve() / "foo/2.0/package.py"),
                                 "fields": {"requires": [["bar-1"], ["bar-2"]]}}]


@pytest.mark.parametrize(("family", "range_"), [("wave", "2.7+<3"), ("wave", "3"), ("wave", "2.7.1+"),
                                                ("cope", "==3.79.3"), ("cope", "3.7|3.79"), ("integer", "")])
def test_in_range_equals_rez_iter_packages(rez_bench: tuple[Any, Path], family: str, range_: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from rez.packages import iter_packages

    dataset, snapshot = rez_bench
    code, found = _run(["query", str(snapshot), "in-range", family, range_], capsys)
    theirs = sorted(iter_packages(family, range_=range_ or None, paths=[str(dataset.path)]), key=lambda p: p.version)
    assert [f["version"] for f in found] == [str(p.version) for p in theirs]
    assert code == (0 if theirs else 1)


def _rez_admitted(text: str) -> Any:
    """What rez's Requirement lets in: a weak one its written range (rez keeps the inverse)."""
    from rez.version import Requirement, VersionRange

    requirement = Requirement(text)
    if requirement.weak:
        return requirement.name, (VersionRange() if requirement.range is None else ~requirement.range)
    return requirement.name, (None if requirement.conflict else requirement.range)


def _rez_dependents(packages: list[tuple[str, Any, Any]], family: str, admits: str | None,
                    intersects: str | None) -> set[tuple[str, str, str]]:
    from rez.version import Version, VersionRange

    found = set()
    for name, requires, variants in packages:
        places = [("requires", r) for r in requires or ()]
        places += [(f"variant {i}", r) for i, variant in enumerate(variants or ()) for r in variant]
        for where, text in places:
            req_name, admitted = _rez_admitted(str(text))
            if req_name != family or admitted is None:
                continue
            if admits is not None and not admitted.contains_version(Version(admits)):
                continue
            if intersects is not None and admitted.intersection(VersionRange(intersects)) is None:
                continue
            found.add((name, where, str(text)))
    return found


_QUESTIONS = [(None, None), ("2.7.1", None), ("3.6", None), (None, "3"), (None, "2.7.5+<2.8"), ("9", None)]


@pytest.mark.parametrize(("admits", "intersects"), _QUESTIONS)
def test_dependents_equal_rez_on_the_benchmark(rez_bench: tuple[Any, Path], admits: str | None,
                                               intersects: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    """Every requirement of the snapshot, judged by rez's own Requirement and VersionRange."""
    from rezsnap.snapshot import read_snapshot

    _, snapshot = rez_bench
    rows = read_snapshot(snapshot).table.select(["family", "version", "requires", "variants"]).to_pylist()
    packages = [(f"{r['family']}-{r['version']}", r["requires"], r["variants"]) for r in rows]
    argv = ["query", str(snapshot), "dependents", "wave"]
    argv += ["--admits", admits] if admits else ["--intersects", intersects] if intersects else []
    code, found = _run(argv, capsys)
    ours = {(d["package"], d["where"], d["requirement"]) for d in found}
    assert ours == _rez_dependents(packages, "wave", admits, intersects)
    assert code == (0 if ours else 1)


def test_dependents_equal_rez_loaded_packages_with_weak_and_conflicts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rez loads the packages (rez.packages), rez judges the ranges: weak and conflict forms too."""
    from rez.packages import iter_package_families

    repo = tmp_path / "repo"
    bodies = {"a": "requires = ['py-3.7']", "b": "requires = ['py-3.7.16+']", "c": "requires = ['~py-3']",
              "d": "requires = ['!py-2']", "e": "variants = [['py-2.7'], ['py-3.9+<4']]", "f": "requires = ['py']",
              "g": "requires = ['py>=3.6<3.8', 'other']", "h": "requires = ['~py']"}
    for name, body in bodies.items():
        package_py(repo, name, "1.0", body + "\n")
    for version in ("2.7", "3.7.4", "3.9.1"):
        package_py(repo, "py", version)
    build_snapshot([str(repo)], tmp_path / "s.parquet", workers=0, progress=False)
    loaded = [(f"{p.name}-{p.version}", p.requires, p.variants)
              for family in iter_package_families(paths=[str(repo)]) for p in family.iter_packages()]
    for admits, intersects in [(None, None), ("3.7.4", None), ("2.7", None), (None, "3.8+"), (None, "1")]:
        argv = ["query", str(tmp_path / "s.parquet"), "dependents", "py"]
        argv += ["--admits", admits] if admits else ["--intersects", intersects] if intersects else []
        _, found = _run(argv, capsys)
        ours = {(d["package"], d["where"], d["requirement"]) for d in found}
        assert ours == _rez_dependents(loaded, "py", admits, intersects), (admits, intersects)
        if admits == "3.7.4":  # the README's point: python-3.7.16+ does not admit 3.7.4, ~py-3 does
            assert {p for p, _, _ in ours} == {"a-1.0", "c-1.0", "f-1.0", "g-1.0", "h-1.0"}
    assert main(["query", str(tmp_path / "s.parquet"), "in-range", "py"]) == 2  # RANGE missing
