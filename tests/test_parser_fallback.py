"""package.yaml against rez, and load_package: static first, rez's loader only when allowed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from rezsnap.parser import ParseStatus, analyse_package_yaml

from rezsnap import load_package

YAML_CASES = {
    "plain": "name: y\nversion: '1'\nrequires: [foo-1, 'bar>=2']\nvariants: [[a], [b-2]]\n",
    "empty": "",
    "timestamp": "requires: []\ntimestamp: 5\n",
    "commands_block": "requires: [a]\ncommands: |\n  env.X = 1\n",
    "bad_yaml": "requires: [a\n",
    "top_list": "- a\n- b\n",
    "requires_str": "requires: foo\n",
    "requires_number": "requires: [1.5]\n",
    "python_tag": "requires: !!python/tuple [a]\n",
    "latin1": None,  # written as bytes below
}

DYNAMIC = {
    "dyn_import": "import os\nname = 'x'\nrequires = ['foo-' + os.sep.strip('/') + '1']\n",
    "dyn_early": "@early()\ndef requires():\n    return ['foo-2']\n",
    "dyn_raise": "raise ValueError('broken')\n",
    "late_requires": "@late()\ndef requires():\n    return ['foo-3']\n",
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory, rez_loaded: Any) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("fallback")
    for case, text in YAML_CASES.items():
        path = root / case / "1.0" / "package.yaml"
        path.parent.mkdir(parents=True)
        path.write_bytes(b"description: '\xe9'\n" if text is None else text.encode())
    for case, text in DYNAMIC.items():
        path = root / case / "1.0" / "package.py"
        path.parent.mkdir(parents=True)
        path.write_text(text)
    return {"root": root, "rez": rez_loaded([str(root)])}


def _as_list(data: Any) -> list[Any]:
    return [data.name, data.version, list(data.requires), [list(v) for v in data.variants], data.timestamp]


@pytest.mark.parametrize("case", sorted(YAML_CASES))
def test_yaml_like_rez(case: str, repo: dict[str, Any]) -> None:
    path = repo["root"] / case / "1.0" / "package.yaml"
    theirs = repo["rez"][str(path)]
    outcome = analyse_package_yaml(path.read_bytes(), case, "1.0")
    if outcome.status is ParseStatus.STATIC:
        assert _as_list(outcome.data) == theirs
    else:
        assert isinstance(theirs, str) and theirs.startswith("error"), (case, outcome, theirs)


@pytest.mark.parametrize("case", sorted(DYNAMIC))
def test_dynamic_files_fall_back_to_rez(case: str, repo: dict[str, Any]) -> None:
    path = repo["root"] / case / "1.0" / "package.py"
    loaded = load_package(path, case, "1.0")
    theirs = repo["rez"][str(path)]
    if case == "late_requires":
        assert loaded.source == "late" and loaded.data is None
    elif isinstance(theirs, str):
        assert loaded.source == "error" and loaded.data is None
    else:
        assert loaded.source == "rez" and _as_list(loaded.data) == theirs


def test_exec_fallback_off_never_runs_code(repo: dict[str, Any]) -> None:
    path = repo["root"] / "dyn_import" / "1.0" / "package.py"
    loaded = load_package(path, "dyn_import", "1.0", exec_fallback=False)
    assert loaded.source == "error" and "switched off" in (loaded.reason or "")


def test_without_rez_the_fallback_says_so(repo: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rez.packages", None)  # import fails as if not installed
    path = repo["root"] / "dyn_import" / "1.0" / "package.py"
    loaded = load_package(path, "dyn_import", "1.0")
    assert loaded.source == "error" and "needs rez" in (loaded.reason or "")


def test_static_files_never_touch_rez(repo: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "rez.packages", None)
    loaded = load_package(Path(repo["root"]) / "plain" / "1.0" / "package.yaml", "plain", "1.0")
    assert loaded.source == "static" and loaded.data is not None
    assert loaded.data.requires == ("foo-1", "bar-2+")


def test_combined_packages_like_rez(tmp_path: Path, rez_loaded: Any) -> None:
    """Spec 5.2 / E03 / E17: versions and version_overrides of combined files."""
    from rezsnap.parser import analyse_combined_package

    from rezsnap import scan_repo

    (tmp_path / "multi.py").write_text(
        "name = 'multi'\nversions = ['1.0', '1.1', '2.0']\nrequires = ['base']\n"
        "version_overrides = {'1.1+': {'requires': ['python-3']}, '2': {'variants': [['a'], ['b']]}}\n")
    (tmp_path / "c1.yaml").write_text(
        "versions: ['1.0', '2.0', '1-0']\nversion_overrides:\n"
        "  '1': {requires: [one]}\n  '==2.0': {requires: [two], variants: [[x]]}\n")
    (tmp_path / "single.yaml").write_text("requires: [foo-1]\ntimestamp: 7\n")
    (tmp_path / "badkey.py").write_text("versions = ['1']\nversion_overrides = {'1..': {}}\n")
    theirs = rez_loaded([str(tmp_path)])
    packages = scan_repo(tmp_path, workers=0)
    assert len(packages) == 8  # multi 3, c1 3, single 1, badkey 1
    for package in packages:
        assert package.path is not None and package.format is not None
        outcome = analyse_combined_package(Path(package.path).read_bytes(), package.format,
                                           package.family, package.version)
        expected = theirs[package.uri]
        if outcome.status is ParseStatus.STATIC:
            assert _as_list(outcome.data) == expected, package
        else:
            assert isinstance(expected, str) and expected.startswith("error"), (package, outcome)


OLD_RELEASE = {
    # rez < 2.0.BETA.16: release.yaml beside the file; it replaces any field, requires too
    "release_yaml": {"package.py": "name = 'o'\nrequires = ['a']\n",
                     "release.yaml": "timestamp: 1234\nrequires: [b-2]\n"},
    "release_yaml_with_timestamp": {"package.py": "name = 'o'\nrequires = ['a']\ntimestamp = 7\n",
                                    "release.yaml": "timestamp: 1234\nrequires: [b-2]\n"},
    # rez 1: .metadata/release_time.txt
    "metadata_time": {"package.py": "name = 'o'\nrequires = ['a']\n", ".metadata/release_time.txt": "99\n"},
    "metadata_bad_time": {"package.py": "name = 'o'\n", ".metadata/release_time.txt": "soon\n"},
    "metadata_yaml_package": {"package.yaml": "requires: [a]\n", ".metadata/release_time.txt": "5\n"},
}


@pytest.mark.parametrize("exec_fallback", [True, False])
def test_old_format_release_data_like_rez(tmp_path: Path, rez_loaded: Any, exec_fallback: bool) -> None:
    """Rule: without a ``timestamp``, rez merges ``release.yaml`` or ``.metadata/`` beside the
    file into the package; the static reader leaves such packages to rez's loader."""
    from rezsnap.parser import parse_static_packages_py

    for case, files in OLD_RELEASE.items():
        for name, text in files.items():
            path = tmp_path / case / "1.0" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    theirs = rez_loaded([str(tmp_path)])
    for case, files in OLD_RELEASE.items():
        definition = next(n for n in files if n.startswith("package."))
        path = tmp_path / case / "1.0" / definition
        loaded = load_package(path, case, "1.0", exec_fallback=exec_fallback)
        if loaded.data is not None:
            assert _as_list(loaded.data) == theirs[str(path)], case
        elif exec_fallback:
            assert loaded.source == "error" and str(theirs[str(path)]).startswith("error"), case
        else:
            assert loaded.source == "error" and "switched off" in (loaded.reason or ""), case
        if definition == "package.py" and "timestamp" not in files[definition]:
            assert parse_static_packages_py([path], workers=0) == [None], case
    assert theirs[str(tmp_path / "release_yaml" / "1.0" / "package.py")][2:] == [["b-2"], [], 1234]
