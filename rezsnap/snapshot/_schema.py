"""The snapshot's columns, defined once: the writer, the reader and the README use this."""

from __future__ import annotations

from typing import Final, NamedTuple

import pyarrow as pa

__all__ = ["COLUMNS", "DATA_COLUMNS", "LISTING_COLUMNS", "META", "SCHEMA", "SCHEMA_VERSION", "Column"]

from ._schema_version import SCHEMA_VERSION

_STR: Final = pa.string()
# Repeated strings (a family name on every row of the family...) are dictionary-encoded.
_DICT: Final = pa.dictionary(pa.int32(), pa.string())


class Column(NamedTuple):
    name: str
    type: pa.DataType
    nullable: bool
    description: str


COLUMNS: Final = (
    Column("family", _DICT, False, "package family name"),
    Column("version", _STR, False,
           "version as listed: the version directory name or `versions` entry; '' when unversioned"),
    Column("version_order", pa.int32(), False,
           "0-based rank of the row within (repo, family) by rez's version ordering; "
           "names rez cannot parse rank last"),
    Column("format", _DICT, True, "'py' or 'yaml'; null when the version directory has no definition file"),
    Column("kind", _DICT, False, "layout: 'directory', 'combined' (<family>.py) or 'unversioned'"),
    Column("path", _STR, True, "the definition file (for a combined family, the <family>.py/.yaml file)"),
    Column("uri", _STR, True, "the package URI as rez prints it (pkg.uri)"),
    Column("repo", _DICT, False, "the package path (as given) the package was found in"),
    Column("requires", pa.list_(_STR), True,
           "requirements, normalised as rez prints them; null when not loaded (source late/error)"),
    Column("variants", pa.list_(pa.list_(_STR)), True,
           "one list of requirements per variant, normalised; [] for no variants; null when not loaded"),
    Column("timestamp", pa.int64(), True, "the package's `timestamp` (seconds since the epoch), if any"),
    Column("source", _DICT, False,
           "how the row was loaded: 'static' (read without executing code), 'rez' (rez's loader "
           "ran the file), 'late' (late-bound requires/variants: code, not data), 'error'"),
    Column("error", _STR, True, "why the row has no data (source late/error); null otherwise"),
    Column("mtime_ns", pa.int64(), True, "modification time of the definition file, in ns"),
    Column("size", pa.int64(), True, "size of the definition file, in bytes"),
    Column("ctime_ns", pa.int64(), True,
           "change time of the definition file, in ns (no user can set it back: rezsnap.rez's freshness check)"),
)

#: Columns that come from the walk (always current) and from loading the file (reusable).
LISTING_COLUMNS: Final = ("family", "version", "version_order", "format", "kind", "path", "uri", "repo")
DATA_COLUMNS: Final = ("requires", "variants", "timestamp", "source", "error", "mtime_ns", "size", "ctime_ns")

SCHEMA: Final = pa.schema([pa.field(c.name, c.type, c.nullable,
                                    metadata={"description": c.description}) for c in COLUMNS])


class META:
    """Keys of the Parquet file's key/value metadata."""

    SCHEMA_VERSION: Final = "rezsnap.schema_version"
    REZSNAP_VERSION: Final = "rezsnap.version"
    CREATED: Final = "rezsnap.created"
    PACKAGE_PATHS: Final = "rezsnap.package_paths"  # JSON list
    OPTIONS: Final = "rezsnap.options"  # JSON object
    PROBLEMS: Final = "rezsnap.problems"  # JSON list of the walk's problems
