"""The rez-identical directory walker."""

from rezsnap._names import is_valid_package_name
from rezsnap._pool import pmap

from ._families import version_sort_key
from ._scan import (
    DEFAULT_WORKERS,
    FamilyRef,
    RenderedScan,
    ScanResult,
    list_families,
    normalise_paths,
    scan_family,
    scan_rendered,
    scan_repo,
)

__all__ = [
    "DEFAULT_WORKERS",
    "FamilyRef",
    "RenderedScan",
    "ScanResult",
    "is_valid_package_name",
    "list_families",
    "normalise_paths",
    "pmap",
    "scan_family",
    "scan_rendered",
    "scan_repo",
    "version_sort_key",
]
