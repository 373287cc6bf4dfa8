"""The snapshot: one Parquet file holding every package of a repository, and how to build it.

``build_snapshot`` and ``SnapshotReport`` (the builder: scanner, parser, pyarrow.compute,
tqdm) are imported on first use, so that reading a snapshot imports only what reading needs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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


def __getattr__(name: str) -> Any:
    if name in ("SnapshotReport", "build_snapshot"):
        value = getattr(importlib.import_module("rezsnap.snapshot._build"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rezsnap.snapshot' has no attribute {name!r}")
