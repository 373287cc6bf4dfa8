"""``write_snapshot``: load a walk's packages and write them into one Parquet snapshot.

The second fan-out of ``build_snapshot`` (``_job.py``), over the pool the walk used: the
load (a batch of packages per task: ``_load.load_unit``). Loaded batches come back in
order and are written as they arrive, so memory holds a bounded window of tasks plus the
write buffer, not the repository.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from itertools import groupby
from operator import attrgetter
from typing import Any, Final, Literal, NamedTuple

import pyarrow as pa

from rezsnap._io import MAX_DEFINITION_BYTES, NETWORK_THREADS, SLOW_STAT, stat_latency
from rezsnap._pool import cpu_count, pmap, shared_process_pool
from rezsnap._progress import progress_bar
from rezsnap.model import PackageKind, ScannedPackage, ScanProblem
from rezsnap.scanner import ScanResult, version_sort_key
from rezsnap.scanner._paths import PathArg

from ._file import (
    AtomicParquetWriter,
    SnapshotError,
    SnapshotMetadata,
    encode_metadata,
    read_snapshot,
)
from ._guards import Guard, check_shrink
from ._index import ROW_FIELDS, SolveIndex, read_solve_index, write_solve_index
from ._load import FileStamp, LoadedBatch, LoadTask, load_unit
from ._report import SnapshotReport, problem_dict
from ._schema import DATA_COLUMNS, LISTING_COLUMNS, SCHEMA, SCHEMA_VERSION
from ._unchanged import ObservedState

__all__ = ["write_snapshot"]

#: Packages per load task: amortises a task's overhead, and balances the pool.
PACKAGES_PER_UNIT: Final = 256
#: Below this many packages a process pool costs more than it saves.
MIN_PACKAGES_FOR_PROCESSES: Final = 2000
#: Rows buffered before a Parquet row group is written.
ROWS_PER_WRITE: Final = 65536


class _Previous:
    """A previous snapshot's rows, to reuse by package URI."""

    def __init__(self, table: pa.Table, package_paths: Sequence[str], index: SolveIndex | None) -> None:
        self.data = table.select(list(DATA_COLUMNS))
        self.uri = table.column("uri")
        self.mtime_ns = table.column("mtime_ns")
        self.size = table.column("size")
        self.ctime_ns = table.column("ctime_ns")
        self.package_paths = tuple(package_paths)
        self.index = index  # its solve index, when current: unchanged families keep their bytes
        self.family_rows = Counter(table.column("family").to_pylist()) if index is not None else Counter()


def _open_previous(previous: PathArg | None, options: dict[str, Any], report: SnapshotReport) -> _Previous | None:
    if previous is None:
        return None
    report.previous = os.fspath(previous)
    try:
        snapshot = read_snapshot(previous)
    except SnapshotError as exc:
        report.previous_note = str(exc)  # a refresh from a lost or damaged file is a full build
        return None
    if snapshot.metadata.schema_version != SCHEMA_VERSION:
        report.previous_note = f"schema version {snapshot.metadata.schema_version}, not {SCHEMA_VERSION}"
        return None
    if snapshot.metadata.options != options:
        report.previous_note = f"built with other options ({snapshot.metadata.options})"
        return None
    return _Previous(snapshot.table, snapshot.metadata.package_paths, read_solve_index(previous))


class _Walked(NamedTuple):
    """The walk's packages in snapshot order, each one's rank in its family, and the
    same packages as columns (``zip(*packages)``: one transposition, read by every step)."""

    packages: list[ScannedPackage]
    ranks: list[int]
    columns: list[tuple[Any, ...]]

    def column(self, name: str) -> tuple[Any, ...]:
        return self.columns[ScannedPackage._fields.index(name)]


