"""What importing rezsnap costs: the public names resolve on first use (PEP 562), and a
process that only solves from a snapshot does not import the scanner's pools, the batch
parser, the snapshot builder or tqdm (a ``rez env`` wrapper starts one per command)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import rezsnap.parser

import rezsnap
import rezsnap.snapshot

_BUILDER_MODULES = ("rezsnap.snapshot._build", "rezsnap.parser._batch", "rezsnap.scanner", "tqdm",
                    "pyarrow.compute", "concurrent.futures.process", "yaml")


def _solve_in_a_fresh_process(solve: str, source: str, request: list[str]) -> tuple[str, list[str]]:
    """The status of ``solve`` (an expression over ``source`` and ``request``) run in a new
    interpreter, and the modules that interpreter imported."""
    script = ("import json, sys\nimport rezsnap, rezsnap.solver\nsource, request = sys.argv[1], json.loads(sys.argv[2])\n"
              f"result = {solve}\nprint(json.dumps([result.status, sorted(sys.modules)]))\n")
    completed = subprocess.run([sys.executable, "-c", script, source, json.dumps(request)],
                               capture_output=True, text=True, check=True, timeout=120)
    status, modules = json.loads(completed.stdout)
    return status, modules


def test_solving_from_a_snapshot_imports_no_builder(rez_bench: tuple[Any, Path]) -> None:
    dataset, snapshot = rez_bench
    status, modules = _solve_in_a_fresh_process(
        "rezsnap.solver.solve_with(rezsnap.solver.Repository.from_snapshot(source), request)", str(snapshot),
        dataset.requests[0])
    assert status == "solved"
    assert [name for name in _BUILDER_MODULES if name in modules] == []


def test_solve_from_a_snapshot_path_with_its_index_imports_no_pyarrow(rez_bench: tuple[Any, Path]) -> None:
    """``solve(r, snapshot=PATH)`` in a fresh process reads the solve index: pyarrow (and
    numpy, about 120 ms) is never imported, not even to ask whether PATH is a Snapshot."""
    dataset, snapshot = rez_bench
    status, modules = _solve_in_a_fresh_process("rezsnap.solve(request, snapshot=source)", str(snapshot),
                                                dataset.requests[0])
    assert status == "solved"
    assert [name for name in ("pyarrow", "numpy", "concurrent.futures", *_BUILDER_MODULES) if name in modules] == []


def test_solve_from_package_paths_imports_no_process_pool(rez_bench: tuple[Any, Path]) -> None:
    """Loading families on demand walks them serially or on threads: multiprocessing and
    concurrent.futures' process pool (with logging, socket, tempfile: about 30 ms) stay out."""
    dataset, _ = rez_bench
    status, modules = _solve_in_a_fresh_process("rezsnap.solve(request, package_paths=[source])",
                                                str(dataset.path), dataset.requests[0])
    assert status == "solved"
    assert [name for name in ("concurrent.futures.process", "multiprocessing") if name in modules] == []


def test_every_public_name_resolves() -> None:
    for module in (rezsnap, rezsnap.snapshot, rezsnap.parser):
        for name in module.__all__:
            assert getattr(module, name) is not None, (module.__name__, name)
    assert set(rezsnap.__all__) <= set(dir(rezsnap))
    assert rezsnap.build_snapshot is rezsnap.snapshot.build_snapshot
    assert rezsnap.parse_static_packages_py is rezsnap.parser.parse_static_packages_py


_COMMAND_THEN_MODULES = """
import atexit, json, sys
from rezsnap._entry import run
sys.argv[1:] = json.loads(sys.argv[1])
# run() ends the process once the exit handlers have run: this one reports the modules
atexit.register(lambda: print(json.dumps(sorted(sys.modules))))
run()  # the program's entry point, as the rezsnap command runs it
"""


