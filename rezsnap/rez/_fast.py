"""The fast path: a rez solve answered from a snapshot by rezsnap's solver.

Imported on the first solve that rez does not finish within its budget (``_patch.py``).
The snapshot is read through its solve index when it has a current one (no pyarrow; only
the touched families are decoded), else from the Parquet file.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rezsnap.snapshot._errors import SnapshotError
from rezsnap.snapshot._index import ROW_FIELDS, FamilyRow, group_rows, read_solve_index
from rezsnap.solver import Repository, solve_with

from ._freshness import first_change, same_paths
from ._graph import rez_graph
from ._patch import Fallback, Settings

if TYPE_CHECKING:
    from rezsnap.solver import ResolvedVariant, SolveResult
    from rezsnap.solver._families import Family
    from rezsnap.version import VersionRange

__all__ = ["fast_solve"]


class _Source:
    """A snapshot, read once per process: its package paths, rows by family, repository."""

    def __init__(self, snapshot: str) -> None:
        index = read_solve_index(snapshot)
        if index is not None:
            self.package_paths: tuple[str, ...] = index.package_paths
            self.rows = index.rows
            self.repository = Repository.from_solve_index(index)
        else:  # no current index: the Parquet file (pyarrow)
            from rezsnap.snapshot import read_snapshot

            read = read_snapshot(snapshot)
            self.package_paths = read.metadata.package_paths
            self.rows = _TableRows(read.table)
            self.repository = Repository.from_snapshot(read)
        self._paths_match: dict[tuple[str, ...], bool] = {}

    def matches(self, rez_paths: Sequence[str]) -> bool:
        """Rule 1, remembered per list of paths: ``realpath`` costs a stat per component."""
        key = tuple(rez_paths)
        found = self._paths_match.get(key)
        if found is None:
            found = self._paths_match[key] = same_paths(self.package_paths, key)
        return found


class _TableRows:
    """``SolveIndex.rows`` over a Parquet table (a snapshot without a current index)."""

    def __init__(self, table: Any) -> None:
        columns = {name: table.column(name).to_pylist() for name in ROW_FIELDS}
        self._rows = group_rows(columns, table.column("family").to_pylist())

    def __call__(self, family: str) -> list[FamilyRow]:
        return self._rows.get(family, [])


def _source(settings: Settings) -> _Source:
    with settings.lock:
        source = settings.sources.get(settings.snapshot)
        if source is None:
            try:
                source = _Source(settings.snapshot)
            except SnapshotError as exc:  # missing, truncated, foreign...
                raise Fallback(f"snapshot unusable: {type(exc).__name__}") from None
            settings.sources[settings.snapshot] = source
    return source


class _Tracking(Repository):
    """The snapshot repository, recording the families one solve asks for."""

    def __init__(self, repository: Repository) -> None:
        super().__init__(repository.family, repository.searched)
        self.touched: set[str] = set()

    def family(self, name: str, range_: VersionRange | None = None) -> Family | None:
        self.touched.add(name)
        return super().family(name)


def fast_solve(resolver: Any, settings: Settings) -> Any:
    source = _source(settings)
    if not source.matches(resolver.package_paths):
        raise Fallback("snapshot package paths differ from rez's")
    repository = _Tracking(source.repository)
    result = solve_with(repository, [str(r) for r in resolver.package_requests],
                        timestamp=resolver.timestamp or None, validate_names=False, graph=True)
    if result.status == "error":
        raise Fallback("rezsnap cannot decide (late-bound or unloadable package)")
    if result.status != "solved":
        raise Fallback("failed solve (rez builds the failure graph)")
    if settings.verify_files:
        reason = first_change(repository.touched, resolver.package_paths, source.rows)
        if reason is not None:
            raise Fallback(reason)
    return _SolvedByRezsnap(result, resolver, source.package_paths)


class _Variant:
    __slots__ = ("handle", "text")

    def __init__(self, handle: Any, text: str) -> None:
        self.handle = handle
        self.text = text  # for logs: name-version[index], as rez prints a solver variant


class _SolvedByRezsnap:
    """What ``Resolver._solver_to_dict`` reads of a solved ``rez.solver.Solver``."""

    abort_reason = None
    load_time = 0.0

    def __init__(self, result: SolveResult, resolver: Any, snapshot_paths: Sequence[str]) -> None:
        from rez.solver import SolverStatus
        from rez.utils.formatting import PackageRequest

        self.status = SolverStatus.solved
        self.solve_time = result.solve_time_ms / 1e3
        # the package paths' real prefixes, once: the URIs are built on the repositories' realpaths
        prefixes = [os.path.realpath(path).rstrip("/\\") + os.sep for path in snapshot_paths]
        self.resolved_packages = [
            _Variant(_handle(v, prefixes, resolver.package_paths), v.qualified_name)
            for v in result.resolved_packages]
        self.resolved_ephemerals = [PackageRequest(e) for e in result.resolved_ephemerals]
        self._graph = result.graph
        self._requests = list(resolver.package_requests)

    def get_graph(self) -> Any:
        from rez.config import config

        assert self._graph is not None
        return rez_graph(self._graph, self._requests, prune_unfailed=config.prune_failed_graph)

    def failure_description(self) -> None:
        return None


def _handle(variant: ResolvedVariant, prefixes: Sequence[str], rez_paths: Sequence[str]) -> Any:
    """The resource handle rez's filesystem repository gives this variant (the snapshot's
    paths are rez's, maybe spelt differently: the same position is the same repository)."""
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
        raise Fallback("a resolved package is outside the snapshot's package paths")
    return found
