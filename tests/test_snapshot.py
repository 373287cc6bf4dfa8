"""The snapshot pipeline: rez-identical rows, serial == parallel == Dask, refreshes, crash safety."""

from __future__ import annotations

import concurrent.futures as cf
import errno
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from rezsnap import SnapshotError, build_snapshot, read_snapshot, scan_repo
from rezsnap.snapshot import COLUMNS, SCHEMA_VERSION, read_solve_index

from .trees import TREES


def _rows(path: Path | str) -> list[dict[str, Any]]:
    return read_snapshot(path).table.to_pylist()


def _loaded(row: dict[str, Any]) -> list[Any]:
    return [row["family"], row["version"], row["requires"], row["variants"], row["timestamp"]]


# --- the benchmark repository against rez --------------------------------------------------


@pytest.fixture(scope="module")
def benchmark_snapshot(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Any]:
    from rezsnap.datasets import rez_benchmark

    repo = str(rez_benchmark().path)
    output = tmp_path_factory.mktemp("bench") / "snap.parquet"
    report = build_snapshot(repo, output, progress=False)
    return repo, output, report


def test_benchmark_snapshot_has_one_row_per_package_rez_lists(
    benchmark_snapshot: tuple[str, Path, Any], rez_listing: Any
) -> None:
    repo, output, report = benchmark_snapshot
    theirs = sorted(tuple(r[:4]) for r in rez_listing([repo])["packages"])
    rows = _rows(output)
    ours = sorted((r["family"], r["version"], r["format"], r["path"]) for r in rows)
    assert len(rows) == report.rows == 18226
    assert ours == theirs
    assert report.sources == {"static": 18226, "rez": 0, "late": 0, "error": 0}


def test_benchmark_snapshot_rows_equal_rez_loaded_values(
    benchmark_snapshot: tuple[str, Path, Any], rez_loaded: Any, request: pytest.FixtureRequest
) -> None:
    repo, output, _ = benchmark_snapshot
    rows = _rows(output)
    families = sorted({r["family"] for r in rows})
    if not request.config.getoption("--run-slow"):
        families = families[::8]
    theirs = rez_loaded([repo], families)
    ours = {r["uri"]: _loaded(r) for r in rows if r["family"] in set(families)}
    assert len(ours) == len(theirs) > 1000
    assert ours == theirs


def test_rows_sorted_by_repo_family_and_rez_version_order(benchmark_snapshot: tuple[str, Path, Any]) -> None:
    from rezsnap.version import Version

    rows = _rows(benchmark_snapshot[1])
    keys = [(r["family"], r["version_order"]) for r in rows]
    assert keys == sorted(keys)
    by_family: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_family.setdefault(row["family"], []).append(row)
    for group in by_family.values():
        assert [r["version_order"] for r in group] == list(range(len(group)))
        versions = [Version(r["version"]) for r in group]
        assert versions == sorted(versions)


# --- every scanner fixture tree: each package a row, each row as rez loads it ----------------


@pytest.mark.parametrize("name", sorted(TREES))
def test_fixture_tree_rows_match_rez(name: str, tmp_path: Path, rez_loaded: Any, rez_listing: Any) -> None:
    paths = TREES[name](tmp_path / "repo")
    output = tmp_path / "snap.parquet"
    if any(not os.path.isdir(p) for p in paths):
        # rez lists nothing at a missing or non-directory package path; the nightly job refuses it
        with pytest.raises(SnapshotError, match="does not exist|is not a directory"):
            build_snapshot(paths, output, workers=0, progress=False)
        assert not output.exists()
        paths = [p for p in paths if os.path.isdir(p)]
    # force: an empty fixture root is a rez listing case here (the guard has its own tests)
    report = build_snapshot(paths, output, workers=0, progress=False, force=True)
    rows = _rows(output)
    scanned = scan_repo(paths, workers=0)
    # a name that is not UTF-8 cannot be stored (spec S08): a report entry instead of a row
    unstorable = [e for e in report.errors if "not valid UTF-8" in e[1]]
    storable = [p for p in scanned if (p.path or p.family).isascii() or _utf8(p.path or p.family)]
    assert sorted((r["family"], r["version"], r["path"] or "") for r in rows) == sorted(
        (p.family, p.version, p.path or "") for p in storable
    )
    assert len(rows) == len(storable) == report.rows
    assert len(unstorable) == len(scanned) - len(storable)
    assert report.problems == scanned.problems  # every walk problem is a report entry
    listed = rez_listing(paths)
    assert len(rows) + len(unstorable) == len(listed["packages"])
    theirs = rez_loaded(paths)
    for row in rows:
        rez_value = theirs.get(row["uri"])
        if row["source"] in ("static", "rez"):
            assert _loaded(row) == rez_value, row["uri"]
        else:  # no data: rez fails to load it too (or it is late-bound code), and we say why
            assert row["error"], row
            assert rez_value is None or isinstance(rez_value, str), (row, rez_value)


