"""rezsnap: fast, rez-faithful scanning, parsing, snapshots and solving of rez repositories."""

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
