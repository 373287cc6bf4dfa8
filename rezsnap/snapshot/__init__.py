"""The snapshot: one Parquet file holding every package of a repository, and how to build it."""

from ._build import SnapshotReport, build_snapshot
from ._file import Snapshot, SnapshotError, SnapshotMetadata, read_snapshot
from ._schema import COLUMNS, SCHEMA, SCHEMA_VERSION, Column

__all__ = [
    "COLUMNS",
    "SCHEMA",
    "SCHEMA_VERSION",
    "Column",
    "Snapshot",
    "SnapshotError",
    "SnapshotMetadata",
    "SnapshotReport",
    "build_snapshot",
    "read_snapshot",
]
