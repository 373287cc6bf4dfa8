"""Writing a snapshot atomically, and reading one back with clear refusals."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final

import pyarrow as pa
import pyarrow.parquet as pq

from ._atomic import fsync_directory, mode_for, temporary_prefix
from ._errors import SnapshotError
from ._schema import META, SCHEMA, SCHEMA_VERSION

__all__ = ["AtomicParquetWriter", "Snapshot", "SnapshotError", "SnapshotMetadata", "encode_metadata", "read_snapshot"]


@dataclass(frozen=True, slots=True)
class SnapshotMetadata:
    schema_version: int
    rezsnap_version: str
    created: str  # ISO 8601, UTC
    package_paths: tuple[str, ...]
    options: dict[str, Any]
    problems: tuple[dict[str, Any], ...]  # what the walk could not read


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A read snapshot: the Arrow table (columns as in ``SCHEMA``) and its metadata."""

    path: str
    table: pa.Table
    metadata: SnapshotMetadata

    def __len__(self) -> int:
        return int(self.table.num_rows)


def encode_metadata(metadata: SnapshotMetadata) -> dict[str, str]:
    return {
        META.SCHEMA_VERSION: str(metadata.schema_version),
        META.REZSNAP_VERSION: metadata.rezsnap_version,
        META.CREATED: metadata.created,
        META.PACKAGE_PATHS: json.dumps(list(metadata.package_paths)),
        META.OPTIONS: json.dumps(metadata.options, sort_keys=True),
        META.PROBLEMS: json.dumps(list(metadata.problems)),
    }


def _decode_metadata(path: str, raw: dict[bytes, bytes] | None) -> SnapshotMetadata:
    values = {k.decode(): v.decode() for k, v in (raw or {}).items()}
    if META.SCHEMA_VERSION not in values:
        raise SnapshotError(f"{path}: a Parquet file, but not a rezsnap snapshot (no {META.SCHEMA_VERSION})")
    try:
        version = int(values[META.SCHEMA_VERSION])
        metadata = SnapshotMetadata(
            schema_version=version,
            rezsnap_version=values.get(META.REZSNAP_VERSION, ""),
            created=values.get(META.CREATED, ""),
            package_paths=tuple(json.loads(values.get(META.PACKAGE_PATHS, "[]"))),
            options=json.loads(values.get(META.OPTIONS, "{}")),
            problems=tuple(json.loads(values.get(META.PROBLEMS, "[]"))),
        )
    except ValueError as exc:
        raise SnapshotError(f"{path}: damaged rezsnap metadata: {exc}") from None
    if version > SCHEMA_VERSION:
        raise SnapshotError(
            f"{path}: written with snapshot schema version {version} (rezsnap "
            f"{metadata.rezsnap_version}); this rezsnap reads up to version {SCHEMA_VERSION}: upgrade rezsnap"
        )
    return metadata


#: Columns added after schema version 1, and the version that added them.
_ADDED_IN: Final = {"ctime_ns": 2}


def read_snapshot(path: str | os.PathLike[str]) -> Snapshot:
    """Read a snapshot written by ``build_snapshot``.

    Raises ``SnapshotError`` for a missing file, a file that is not Parquet or
    is truncated, a Parquet file that is not a rezsnap snapshot, or one written
    with a newer schema version.
    """
    name = os.fspath(path)
    try:
        # One open: a metadata-only read first would parse the footer twice. No memory
        # map: a refresh may rename a new snapshot over this file while it is in use.
        if os.path.isdir(name):  # read_table would read a directory as a dataset
            raise IsADirectoryError(name)
        with pq.ParquetFile(name) as parquet:
            table = parquet.read()
    except FileNotFoundError:
        raise SnapshotError(f"{name}: no such snapshot file") from None
    except IsADirectoryError:
        raise SnapshotError(f"{name}: is a directory, not a snapshot file") from None
    except OSError as exc:
        raise SnapshotError(f"{name}: cannot read the snapshot: {exc}") from None
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        raise SnapshotError(f"{name}: not a readable Parquet file (truncated or not Parquet): {exc}") from None
    metadata = _decode_metadata(name, table.schema.metadata)
    for column, version in _ADDED_IN.items():  # an older snapshot: the newer columns are unknown
        if metadata.schema_version < version and column not in table.column_names:
            table = table.append_column(SCHEMA.field(column), pa.nulls(len(table), SCHEMA.field(column).type))
    missing = [field.name for field in SCHEMA if field.name not in table.column_names]
    if missing:
        raise SnapshotError(f"{name}: snapshot lacks the columns {', '.join(missing)}")
    return Snapshot(name, table.replace_schema_metadata(None), metadata)


class AtomicParquetWriter:
    """A Parquet writer that only ever replaces ``output`` with a complete file.

    It writes a temporary file in the target directory, fsyncs it, and renames
    it over ``output`` on a clean exit; on any exception (Ctrl-C included) it
    removes the temporary file and leaves ``output`` untouched.
    """

    def __init__(self, output: str, schema: pa.Schema) -> None:
        self.output = os.path.abspath(output)
        self.schema = schema
        directory = os.path.dirname(self.output)
        try:
            fd, self.temporary = tempfile.mkstemp(prefix=temporary_prefix(self.output), suffix=".tmp", dir=directory)
        except OSError as exc:
            raise SnapshotError(f"cannot write in {directory}: {exc.strerror or exc}") from None
        os.fchmod(fd, mode_for(self.output))  # mkstemp's 0600 would hide the snapshot from others
        self._file = os.fdopen(fd, "wb")
        # Parquet dictionary pages for the Arrow dictionary columns only: the others are
        # mostly distinct (paths, stamps) or compress as well without (requires):
        # measured on the benchmark repository, 20% faster to write and 23% smaller.
        dictionary_columns = [field.name for field in schema if pa.types.is_dictionary(field.type)]
        self._writer = pq.ParquetWriter(self._file, schema, compression="zstd", use_dictionary=dictionary_columns)
        self.rows = 0

    def write(self, table: pa.Table) -> None:
        self._writer.write_table(table)
        self.rows += table.num_rows

    def __enter__(self) -> AtomicParquetWriter:  # noqa: PYI034  typing.Self needs 3.11
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is not None:
            self._abandon()
            return
        try:
            self._writer.close()
            self._file.flush()
            os.fsync(self._file.fileno())
            self._file.close()
            os.replace(self.temporary, self.output)
        except BaseException:
            self._abandon()
            raise
        fsync_directory(os.path.dirname(self.output))

    def _abandon(self) -> None:
        for close in (self._writer.close, self._file.close):
            try:
                close()
            except Exception:  # noqa: BLE001, S110  already failing: the first error is the one to report
                pass
        try:
            os.unlink(self.temporary)
        except OSError:
            pass