def _in_rez_order(packages: list[ScannedPackage]) -> _Walked:
    """Rows sorted by (repo order, family, rez version order), and each row's rank in its family.

    The scan lists directory families in version order already; a combined
    file keeps its file order, and a family may be both a directory and a file.
    """
    columns = _transposed(packages)
    if PackageKind.COMBINED in columns[ScannedPackage._fields.index("kind")]:
        ordered: list[ScannedPackage] = []
        for _, run in groupby(packages, key=attrgetter("repo", "family")):
            group = list(run)
            if len(group) > 1 and any(p.kind is PackageKind.COMBINED for p in group):
                group.sort(key=lambda p: version_sort_key(p.version))
            ordered += group
        packages, columns = ordered, _transposed(ordered)
    walked = _Walked(packages, [], columns)
    rank, last = 0, None
    for family_in_repo in zip(walked.column("family"), walked.column("repo")):
        rank = rank + 1 if family_in_repo == last else 0
        last = family_in_repo
        walked.ranks.append(rank)
    return walked


def _transposed(packages: list[ScannedPackage]) -> list[tuple[Any, ...]]:
    return list(zip(*packages)) or [()] * len(ScannedPackage._fields)


def _storable(packages: list[ScannedPackage], report: SnapshotReport) -> list[ScannedPackage]:
    """The packages whose names Parquet can hold (UTF-8); the others become report errors.

    rez lists a family or version whose name is not valid UTF-8 (spec S08); the walk
    reports it as a problem, and a snapshot cannot store it.
    """
    if all(p.path is not None and p.path.isascii() for p in packages):
        return packages  # the usual case, decided without building any string
    kept = []
    for package in packages:
        text = package.path or f"{package.repo}/{package.family}/{package.version}"
        if not text.isascii():
            try:
                text.encode("utf-8")
                package.repo.encode("utf-8")
            except UnicodeEncodeError:
                shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
                report.errors.append((shown, "name is not valid UTF-8: not stored in the snapshot"))
                continue
        kept.append(package)
    return kept


def write_snapshot(
    scanned: ScanResult,
    package_paths: list[str],
    created: str,
    options: dict[str, Any],
    fingerprint: bytes,
    state: ObservedState,
    previous: PathArg | None,
    pool: Executor | None,
    automatic: bool,
    progress: bool | Literal["always"],
    guard: Guard,
    report: SnapshotReport,
) -> None:
    """Load the walk's packages (rows of ``previous`` whose file did not change are reused) and
    write the snapshot ``report.output`` and its solve index. ``automatic``: choose the pool."""
    reusable = _open_previous(previous, options, report)
    report.problems = list(scanned.problems) + _oversized(scanned)
    walked = _in_rez_order(_storable(scanned, report))
    check_shrink(report.output, len(walked.packages), guard)
    metadata = SnapshotMetadata(
        SCHEMA_VERSION, _rezsnap_version(), created,
        tuple(package_paths), options, tuple(problem_dict(p) for p in report.problems),
    )
    _write(walked, reusable, options["exec_fallback"], pool, automatic, metadata, report, progress, fingerprint, state)
    report.rows = len(walked.packages)
    report.families = len({(p.repo, p.family) for p in walked.packages})


def _rezsnap_version() -> str:
    from rezsnap import __version__

    return __version__


def _automatic_pool(count: int) -> Executor | None:
    """The shared pool when ``count`` packages are to be read (a refresh reads only the changed
    ones: a few are read faster here than sent to workers)."""
    if count >= MIN_PACKAGES_FOR_PROCESSES and cpu_count() > 1:
        return shared_process_pool()
    return None


def _dictionary(values: Sequence[Any]) -> pa.Array:
    return pa.array(values, type=pa.dictionary(pa.int32(), pa.string()))


class _Listing:
    """The walk's columns for every row, built once; written in slices."""

    def __init__(self, walked: _Walked) -> None:
        paths = pa.array(walked.column("path"), pa.string())
        kinds = walked.column("kind")
        self.columns = [
            _dictionary(walked.column("family")),
            pa.array(walked.column("version"), pa.string()),
            pa.array(walked.ranks, pa.int32()),
            _dictionary(walked.column("format")),
            _dictionary(kinds),  # a str enum: its value
            paths,
            # a combined family's URI is 'path<version>'; every other URI is the path
            pa.array([p.uri for p in walked.packages], pa.string()) if PackageKind.COMBINED in kinds else paths,
            _dictionary(walked.column("repo")),
        ]
        self.uri = self.columns[LISTING_COLUMNS.index("uri")]

    def slice(self, start: int, end: int) -> list[pa.Array]:
        return [column.slice(start, end - start) for column in self.columns]


