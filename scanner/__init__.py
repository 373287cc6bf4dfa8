"""The rez-identical directory walker.

Every name is imported on first use: a no-change refresh (``observe_state``) imports none of
the walk's machinery (the pool, the version ordering).
"""

from typing import TYPE_CHECKING

from rezsnap._lazy import exports_on_first_use

if TYPE_CHECKING:
    from rezsnap._names import is_valid_package_name
    from rezsnap._pool import pmap

    from ._families import version_sort_key
    from ._observe import observe_repositories
    from ._paths import normalise_paths
    from ._scan import (
        DEFAULT_WORKERS,
        FamilyRef,
        ListedFamily,
        RenderedScan,
        ScanResult,
        list_families,
        scan_family,
        scan_rendered,
        scan_repo,
    )

__all__ = [
    "DEFAULT_WORKERS",
    "FamilyRef",
    "ListedFamily",
    "RenderedScan",
    "ScanResult",
    "is_valid_package_name",
    "list_families",
    "normalise_paths",
    "observe_repositories",
    "pmap",
    "scan_family",
    "scan_rendered",
    "scan_repo",
    "version_sort_key",
]

__getattr__ = exports_on_first_use(__name__, {
    "is_valid_package_name": "rezsnap._names",
    "pmap": "rezsnap._pool",
    "version_sort_key": "rezsnap.scanner._families",
    "observe_repositories": "rezsnap.scanner._observe",
    "normalise_paths": "rezsnap.scanner._paths",
    **dict.fromkeys(["DEFAULT_WORKERS", "FamilyRef", "ListedFamily", "RenderedScan", "ScanResult", "list_families",
                     "scan_family", "scan_rendered", "scan_repo"], "rezsnap.scanner._scan"),
})
