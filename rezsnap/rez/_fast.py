"""The fast path: a rez solve answered by rezsnap's solver, from snapshots and the live tree.

Imported on the first solve that rez does not finish within its budget (``_patch.py``).
rez's package paths are read as ``solve(package_paths=..., snapshot=...)`` reads them:
each family the solve asks for is listed live in every path, and a package's definition
comes from a snapshot only where one covers its path and proves the file unchanged
(``rezsnap.solver._layered``); everything else is read from disk, as rez would. The
snapshots are read through their solve index when current (no pyarrow; only the touched
families are decoded). A failed solve is answered too, with rez's failure description and
graph; where rez's solver raises (a missing family or version), rez's exception is raised.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rezsnap.snapshot._errors import SnapshotError
from rezsnap.solver import Repository, solve_with
from rezsnap.solver._filters import package_filter_list
from rezsnap.solver._layered import SnapshotRows, snapshot_rows
from rezsnap.solver._orderers import package_order_list, reads_release_times

from ._graph import rez_graph
from ._patch import Fallback, RezRaises, Settings, log

if TYPE_CHECKING:
    from rezsnap.solver import ResolvedVariant, SolveResult

__all__ = ["fast_solve", "snapshot_files"]

#: rezsnap's solver errors that are rez's exceptions of the same name, raised where rez raises them
_REZ_EXCEPTIONS = ("PackageFamilyNotFoundError", "PackageNotFoundError", "ResolveError")


def snapshot_files(setting: str) -> list[str]:
    """The snapshots of ``REZSNAP_SNAPSHOT`` (or ``enable --snapshot``): ``os.pathsep``-separated."""
    return [part for part in setting.split(os.pathsep) if part]


def _snapshots(settings: Settings) -> list[SnapshotRows]:
    """The settings' snapshots, read once per process."""
    with settings.lock:
        found = []
        for path in snapshot_files(settings.snapshot):
            rows = settings.sources.get(path)
            if rows is None:
                try:
                    rows = snapshot_rows(path)
                except SnapshotError as exc:  # missing, truncated, foreign...
                    raise Fallback(f"snapshot unusable: {type(exc).__name__}") from None
                settings.sources[path] = rows
            found.append(rows)
    return found


def fast_solve(resolver: Any, settings: Settings) -> Any:
    """rezsnap's answer for ``resolver`` (a solved or failed solver, as rez's ``_solve``
    returns), rez's exception where rez's solver raises one, or ``Fallback``."""
    from rez.config import config

    paths = list(resolver.package_paths)
    repository = Repository.from_paths(paths, snapshots=_snapshots(settings), check_stamps=settings.verify_files,
                                       slow_file_system=settings.network_fs)
    # rez's resolver has added the resolve time to its filter already (as after(T))
    steering = package_filter_list(resolver.package_filter) if resolver.package_filter else None
    orderers = package_order_list(resolver.package_orderers) if resolver.package_orderers else None
    if orderers and reads_release_times(orderers) and [os.path.realpath(p) for p in paths] != [
            os.path.realpath(p) for p in config.packages_path]:
        # rez's soft_timestamp reads release times from config.packages_path, not the solve's paths
        raise Fallback("soft_timestamp orderer with other package paths than rez's config")
    result = solve_with(repository, [str(r) for r in resolver.package_requests],
                        timestamp=None if steering else resolver.timestamp or None, validate_names=False,
                        graph=True, variant_select_mode=config.variant_select_mode, package_filter=steering,
                        package_orderers=orderers or None)
    settings.last_live_families = len(repository.live_families)
    if repository.live_families:
        log.debug("rezsnap: families read from disk: %s", " ".join(sorted(repository.live_families)))
    if result.status == "error":
        _raise_as_rez(result.failure_description or "")
        raise Fallback("rezsnap cannot decide (unloadable package)")
    if result.status == "failed":
        return _FailedByRezsnap(result, resolver)
    if repository.slow_file_system:
        from ._preload import preload_when_executed

        preload_when_executed()
    return _SolvedByRezsnap(result, resolver, paths)