class _Plan(NamedTuple):
    """Per package: the previous snapshot's row with the same URI (-1: none), that row's
    stamp, and whether the walk's stamp already shows the file unchanged."""

    previous_row: list[int]
    previous_stamp: list[FileStamp | None]
    unchanged: list[bool]


def _plan(walked: _Walked, listing: _Listing, reusable: _Previous | None) -> _Plan:
    """Match the walk against the previous snapshot, vectorised (Arrow joins by URI).

    The walk ``stat``-ed most definition files already: an equal stamp is
    decided here, without a task; tasks check the others themselves.
    """
    count = len(walked.packages)
    if reusable is None or count == 0:
        return _Plan([-1] * count, [None] * count, [False] * count)
    import pyarrow.compute as pc  # here: a full build needs none of it (about 35 ms to import)

    rows = pc.index_in(listing.uri, value_set=reusable.uri.combine_chunks())
    old_mtime = reusable.mtime_ns.take(rows)
    old_size = reusable.size.take(rows)
    old_ctime = reusable.ctime_ns.take(rows)
    walk_stamps = walked.column("stamp")
    if None in walk_stamps:
        walk_stamps = tuple(stamp or (None, None, None) for stamp in walk_stamps)
    mtime, size, ctime = (pa.array(values, pa.int64()) for values in zip(*walk_stamps))
    same = pc.fill_null(pc.and_(pc.and_(pc.equal(old_mtime, mtime), pc.equal(old_size, size)),
                                pc.equal(old_ctime, ctime)), False)
    stamps: list[FileStamp | None] = [None] * count
    if not pc.all(same).as_py():  # the tasks check the files the walk did not decide
        stamps = [None if m is None or z is None or c is None else (m, z, c)
                  for m, z, c in zip(old_mtime.to_pylist(), old_size.to_pylist(), old_ctime.to_pylist())]
    return _Plan(pc.fill_null(rows, -1).to_pylist(), stamps, same.to_pylist())


class _Segment(NamedTuple):
    """Rows ``start:end`` of the walk: all reused from the previous snapshot, or one task."""

    start: int
    end: int
    task: LoadTask | None


def _reader_threads(packages: Sequence[ScannedPackage]) -> int:
    """Threads per load task: many on a slow (network) file system, where each read waits on
    latency and reads overlap well; none on a local disk, where they would only contend for
    the GIL. The walk's probe decides, on the definition files."""
    paths = [p.path for p in packages if p.path]
    return NETWORK_THREADS if stat_latency(paths) > SLOW_STAT else 0


def _segments(packages: list[ScannedPackage], plan: _Plan, exec_fallback: bool, threads: int) -> list[_Segment]:
    segments: list[_Segment] = []
    for start in range(0, len(packages), PACKAGES_PER_UNIT):
        end = min(start + PACKAGES_PER_UNIT, len(packages))
        if all(plan.unchanged[start:end]):
            if segments and segments[-1].task is None:  # one take for a long unchanged run
                segments[-1] = _Segment(segments[-1].start, end, None)
            else:
                segments.append(_Segment(start, end, None))
            continue
        task = (packages[start:end], plan.previous_stamp[start:end], plan.unchanged[start:end], exec_fallback,
                threads)
        segments.append(_Segment(start, end, task))
    return segments


