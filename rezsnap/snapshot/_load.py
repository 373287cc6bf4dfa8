"""The load task of the snapshot pipeline: a run of scanned packages in, an Arrow batch out.

A task loads each package whose definition file is new or changed since the
previous snapshot (checked by ``mtime_ns``, size and ``ctime_ns``) and builds the data
columns in the worker, so the parent only stitches batches together. Tasks are
module-level functions with picklable arguments: they run on any
``concurrent.futures.Executor`` (threads, processes, a Dask client).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Final, NamedTuple

import pyarrow as pa

from rezsnap._gc import gc_paused
from rezsnap._io import file_stamp, read_regular_file_stat
from rezsnap.model import PackageData, PackageKind, ScannedPackage
from rezsnap.parser import LoadedPackage, load_scanned_package

from ._schema import DATA_COLUMNS, SCHEMA

__all__ = ["DATA_SCHEMA", "FileStamp", "LoadTask", "LoadedBatch", "load_unit"]

#: ``(mtime_ns, size, ctime_ns)`` of a definition file: what decides that it did not change
#: (the change time too: an edit that restores the size and the mtime still moves it).
FileStamp = tuple[int, int, int]
#: The packages; per package, the previous snapshot's stamp for it (or None) and
#: whether the walk already found it unchanged; whether rez's loader may run code; how
#: many threads read the files (0: one after the other; more on a network file system,
#: where the reads wait on latency and overlap well).
LoadTask = tuple[list[ScannedPackage], list["FileStamp | None"], list[bool], bool, int]

DATA_SCHEMA: Final = pa.schema([SCHEMA.field(name) for name in DATA_COLUMNS])
_NO_DEFINITION: Final = "no package definition file (package.py or package.yaml)"


class LoadedBatch(NamedTuple):
    """A task's result: which packages keep their previous row, and the data of the others."""

    reused: list[int]  # positions in the task whose previous snapshot row is still right
    data: pa.RecordBatch  # DATA_SCHEMA rows of the other packages, in order


class _Columns:
    def __init__(self) -> None:
        self.requires: list[Any] = []
        self.variants: list[Any] = []
        self.timestamp: list[int | None] = []
        self.source: list[str] = []
        self.error: list[str | None] = []
        self.mtime_ns: list[int | None] = []
        self.size: list[int | None] = []
        self.ctime_ns: list[int | None] = []

    def add(self, loaded: LoadedPackage, info: os.stat_result | None) -> None:
        data = loaded.data
        unstorable = None if data is None else _unstorable(data)
        if unstorable is not None:  # rez loads it, the snapshot cannot hold it: an error row, not a failed build
            loaded, data = LoadedPackage("error", None, unstorable), None
        if data is None:
            self.requires.append(None)
            self.variants.append(None)
            self.timestamp.append(None)
        else:
            self.requires.append(data.requires)
            self.variants.append(data.variants)
            self.timestamp.append(data.timestamp)
        self.source.append(loaded.source)
        self.error.append(None if loaded.source in ("static", "rez") else loaded.reason)
        self.mtime_ns.append(None if info is None else info.st_mtime_ns)
        self.size.append(None if info is None else info.st_size)
        self.ctime_ns.append(None if info is None else info.st_ctime_ns)

    def batch(self) -> pa.RecordBatch:
        return pa.RecordBatch.from_arrays(
            [pa.array(getattr(self, name), DATA_SCHEMA.field(name).type) for name in DATA_COLUMNS],
            schema=DATA_SCHEMA,
        )


_Read = tuple[bytes, os.stat_result] | OSError
_INT64: Final = (-(2**63), 2**63 - 1)


def _unstorable(data: PackageData) -> str | None:
    """Why a loaded package's values do not fit the snapshot's columns (None: they do)."""
    timestamp = data.timestamp
    if timestamp is not None and not _INT64[0] <= timestamp <= _INT64[1]:
        return f"timestamp {timestamp} does not fit the snapshot's 64-bit integer column"
    for text in (*data.requires, *(r for variant in data.variants for r in variant)):
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return f"requirement {text!r} is not valid UTF-8"
    return None


class _Decision:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


_REUSE: Final = _Decision("reuse")  # the previous row is still right
_LATER: Final = _Decision("later")  # read while loading (a combined file: read once for all its packages)


def _fetch(item: tuple[ScannedPackage, FileStamp | None, bool]) -> _Read | _Decision:
    """The file I/O of one package: is it unchanged, else its bytes (runs in any thread)."""
    package, stamp, same = item
    if same or (stamp is not None and file_stamp(package.path) == stamp):
        return _REUSE
    if package.path is None or package.kind is PackageKind.COMBINED:
        return _LATER
    try:
        return read_regular_file_stat(package.path)
    except OSError as exc:
        return exc


def load_unit(task: LoadTask) -> LoadedBatch:
    """Task: load the packages that changed, in order (runs in a worker)."""
    packages, stamps, unchanged, exec_fallback, threads = task
    items = list(zip(packages, stamps, unchanged))
    if threads > 1:  # many requests in flight: the latencies overlap
        with ThreadPoolExecutor(min(threads, len(items))) as readers:
            fetched = list(readers.map(_fetch, items))
    else:
        fetched = [_fetch(item) for item in items]
    with gc_paused():
        reused: list[int] = []
        columns = _Columns()
        combined: dict[str, _Read] = {}  # a combined file holds many packages: read it once
        for position, (package, found) in enumerate(zip(packages, fetched)):
            if found is _REUSE:
                reused.append(position)
                continue
            columns.add(*_load(package, exec_fallback, combined, None if isinstance(found, _Decision) else found))
        return LoadedBatch(reused, columns.batch())


def _load(
    package: ScannedPackage, exec_fallback: bool, combined: dict[str, _Read], read: _Read | None = None
) -> tuple[LoadedPackage, os.stat_result | None]:
    path = package.path
    if path is None:
        return LoadedPackage("error", None, _NO_DEFINITION), None
    if read is None and package.kind is PackageKind.COMBINED:
        read = combined.get(path)
    if read is None:
        try:
            read = read_regular_file_stat(path)
        except OSError as exc:
            read = exc
        if package.kind is PackageKind.COMBINED:
            combined[path] = read
    if isinstance(read, OSError):
        return LoadedPackage("error", None, f"cannot read {path}: {read.strerror or read}"), None
    content, info = read
    return load_scanned_package(package, exec_fallback=exec_fallback, content=content), info
