"""rezsnap: fast, rez-faithful scanning, parsing, snapshots and solving of rez repositories.

The public names are imported on first use (PEP 562): a process that only solves
from a snapshot (a ``rez env`` wrapper, the rez integration) then imports neither the
scanner, the parser nor the snapshot builder (measured: ``import rezsnap.solver``
230 -> about 100 ms, most of what is left being pyarrow).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rezsnap._lazy import exports_on_first_use

if TYPE_CHECKING:
    from rezsnap.model import PackageData, PackageKind, ScannedPackage, ScanProblem
    from rezsnap.parser import (
        LoadedPackage,
        ParseCounters,
        load_package,
        parse_static_package_py,
        parse_static_packages_py,
    )
    from rezsnap.scanner import ScanResult, scan_repo
    from rezsnap.snapshot import (
        Snapshot,
        SnapshotError,
        SnapshotMetadata,
        SnapshotReport,
        build_snapshot,
        read_snapshot,
    )
    from rezsnap.solver import Repository, ResolvedVariant, SolveResult, solve, solve_many
    from rezsnap.version import RezsnapError

__version__ = "0.1.0"

#: public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    **dict.fromkeys(["PackageData", "PackageKind", "ScannedPackage", "ScanProblem"], "rezsnap.model"),
    **dict.fromkeys(["LoadedPackage", "ParseCounters", "load_package", "parse_static_package_py",
                     "parse_static_packages_py"], "rezsnap.parser"),
    **dict.fromkeys(["ScanResult", "scan_repo"], "rezsnap.scanner"),
    **dict.fromkeys(["Snapshot", "SnapshotError", "SnapshotMetadata", "SnapshotReport", "build_snapshot",
                     "read_snapshot"], "rezsnap.snapshot"),
    **dict.fromkeys(["Repository", "ResolvedVariant", "SolveResult", "solve", "solve_many"], "rezsnap.solver"),
    "RezsnapError": "rezsnap.version",
}

__all__ = [
    "LoadedPackage",
    "PackageData",
    "PackageKind",
    "ParseCounters",
    "Repository",
    "ResolvedVariant",
    "RezsnapError",
    "ScanProblem",
    "ScanResult",
    "ScannedPackage",
    "Snapshot",
    "SnapshotError",
    "SnapshotMetadata",
    "SnapshotReport",
    "SolveResult",
    "__version__",
    "build_snapshot",
    "load_package",
    "parse_static_package_py",
    "parse_static_packages_py",
    "read_snapshot",
    "scan_repo",
    "solve",
    "solve_many",
]


__getattr__ = exports_on_first_use(__name__, _EXPORTS)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
