"""The resolved packages' definitions, loaded by rez's own loader on threads before rez asks.

After the solve, rez builds the context and loads each resolved package one after the
other (``FileSystemPackageResource._load``: find the definition file, ``realpath``, open
and read it twice, run it). On a network file system each of those calls is a round trip
and the chain is most of what a large ``rez env`` waits for. Here rez's resources of the
resolved variants are fetched from rez's resource pool (the objects rez itself will use)
and their data loaded on threads, so the round trips overlap; rez then finds them loaded.
Nothing is computed differently: the same files are read by the same code, and a file
that fails to load is left for rez to load (and report) as it would.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any, Final

from rezsnap._io import NETWORK_THREADS

__all__ = ["preload_definitions"]

#: Threads loading definitions at once: each of rez's loads is about 28 calls on the file
#: system. The whole ``rez env`` of the benchmark's request #110 (111 packages) on latfs at 0.5
#: ms a call: 16 threads 0.91 s, 32 threads 0.75 s.
PRELOAD_THREADS: Final = NETWORK_THREADS


def _load(variant: Any) -> None:
    # the package's data (a variant's is its package's); what fails is loaded again, and
    # reported, by rez on its own thread
    with contextlib.suppress(Exception):
        variant.resource.parent._data  # noqa: B018 - rez's cached property: reading it loads it


def preload_definitions(handles: Sequence[dict[str, Any]]) -> None:
    """Load the data of the variants of these resource handles (as rez's solver gives them)
    into rez's cached resources, on threads."""
    from rez.config import config
    from rez.packages import get_variant

    if len(handles) < 2 or config.package_definition_build_python_paths:
        return  # rez's loader extends and restores sys.path around each file: one at a time there
    variants = [get_variant(handle) for handle in handles]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(min(PRELOAD_THREADS, len(variants)), thread_name_prefix="rezsnap-preload") as pool:
        list(pool.map(_load, variants))
    from ._patch import log

    log.debug("rezsnap: %d resolved packages' definitions loaded on threads", len(variants))
