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
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from rezsnap._io import SLOW_STAT, file_stamp, stat_latency
from rezsnap.model import PackageData
from rezsnap.snapshot._index import ROW_FIELDS, FamilyRow, group_rows

if TYPE_CHECKING:
    from rezsnap.model import ScannedPackage
    from rezsnap.version import VersionRange

    from ._families import Family

__all__ = ["SnapshotRows", "layered_loader", "snapshot_rows"]

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


def layered_loader(paths: Sequence[str], snapshots: Sequence[SnapshotRows], *, exec_fallback: bool,
                   live: set[str], check_stamps: bool = True) -> Any:
    """The ``Repository`` range loader of ``paths``, with ``snapshots`` answering for the
    paths they cover (the first snapshot naming a path answers for it). Families whose
    packages were read from disk, in part or whole, are added to ``live``.
    ``check_stamps=False`` trusts a row whose listing entry matches (for measurements)."""
    from rezsnap.parser import load_scanned_package
    from rezsnap.scanner import scan_family
    from rezsnap.scanner._scan import DEFAULT_WORKERS

    from ._repository import _contents, _family, _wanted

    reals = [real_path(p) for p in paths]
    covering: dict[str, SnapshotRows] = {}
    for snapshot in snapshots:
        for covered in snapshot.package_paths:
            covering.setdefault(real_path(covered), snapshot)
    cover_of = {path: covering.get(real) for path, real in zip(paths, reals)}
    stamps = any(cover is not None for cover in cover_of.values())
    reals_of: dict[str, str] = dict(zip(paths, reals))
    listings: dict[str, list[_Listed]] = {}
    slow: list[bool] = []  # probed once: on the first family listed, or the first with many files to read

    def real_of(path: str) -> str:
        found = reals_of.get(path)
        if found is None:
            found = reals_of[path] = real_path(path)
        return found

    def vouched_rows(name: str) -> dict[tuple[Any, ...], FamilyRow]:
        """The snapshots' rows of ``name`` in the paths they cover, by listing entry."""
        found: dict[tuple[Any, ...], FamilyRow] = {}
        for snapshot in {id(s): s for s in cover_of.values() if s is not None}.values():
            for row in snapshot.rows(name):
                real = real_of(row[_REPO])
                if covering.get(real) is snapshot:
                    found.setdefault((real, row[_VERSION], row[_FORMAT], row[_KIND], row[_PATH]), row)
        return found

    def listing(name: str) -> list[_Listed]:
        found = listings.get(name)
        if found is not None:
            return found
        # once a slow file system is found (probed on the first family listed), the
        # definition lookups overlap too
        listed = scan_family(paths, name, stamps=stamps, workers=DEFAULT_WORKERS if slow and slow[0] else 0)
        if not slow and listed:
            slow.append(stat_latency([p.path for p in listed if p.path]) > SLOW_STAT)
        rows = vouched_rows(name) if stamps and listed else {}
        found = []
        for package in listed:
            row = rows.get((real_of(package.repo), package.version, package.format, package.kind.value, package.path))
            if row is not None and not _unchanged(package, row, check_stamps):
                row = None
            found.append(_Listed(package, row))
        listings[name] = found
        return found

    def load(name: str, range_: VersionRange | None, known: Family | None) -> Family | None:
        have = {p.version.packed_key for p in known.packages} if known else set()
        listed = listing(name)
        wanted = [entry for entry in listed
                  if not (range_ is not None or have) or _wanted(entry.package.version, range_, have)]
        to_read = [entry.package for entry in wanted if entry.row is None]
        contents = iter(_contents(to_read, slow))
        if to_read:
            live.add(name)
        items: list[tuple[Any, ...]] = []
        for entry in wanted:
            row = entry.row
            if row is not None:
                data = PackageData(name, row[_VERSION], tuple(row[_REQUIRES] or ()),
                                   tuple(tuple(v) for v in row[_VARIANTS] or ()), row[_TIMESTAMP])
                items.append((data, row[_URI], None))
                continue
            package = entry.package
            loaded = load_scanned_package(package, exec_fallback=exec_fallback, late=exec_fallback,
                                          content=next(contents))
            data = loaded.data or PackageData(name, package.version)
            items.append((data, package.uri, None if loaded.data else (loaded.reason or loaded.source)))
        if not items and listed:  # the family exists, with nothing (new) in range
            from ._families import Family as _Family

            return known or _Family(name, [])
        return _family(name, items, known)

    return load


def _unchanged(package: ScannedPackage, row: FamilyRow, check_stamps: bool) -> bool:
    """Whether the snapshot's row may stand for this listed package: a loaded definition
    (not a late-bound or failed one, which are read again) whose file kept its stamps."""
    if row[_ERROR] is not None or row[_PATH] is None:
        return False
    if not check_stamps:
        return True
    found = package.stamp or file_stamp(package.path)
    return found is not None and found == (row[_MTIME], row[_SIZE], row[_CTIME])
