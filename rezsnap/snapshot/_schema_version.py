"""The snapshot schema's version, apart from the schema: the no-change refresh compares it
without importing pyarrow."""

from __future__ import annotations

from typing import Final

__all__ = ["SCHEMA_VERSION"]

#: Bumped when a column changes meaning or type; a reader refuses a newer one.
SCHEMA_VERSION: Final = 2
