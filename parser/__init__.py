"""Static readers of rez package definition files: nothing here executes package code.

Every name is imported on first use: the solver, which only needs request parsing
(``_request.py``), pays neither for the AST reader nor for the batch reader's pools.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rezsnap._lazy import exports_on_first_use

if TYPE_CHECKING:
    from ._batch import parse_static_packages_py
    from ._counters import ParseCounters
    from ._fallback import LoadedPackage, RezNeeded, load_package, load_scanned_package
    from ._literals import (
        FUNCTION,
        DynamicSource,
        InvalidSource,
        literal_value,
        parse_module,
    )
    from ._module import read_static_assignments
    from ._package import (
        Outcome,
        ParseStatus,
        analyse_combined_package,
        analyse_package_py,
        analyse_package_yaml,
        normalise_request,
        parse_static_package_py,
    )
    from ._request import parse_package_request

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

__getattr__ = exports_on_first_use(__name__, {
    "parse_static_packages_py": "rezsnap.parser._batch",
    "ParseCounters": "rezsnap.parser._counters",
    **dict.fromkeys(["LoadedPackage", "RezNeeded", "load_package", "load_scanned_package"], "rezsnap.parser._fallback"),
    **dict.fromkeys(["FUNCTION", "DynamicSource", "InvalidSource", "literal_value", "parse_module"],
                    "rezsnap.parser._literals"),
    "read_static_assignments": "rezsnap.parser._module",
    **dict.fromkeys(["Outcome", "ParseStatus", "analyse_combined_package", "analyse_package_py",
                     "analyse_package_yaml", "normalise_request", "parse_static_package_py"], "rezsnap.parser._package"),
    "parse_package_request": "rezsnap.parser._request",
})