def test_snapshot_refresh_and_scan_commands_import_no_pandas(rez_bench: tuple[Any, Path], tmp_path: Path) -> None:
    """pyarrow imports pandas to ask whether a list is a pandas object (250-340 ms a build),
    and numpy when it starts: the command line keeps both out (numpy where pyarrow runs
    without it); a full build needs no pyarrow.compute, nor tqdm without a bar; the scan, and a refresh that finds
    nothing changed, need neither pyarrow nor the builder. The file is the one the API writes."""
    from rezsnap import build_snapshot
    from rezsnap._unused import PYARROW_WITHOUT_NUMPY, pyarrow_major

    dataset, _ = rez_bench
    output = tmp_path / "s.parquet"
    unused = ("pandas", "numpy") if pyarrow_major() >= PYARROW_WITHOUT_NUMPY else ("pandas",)
    commands = {
        "snapshot": ["snapshot", "--paths", str(dataset.path), "-o", str(output), "--no-progress"],
        "refresh": ["snapshot", "--paths", str(dataset.path), "-o", str(output), "--previous", str(output), "--no-progress"],
        "scan": ["scan", "--json", "--paths", str(dataset.path)],
    }
    for name, argv in commands.items():
        completed = subprocess.run([sys.executable, "-c", _COMMAND_THEN_MODULES, json.dumps(argv)],
                                   capture_output=True, text=True, check=True, timeout=300)
        code, modules = completed.returncode, json.loads(completed.stdout.splitlines()[-1])
        assert code == 0, (name, completed.stderr)
        assert [m for m in modules if m.partition(".")[0] in unused] == [], name
        if name == "snapshot":
            assert [m for m in ("pyarrow.compute", "tqdm") if m in modules] == []  # no bar shown: no tqdm
            api = tmp_path / "api.parquet"
            build_snapshot([str(dataset.path)], api, progress=False)  # in this process: numpy may be there
            assert _same_snapshot(output, api)
        if name in ("scan", "refresh"):  # nothing changed since the snapshot: nothing to load or write
            assert [m for m in ("pyarrow", "rezsnap.snapshot._build", "rezsnap.parser._batch") if m in modules] == [], name
        if name == "scan":  # the walk's records are named tuples; the static reader reads no combined family here
            assert [m for m in ("dataclasses", "ast", "rezsnap.parser._module") if m in modules] == []


def _same_snapshot(ours: Path, theirs: Path) -> bool:
    """Equal rows and equal solve indexes (the metadata holds the build time)."""
    from rezsnap.snapshot import read_snapshot, read_solve_index

    mine, other = read_solve_index(ours), read_solve_index(theirs)
    assert mine is not None and other is not None
    same_index = all(mine.blob(f) == other.blob(f) for f in set(mine.families()) | set(other.families()))
    return read_snapshot(ours).table.equals(read_snapshot(theirs).table) and same_index


