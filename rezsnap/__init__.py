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
from rezsnap.version import RezsnapError

__version__ = "0.1.0"

__all__ = [
    "LoadedPackage",
    "PackageData",
    "PackageKind",
    "ParseCounters",
    "RezsnapError",
    "ScanProblem",
    "ScanResult",
    "ScannedPackage",
    "__version__",
    "load_package",
    "parse_static_package_py",
    "parse_static_packages_py",
    "scan_repo",
]
