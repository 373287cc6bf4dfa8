"""Static readers of rez package definition files: nothing here executes package code.

``parse_static_packages_py`` (the batch reader: process pools) is imported on first use,
so that the solver, which only needs request parsing, does not pay for it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._counters import ParseCounters
from ._fallback import LoadedPackage, RezNeeded, load_package, load_scanned_package
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
    analyse_combined_package,
    analyse_package_py,
    analyse_package_yaml,
    normalise_request,
    parse_package_request,
    parse_static_package_py,
)

__all__ = [
    "FUNCTION",
    "DynamicSource",
    "InvalidSource",
    "LoadedPackage",
    "Outcome",
    "ParseCounters",
    "ParseStatus",
    "RezNeeded",
    "analyse_combined_package",
    "analyse_package_py",
    "analyse_package_yaml",
    "literal_value",
    "load_package",
    "load_scanned_package",
    "normalise_request",
    "parse_module",
    "parse_package_request",
    "parse_static_package_py",
    "parse_static_packages_py",
    "read_static_assignments",
]

if TYPE_CHECKING:
    from ._batch import parse_static_packages_py


def __getattr__(name: str) -> Any:
    if name == "parse_static_packages_py":
        value = importlib.import_module("rezsnap.parser._batch").parse_static_packages_py
        globals()[name] = value
        return value
    raise AttributeError(f"module 'rezsnap.parser' has no attribute {name!r}")