def _write(
    walked: _Walked,
    reusable: _Previous | None,
    exec_fallback: bool,
    pool: Executor | None,
    automatic: bool,
    metadata: SnapshotMetadata,
    report: SnapshotReport,
    progress: bool | Literal["always"],
    fingerprint: bytes,
    state: ObservedState,
) -> None:
    packages = walked.packages
    listing = _Listing(walked)
    plan = _plan(walked, listing, reusable)
    segments = _segments(packages, plan, exec_fallback, _reader_threads(packages))
    reused_blobs = _unchanged_family_blobs(walked, plan, reusable, metadata)
    fresh = [p.family not in reused_blobs for p in packages]  # rows the index is written from
    tasks = [segment.task for segment in segments if segment.task is not None]
    if automatic:
        pool = _automatic_pool(sum(len(task[0]) for task in tasks))
    window = 4 * cpu_count() if pool is not None else None
    show = progress == "always" or (progress is True and sys.stderr.isatty())
    with AtomicParquetWriter(report.output, SCHEMA.with_metadata(encode_metadata(metadata))) as sink, progress_bar(
        len(packages), show, unit="pkg", desc="snapshot"
    ) as bar:
        results = pmap(load_unit, tasks, workers=0, executor=pool, window=window)
        index_columns: dict[str, list[Any]] = {name: [] for name in (*ROW_FIELDS, "family")}
        pieces: list[pa.Table] = []
        stamps_as_read: list[FileStamp | None] = []
        written = 0
        for segment in segments:
            if segment.task is None:
                assert reusable is not None
                data = reusable.data.take(plan.previous_row[segment.start : segment.end])
            else:
                data = _merge(next(results), segment, plan, reusable, report)
            pieces.append(data)
            bar.update(segment.end - segment.start)
            if segment.end - written >= ROWS_PER_WRITE or segment.end == len(packages):
                data = pa.concat_tables(pieces).combine_chunks()
                values = _DataValues(data)
                sink.write(pa.Table.from_arrays(listing.slice(written, segment.end) + _normalised(data, values),
                                                schema=SCHEMA))
                wanted = fresh[written : segment.end]
                if any(wanted):
                    _add_index_rows(index_columns, walked, written, values, wanted)
                _tally(packages[written : segment.end], values, report)
                stamps_as_read += values.stamps()
                pieces, written = [], segment.end
        if next(results, None) is not None or sink.rows != len(packages):
            raise SnapshotError("the loaded rows do not match the walk; nothing was written")
        if sink.rows == 0:
            sink.write(SCHEMA.empty_table())
    # Every file as read had the stamp the walk saw: the rows are those of this walk, and a
    # refresh that walks the same again can keep this snapshot (_unchanged.py).
    current = stamps_as_read == list(walked.column("stamp"))
    observed = state.digest() if current else None  # taken before the walk (_unchanged.py says why)
    summary = {"rows": len(packages), "families": len({(p.repo, p.family) for p in packages}),
               "sources": dict(report.sources), "errors": [list(error) for error in report.errors],
               "problems": [problem_dict(problem) for problem in report.problems]}
    write_solve_index(report.output, metadata.created, metadata.package_paths, index_columns,
                      index_columns["family"], reused_blobs, fingerprint if current else None, summary, observed)
    report.files_reused = len(packages) - report.files_read


class _DataValues:
    """The loaded columns of rows about to be written, as Python values, each converted once
    when first asked for (the solve index, the report and the stamps share them; the index
    wants none of a refresh's rows whose families are all unchanged)."""

    def __init__(self, data: pa.Table) -> None:
        self._data = data
        self._columns: dict[str, list[Any]] = {}

    def column(self, name: str) -> list[Any]:
        found = self._columns.get(name)
        if found is None:
            found = self._columns[name] = self._data.column(name).to_pylist()
        return found

    def stamps(self) -> list[FileStamp | None]:
        return [None if mtime is None else (mtime, size, ctime)
                for mtime, size, ctime in zip(self.column("mtime_ns"), self.column("size"), self.column("ctime_ns"))]


# The solve index's fields that the walk gives: each from the scanned package, as the
# snapshot's listing column holds it (kind: the enum's value; uri: ScannedPackage.uri).
_LISTED: Final[dict[str, Callable[[ScannedPackage], Any]]] = {
    "repo": attrgetter("repo"), "version": attrgetter("version"), "format": attrgetter("format"),
    "kind": lambda package: package.kind.value, "path": attrgetter("path"), "uri": attrgetter("uri"),
    "family": attrgetter("family"),
}