def test_every_subpackage_is_listed_for_the_wheel() -> None:
    """A package left out of pyproject's list works in an editable install and is missing
    from a wheel: every folder with an __init__.py under a mapped folder must be listed."""
    tomllib = pytest.importorskip("tomllib")  # Python 3.11+
    root = Path(__file__).resolve().parent.parent
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    for name, folder in config["package-dir"].items():
        for init in (root / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(root / folder).parts
            if "__pycache__" in relative or "suite" in relative:  # bench/suite: not installed
                continue
            assert ".".join((name, *relative)) in listed, init


_WORKER_MODULES = """
import json, sys
from rezsnap._pool import process_pool
from rezsnap.parser._batch import _parse_unit

def modules(paths):
    _parse_unit(paths)
    import pyarrow as pa
    pa.array(["a"], pa.string())  # what a load task does: pyarrow asks about pandas here
    return sorted(sys.modules)

if __name__ == "__main__":
    with process_pool(1) as pool:
        print(json.dumps(pool.submit(modules, json.loads(sys.argv[1])).result()))
"""


def test_rezsnap_worker_processes_keep_pandas_out(tmp_path: Path) -> None:
    """A library caller's build runs its loads on rezsnap's pool: its workers refuse pandas
    (and numpy where pyarrow runs without it) unless the caller had imported them."""
    from rezsnap._unused import PYARROW_WITHOUT_NUMPY, pyarrow_major

    script = tmp_path / "workers.py"
    script.write_text(_WORKER_MODULES)
    package = tmp_path / "package.py"
    package.write_text("name = 'a'\nversion = '1'\n")
    completed = subprocess.run([sys.executable, str(script), json.dumps([str(package)])],
                               capture_output=True, text=True, check=True, timeout=120)
    modules = json.loads(completed.stdout.splitlines()[-1])
    unused = ("pandas", "numpy") if pyarrow_major() >= PYARROW_WITHOUT_NUMPY else ("pandas",)
    assert [m for m in modules if m.partition(".")[0] in unused] == []


def test_a_changed_refresh_by_the_program_equals_a_full_build(tmp_path: Path) -> None:
    """A refresh that finds a changed file joins rows with pyarrow.compute: the program runs it
    with pandas (and numpy, where pyarrow runs without it) kept out, and gets the file a full
    build writes."""
    from rezsnap import build_snapshot

    from .trees import package_py

    repo = tmp_path / "repo"
    for version in ("1.0", "1.1", "2.0"):
        package_py(repo, "lib", version, "requires = ['python-3']\n")
    package_py(repo, "python", "3.11")
    output = tmp_path / "s.parquet"
    argv = ["snapshot", "--paths", str(repo), "-o", str(output), "--no-progress"]

    def program(arguments: list[str]) -> list[str]:
        completed = subprocess.run([sys.executable, "-c", _COMMAND_THEN_MODULES, json.dumps(arguments)],
                                   capture_output=True, text=True, check=True, timeout=120)
        code, modules = completed.returncode, json.loads(completed.stdout.splitlines()[-1])
        assert code == 0, completed.stderr
        return modules  # type: ignore[no-any-return]

    program(argv)
    package_py(repo, "lib", "1.1", "requires = ['python-3.11']\n")  # changed
    package_py(repo, "lib", "3.0")  # added
    modules = program([*argv, "--previous", str(output)])
    assert "pyarrow.compute" in modules and "pandas" not in modules
    full = tmp_path / "full.parquet"
    build_snapshot([str(repo)], full, progress=False)
    assert _same_snapshot(output, full)


_LIBRARY_BUILD = """
import json, os, sys
import rezsnap
report = rezsnap.build_snapshot([sys.argv[1]], sys.argv[2], previous=sys.argv[3] or None, progress=False,
                                max_drop=0.5)
imported = sorted(m for m in ("pyarrow", "pandas", "numpy") if m in sys.modules)
import pandas  # the caller's process refuses nothing
print(json.dumps([report.rows, report.unchanged, report.files_read, imported, pandas.FAKE]))
"""


def test_a_library_build_keeps_pyarrow_and_pandas_out_of_the_callers_process(tmp_path: Path) -> None:
    """``rezsnap.build_snapshot()`` in a user's script, where pandas is installed: the build
    that writes runs in a child interpreter of rezsnap's own (which keeps pandas out); the
    caller's process imports neither pyarrow nor pandas for it, and may import pandas after.
    A refresh that finds nothing changed stays in the caller's process; a failed child build
    raises the caller's ``SnapshotError``, the previous file untouched."""
    fake = tmp_path / "site" / "pandas"
    fake.mkdir(parents=True)
    marker = tmp_path / "pandas-imported"
    (fake / "__init__.py").write_text(f"open({str(marker)!r}, 'a').close()\nFAKE = True\n")
    repo = tmp_path / "repo"
    for index in range(10):
        (repo / f"lib{index}" / "1.0").mkdir(parents=True)
        (repo / f"lib{index}" / "1.0" / "package.py").write_text(f"name = 'lib{index}'\nversion = '1.0'\n")
    output = tmp_path / "out.parquet"
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    script = tmp_path / "build.py"
    script.write_text(_LIBRARY_BUILD)

    def build(previous: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, str(script), str(repo), str(output), previous], env=env,
                              capture_output=True, text=True, check=False, timeout=300)

    full = build()
    assert full.returncode == 0, full.stderr
    assert json.loads(full.stdout.splitlines()[-1]) == [10, False, 10, [], True]
    marker.unlink()  # imported by the script's own 'import pandas', after the build
    assert rezsnap.read_snapshot(output).table.num_rows == 10
    kept = build(str(output))
    assert json.loads(kept.stdout.splitlines()[-1])[:3] == [10, True, 0]
    marker.unlink()
    before = output.read_bytes()
    for index in range(6):  # more than half of the rows gone: the child refuses to write
        shutil.rmtree(repo / f"lib{index}")
    refused = build(str(output))
    assert refused.returncode == 1 and "SnapshotError" in refused.stderr, refused.stderr
    assert output.read_bytes() == before and not marker.exists()
