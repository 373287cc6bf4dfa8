"""The snapshot: one Parquet file holding every package of a repository, and how to build it.

``build_snapshot`` and ``SnapshotReport`` (the builder: scanner, parser, pyarrow.compute,
tqdm) are imported on first use, so that reading a snapshot imports only what reading needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rezsnap._lazy import exports_on_first_use

from ._file import Snapshot, SnapshotError, SnapshotMetadata, read_snapshot
from ._schema import COLUMNS, SCHEMA, SCHEMA_VERSION, Column

if TYPE_CHECKING:
    from ._build import SnapshotReport, build_snapshot

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


__getattr__ = exports_on_first_use(
    __name__, dict.fromkeys(["SnapshotReport", "build_snapshot"], "rezsnap.snapshot._build")
)
