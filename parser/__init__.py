"""Static readers of rez package definition files: nothing here executes package code.

``parse_static_packages_py`` (the batch reader: process pools) is imported on first use,
so that the solver, which only needs request parsing, does not pay for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rezsnap._lazy import exports_on_first_use

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


__getattr__ = exports_on_first_use(__name__, {"parse_static_packages_py": "rezsnap.parser._batch"})