def _raise_as_rez(description: str) -> None:
    """Raise rez's exception for a solve rez's solver would abort (the same class and text)."""
    name, _, message = description.partition(": ")
    if name in _REZ_EXCEPTIONS:
        from rez import exceptions

        raise RezRaises(getattr(exceptions, name)(message))


class _Answered:
    """What ``Resolver._solver_to_dict`` reads of a ``rez.solver.Solver``, common part."""

    abort_reason = None
    load_time = 0.0

    def __init__(self, result: SolveResult, resolver: Any) -> None:
        self.solve_time = result.solve_time_ms / 1e3
        self._graph = result.graph
        self._requests = list(resolver.package_requests)

    def get_graph(self) -> Any:
        from rez.config import config

        assert self._graph is not None
        return rez_graph(self._graph, self._requests, prune_unfailed=config.prune_failed_graph)


class _FailedByRezsnap(_Answered):
    """A failed solve: rez's failure description and failure graph."""

    def __init__(self, result: SolveResult, resolver: Any) -> None:
        from rez.solver import SolverStatus

        super().__init__(result, resolver)
        if result.graph is None:
            raise Fallback("failed solve without a graph")
        self.status = SolverStatus.failed
        self.resolved_packages: list[Any] = []
        self.resolved_ephemerals: list[Any] = []
        self._description = result.failure_description

    def failure_description(self) -> str | None:
        return self._description


class _Variant:
    __slots__ = ("handle", "text")

    def __init__(self, handle: Any, text: str) -> None:
        self.handle = handle
        self.text = text  # for logs: name-version[index], as rez prints a solver variant


class _SolvedByRezsnap(_Answered):
    """A solved solve: the resolved variants' resource handles, as rez's solver gives them."""

    def __init__(self, result: SolveResult, resolver: Any, paths: Sequence[str]) -> None:
        from rez.solver import SolverStatus
        from rez.utils.formatting import PackageRequest

        super().__init__(result, resolver)
        self.status = SolverStatus.solved
        # the package paths' real prefixes, once: the URIs are built on the repositories' realpaths
        prefixes = [os.path.realpath(os.path.expanduser(path)).rstrip("/\\") + os.sep for path in paths]
        self.resolved_packages = [_Variant(_handle(v, prefixes, paths), v.qualified_name)
                                  for v in result.resolved_packages]
        self.resolved_ephemerals = [PackageRequest(e) for e in result.resolved_ephemerals]

    def failure_description(self) -> None:
        return None


def _handle(variant: ResolvedVariant, prefixes: Sequence[str], rez_paths: Sequence[str]) -> Any:
    """The resource handle rez's filesystem repository gives this variant (found in the
    package path whose real path holds its definition file)."""
    from rez.package_repository import package_repository_manager
    from rez.utils.resources import ResourceHandle

    assert variant.uri is not None
    uri = variant.uri[: variant.uri.rindex("[")]
    combined = ".py<" in uri or ".yaml<" in uri
    repository = rez_paths[_repository_index(uri, prefixes)]
    location = package_repository_manager.get_repository(repository).location
    variables = {"location": location, "name": variant.name, "version": variant.version,
                 "index": variant.variant_index, "repository_type": "filesystem"}
    # As a dict, like the handles of rez's solver variants (what memcached stores).
    if not combined:
        return ResourceHandle("filesystem.variant", variables).to_dict()
    variables["ext"] = "py" if ".py<" in uri else "yaml"
    return ResourceHandle("filesystem.variant.combined", variables).to_dict()


def _repository_index(uri: str, prefixes: Sequence[str]) -> int:
    """Which package path holds ``uri`` (the longest prefix: one path may contain another)."""
    best, found = -1, -1
    for index, prefix in enumerate(prefixes):
        if uri.startswith(prefix) and len(prefix) > best:
            best, found = len(prefix), index
    if found < 0:
        raise Fallback("a resolved package is outside rez's package paths")
    return found
