"""Package paths read on demand, with snapshots answering for the paths they cover.

rez's ``packages_path`` in a studio is rarely one snapshot's paths: the user's
``~/packages`` comes first, show repositories sit beside the release one, and people
release during the day. This source lists each family the solve asks for in every path,
in rez's order (``rez.packages.iter_packages``: the union of versions, the earliest path
winning a whole package), and takes each package's definition from a snapshot only where
one covers that path and proves the file unchanged: the same listing entry (version,
format, layout, file) and the same modification time, size and change time (which every
write moves and no user can set back). Every other package is read from disk, as
``Repository.from_paths`` reads it. The listing is always the live one, so a version
released or removed since the snapshot is seen; the answer is the one rez gives on the
live tree.
"""

from __future__ import annotations

import os
import threading
from collections import deque
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final, Protocol

from rezsnap._io import NETWORK_THREADS, SLOW_STAT, file_stamp, stat_latency
from rezsnap.model import PackageData
from rezsnap.snapshot._index import ROW_FIELDS, FamilyRow, group_rows
from rezsnap.version import requirement_name

if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    from rezsnap.model import ScannedPackage
    from rezsnap.version import VersionRange

    from ._families import Family

__all__ = ["LayeredLoader", "SnapshotRows", "snapshot_rows"]

_REPO, _VERSION, _FORMAT, _KIND, _PATH, _URI, _REQUIRES, _VARIANTS, _TIMESTAMP, _ERROR, _MTIME, _SIZE, _CTIME = (
    range(len(ROW_FIELDS)))


class SnapshotRows(Protocol):
    """What a snapshot gives this source: its package paths and its rows by family
    (``SolveIndex`` is one)."""

    @property
    def package_paths(self) -> tuple[str, ...]: ...

    def rows(self, family: str) -> list[FamilyRow]: ...


class _TableRows:
    """``SnapshotRows`` over a snapshot's Parquet table (a snapshot without a current index)."""

    def __init__(self, table: Any, package_paths: Sequence[str]) -> None:
        columns = {name: table.column(name).to_pylist() for name in ROW_FIELDS}
        self._rows = group_rows(columns, table.column("family").to_pylist())
        self.package_paths = tuple(package_paths)

    def rows(self, family: str) -> list[FamilyRow]:
        return self._rows.get(family, [])


def snapshot_rows(snapshot: Any) -> SnapshotRows:
    """A snapshot path (its solve index when current: no pyarrow), or a read ``Snapshot``."""
    if isinstance(snapshot, (str, os.PathLike)):
        from rezsnap.snapshot import read_solve_index

        index = read_solve_index(snapshot)
        if index is not None:
            return index
        from rezsnap.snapshot import read_snapshot  # pyarrow: only for a snapshot without its index

        snapshot = read_snapshot(snapshot)
    from rezsnap.snapshot import Snapshot

    if not isinstance(snapshot, Snapshot):
        raise TypeError(f"snapshot must be a path or a Snapshot, not {type(snapshot).__name__}")
    return _TableRows(snapshot.table, snapshot.metadata.package_paths)


def real_path(path: str) -> str:
    return os.path.normpath(os.path.realpath(os.path.expanduser(path)))


class _Listed:
    """One listed package and, when a snapshot vouches for its file, that snapshot's row."""

    __slots__ = ("package", "row")

    def __init__(self, package: ScannedPackage, row: FamilyRow | None) -> None:
        self.package = package
        self.row = row


#: Families listed ahead of the solver at once on a slow file system (each listing is a short
#: chain of round trips). The whole ``rez env`` of the benchmark's request #110 on latfs at
#: 0.5 ms a call (176 families listed): 4 threads 1.75 s, 8 threads 1.3 s, 32 threads 0.9 s.
PREFETCH_THREADS: Final = NETWORK_THREADS
#: The family a requirement text names ("" for conflicts, weak and ephemeral ones), by text
_NAMES: dict[str, str] = {}
_NAMES_MAX: Final = 200_000


