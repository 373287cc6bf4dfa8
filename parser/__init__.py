"""Static readers of rez package definition files: nothing here executes package code."""

from ._literals import (
    FUNCTION,
    DynamicSource,
    InvalidSource,
    literal_value,
    parse_module,
    read_static_assignments,
)

__all__ = [
    "FUNCTION",
    "DynamicSource",
    "InvalidSource",
    "literal_value",
    "parse_module",
    "read_static_assignments",
]
