"""rezsnap: fast, rez-faithful scanning, parsing, snapshots and solving of rez repositories."""

from rezsnap.model import PackageKind, ScannedPackage, ScanProblem
from rezsnap.scanner import ScanResult, scan_repo
from rezsnap.version import RezsnapError

__version__ = "0.1.0"

__all__ = [
    "PackageKind",
    "RezsnapError",
    "ScanProblem",
    "ScanResult",
    "ScannedPackage",
    "__version__",
    "scan_repo",
]
