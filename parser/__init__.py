"""Static readers of rez package definition files: nothing here executes package code."""

from ._literals import (
    FUNCTION,
    DynamicSource,
    InvalidSource,
    literal_value,
    parse_module,
    read_static_assignments,
)
from ._package import (
    Outcome,
    ParseStatus,
    analyse_package_py,
    normalise_request,
    parse_static_package_py,
)

__all__ = [
    "FUNCTION",
    "DynamicSource",
    "InvalidSource",
    "Outcome",
    "ParseStatus",
    "analyse_package_py",
    "literal_value",
    "normalise_request",
    "parse_module",
    "parse_static_package_py",
    "read_static_assignments",
]
