"""The resolved packages' definitions, loaded by rez's own loader on threads before rez asks.

When a context builds an environment (``ResolvedContext._execute``: ``rez env``, ``rez env
-- cmd``, ``get_environ``), rez loads each resolved package one after the other
(``FileSystemPackageResource._load``: find the definition file, ``realpath``, open and read
it twice, run it). On a network file system each of those calls is a round trip and the
chain is most of what a large ``rez env`` waits for. Here, at the start of ``_execute``,
rez's resources of the context's variants (the objects rez itself will use, from its
resource pool) have their data loaded on threads, so the round trips overlap; rez then
finds them loaded. Nothing is computed differently: the same files are read by the same
code, and a file that fails to load is left for rez to load (and report) as it would. A
context that is only saved or shown (``rez env -o``, ``rez context``) loads nothing, as
with plain rez.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Callable, Sequence
from typing import Any, Final

from rezsnap._io import NETWORK_THREADS

__all__ = ["preload_definitions", "preload_when_executed"]

#: Threads loading definitions at once: each of rez's loads is about 28 calls on the file
#: system. The whole ``rez env`` of the benchmark's request #110 (111 packages) on latfs at 0.5
#: ms a call: 16 threads 0.91 s, 32 threads 0.75 s.
PRELOAD_THREADS: Final = NETWORK_THREADS


def _load(variant: Any) -> None:
    # the package's data (a variant's is its package's); what fails is loaded again, and
    # reported, by rez on its own thread
    with contextlib.suppress(Exception):
        variant.resource.parent._data  # noqa: B018 - rez's cached property: reading it loads it


def preload_when_executed() -> None:
    """From now on in this process, a context that builds an environment first loads its
    resolved packages' definitions on threads (``preload_definitions``)."""
    module = sys.modules.get("rez.resolved_context")
    if module is None:  # no context in this process: none will build an environment from this solve
        return
    context_class = module.ResolvedContext
    execute = context_class._execute
    if getattr(execute, "_rezsnap_preloading", False):
        return
    context_class._execute = _preloading(execute)


def _preloading(execute: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(execute)
    def _execute(context: Any, executor: Any) -> Any:
        preload_definitions(list(context.resolved_packages or ()))
        return execute(context, executor)

    _execute._rezsnap_preloading = True  # type: ignore[attr-defined]
    return _execute


def preload_definitions(variants: Sequence[Any]) -> None:
    """Load the data of these rez variants into rez's cached resources, on threads (data
    loaded already is only read)."""
    from rez.config import config

    if len(variants) < 2 or config.package_definition_build_python_paths:
        return  # rez's loader extends and restores sys.path around each file: one at a time there
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(min(PRELOAD_THREADS, len(variants)), thread_name_prefix="rezsnap-preload") as pool:
        list(pool.map(_load, variants))
    from ._patch import log

    log.debug("rezsnap: %d resolved packages' definitions loaded on threads", len(variants))
