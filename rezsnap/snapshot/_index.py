"""The solve index: a snapshot's rows by family, beside the snapshot, readable without pyarrow.

A fresh process that solves once (every ``rez env``) would otherwise spend more time
importing pyarrow and reading the whole Parquet file than solving. ``build_snapshot``
writes ``<snapshot>.index`` next to the snapshot: a ``marshal`` image of the snapshot's
metadata, then one of its families: per family, one compressed ``marshal`` blob of its rows
(``ROW_FIELDS``), so that a reader decodes only the families a solve touches. It also holds the fingerprint of the walk
the snapshot was built from, the repository's observed state that walk saw, and the build's
report, which let a refresh that finds nothing changed keep the snapshot without walking and
without importing pyarrow (``_unchanged.py``). It is a cache of the Parquet file:
it names the file's size and modification time, and a reader ignores an index that does
not match them (a snapshot replaced without its index, an index left by a crash), and
falls back to the Parquet file.
"""

from __future__ import annotations

import marshal
import os
import zlib
from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO, Final

__all__ = [
    "ROW_FIELDS", "FamilyRow", "SolveIndex", "copy_solve_index", "group_rows", "index_path", "read_solve_index",
    "write_solve_index",
]

_MAGIC: Final = b"rezsnap-solve-index 2\n"

#: The fields of one row, in order (columns of the snapshot).
ROW_FIELDS: Final = (
    "repo", "version", "format", "kind", "path", "uri", "requires", "variants", "timestamp", "error",
    "mtime_ns", "size", "ctime_ns",
)
FamilyRow = tuple[Any, ...]


def index_path(snapshot: str | os.PathLike[str]) -> str:
    return os.fspath(snapshot) + ".index"


class SolveIndex:
    """A snapshot's metadata and its rows by family (decoded on first use)."""

    __slots__ = ("_blobs", "_rows", "created", "identity", "observed", "package_paths", "snapshot", "summary", "walk")

    def __init__(self, snapshot: str, created: str, package_paths: Sequence[str], blobs: dict[str, bytes] | None,
                 walk: bytes | None = None, summary: dict[str, Any] | None = None,
                 identity: tuple[int, int] | None = None, observed: bytes | None = None) -> None:
        self.snapshot = snapshot
        self.identity = identity  # the snapshot file's (size, mtime_ns) when the index was read
        self.created = created
        self.package_paths = tuple(package_paths)
        self._blobs = blobs
        self._rows: dict[str, list[FamilyRow]] = {}
        self.walk = walk  # the fingerprint of the walk whose files the rows hold (None: not recorded)
        self.summary = summary  # the build's report: rows, families, sources, problems, errors
        self.observed = observed  # the digest of the repository's state that walk saw (None: not recorded)

    @property
    def _families(self) -> dict[str, bytes]:
        if self._blobs is None:
            raise ValueError(f"the solve index of {self.snapshot} was read without its families")
        return self._blobs

    def families(self) -> Iterable[str]:
        return self._families.keys()

    def blob(self, family: str) -> bytes | None:
        """The family's stored bytes (a refresh copies those of unchanged families)."""
        return self._families.get(family)

    def rows(self, family: str) -> list[FamilyRow]:
        """The family's rows in snapshot order (package path, then version order); [] if none."""
        found = self._rows.get(family)
        if found is None:
            blob = self._families.get(family)
            found = self._rows[family] = [] if blob is None else marshal.loads(zlib.decompress(blob))
        return found


def _identity(path: str) -> tuple[int, int] | None:
    try:
        info = os.stat(path)
    except OSError:
        return None
    return (info.st_size, info.st_mtime_ns)


def group_rows(columns: dict[str, list[Any]], families: list[str]) -> dict[str, list[FamilyRow]]:
    """Rows (``ROW_FIELDS``, from ``columns``) by family, in their order."""
    grouped: dict[str, list[FamilyRow]] = {}
    for family, row in zip(families, zip(*(columns[name] for name in ROW_FIELDS))):
        grouped.setdefault(family, []).append(row)
    return grouped


def write_solve_index(snapshot: str, created: str, package_paths: Sequence[str], columns: dict[str, list[Any]],
                      families: list[str], reused: dict[str, bytes] | None = None, walk: bytes | None = None,
                      summary: dict[str, Any] | None = None, observed: bytes | None = None) -> None:
    """Write ``<snapshot>.index`` for the snapshot file just written: ``columns`` hold the rows
    (by field) of every family but those of ``reused``, whose stored bytes are copied as they are."""
    grouped = group_rows(columns, families)
    # compressed per family: a reader reads a tenth of the bytes, and inflates only what it uses
    blobs = {**(reused or {}), **{family: zlib.compress(marshal.dumps(rows), 1) for family, rows in grouped.items()}}
    _write_image(snapshot, created, package_paths, blobs, walk, summary, observed)


def copy_solve_index(index: SolveIndex, snapshot: str, observed: bytes | None = None) -> None:
    """Write ``<snapshot>.index`` for ``snapshot``, the snapshot file ``index`` belongs to or a
    copy of it; ``observed`` replaces the recorded state when given."""
    _write_image(snapshot, index.created, index.package_paths, index._families, index.walk, index.summary,
                 index.observed if observed is None else observed)


def _write_image(snapshot: str, created: str, package_paths: Sequence[str], blobs: dict[str, bytes],
                 walk: bytes | None, summary: dict[str, Any] | None, observed: bytes | None) -> None:
    identity = _identity(snapshot)
    if identity is None:
        return
    header = {"identity": identity, "created": created, "package_paths": list(package_paths), "walk": walk,
              "summary": summary, "observed": observed}
    from ._atomic import replace_atomically  # here: a reader (every fresh solve) does not need it

    def write(sink: BinaryIO) -> None:
        sink.write(_MAGIC)
        marshal.dump(header, sink)
        marshal.dump(blobs, sink)

    # a cache of the snapshot, rebuilt by the next build: no fsync; readable by the snapshot's readers
    replace_atomically(index_path(snapshot), write, os.stat(snapshot).st_mode & 0o777, durable=False)


def read_solve_index(snapshot: str | os.PathLike[str], families: bool = True) -> SolveIndex | None:
    """The snapshot's index, or None when there is none or it is not this snapshot's.
    ``families=False`` reads its metadata only (a refresh that keeps the snapshot in place)."""
    path = os.fspath(snapshot)
    identity = _identity(path)
    if identity is None:
        return None
    try:
        with open(index_path(path), "rb") as source:
            if source.read(len(_MAGIC)) != _MAGIC:
                return None
            header = marshal.load(source)
            blobs = marshal.load(source) if families else None
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not isinstance(header, dict) or tuple(header.get("identity", ())) != identity:
        return None
    if families and not isinstance(blobs, dict):
        return None
    return SolveIndex(path, header["created"], header["package_paths"], blobs, header.get("walk"),
                      header.get("summary"), identity, header.get("observed"))
