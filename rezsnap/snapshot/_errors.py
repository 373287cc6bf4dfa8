"""The snapshot's error type, apart from the Parquet code (a reader of the solve index needs no pyarrow)."""

from __future__ import annotations

from rezsnap.version import RezsnapError

__all__ = ["SnapshotError"]


class SnapshotError(RezsnapError):
    """A snapshot cannot be read or written; the message names the file and says why."""
