"""Is a snapshot still what rez would read? The checks behind the fast path's guarantee.

Policy (the README's rez guide states it for users):

1. The snapshot's package paths must be rez's package paths, in the same order
   (compared as real paths). Otherwise no solve uses it.
2. After a fast solve, every family the solve touched is listed again, as rez lists it,
   in every package path: the same versions, layouts and definition files must be there,
   and every definition file must have the snapshot's modification time, size and change
   time. The change time moves on every write and no user can set it back, so an edit
   that keeps the size and restores the mtime (``touch -d``) is seen too. Anything else
   sends the solve to rez.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

from rezsnap._io import file_stamp
from rezsnap.scanner import scan_family
from rezsnap.snapshot._index import ROW_FIELDS, FamilyRow

__all__ = ["changed_family", "first_change", "same_paths"]

#: Above this many seconds per file-system call (NFS, CIFS), the families are checked by
#: many threads at once, so that the latencies overlap (as the scanner's walk does).
SLOW_CALL_S = 100e-6
THREADS = 32

_REPO, _VERSION, _FORMAT, _KIND, _PATH = (ROW_FIELDS.index(n) for n in ("repo", "version", "format", "kind", "path"))
_MTIME, _SIZE, _CTIME = (ROW_FIELDS.index(n) for n in ("mtime_ns", "size", "ctime_ns"))


def _real(paths: Sequence[str]) -> list[str]:
    return [os.path.realpath(os.path.expanduser(p)) for p in paths]


def same_paths(snapshot_paths: Sequence[str], rez_paths: Sequence[str]) -> bool:
    return _real(snapshot_paths) == _real(rez_paths)


def changed_family(family: str, rez_paths: Sequence[str], rows: list[FamilyRow]) -> str | None:
    """Why ``family`` on disk is not what the snapshot's ``rows`` say (None: it is the same)."""
    listed = scan_family(rez_paths, family, stamps=True)
    if len(listed) != len(rows):
        return "a family's versions changed since the snapshot"
    real: dict[str, str] = {}
    for package, row in zip(listed, rows):
        if (package.version, package.format, package.kind.value, package.path) != (
                row[_VERSION], row[_FORMAT], row[_KIND], row[_PATH]):
            return "a family's versions changed since the snapshot"
        for repo in (package.repo, row[_REPO]):
            if repo not in real:
                real[repo] = os.path.realpath(repo)
        if real[package.repo] != real[row[_REPO]]:
            return "a family's versions changed since the snapshot"
        if row[_PATH] is None:
            continue
        found = package.stamp or file_stamp(package.path)
        if found is None or found != (row[_MTIME], row[_SIZE], row[_CTIME]):
            return "a package definition file changed since the snapshot"
    return None


def first_change(families: Iterable[str], rez_paths: Sequence[str],
                 rows: Callable[[str], list[FamilyRow]]) -> str | None:
    """``changed_family`` over ``families``: the first reason found, or None. The first family
    is checked alone and timed; on a slow file system the others go to a thread pool."""
    names = sorted(families)
    if not names:
        return None
    started = time.perf_counter()
    reason = changed_family(names[0], rez_paths, rows(names[0]))
    calls = 2 * len(rez_paths) + len(rows(names[0]))  # roughly: the lookups, the listing, a stat a version
    if reason is not None:
        return reason
    rest = names[1:]
    if (time.perf_counter() - started) / calls < SLOW_CALL_S or len(rest) < 2:
        for name in rest:
            reason = changed_family(name, rez_paths, rows(name))
            if reason is not None:
                return reason
        return None
    with ThreadPoolExecutor(min(THREADS, len(rest))) as pool:
        for reason in pool.map(lambda name: changed_family(name, rez_paths, rows(name)), rest):
            if reason is not None:
                return reason
    return None