def _add_index_rows(index_columns: dict[str, list[Any]], walked: _Walked, start: int, values: _DataValues,
                    wanted: list[bool]) -> None:
    """Append the rows ``start:`` that are ``wanted`` to the solve index's columns."""
    packages = walked.packages[start : start + len(wanted)]
    every = all(wanted)
    for name, values_of in index_columns.items():
        listed = _LISTED.get(name)
        column = [listed(p) for p in packages] if listed is not None else values.column(name)
        values_of += column if every else [value for value, keep in zip(column, wanted) if keep]


def _merge(
    loaded: LoadedBatch, segment: _Segment, plan: _Plan, reusable: _Previous | None, report: SnapshotReport
) -> pa.Table:
    """A task's batch, with the rows it found unchanged taken from the previous snapshot."""
    fresh = pa.Table.from_batches([loaded.data])
    report.files_read += fresh.num_rows
    if not loaded.reused:
        return fresh
    assert reusable is not None
    old = reusable.data.take([plan.previous_row[segment.start + i] for i in loaded.reused])
    # previous rows first, then fresh ones: put them back in walk order
    positions, next_fresh, reused = [], len(loaded.reused), set(loaded.reused)
    next_old = 0
    for position in range(segment.end - segment.start):
        if position in reused:
            positions.append(next_old)
            next_old += 1
        else:
            positions.append(next_fresh)
            next_fresh += 1
    return pa.concat_tables([old, fresh]).take(positions)


def _normalised(data: pa.Table, values: _DataValues) -> list[pa.Array]:
    """The data columns to write: one chunk each, the source a dictionary in first-use
    order, so the same rows give the same file whether they were loaded now or reused. (The
    listing's dictionaries are built in first-use order already.)"""
    columns = data.columns
    columns[data.schema.get_field_index("source")] = _dictionary(values.column("source"))
    return columns  # type: ignore[no-any-return]


def _unchanged_family_blobs(walked: _Walked, plan: _Plan, reusable: _Previous | None,
                           metadata: SnapshotMetadata) -> dict[str, bytes]:
    """The previous solve index's bytes of every family whose rows are all the previous ones
    (the walk found each file unchanged, and the family has as many rows as before): a
    refresh copies them instead of converting and compressing those rows again."""
    if reusable is None or reusable.index is None or reusable.package_paths != tuple(metadata.package_paths):
        return {}
    positions: dict[str, list[int]] = {}
    for position, package in enumerate(walked.packages):
        positions.setdefault(package.family, []).append(position)
    unchanged = plan.unchanged
    blobs = {}
    for family, where in positions.items():
        blob = reusable.index.blob(family)
        if blob is not None and reusable.family_rows[family] == len(where) and all(unchanged[i] for i in where):
            blobs[family] = blob
    return blobs


def _oversized(scanned: Sequence[ScannedPackage]) -> list[ScanProblem]:
    """Definition files the walk already saw too big to read (the load makes them error rows)."""
    return [ScanProblem(p.path, "unreadable-file", f"file larger than {MAX_DEFINITION_BYTES} bytes", p.family)
            for p in scanned if p.stamp is not None and p.path and p.stamp[1] > MAX_DEFINITION_BYTES]


_CANNOT_READ: Final = "cannot read "  # how _load.py words a definition file it could not read


def _tally(packages: Sequence[ScannedPackage], values: _DataValues, report: SnapshotReport) -> None:
    """Count the written rows per source, and list the rows without data."""
    for source, count in Counter(values.column("source")).items():
        report.sources[source] += count
    reported = {problem.path for problem in report.problems}
    for package, error in zip(packages, values.column("error")):
        if error is None:
            continue
        report.errors.append((package.uri or package.family, error))
        # a definition file that could not be read as a file (a FIFO, an oversized file) is a problem too
        path = package.path
        if path and error.startswith(_CANNOT_READ) and path not in reported:
            code = "special-file" if "not a regular file" in error else "unreadable-file"
            report.problems.append(ScanProblem(path, code, error, package.family))
            reported.add(path)
