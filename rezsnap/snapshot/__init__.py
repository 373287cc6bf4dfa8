"""The snapshot: one Parquet file holding every package of a repository, and how to build it.

Every name is imported on first use: reading a snapshot imports only what reading needs,
and the solve index (``_index.py``, stdlib only) is read without importing pyarrow at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rezsnap._lazy import exports_on_first_use

if TYPE_CHECKING:
    from ._errors import SnapshotError
    from ._file import Snapshot, SnapshotMetadata, read_snapshot
    from ._index import SolveIndex, read_solve_index
    from ._job import build_snapshot
    from ._report import SnapshotReport
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
    "SolveIndex",
    "build_snapshot",
    "read_snapshot",
    "read_solve_index",
]


__getattr__ = exports_on_first_use(__name__, {
    "SnapshotReport": "rezsnap.snapshot._report",
    "build_snapshot": "rezsnap.snapshot._job",
    "SnapshotError": "rezsnap.snapshot._errors",
    **dict.fromkeys(["Snapshot", "SnapshotMetadata", "read_snapshot"], "rezsnap.snapshot._file"),
    **dict.fromkeys(["SolveIndex", "read_solve_index"], "rezsnap.snapshot._index"),
    **dict.fromkeys(["COLUMNS", "SCHEMA", "SCHEMA_VERSION", "Column"], "rezsnap.snapshot._schema"),
})