class LayeredLoader:
    """The ``Repository`` range loader of ``paths``, with ``snapshots`` answering for the
    paths they cover (the first snapshot naming a path answers for it). Families whose
    packages were read from disk, in part or whole, are added to ``live``.
    ``check_stamps=False`` trusts a row whose listing entry matches (for measurements).

    On a slow (network) file system, found by timing the first family's definition files,
    the families a solve is about to ask for are listed ahead of it on threads: those of
    the requests (``prefetch``) and those the loaded packages require, so that the round
    trips of many families overlap instead of following one another."""

    def __init__(self, paths: Sequence[str], snapshots: Sequence[SnapshotRows], *, exec_fallback: bool,
                 live: set[str], check_stamps: bool = True, slow: bool | None = None) -> None:
        self.paths = list(paths)
        self.exec_fallback = exec_fallback
        self.live = live
        self.check_stamps = check_stamps
        reals = [real_path(p) for p in paths]
        self._covering: dict[str, SnapshotRows] = {}
        for snapshot in snapshots:
            for covered in snapshot.package_paths:
                self._covering.setdefault(real_path(covered), snapshot)
        self._cover_of = {path: self._covering.get(real) for path, real in zip(paths, reals)}
        self._stamps = any(cover is not None for cover in self._cover_of.values())
        self._reals_of: dict[str, str] = dict(zip(paths, reals))
        self._listings: dict[str, list[_Listed]] = {}
        self._ahead: dict[str, Future[list[_Listed]]] = {}
        self._expanded: set[str] = set()  # families whose snapshot rows were followed by ``_closure``
        self._pool: ThreadPoolExecutor | None = None
        self._lookup_pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        #: given, or probed once: on the first family listed, or the first with many files to read
        self.slow: list[bool] = [] if slow is None else [slow]

    @property
    def slow_file_system(self) -> bool:
        """Whether the paths were found (or said) to be on a slow (network) file system."""
        return bool(self.slow and self.slow[0])

    # -- listing ahead of the solver ----------------------------------------------------------

    def prefetch(self, names: Iterable[str]) -> None:
        """List these families on threads, ahead of the solver (a slow file system only), and
        with them every family that the snapshots say their packages require, transitively:
        on the benchmark's requests that closure is the families the solve asks for and
        10-20% more, and listing it at once lets the round trips of all of them overlap."""
        names = list(names)
        waiting = [name for name in names if name not in self._listings and name not in self._ahead]
        while not self.slow and waiting:  # not probed yet: the first family listed probes
            self.listing(waiting.pop(0))
        if not self.slow_file_system:
            return
        with self._lock:
            for name in self._closure(names):
                if name in self._listings or name in self._ahead:
                    continue
                if self._pool is None:
                    from concurrent.futures import ThreadPoolExecutor

                    self._pool = ThreadPoolExecutor(PREFETCH_THREADS, thread_name_prefix="rezsnap-prefetch")
                self._ahead[name] = self._pool.submit(self._list, name)

    def _closure(self, names: list[str]) -> list[str]:
        """``names`` and the families their snapshot rows require, transitively, breadth
        first (the order a solve meets them)."""
        snapshots = list({id(s): s for s in self._cover_of.values() if s is not None}.values())
        order: list[str] = []
        queue = deque(name for name in names if name not in self._expanded)
        self._expanded.update(queue)
        while queue:
            name = queue.popleft()
            order.append(name)
            for snapshot in snapshots:
                rows = snapshot.rows(name)
                required = self._required(r[_REQUIRES] or () for r in rows)
                required |= self._required(v for r in rows for v in r[_VARIANTS] or ())
                for found in sorted(required - self._expanded):
                    self._expanded.add(found)
                    queue.append(found)
        return order

    def _lookups(self) -> ThreadPoolExecutor:
        """The threads that look up the definition files of the families being listed."""
        with self._lock:
            if self._lookup_pool is None:
                from concurrent.futures import ThreadPoolExecutor

                from rezsnap.scanner._scan import DEFAULT_WORKERS

                self._lookup_pool = ThreadPoolExecutor(DEFAULT_WORKERS, thread_name_prefix="rezsnap-lookup")
            return self._lookup_pool

    def settle(self) -> None:
        """Drop the listings not yet started (the solve is over); those running finish."""
        with self._lock:
            pools = [self._pool, self._lookup_pool]
            self._pool = self._lookup_pool = None
            for name, future in list(self._ahead.items()):
                if future.cancel():
                    del self._ahead[name]
            self._expanded.clear()  # a later solve follows the rows again
        for pool in pools:
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)

    def _required(self, requirements: Iterable[Sequence[str]]) -> set[str]:
        """The families these requirement lists name (conflicts and weak ones aside)."""
        texts: set[str] = set()
        for requirement_list in requirements:
            texts.update(requirement_list)
        names = _NAMES
        found = set()
        for text in texts:
            name = names.get(text)
            if name is None:
                if len(names) >= _NAMES_MAX:
                    names.clear()
                name = names[text] = "" if text[:1] in "!~." else requirement_name(text)
            found.add(name)
        found.discard("")
        return found

    # -- one family ----------------------------------------------------------------------------

    def _real_of(self, path: str) -> str:
        found = self._reals_of.get(path)
        if found is None:
            found = self._reals_of[path] = real_path(path)
        return found

    def _vouched_rows(self, name: str) -> dict[tuple[Any, ...], FamilyRow]:
        """The snapshots' rows of ``name`` in the paths they cover, by listing entry."""
        found: dict[tuple[Any, ...], FamilyRow] = {}
        for snapshot in {id(s): s for s in self._cover_of.values() if s is not None}.values():
            for row in snapshot.rows(name):
                real = self._real_of(row[_REPO])
                if self._covering.get(real) is snapshot:
                    found.setdefault((real, row[_VERSION], row[_FORMAT], row[_KIND], row[_PATH]), row)
        return found

    def _list(self, name: str) -> list[_Listed]:
        """``name`` listed in every path, each package with the row that vouches for it."""
        from rezsnap.scanner import scan_family

        slow = self.slow
        # the definition lookups overlap on threads, but where the file system is known to be
        # local; the first family listed probes it (a few of its files, timed one by one)
        lookups = self._lookups() if not slow or slow[0] else None
        listed = scan_family(self.paths, name, stamps=self._stamps, executor=lookups)
        if not slow and listed:
            slow.append(stat_latency([p.path for p in listed if p.path], samples=5) > SLOW_STAT)
        rows = self._vouched_rows(name) if self._stamps and listed else {}
        found = []
        for package in listed:
            row = rows.get((self._real_of(package.repo), package.version, package.format, package.kind.value,
                            package.path))
            if row is not None and not _unchanged(package, row, self.check_stamps):
                row = None
            found.append(_Listed(package, row))
        return found

    def listing(self, name: str) -> list[_Listed]:
        found = self._listings.get(name)
        if found is not None:
            return found
        ahead = self._ahead.get(name)
        found = None
        if ahead is not None:
            try:
                found = ahead.result()
            except Exception:  # noqa: BLE001 - cancelled, or its pool shut down under it: list it here
                found = None
        if found is None:
            found = self._list(name)
        self._listings[name] = found
        return found

    def __call__(self, name: str, range_: VersionRange | None, known: Family | None) -> Family | None:
        from rezsnap.parser import load_scanned_package

        from ._repository import _contents, _family, _wanted

        have = {p.version.packed_key for p in known.packages} if known else set()
        listed = self.listing(name)
        wanted = [entry for entry in listed
                  if not (range_ is not None or have) or _wanted(entry.package.version, range_, have)]
        to_read = [entry.package for entry in wanted if entry.row is None]
        contents = iter(_contents(to_read, self.slow))
        if to_read:
            self.live.add(name)
        items: list[tuple[Any, ...]] = []
        read: list[PackageData] = []  # from disk: their requirements are not in the snapshots' rows
        for entry in wanted:
            row = entry.row
            if row is not None:
                data = PackageData(name, row[_VERSION], tuple(row[_REQUIRES] or ()),
                                   tuple(tuple(v) for v in row[_VARIANTS] or ()), row[_TIMESTAMP])
                items.append((data, row[_URI], None))
                continue
            package = entry.package
            loaded = load_scanned_package(package, exec_fallback=self.exec_fallback, late=self.exec_fallback,
                                          content=next(contents))
            data = loaded.data or PackageData(name, package.version)
            items.append((data, package.uri, None if loaded.data else (loaded.reason or loaded.source)))
            read.append(data)
        if read and self.slow_file_system:  # what the packages read from disk require is known now
            self.prefetch(self._required([*(data.requires for data in read),
                                          *(variant for data in read for variant in data.variants)]))
        if not items and listed:  # the family exists, with nothing (new) in range
            from ._families import Family as _Family

            return known or _Family(name, [])
        return _family(name, items, known)


def _unchanged(package: ScannedPackage, row: FamilyRow, check_stamps: bool) -> bool:
    """Whether the snapshot's row may stand for this listed package: a loaded definition
    (not a late-bound or failed one, which are read again) whose file kept its stamps."""
    if row[_ERROR] is not None or row[_PATH] is None:
        return False
    if not check_stamps:
        return True
    found = package.stamp or file_stamp(package.path)
    return found is not None and found == (row[_MTIME], row[_SIZE], row[_CTIME])
