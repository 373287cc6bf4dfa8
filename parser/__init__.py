"""Static readers of rez package definition files: nothing here executes package code."""

from ._batch import parse_static_packages_py
from ._counters import ParseCounters
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
    "ParseCounters",
    "ParseStatus",
    "analyse_package_py",
    "literal_value",
    "normalise_request",
    "parse_module",
    "parse_static_package_py",
    "parse_static_packages_py",
    "read_static_assignments",
]