def _utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def test_rows_follow_the_walk_order_for_every_tree(tmp_path: Path) -> None:
    for name, builder in sorted(TREES.items()):
        paths = [p for p in builder(tmp_path / name) if os.path.isdir(p)]  # others fail the build (above)
        output = tmp_path / f"{name}.parquet"
        build_snapshot(paths, output, workers=0, progress=False, force=True)
        rows = _rows(output)
        repos = [r["repo"] for r in rows]
        order = {repo: i for i, repo in enumerate(dict.fromkeys(paths))}
        assert [order[r] for r in repos] == sorted(order[r] for r in repos), name


# --- serial == parallel == any executor ------------------------------------------------------


@pytest.fixture(scope="module")
def small_repo(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A slice of the benchmark repository, plus combined, yaml and dynamic packages."""
    from rezsnap.datasets import rez_benchmark

    source = rez_benchmark().path
    root = tmp_path_factory.mktemp("small") / "repo"
    for family in sorted(os.listdir(source))[::20]:
        shutil.copytree(source / family, root / family)
    (root / "combo.py").write_text(
        "versions = ['1.0', '2.0', '1.5']\nrequires = ['python']\n"
        "version_overrides = {'2': {'requires': ['python-3']}}\n"
    )
    (root / "yammy" / "1.0").mkdir(parents=True)
    (root / "yammy" / "1.0" / "package.yaml").write_text("requires: [python-2.7]\nvariants: [[a], [b]]\n")
    (root / "dyn" / "1.0").mkdir(parents=True)
    (root / "dyn" / "1.0" / "package.py").write_text("import os\nrequires = ['py' + os.sep.strip('/') + 'thon']\n")
    (root / "broken" / "1.0").mkdir(parents=True)
    (root / "broken" / "1.0" / "package.py").write_text("requires = [\n")
    (root / "empty" / "1.0").mkdir(parents=True)
    return str(root)


def _table(path: Path) -> pa.Table:
    return read_snapshot(path).table


def test_serial_parallel_and_executors_give_identical_snapshots(small_repo: str, tmp_path: Path) -> None:
    serial = tmp_path / "serial.parquet"
    report = build_snapshot(small_repo, serial, workers=0, progress=False)
    assert report.rows > 800 and report.sources["rez"] == 1 and report.sources["error"] == 2
    reference = _table(serial)
    build_snapshot(small_repo, tmp_path / "processes.parquet", workers=2, progress=False)
    assert _table(tmp_path / "processes.parquet").equals(reference)
    with cf.ThreadPoolExecutor(3) as threads:
        build_snapshot(small_repo, tmp_path / "threads.parquet", executor=threads, progress=False)
    assert _table(tmp_path / "threads.parquet").equals(reference)
    build_snapshot(small_repo, tmp_path / "auto.parquet", progress=False)
    assert _table(tmp_path / "auto.parquet").equals(reference)


def test_reads_overlapped_on_a_slow_file_system_give_the_same_snapshot(
    small_repo: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a network file system each load task reads its files with many threads (the probe
    decides); the rows are the serial ones, in the same order, a refresh included."""
    from rezsnap.snapshot import _build

    build_snapshot(small_repo, tmp_path / "serial.parquet", workers=0, progress=False)
    monkeypatch.setattr(_build, "_reader_threads", lambda packages: 8)
    build_snapshot(small_repo, tmp_path / "threaded.parquet", workers=0, progress=False)
    assert _table(tmp_path / "threaded.parquet").equals(_table(tmp_path / "serial.parquet"))
    report = build_snapshot(small_repo, tmp_path / "again.parquet", previous=tmp_path / "threaded.parquet",
                            workers=2, progress=False)
    assert _table(tmp_path / "again.parquet").equals(_table(tmp_path / "serial.parquet"))
    assert report.files_reused > 0


def test_dask_executor_gives_the_same_snapshot(small_repo: str, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    build_snapshot(small_repo, tmp_path / "serial.parquet", workers=0, progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        build_snapshot(small_repo, tmp_path / "dask.parquet", executor=client.get_executor(), progress=False)
    assert _table(tmp_path / "dask.parquet").equals(_table(tmp_path / "serial.parquet"))


def test_no_exec_records_declined_files_as_errors(small_repo: str, tmp_path: Path) -> None:
    report = build_snapshot(small_repo, tmp_path / "s.parquet", workers=0, progress=False, exec_fallback=False)
    assert report.sources["rez"] == 0 and report.sources["error"] == 3
    row = next(r for r in _rows(tmp_path / "s.parquet") if r["family"] == "dyn")
    assert row["source"] == "error" and "switched off" in row["error"] and row["requires"] is None


def test_rez_fallback_rows_equal_rez(small_repo: str, tmp_path: Path, rez_loaded: Any) -> None:
    build_snapshot(small_repo, tmp_path / "s.parquet", workers=0, progress=False)
    rows = {r["family"]: r for r in _rows(tmp_path / "s.parquet")}
    theirs = rez_loaded([small_repo], ["dyn", "yammy", "combo", "broken", "empty"])
    assert rows["dyn"]["source"] == "rez"
    for family in ("dyn", "yammy"):
        assert _loaded(rows[family]) == theirs[rows[family]["uri"]]
    combo = {r["version"]: r for r in _rows(tmp_path / "s.parquet") if r["family"] == "combo"}
    assert [combo[v]["version_order"] for v in ("1.0", "1.5", "2.0")] == [0, 1, 2]
    for row in combo.values():
        assert _loaded(row) == theirs[row["uri"]]
    assert rows["broken"]["source"] == "error" and theirs[rows["broken"]["uri"]].startswith("error")
    assert rows["empty"]["source"] == "error" and rows["empty"]["format"] is None


# --- incremental refresh ---------------------------------------------------------------------


def _bump(path: Path, text: str | None = None) -> None:
    """Change a file (or only its mtime) so that the change is visible whatever the clock."""
    if text is not None:
        path.write_text(text)
    info = path.stat()
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns + 7_000_000_000))


def test_incremental_refresh_equals_a_full_rebuild_and_reads_only_changes(
    small_repo: str, tmp_path: Path
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(small_repo, repo)
    first = tmp_path / "0.parquet"
    build_snapshot(str(repo), first, workers=0, progress=False)
    added = {"yammy", "dyn", "broken", "empty"}
    families = sorted(p.name for p in repo.iterdir() if p.is_dir() and p.name not in added)
    a, b, c = (repo / families[i] for i in (0, 1, 2))
    a_version = min(a.iterdir())
    steps = [
        ("nothing", lambda: None, 0),
        ("touch", lambda: _bump(a_version / "package.py"), 1),
        ("edit", lambda: _bump(a_version / "package.py", "requires = ['python-3']\n"), 1),
        ("add version", lambda: (shutil.copytree(a_version, a / "99.0"), _bump(a / "99.0" / "package.py")), 1),
        ("delete version", lambda: shutil.rmtree(a / "99.0"), 0),
        ("delete family", lambda: shutil.rmtree(b), 0),
        ("add family", lambda: shutil.copytree(small_repo + "/" + b.name, b), len(os.listdir(small_repo + "/" + b.name))),
        ("edit combined", lambda: _bump(repo / "combo.py", "versions = ['1.0', '3.0']\nrequires = ['x']\n"), 2),
        ("edit yaml", lambda: _bump(repo / "yammy" / "1.0" / "package.yaml", "requires: [python-3]\n"), 1),
        ("fix broken", lambda: _bump(repo / "broken" / "1.0" / "package.py", "requires = []\n"), 1),
        ("add definition", lambda: (repo / "empty" / "1.0" / "package.py").write_text("requires = []\n"), 1),
        ("ignore a version", lambda: (c / f".ignore{max(os.listdir(c))}").write_text(""), 0),
    ]
    previous = first
    for index, (what, change, expected_reads) in enumerate(steps, start=1):
        change()
        refreshed = tmp_path / f"{index}.parquet"
        rebuilt = tmp_path / f"{index}-full.parquet"
        report = build_snapshot(str(repo), refreshed, previous=previous, workers=0, progress=False)
        build_snapshot(str(repo), rebuilt, workers=0, progress=False)
        assert _table(refreshed).equals(_table(rebuilt)), what
        # the solve index too (a refresh copies the bytes of unchanged families)
        ours, theirs = read_solve_index(refreshed), read_solve_index(rebuilt)
        assert ours is not None and theirs is not None
        assert sorted(ours.families()) == sorted(theirs.families()), what
        assert all(ours.rows(f) == theirs.rows(f) for f in theirs.families()), what
        # nothing changed: the previous file is kept; otherwise the rows without a stamp (no
        # definition file, unreadable) are always looked at again
        assert report.unchanged == (what == "nothing"), what
        unstamped = 0 if report.unchanged else sum(1 for r in _rows(rebuilt) if r["mtime_ns"] is None)
        assert report.files_read == expected_reads + unstamped, what
        assert report.files_reused == report.rows - report.files_read, what
        previous = refreshed


def test_refresh_in_place_and_from_a_damaged_previous(small_repo: str, tmp_path: Path) -> None:
    output = tmp_path / "snap.parquet"
    build_snapshot(small_repo, output, workers=0, progress=False)
    reference = _table(output)
    report = build_snapshot(small_repo, output, previous=output, workers=0, progress=False)
    assert report.files_read <= 2 and _table(output).equals(reference)
    damaged = tmp_path / "damaged.parquet"
    damaged.write_bytes(output.read_bytes()[:1000])
    report = build_snapshot(small_repo, tmp_path / "again.parquet", previous=damaged, workers=0, progress=False)
    assert report.previous_note and "truncated" in report.previous_note
    assert _table(tmp_path / "again.parquet").equals(reference)
    # other options: the previous rows were loaded differently, so nothing is reused
    report = build_snapshot(small_repo, tmp_path / "noexec.parquet", previous=output, workers=0,
                            progress=False, exec_fallback=False)
    assert report.files_reused == 0 and "options" in str(report.previous_note)


# --- crash safety ----------------------------------------------------------------------------


@pytest.fixture()
def existing(small_repo: str, tmp_path: Path) -> tuple[Path, bytes]:
    output = tmp_path / "out" / "snap.parquet"
    output.parent.mkdir()
    build_snapshot(small_repo, output, workers=0, progress=False)
    return output, output.read_bytes()


def _assert_untouched(existing: tuple[Path, bytes]) -> None:
    output, before = existing
    assert output.read_bytes() == before
    # no temporary file left behind: the snapshot and its solve index only
    assert sorted(os.listdir(output.parent)) == [output.name, output.name + ".index"]


def _raise(task: Any) -> Any:
    raise RuntimeError("a worker bug")


def _die(task: Any) -> Any:
    os._exit(3)


class _Sabotaged(cf.Executor):
    """An executor whose ``nth`` load task runs ``instead`` (a module-level function)."""

    nth: int
    instead: Callable[[Any], Any]
    loads = 0

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        if getattr(fn, "__name__", "") == "load_unit":
            self.loads += 1
            if self.loads == self.nth:
                return super().submit(type(self).instead, *args)
        return super().submit(fn, *args, **kwargs)


class _FailingExecutor(_Sabotaged, cf.ThreadPoolExecutor):
    """Runs tasks on threads; the third load task raises."""

    nth, instead = 3, _raise

    def __init__(self) -> None:
        super().__init__(2)


class _DyingPool(_Sabotaged, cf.ProcessPoolExecutor):
    """A process pool whose second load task kills its worker process."""

    nth, instead = 2, _die

    def __init__(self) -> None:
        import multiprocessing

        super().__init__(2, mp_context=multiprocessing.get_context("fork"))


def test_a_task_that_raises_leaves_the_old_snapshot(small_repo: str, existing: tuple[Path, bytes]) -> None:
    with _FailingExecutor() as executor, pytest.raises(SnapshotError, match="a worker bug.*unchanged"):
        build_snapshot(small_repo, existing[0], executor=executor, progress=False)
    _assert_untouched(existing)


@pytest.mark.skipif(sys.platform == "win32", reason="needs fork")
def test_a_worker_that_dies_leaves_the_old_snapshot(small_repo: str, existing: tuple[Path, bytes]) -> None:
    with _DyingPool() as pool, pytest.raises(SnapshotError, match="worker process died"):
        build_snapshot(small_repo, existing[0], executor=pool, progress=False)
    _assert_untouched(existing)


def test_a_full_disk_leaves_the_old_snapshot(
    small_repo: str, existing: tuple[Path, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(self: Any, table: Any, *args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full_disk)
    with pytest.raises(SnapshotError, match="No space left"):
        build_snapshot(small_repo, existing[0], workers=0, progress=False)
    monkeypatch.undo()
    _assert_untouched(existing)


def test_ctrl_c_leaves_the_old_snapshot(
    small_repo: str, existing: tuple[Path, bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    from rezsnap.snapshot import _build

    calls = []

    def interrupted(task: Any) -> Any:
        calls.append(task)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return _build.load_unit(task)

    monkeypatch.setattr(_build, "load_unit", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_snapshot(small_repo, existing[0], workers=0, progress=False)
    _assert_untouched(existing)


def test_bad_trees_are_written_with_every_problem_reported(tmp_path: Path) -> None:
    paths = [p for name in ("e19_special_entries", "e17_combined_matrix", "e26_no_version", "s08_non_utf8")
             for p in TREES[name](tmp_path / name)]
    # a missing package path fails the nightly job (an operator's typo), naming the path
    with pytest.raises(SnapshotError, match="missing does not exist"):
        build_snapshot([*paths, str(tmp_path / "missing")], tmp_path / "s.parquet", workers=0, progress=False)
    report = build_snapshot(paths, tmp_path / "s.parquet", workers=0, progress=False)
    scanned = scan_repo(paths, workers=0)
    assert report.problems == scanned.problems and any(p.code == "special-file" for p in report.problems)
    snapshot = read_snapshot(tmp_path / "s.parquet")
    unstorable = {uri for uri, message in report.errors if "not valid UTF-8" in message}
    assert len(snapshot) + len(unstorable) == len(scanned) and unstorable
    assert len(snapshot.metadata.problems) == len(scanned.problems)
    rows = snapshot.table.to_pylist()
    errors = {uri for uri, _ in report.errors} - unstorable
    assert {r["uri"] or r["family"] for r in rows if r["source"] in ("error", "late")} == errors


# --- reading -----------------------------------------------------------------------------------


def test_read_snapshot_metadata(small_repo: str, tmp_path: Path) -> None:
    build_snapshot(small_repo, tmp_path / "s.parquet", workers=0, progress=False)
    snapshot = read_snapshot(tmp_path / "s.parquet")
    assert snapshot.metadata.schema_version == SCHEMA_VERSION
    assert snapshot.metadata.package_paths == (small_repo,)
    assert snapshot.metadata.options == {"exec_fallback": True}
    assert snapshot.table.column_names == [c.name for c in COLUMNS]
    assert snapshot.table.schema.field("family").metadata[b"description"]


def test_read_snapshot_refuses_what_is_not_a_usable_snapshot(small_repo: str, tmp_path: Path) -> None:
    good = tmp_path / "s.parquet"
    build_snapshot(small_repo, good, workers=0, progress=False)
    text = tmp_path / "text.parquet"
    text.write_text("hello")
    truncated = tmp_path / "truncated.parquet"
    truncated.write_bytes(good.read_bytes()[:-100])
    foreign = tmp_path / "foreign.parquet"
    pq.write_table(pa.table({"a": [1]}), foreign)
    newer = tmp_path / "newer.parquet"
    table = pq.read_table(good)
    metadata = dict(table.schema.metadata)
    metadata[b"rezsnap.schema_version"] = str(SCHEMA_VERSION + 1).encode()
    pq.write_table(table.replace_schema_metadata(metadata), newer)
    cases = {text: "not a readable Parquet", truncated: "not a readable Parquet",
             foreign: "not a rezsnap snapshot", newer: "upgrade rezsnap",
             tmp_path / "missing.parquet": "no such snapshot", tmp_path: "directory"}
    for path, message in cases.items():
        with pytest.raises(SnapshotError, match=message):
            read_snapshot(path)


def test_other_parquet_readers_see_the_documented_columns(small_repo: str, tmp_path: Path) -> None:
    path = tmp_path / "s.parquet"
    build_snapshot(small_repo, path, workers=0, progress=False)
    names = [c.name for c in COLUMNS]
    assert pq.read_table(path).column_names == names
    pandas = pytest.importorskip("pandas")
    frame = pandas.read_parquet(path)
    assert list(frame.columns) == names and len(frame) == len(read_snapshot(path))
    duckdb = pytest.importorskip("duckdb")
    count = duckdb.sql(f"SELECT count(*) FROM read_parquet('{path}') WHERE family = 'combo'").fetchall()
    assert count == [(3,)]
    required = duckdb.sql(
        f"SELECT version FROM read_parquet('{path}') WHERE list_contains(requires, 'python-3') ORDER BY version"
    ).fetchall()
    assert required == [("2.0",)]


def test_the_docs_document_every_column() -> None:
    root = Path(__file__).resolve().parent.parent
    schema = (root / "docs" / "schema.md").read_text()
    readme = (root / "README.md").read_text()
    for column in COLUMNS:
        assert f"| `{column.name}` |" in schema, column.name
        assert f"`{column.name}`" in readme, column.name
